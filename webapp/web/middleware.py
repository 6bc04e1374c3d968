"""ASGI middleware, outermost first: a request id and one log event per request, the security
headers on every response, and the 500/503 pages rendered inside those two."""

from __future__ import annotations

import logging
import secrets
import time

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.logs import request_id
from webapp.web.errors import error_page

log = logging.getLogger("verhuizen")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "serial=(), sync-xhr=(), usb=(), xr-spatial-tracking=()"
)
HSTS = "max-age=63072000; includeSubDomains"
RETRY_AFTER_SECONDS = 120


def security_headers(hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]
    if hsts:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """Strict CSP, isolation and no caching of pages: personal data stays out of caches.

    The server's own ``Server`` header is dropped too (uvicorn also runs with it off).
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = security_headers(hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers.extend(self.headers)
                if not is_static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


DATABASE_DOWN: tuple[type[BaseException], ...] = (OperationalError, PoolTimeout, TimeoutError)


class ServerErrors:
    """An exception a handler did not handle becomes the 500 page, or the 503 page when the
    database cannot be reached; logged by type and place only (no message, no locals: they can
    hold personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            unavailable = _database_down(exc)
            log.error(
                "unhandled error",
                extra={
                    "event": "database_unavailable" if unavailable else "unhandled_error",
                    "error": type(exc).__name__,
                    "where": _where(exc),
                },
            )
            if started:
                raise
            request = Request(scope)
            if unavailable:
                response = error_page(
                    request, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            else:
                response = error_page(request, 500)
            await response(scope, receive, send)


def _database_down(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, DATABASE_DOWN)


def _where(exc: BaseException) -> str:
    """The innermost frame of our own code: module and line, nothing of its data."""
    tb = exc.__traceback__
    place = "?"
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith("webapp."):
            place = f"{module}:{tb.tb_lineno}"
        tb = tb.tb_next
    return place


class RequestLog:
    """A request id (``X-Request-Id``, also in every log event of the request) and one log event
    per request: method, route, gemeente, status and duration. Never the query or the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(8)
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            log.info(
                "request",
                extra={
                    "event": "request",
                    "method": scope.get("method"),
                    "route": _route(scope),
                    "gemeente": (scope.get("path_params") or {}).get("slug"),
                    "status": status,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            request_id.reset(token)


def _route(scope: Scope) -> str | None:
    """The route's template (``/{slug}/stap/{step_id}``), never the path itself."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path is not None else None
