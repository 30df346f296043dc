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
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

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
    import httpx  # here, not at the top: read-only commands import this module and never fetch

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        httpx.URL(url)  # what the request would be built from: control characters, a host too long
    except (ValueError, httpx.InvalidURL) as exc:
        raise RefusedAddress(f"is not a valid URL ({exc}); check the feed or sitemap that lists it", source=url) from None
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
