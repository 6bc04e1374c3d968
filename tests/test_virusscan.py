"""The clamd client, against servers that speak clamd's INSTREAM protocol on this machine.

Most tests run a small fake clamd written here (the protocol is published in clamd(8): a
``zINSTREAM\\0`` or ``nINSTREAM\\n`` command, chunks of a 4-byte big-endian length and that many
bytes, a zero-length chunk to end; the reply ``stream: OK``, ``stream: <name> FOUND`` or
``... ERROR``), over TCP on 127.0.0.1 and over a unix socket, so they can also misbehave: hang,
hang up, enforce a size limit.

One test runs the real clamd when Debian's ``clamav-daemon`` is installed (``apt-get install
clamav-daemon``): it needs no download, because the test gives it a one-signature database of
its own (the EICAR test string); the official databases would come from freshclam, which needs
a network this machine does not have. Without clamd that test is skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from webapp.uploads import MINIMAL_PDF, Reason, build_pdf, inspect
from webapp.virusscan import (
    Address,
    AddressError,
    ClamdScanner,
    ScannerUnavailable,
    ScanResult,
    from_setting,
    parse_address,
)

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class Behaviour:
    """How the fake clamd answers."""

    max_length: int = 25 * 1024 * 1024  # clamd's StreamMaxLength default
    hang: bool = False
    hang_up: bool = False
    received: list[bytes] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise ConnectionError("client went away")
        data += part
    return bytes(data)


class FakeClamd(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        b = self.server.behaviour  # type: ignore[attr-defined]
        command = bytearray()
        while not command.endswith((b"\0", b"\n")):
            part = sock.recv(1)
            if not part:
                return
            command += part
        b.commands.append(bytes(command))
        end = command[-1:]
        if b.hang_up:
            return
        name = bytes(command[1:-1])
        if name == b"PING":
            sock.sendall(b"PONG" + end)
            return
        if name != b"INSTREAM":
            sock.sendall(b"UNKNOWN COMMAND" + end)
            return
        data = bytearray()
        try:
            while True:
                size = int.from_bytes(_read_exactly(sock, 4), "big")
                if size == 0:
                    break
                if len(data) + size > b.max_length:
                    sock.sendall(b"INSTREAM size limit exceeded. ERROR" + end)
                    return
                data += _read_exactly(sock, size)
        except ConnectionError:
            return
        b.received.append(bytes(data))
        if b.hang:
            time.sleep(3)
            return
        if EICAR in data:
            sock.sendall(b"stream: Eicar-Signature FOUND" + end)
        else:
            sock.sendall(b"stream: OK" + end)


class _TCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Unix(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


@contextmanager
def _serve(server: socketserver.BaseServer, behaviour: Behaviour) -> Iterator[None]:
    server.behaviour = behaviour  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture
def tcp_clamd(behaviour: Behaviour) -> Iterator[str]:
    server = _TCP(("127.0.0.1", 0), FakeClamd)
    port = server.server_address[1]
    with _serve(server, behaviour):
        yield f"tcp:127.0.0.1:{port}"


@pytest.fixture
def unix_clamd(behaviour: Behaviour, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "clamd.ctl"
    server = _Unix(str(path), FakeClamd)
    with _serve(server, behaviour):
        yield f"unix:{path}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the protocol ---------------------------------------------------------------------------


def test_a_clean_file_is_streamed_in_chunks_and_reported_clean(tcp_clamd, behaviour):
    data = os.urandom(300_000)
    scanner = ClamdScanner(tcp_clamd, chunk_size=64 * 1024)
    assert scanner.scan(data) == ScanResult(False)
    assert behaviour.commands == [b"zINSTREAM\0"]
    assert behaviour.received == [data]  # all chunks, in order, nothing more


def test_a_virus_is_reported_with_its_name(tcp_clamd):
    assert ClamdScanner(tcp_clamd).scan(b"voor " + EICAR + b" na") == ScanResult(
        True, "Eicar-Signature"
    )


def test_over_a_unix_socket(unix_clamd, behaviour):
    scanner = ClamdScanner(unix_clamd)
    assert scanner.scan(b"%PDF-1.4 gewoon") == ScanResult(False)
    assert scanner.scan(EICAR).infected
    assert scanner.ping()


def test_a_file_over_clamds_size_limit_cannot_be_scanned(tcp_clamd, behaviour):
    behaviour.max_length = 100_000
    with pytest.raises(ScannerUnavailable, match="size limit"):
        ClamdScanner(tcp_clamd, chunk_size=16 * 1024).scan(os.urandom(2_000_000))


def test_no_clamd_listening_is_unavailable_quickly():
    scanner = ClamdScanner(f"tcp:127.0.0.1:{_free_port()}", timeout=2)
    started = time.monotonic()
    with pytest.raises(ScannerUnavailable, match="niet bereikbaar"):
        scanner.scan(b"x")
    assert time.monotonic() - started < 1
    assert not scanner.ping()
    with pytest.raises(ScannerUnavailable):
        ClamdScanner("unix:/nonexistent/clamd.ctl").scan(b"x")


def test_a_clamd_that_does_not_answer_in_time_is_unavailable(tcp_clamd, behaviour):
    behaviour.hang = True
    started = time.monotonic()
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(tcp_clamd, timeout=0.5).scan(b"x" * 1000)
    assert time.monotonic() - started < 2


def test_a_clamd_that_hangs_up_is_unavailable(tcp_clamd, behaviour):
    behaviour.hang_up = True
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(tcp_clamd, timeout=2).scan(b"x" * 200_000)


def test_addresses_and_the_setting():
    assert parse_address("unix:/run/clamav/clamd.ctl") == Address(
        "unix", path="/run/clamav/clamd.ctl"
    )
    assert parse_address("tcp:127.0.0.1:3310") == Address("tcp", host="127.0.0.1", port=3310)
    assert parse_address("tcp:[::1]:3310") == Address("tcp", host="::1", port=3310)
    assert str(parse_address("tcp:clamav:3310")) == "tcp:clamav:3310"
    for wrong in (
        "",
        "3310",
        "tcp:host",
        "tcp:host:0",
        "tcp:host:99999",
        "unix:relatief",
        "http://x",
    ):
        with pytest.raises(AddressError):
            parse_address(wrong)
    assert from_setting(None) is None and from_setting("") is None and from_setting("uit") is None
    scanner = from_setting("tcp:127.0.0.1:3310")
    assert isinstance(scanner, ClamdScanner) and not scanner.fail_open  # fail-closed by default
    open_scanner = from_setting("unix:/run/clamav/clamd.ctl", fail_open=True)
    assert open_scanner is not None and open_scanner.fail_open


# -- through the upload check ---------------------------------------------------------------


def test_the_upload_check_with_clamd(tcp_clamd, behaviour):
    infected_pdf = build_pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>/Contents 4 0 R>>",
        b"<</Length %d>>\nstream\n%s\nendstream" % (len(EICAR) + 1, EICAR),
    )
    scanner = ClamdScanner(tcp_clamd)
    assert inspect(MINIMAL_PDF, ["pdf"], scanner=scanner).ok
    verdict = inspect(infected_pdf, ["pdf"], scanner=scanner)
    assert verdict.reason is Reason.VIRUS and verdict.detail == "Eicar-Signature"
    behaviour.hang_up = True
    assert inspect(MINIMAL_PDF, ["pdf"], scanner=scanner).reason is Reason.NIET_GECONTROLEERD
    fail_open = ClamdScanner(tcp_clamd, fail_open=True)
    assert inspect(MINIMAL_PDF, ["pdf"], scanner=fail_open).ok


# -- the real clamd, when installed ---------------------------------------------------------

CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)


@pytest.fixture
def real_clamd(tmp_path: Path) -> Iterator[tuple[str, str]]:
    if CLAMD is None:
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    database = tmp_path / "db"
    database.mkdir()
    # One body signature of our own (name:any file type:any offset:hex), so no download.
    (database / "verhuizen-test.ndb").write_text(f"Verhuizen.Test.EICAR:0:*:{EICAR.hex()}\n")
    port = _free_port()
    socket_path = tmp_path / "clamd.ctl"
    config = tmp_path / "clamd.conf"
    config.write_text(
        f"DatabaseDirectory {database}\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"LocalSocket {socket_path}\n"
        f"LogFile {tmp_path / 'clamd.log'}\n"
        f"PidFile {tmp_path / 'clamd.pid'}\n"
        f"TemporaryDirectory {tmp_path}\n"
        "Foreground yes\nStreamMaxLength 30M\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        tcp, unix = f"tcp:127.0.0.1:{port}", f"unix:{socket_path}"
        deadline = time.monotonic() + 60
        while not ClamdScanner(tcp, timeout=1).ping():
            if process.poll() is not None or time.monotonic() > deadline:
                log = (tmp_path / "clamd.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"clamd did not start:\n{log}")
            time.sleep(0.2)
        yield tcp, unix
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_real_clamd(real_clamd):
    tcp, unix = real_clamd
    for address in (tcp, unix):
        scanner = ClamdScanner(address)
        assert scanner.scan(MINIMAL_PDF) == ScanResult(False)
        assert scanner.scan(EICAR) == ScanResult(True, "Verhuizen.Test.EICAR.UNOFFICIAL")
    ten_mb = os.urandom(10 * 1024 * 1024)
    started = time.monotonic()
    assert ClamdScanner(tcp).scan(ten_mb) == ScanResult(False)
    assert time.monotonic() - started < 10
