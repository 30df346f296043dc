"""Who may write: the server's token, sent by scripts as a bearer token, by browsers through a session cookie.

Scripts send ``Authorization: Bearer TOKEN`` with every write (docs/http.md). A person in
a browser types the token once in the login form (``/login``); the server answers with
a session cookie and never stores the token in the browser:

- the cookie holds an expiry time and an HMAC of it keyed by the token, so it proves
  the token was typed without revealing it; restarting the server with another token
  ends every session. It is ``HttpOnly`` (no script can read it; the pages run none),
  ``SameSite=Strict`` (another site cannot make the browser send it) and ``Secure``
  when the page was served over HTTPS.
- every form that writes carries a CSRF token, an HMAC of the session keyed by the
  token, checked on submission; and a request another site started (``Origin`` or
  ``Sec-Fetch-Site`` telling so) is refused whatever it carries.

Written by hand: these are a few lines of the standard library (hmac), and the web
stack already has the forms; a session library would add state the server does not need.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials

from storyline.serve.errors import HTTPProblem

SESSION_COOKIE = "storyline_session"
SESSION_SECONDS = 12 * 3600


def _sign(token: str, message: str) -> str:
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def new_session(token: str, *, now: float | None = None) -> str:
    """A session cookie's value: its expiry (Unix seconds) and the token's signature of it."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    return f"{expires}.{_sign(token, f'session:{expires}')}"


def valid_session(token: str | None, value: str | None) -> bool:
    if not token or not value or "." not in value:
        return False
    expires, signature = value.split(".", 1)
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(signature, _sign(token, f"session:{expires}"))


def csrf_for(token: str, session: str) -> str:
    """The CSRF token of a session: forms carry it, and it is worth nothing without the session cookie."""
    return _sign(token, f"csrf:{session}")


def same_token(given: str, expected: str) -> bool:
    """Constant time: the comparison must not tell how much of a guess was right."""
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Visitor:
    """What the pages need to know about who is looking: may they write, and the CSRF token of their forms."""

    writes_enabled: bool  # the server has a token
    editor: bool  # this browser is logged in
    csrf: str = ""


def visitor(request: Request) -> Visitor:
    token: str | None = request.app.state.settings.token
    session = request.cookies.get(SESSION_COOKIE)
    if token and session and valid_session(token, session):
        return Visitor(True, True, csrf_for(token, session))
    return Visitor(bool(token), False)


def check_same_site(request: Request) -> None:
    """Refuse a form another site made the browser send (the browser says so in Sec-Fetch-Site or Origin)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        raise HTTPProblem(403, "cross_site", "this form was sent from another site; use the form on this server's own page")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise HTTPProblem(403, "cross_site", "this form was sent from another site; use the form on this server's own page")


def check_form(request: Request, csrf: str) -> None:
    """A write from a page: the visitor must be logged in, on this site, with the form's CSRF token."""
    check_same_site(request)
    token: str | None = request.app.state.settings.token
    if not token:
        raise HTTPProblem(403, "writes_disabled", "this server accepts no writes: restart it with --token TOKEN to let analysts edit stories")
    session = request.cookies.get(SESSION_COOKIE)
    if not session or not valid_session(token, session):
        raise HTTPProblem(401, "login_needed", "log in first (/login) with the server's token; your session may have expired")
    if not hmac.compare_digest(csrf.encode(), csrf_for(token, session).encode()):
        raise HTTPProblem(403, "csrf", "this form is out of date (or from elsewhere); reload the page and send it again")


def check_bearer(expected: str | None, credentials: HTTPAuthorizationCredentials | None) -> None:
    """A write from a script: the server's token as ``Authorization: Bearer TOKEN``."""
    if not expected:
        raise HTTPProblem(
            403, "writes_disabled",
            "this server accepts no writes: restart it with --token TOKEN (or STORYLINE_TOKEN set) to enable writes",
        )
    if credentials is None:
        raise HTTPProblem(401, "unauthorized", "send the write token as 'Authorization: Bearer TOKEN'", headers={"WWW-Authenticate": "Bearer"})
    if not same_token(credentials.credentials, expected):
        raise HTTPProblem(
            401, "invalid_token", "the token is not the one this server was started with",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
