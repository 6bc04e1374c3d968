"""A small HTTP/1.1 client on asyncio streams, for load: keep-alive, cookies, forms.

Deliberately minimal (no TLS, no redirects unless asked, 127.0.0.1 only) so that the load
generator costs little CPU next to the server under test on a small machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

FormValue = str | Sequence[str]
FilePart = tuple[str, bytes, str]  # filename, data, content type


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    wire_bytes: int
    """Bytes read from the socket for this response: status line, headers and body."""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class HttpError(Exception):
    pass


def encode_form(data: Mapping[str, FormValue]) -> bytes:
    parts: list[str] = []
    for key, value in data.items():
        values = [value] if isinstance(value, str) else list(value)
        parts.extend(f"{quote_plus(key)}={quote_plus(v)}" for v in values)
    return "&".join(parts).encode()


def encode_multipart(
    data: Mapping[str, FormValue], files: Mapping[str, FilePart]
) -> tuple[bytes, str]:
    boundary = "bench" + secrets.token_hex(12)
    out = bytearray()
    for key, value in data.items():
        values = [value] if isinstance(value, str) else list(value)
        for v in values:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
            out += v.encode() + b"\r\n"
    for key, (filename, blob, content_type) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        out += blob + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


@dataclass
class Client:
    """One visitor: one keep-alive connection and a cookie jar."""

    host: str
    port: int
    default_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    fresh_connections: bool = False
    """A new TCP connection for every request (``connection: close``), as many separate
    visitors would make, instead of one kept-alive connection per client."""
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        if self.host != "127.0.0.1":
            raise HttpError("load goes to 127.0.0.1 only")
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None

    def clear_cookies(self) -> None:
        self.cookies.clear()

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post_form(
        self,
        path: str,
        data: Mapping[str, FormValue],
        files: Mapping[str, FilePart] | None = None,
    ) -> Response:
        if files:
            body, content_type = encode_multipart(data, files)
        else:
            body, content_type = encode_form(data), "application/x-www-form-urlencoded"
        return await self.request("POST", path, body=body, headers={"content-type": content_type})

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        for attempt in (1, 2):
            if self._writer is None:
                await self._connect()
            try:
                return await self._exchange(method, path, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # The server closed a kept-alive connection: one retry on a fresh one.
                await self.close()
                if attempt == 2:
                    raise HttpError(f"{method} {path}: {exc!r}") from exc
        raise AssertionError("unreachable")

    async def _exchange(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> Response:
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        for key, value in {**self.default_headers, **headers}.items():
            lines.append(f"{key}: {value}")
        if self.fresh_connections:
            lines.append("connection: close")
        if self.cookies:
            lines.append("cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method == "POST":
            lines.append(f"content-length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        wire = len(head)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        parsed: list[tuple[str, str]] = []
        for line in header_lines:
            if not line:
                continue
            key, _sep, value = line.partition(":")
            parsed.append((key.strip().lower(), value.strip()))
        length = next((v for k, v in parsed if k == "content-length"), None)
        chunked = any(k == "transfer-encoding" and "chunked" in v.lower() for k, v in parsed)
        close = any(k == "connection" and v.lower() == "close" for k, v in parsed)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            data = b""
        elif length is not None:
            data = await reader.readexactly(int(length))
            wire += len(data)
        elif chunked:
            chunks = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                wire += len(size_line)
                size = int(size_line.split(b";")[0].strip(), 16)
                chunk = await reader.readexactly(size + 2)
                wire += len(chunk)
                if size == 0:
                    break
                chunks += chunk[:-2]
            data = bytes(chunks)
        else:
            data = await reader.read()
            wire += len(data)
            close = True
        for key, value in parsed:
            if key == "set-cookie":
                self._take_cookie(value)
        if close or self.fresh_connections:
            await self.close()
        return Response(status, parsed, data, wire)

    def _take_cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _sep, value = pair.strip().partition("=")
        expired = any(
            a.strip().lower().startswith("max-age=") and a.strip()[8:].strip() in ("0", "-1")
            for a in attributes
        )
        if expired or value in ('""', ""):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


def path_of(location: str) -> str:
    """The path (and query) of a Location header, absolute or not."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
