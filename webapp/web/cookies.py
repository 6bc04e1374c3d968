"""The signed, HttpOnly cookie (one per gemeente) and CSRF tokens.

Each gemeente has its own cookie, ``verhuizen-<slug>``, on path ``/``. With secure cookies
(production) its name carries the ``__Host-`` prefix, so a browser only accepts it over HTTPS,
from this host, with path ``/`` and no Domain: no subdomain or other path can set or shadow it.

A login through a broker keeps what it must remember until the callback (state, nonce, PKCE
verifier) in a short-lived signed cookie of its own, ``verhuizen-<slug>_inloggen``: never in a URL,
and apart from the session cookie, so starting a login never touches a session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "verhuizen"
HOST_PREFIX = "__Host-"
PENDING_SUFFIX = "_inloggen"
"""After the slug; ``_`` is no slug character, so no gemeente's own cookie can have this name."""
PENDING_SECONDS = 600
"""A login at the broker takes minutes at most (DigiD's own session is 15)."""


@dataclass(frozen=True)
class CookieState:
    token: str | None = None
    """Session token of a logged-in resident."""
    nonce: str | None = None
    """Random value of an anonymous visitor, for the login form's CSRF token."""
    forged: bool = False


class Cookies:
    def __init__(self, secret: str, secure: bool) -> None:
        self._serializer = URLSafeSerializer(secret, salt="verhuizen-cookie")
        self._pending = URLSafeTimedSerializer(secret, salt="verhuizen-login-pending")
        self._secret = secret.encode()
        self.secure = secure

    def name(self, slug: str) -> str:
        return f"{HOST_PREFIX if self.secure else ''}{COOKIE}-{slug}"

    def read(self, request: Request, slug: str) -> CookieState:
        raw = request.cookies.get(self.name(slug))
        if not raw:
            return CookieState()
        try:
            data: Any = self._serializer.loads(raw)
        except BadSignature:
            return CookieState(forged=True)
        if not isinstance(data, dict):
            return CookieState(forged=True)
        token, nonce = data.get("s"), data.get("a")
        return CookieState(
            token=token if isinstance(token, str) else None,
            nonce=nonce if isinstance(nonce, str) else None,
        )

    def anonymous_csrf(self, nonce: str) -> str:
        return hmac.new(self._secret, f"anon:{nonce}".encode(), hashlib.sha256).hexdigest()

    def set_session(self, response: Response, slug: str, token: str) -> None:
        self._set(response, slug, {"s": token})

    def set_anonymous(self, response: Response, slug: str, nonce: str) -> None:
        self._set(response, slug, {"a": nonce})

    def clear(self, response: Response, slug: str) -> None:
        response.delete_cookie(
            self.name(slug), path="/", secure=self.secure, httponly=True, samesite="lax"
        )

    def pending_name(self, slug: str) -> str:
        return self.name(slug) + PENDING_SUFFIX

    def set_pending(self, response: Response, slug: str, pending: Mapping[str, str]) -> None:
        """Keep a broker login's ``pending`` for this browser until the callback. SameSite=Lax:
        the broker sends the browser back with a top-level cross-site GET, which Lax lets
        through (Strict would not); a cross-site POST or sub-request never carries it."""
        response.set_cookie(
            self.pending_name(slug),
            self._pending.dumps({"g": slug, "p": dict(pending)}),
            max_age=PENDING_SECONDS,
            path="/",
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )

    def read_pending(self, request: Request, slug: str) -> dict[str, str] | None:
        """The pending login of this browser for this gemeente; None when there is none, it
        is older than :data:`PENDING_SECONDS`, forged, or another gemeente's."""
        raw = request.cookies.get(self.pending_name(slug))
        if not raw:
            return None
        try:
            data: Any = self._pending.loads(raw, max_age=PENDING_SECONDS)
        except BadSignature:  # SignatureExpired too
            return None
        if not isinstance(data, dict) or data.get("g") != slug:
            return None
        pending = data.get("p")
        if not isinstance(pending, dict):
            return None
        return {k: v for k, v in pending.items() if isinstance(k, str) and isinstance(v, str)}

    def clear_pending(self, response: Response, slug: str) -> None:
        response.delete_cookie(
            self.pending_name(slug), path="/", secure=self.secure, httponly=True, samesite="lax"
        )

    def _set(self, response: Response, slug: str, payload: dict[str, str]) -> None:
        response.set_cookie(
            self.name(slug),
            self._serializer.dumps(payload),
            path="/",
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def same(a: str | None, b: str | None) -> bool:
    """Equal, in constant time. As bytes: ``compare_digest`` refuses str with non-ASCII
    characters (a TypeError, so a 500), and a posted token or password may hold any."""
    if not a or not b:
        return False
    return hmac.compare_digest(
        str(a).encode("utf-8", "surrogatepass"), str(b).encode("utf-8", "surrogatepass")
    )
