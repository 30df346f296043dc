"""Safe to point at the open web: only http(s), and never an address inside the machine or its network.

A feed or a page can name any URL, and a redirect can lead anywhere: without a check,
watching a hostile feed would make Storyline query the host's own services (SSRF).
Addresses are checked after DNS resolution, on the connection itself, so a name that
resolves to a private address, or a redirect to one, is refused as surely as a
literal ``http://127.0.0.1/``; and the address checked is the address connected to
(no second lookup an attacker's DNS could answer differently).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import httpcore
import httpx

from storyline.errors import FetchError

ALLOWED_SCHEMES = {"http", "https"}
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FLAG = "--allow-private-addresses"


class RefusedAddress(FetchError):
    """The URL leads to an address Storyline does not connect to without being told it may."""


def check_url(url: str) -> None:
    """Refuse what can be refused from the URL alone: another scheme, no host, credentials.

    Raises:
        RefusedAddress: with the reason and what to do.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise RefusedAddress(f"is not a valid URL ({exc})", source=url) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise RefusedAddress(f"uses {parts.scheme or 'no'} scheme; Storyline fetches only http and https URLs", source=url)
    if not parts.hostname:
        raise RefusedAddress("has no host name; give a full URL like https://example.com/feed.xml", source=url)
    if parts.username or parts.password:
        raise RefusedAddress("carries a user name or password; Storyline does not send credentials to sources", source=url)


def refusal(address: str) -> str | None:
    """Why Storyline does not connect to this IP address by default, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for reason, test in (
        ("a loopback address (this machine)", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("an unspecified address", ip.is_unspecified),
        ("a private address (a local network)", ip.is_private),
        ("a reserved address", ip.is_reserved or not ip.is_global),
    ):
        if test:
            return reason
    return None


def check_addresses(host: str, addresses: Iterable[str], allowed: Sequence[IPNetwork] = ()) -> None:
    """Refuse the host when any address it resolves to is not public, nor in an ``allowed`` network
    (one bad answer is enough to refuse)."""
    for address in addresses:
        if any(ipaddress.ip_address(address.split("%", 1)[0]) in network for network in allowed):
            continue
        reason = refusal(address)
        if reason:
            shown = host if host == address else f"{host} ({address})"
            raise RefusedAddress(
                f"refused: {shown} is {reason}; Storyline only fetches from public addresses "
                f"unless run with {FLAG} (for intranets and tests)",
                source=host,
            )


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host itself, refuses non-public addresses, and connects to the address it checked."""

    def __init__(self, *, allow_private: bool, allowed_networks: Sequence[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc.strerror})") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private:
            check_addresses(host, addresses, self.allowed)
        failure: Exception | None = None
        for address in addresses:
            try:
                # TLS still verifies (and sends SNI for) the host name, not the address.
                return self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} resolves to no address")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Storyline does not fetch over unix sockets")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with every connection made through ``_GuardedBackend``.

    httpx has no setting for the network backend of its connection pool, so the pool
    it builds is replaced by the same pool over the guarded backend. No proxy is used
    (a proxy would connect on our behalf, out of reach of the check).
    """

    def __init__(self, *, allow_private: bool, allowed_networks: Sequence[str] = (), limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(allow_private=allow_private, allowed_networks=allowed_networks),
        )
