"""Bounded requests (issue 8, item 2): a body over its route's limit is refused before anything
parses it, unread when it says its size, cut off as it streams when it does not."""

from __future__ import annotations

import asyncio

from webapp.web.middleware import MULTIPART_OVERHEAD, SMALL_BODY, BodyLimit

MB = 1024 * 1024


def call(app, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]):
    """Send one request straight to the ASGI app; count the body bytes it pulled."""
    pulled = 0
    sent: list[dict] = []
    pending = list(chunks)

    async def receive():
        nonlocal pulled
        if not pending:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = pending.pop(0)
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body.decode(), pulled


def test_a_declared_100_mb_login_is_refused_unread(app):
    chunks = [b"x" * MB] * 100
    length = [(b"content-length", str(100 * MB).encode())]
    status, headers, body, pulled = call(app, "/rotterdam/inloggen", chunks, length)
    assert status == 413
    assert pulled == 0
    assert "te groot" in body
    assert b"content-security-policy" in headers  # an error page like any other


def test_an_undeclared_body_is_cut_off_as_it_streams(app):
    chunks = [b"a=" + b"x" * 16 * 1024] * 64  # 1 MB without a Content-Length
    status, _headers, _body, pulled = call(
        app,
        "/rotterdam/inloggen",
        chunks,
        [(b"content-type", b"application/x-www-form-urlencoded")],
    )
    assert status == 413
    assert pulled <= SMALL_BODY + 17 * 1024  # stopped at the first chunk past the limit


def test_a_nonsense_length_is_refused(app):
    status, *_ = call(app, "/rotterdam/inloggen", [b""], [(b"content-length", b"-1")])
    assert status == 413


def test_the_documents_step_may_carry_the_gemeentes_files(app):
    middleware = BodyLimit(app.router, services=app.state.services)
    gemeente = app.state.services.gemeenten["voorbeeld"]
    step = next(s for s in gemeente.stappen if s.type == "documenten")
    documents = len(gemeente.documenten)
    expected = int(gemeente.uploads.max_mb * MB) * documents + MULTIPART_OVERHEAD
    scope = {"path": f"/voorbeeld/stap/{step.id}", "method": "POST"}
    assert middleware.limit(scope) == expected
    assert middleware.limit({"path": "/voorbeeld/stap/situatie", "method": "POST"}) == SMALL_BODY
    assert middleware.limit({"path": "/voorbeeld/inloggen", "method": "POST"}) == SMALL_BODY
    assert middleware.limit({"path": "/elders/stap/x", "method": "POST"}) == SMALL_BODY
