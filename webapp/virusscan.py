"""An optional virus scan of uploads: ClamAV's ``clamd`` over its socket.

The scanner speaks clamd's ``INSTREAM`` command (the published protocol, see clamd(8)): the
command ``zINSTREAM\\0``, then the file in chunks, each a 4-byte big-endian length and that many
bytes, then a chunk of length 0; clamd answers ``stream: OK\\0``, ``stream: <name> FOUND\\0`` or
``... ERROR\\0`` (for example ``INSTREAM size limit exceeded. ERROR`` when the file is larger than
clamd's ``StreamMaxLength``). Over a unix socket (``unix:/run/clamav/clamd.ctl``) or TCP
(``tcp:127.0.0.1:3310``).

Nothing here reads the environment: the settings build a :class:`ClamdScanner` with
:func:`from_setting` and hand it to whoever checks uploads (:func:`webapp.uploads.inspect`).
When clamd cannot be reached, gives no answer in time or answers an error, :meth:`scan` raises
:class:`ScannerUnavailable`; the scanner's ``fail_open`` says what the upload check does then:
refuse the file (the default, fail-closed) or take it unscanned.

Blocking socket calls with a timeout: call it outside the event loop, as the rest of the upload
check.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Protocol

DEFAULT_TIMEOUT = 10.0
CHUNK = 64 * 1024
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """The scanner could not give an answer: not reachable, too slow, or an error reply."""


class AddressError(ValueError):
    """A scanner address that is not ``unix:/path`` or ``tcp:host:port``."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str | None = None
    """What the scanner found (its signature name), for the log."""


class Scanner(Protocol):
    """What the upload check needs of a virus scanner."""

    @property
    def fail_open(self) -> bool:
        """Take a file unscanned when the scanner is unavailable (else refuse it)."""

    def scan(self, data: bytes) -> ScanResult:
        """Scan the bytes; raises :class:`ScannerUnavailable` when there is no answer."""


@dataclass(frozen=True)
class Address:
    family: str  # "unix" or "tcp"
    path: str = ""
    host: str = ""
    port: int = 0

    def __str__(self) -> str:
        return f"unix:{self.path}" if self.family == "unix" else f"tcp:{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """``unix:/run/clamav/clamd.ctl`` or ``tcp:127.0.0.1:3310`` (``tcp:[::1]:3310`` for IPv6)."""
    scheme, sep, rest = text.strip().partition(":")
    if sep and scheme == "unix" and rest.startswith("/"):
        return Address("unix", path=rest)
    if sep and scheme == "tcp":
        host, colon, port = rest.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if colon and host and port.isdigit() and 0 < int(port) < 65536:
            return Address("tcp", host=host, port=int(port))
    raise AddressError(
        f"ongeldig adres van clamd {text!r}: verwacht unix:/pad/naar/clamd.ctl of tcp:host:poort"
    )


class ClamdScanner:
    """A virus scanner that asks ClamAV's clamd, one connection per file."""

    def __init__(
        self,
        address: str | Address,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        fail_open: bool = False,
        chunk_size: int = CHUNK,
    ) -> None:
        self.address = parse_address(address) if isinstance(address, str) else address
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self._fail_open = fail_open
        self.chunk_size = chunk_size

    @property
    def fail_open(self) -> bool:
        return self._fail_open

    def __repr__(self) -> str:
        return f"ClamdScanner({str(self.address)!r}, fail_open={self._fail_open})"

    def scan(self, data: bytes) -> ScanResult:
        deadline = time.monotonic() + self.timeout
        reply = self._exchange(b"zINSTREAM\0", data, deadline)
        return _parse_reply(reply)

    def ping(self) -> bool:
        """Whether clamd answers (for a readiness check)."""
        try:
            return self._exchange(b"zPING\0", None, time.monotonic() + self.timeout) == "PONG"
        except ScannerUnavailable:
            return False

    def _connect(self, deadline: float) -> socket.socket:
        address = self.address
        try:
            if address.family == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(_left(deadline))
                try:
                    sock.connect(address.path)
                except BaseException:
                    sock.close()
                    raise
                return sock
            return socket.create_connection((address.host, address.port), _left(deadline))
        except OSError as exc:
            raise ScannerUnavailable(f"clamd op {address} niet bereikbaar: {exc}") from exc

    def _exchange(self, command: bytes, data: bytes | None, deadline: float) -> str:
        sock = self._connect(deadline)
        try:
            sent_all = True
            try:
                sock.settimeout(_left(deadline))
                sock.sendall(command)
                if data is not None:
                    view = memoryview(data)
                    for start in range(0, len(view), self.chunk_size):
                        chunk = view[start : start + self.chunk_size]
                        sock.settimeout(_left(deadline))
                        sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
                    sock.settimeout(_left(deadline))
                    sock.sendall(b"\0\0\0\0")
            except (BrokenPipeError, ConnectionResetError):
                sent_all = False  # clamd stopped reading (a size limit): its reply says why
            except OSError as exc:
                raise ScannerUnavailable(f"clamd op {self.address}: {exc}") from exc
            reply = self._read_reply(sock, deadline)
            if not reply and not sent_all:
                raise ScannerUnavailable(f"clamd op {self.address} brak de verbinding af")
            return reply
        finally:
            sock.close()

    def _read_reply(self, sock: socket.socket, deadline: float) -> str:
        received = bytearray()
        try:
            while b"\0" not in received and len(received) < MAX_REPLY:
                sock.settimeout(_left(deadline))
                part = sock.recv(MAX_REPLY)
                if not part:
                    break
                received += part
        except OSError as exc:
            if not received:
                raise ScannerUnavailable(f"clamd op {self.address}: {exc}") from exc
        return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ScannerUnavailable("clamd antwoordde niet op tijd")
    return left


def _parse_reply(reply: str) -> ScanResult:
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    text = reply.removeprefix("stream:").strip()
    if text == "OK":
        return ScanResult(False)
    if text.endswith(" FOUND"):
        return ScanResult(True, text.removesuffix(" FOUND").strip() or None)
    raise ScannerUnavailable(f"clamd gaf geen uitslag: {reply[:200]!r}")


def from_setting(
    value: str | None, *, fail_open: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> ClamdScanner | None:
    """The scanner a setting such as ``VERHUIZEN_CLAMD`` names; None when it is empty (off)."""
    if not value or not value.strip() or value.strip().lower() in ("uit", "off", "0"):
        return None
    return ClamdScanner(value, fail_open=fail_open, timeout=timeout)
