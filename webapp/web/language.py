"""The resident's language: Dutch, or English when they chose it with the link on every page.

The link is a plain GET, so it works without JavaScript::

    /taal?naar=en&terug=/rotterdam/stap/verhuisdatum

It keeps the choice in a cookie of its own for the browser session (``verhuizen-taal``, no
personal data; HttpOnly, SameSite=Lax, ``__Host-`` with secure cookies) and sends the browser
back to ``terug``, a path on this site only (anything else goes to ``/``). The choice holds
for every gemeente and before and after a login, so it is not tied to the login session.

The browser's Accept-Language is not followed: many residents of a Dutch gemeente use a
browser in English, and the service is Dutch first; the link is on every page instead.

:class:`Language` sets the language for each request (:func:`webapp.i18n.set_locale`) and
resets it afterwards. The staging pages (testers, not residents) stay Dutch and show no link.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from webapp.i18n import SOURCE_LOCALE, set_locale
from webapp.tekst import NAMEN, TALEN

COOKIE = "verhuizen-taal"
HOST_PREFIX = "__Host-"
NAMES = NAMEN
DUTCH_ONLY = re.compile(r"^/[^/]+/staging(/|$)")
"""Pages for testers and the gemeente, not for residents."""
_LOCAL_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.~%-]*$")

_path: ContextVar[str | None] = ContextVar("language_path", default=None)


def cookie_name(secure: bool) -> str:
    return f"{HOST_PREFIX if secure else ''}{COOKIE}"


def chosen(request: Request | None, secure: bool) -> str:
    """The language this browser chose, Dutch when none (or an unknown one)."""
    raw = request.cookies.get(cookie_name(secure)) if request is not None else None
    return raw if raw in TALEN else SOURCE_LOCALE


def safe_return(value: str | None) -> str:
    """``value`` when it is a path on this site (no scheme, host, ``//`` or query), else ``/``."""
    if value and len(value) <= 500 and _LOCAL_PATH.match(value) and ".." not in value:
        return value
    return "/"


class Language:
    """Sets the request's language from the cookie (Dutch on the staging pages)."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if DUTCH_ONLY.match(path):
            locale, shown_on = SOURCE_LOCALE, None
        else:
            locale, shown_on = chosen(Request(scope), self.secure), path
        token = set_locale(locale)
        path_token = _path.set(shown_on)
        try:
            await self.app(scope, receive, send)
        finally:
            _path.reset(path_token)
            token.var.reset(token)


def switch_link(current: str) -> dict[str, str] | None:
    """For the page header: the link to the other language, or None where there is none.
    The page's own path is the way back (never its query: that may hold an address)."""
    path = _path.get()
    if path is None:
        return None
    other = "en" if current == SOURCE_LOCALE else SOURCE_LOCALE
    query = urlencode({"naar": other, "terug": safe_return(path)})
    return {"href": f"/taal?{query}", "taal": other, "naam": NAMES[other]}


async def choose(request: Request) -> Response:
    """GET /taal?naar=en&terug=/pad: remember the choice, go back."""
    naar = request.query_params.get("naar", "")
    if naar not in TALEN:
        raise HTTPException(400)
    secure = request.app.state.services.cookies.secure
    response = RedirectResponse(safe_return(request.query_params.get("terug")), status_code=303)
    response.set_cookie(
        cookie_name(secure), naar, path="/", httponly=True, secure=secure, samesite="lax"
    )
    return response
