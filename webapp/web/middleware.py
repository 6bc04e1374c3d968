"""ASGI middleware, outermost first: a request id and one log event per request, the security
headers on every response, the 500/503 pages rendered inside those two, and the body limits."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.logs import request_id
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.steps import registry
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
        watch = _Started(send)
        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            unavailable = _database_down(exc) or isinstance(exc, RegisterOnbereikbaar)
            log.error(
                "unhandled error",
                extra={
                    "event": _unavailable_event(exc) if unavailable else "unhandled_error",
                    "error": type(exc).__name__,
                    "where": _where(exc),
                },
            )
            if watch.started:
                raise
            request = Request(scope)
            if unavailable:
                response = error_page(
                    request, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            else:
                response = error_page(request, 500)
            await response(scope, receive, send)


class _Started:
    """A ``send`` that remembers whether the response has begun (then no error page can
    replace it)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


def _unavailable_event(exc: BaseException) -> str:
    return (
        "register_unavailable" if isinstance(exc, RegisterOnbereikbaar) else "database_unavailable"
    )


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


SMALL_BODY = 64 * 1024
"""Any request without files: the largest form (check answers, a long text question) is far
smaller."""
MULTIPART_OVERHEAD = 256 * 1024
STEP_PATH = re.compile(r"^/(?P<slug>[^/]+)/stap/(?P<step_id>[^/]+)$")


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Bounded requests, enforced before anything parses them: a declared Content-Length over
    the limit is refused unread; a body that grows past it is cut off as it streams (nothing is
    spooled beyond it). The limit is small for every request, and the gemeente's upload limit
    (times the documents the step may ask) for a step that takes files."""

    def __init__(self, app: ASGIApp, services: Any) -> None:
        self.app = app
        self.services = services

    def limit(self, scope: Scope) -> int:
        match = STEP_PATH.match(scope["path"])
        if match is None or scope.get("method") != "POST":
            return SMALL_BODY
        gemeente = self.services.gemeenten.get(match["slug"])
        if gemeente is None:
            return SMALL_BODY
        try:
            cfg = gemeente.step(match["step_id"])
        except KeyError:
            return SMALL_BODY
        step_type = registry[cfg.type]
        if not step_type.multipart:
            return SMALL_BODY
        files = max(1, len(step_type.documents(cfg, gemeente)))
        return int(gemeente.uploads.max_mb * 1024 * 1024) * files + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        watch = _Started(send)

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge:
            if watch.started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.info("body too large", extra={"event": "body_too_large"})
        response = error_page(Request(scope), 413, headers={"Connection": "close"})
        await response(scope, receive, send)
