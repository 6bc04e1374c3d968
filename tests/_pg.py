"""A throwaway PostgreSQL server for tests: initdb, start on a free port, stop.

Usage::

    if not postgres_available():
        pytest.skip(postgres_unavailable_reason())
    with start_postgres(tmp_path) as pg:
        engine = create_engine(pg.url)
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

__all__ = [
    "PgServer",
    "find_pg_bin",
    "postgres_available",
    "postgres_unavailable_reason",
    "start_postgres",
]

DATABASE = "verhuizen"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root, so as root every server command runs as this OS user.
OS_USER = "postgres"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
TIMEOUT_SECONDS = 120


def _version_key(path: Path) -> tuple[int, ...]:
    # Directory names are versions like "15" or "9.6"; sort numerically, newest first.
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_pg_bin() -> Path | None:
    """Return the directory holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # Resolve symlinks (e.g. /usr/local/bin/initdb): pg_ctl looks for the postgres
        # executable next to its real location, and both tools must come from one version.
        bin_dir = Path(pg_ctl).resolve().parent
        if (bin_dir / "initdb").exists():
            return bin_dir
    candidates = sorted(DEBIAN_PG_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    for bin_dir in candidates:
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file():
            return bin_dir
    return None


def _is_root() -> bool:
    return os.geteuid() == 0


def _os_user_exists() -> bool:
    try:
        import pwd

        pwd.getpwnam(OS_USER)
    except KeyError:
        return False
    return True


def postgres_unavailable_reason() -> str | None:
    """Explain why no test server can be started here, or None when one can."""
    if find_pg_bin() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
            "/usr/lib/postgresql/*/bin; install the 'postgresql' package"
        )
    if _is_root():
        if not _os_user_exists():
            return f"running as root, but there is no '{OS_USER}' user to run PostgreSQL as"
        if not (shutil.which("runuser") or shutil.which("su")):
            return "running as root, but neither runuser nor su is available"
    return None


def postgres_available() -> bool:
    return postgres_unavailable_reason() is None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(cmd: Sequence[str]) -> list[str]:
    if not _is_root():
        return list(cmd)
    if shutil.which("runuser"):
        return ["runuser", "-u", OS_USER, "--", *cmd]
    # su runs the command through a shell; -s avoids depending on the user's login shell.
    return ["su", OS_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _run(cmd: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # cwd must be readable by the server user: initdb fails when it cannot resolve its cwd.
    return subprocess.run(
        _as_server_user(cmd),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _stop(pg_ctl: Path, data_dir: Path, base_dir: Path, remove_base: bool) -> None:
    """Stop the server if it runs; also used as a finaliser, so it must never raise."""
    if (data_dir / "postmaster.pid").exists():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            _run([str(pg_ctl), "-D", str(data_dir), "-m", "immediate", "-w", "stop"], base_dir)
    if remove_base:
        shutil.rmtree(base_dir, ignore_errors=True)


class PgServer:
    """A running PostgreSQL server; a context manager that stops it on exit.

    As root the cluster lives in a fresh directory under the system temp dir, owned by the
    ``postgres`` user: pytest's own temp dirs are private to root, so that user could not
    enter them. That directory is removed again on stop.
    """

    def __init__(self, tmp_dir: Path) -> None:
        bin_dir = find_pg_bin()
        if bin_dir is None or not postgres_available():
            raise RuntimeError(f"cannot start PostgreSQL: {postgres_unavailable_reason()}")
        self.bin_dir = bin_dir
        self.host = "127.0.0.1"
        self.port = 0
        self._owns_base = _is_root()
        if self._owns_base:
            # A short path also keeps the Unix socket path under its 107-byte limit.
            self.base_dir = Path(tempfile.mkdtemp(prefix="verhuizen-pg-"))
            shutil.chown(self.base_dir, user=OS_USER)
        else:
            self.base_dir = Path(tmp_dir) / "postgres"
            self.base_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "server.log"
        self.socket_dir = self._make_socket_dir()
        self._finalizer = weakref.finalize(
            self, _stop, self._tool("pg_ctl"), self.data_dir, self.base_dir, self._owns_base
        )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{DATABASE}"

    def _tool(self, name: str) -> Path:
        return self.bin_dir / name

    def _make_socket_dir(self) -> Path:
        socket_dir = self.base_dir / "sock"
        if len(str(socket_dir)) > 80:
            # Unix socket paths are limited to 107 bytes including ".s.PGSQL.<port>".
            socket_dir = Path(tempfile.mkdtemp(prefix="pgs-"))
            if self._owns_base:
                shutil.chown(socket_dir, user=OS_USER)
            weakref.finalize(self, shutil.rmtree, socket_dir, True)
        else:
            socket_dir.mkdir(exist_ok=True)
            if self._owns_base:
                shutil.chown(socket_dir, user=OS_USER)
        return socket_dir

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = (
                self.log_file.read_text(errors="replace")[-4000:] if self.log_file.exists() else ""
            )
            raise RuntimeError(
                f"{what} failed (exit {result.returncode})\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\nserver log:\n{log}"
            )

    def start(self) -> PgServer:
        if self.port:
            return self
        if not self._finalizer.alive:
            raise RuntimeError("a stopped PgServer cannot be started again; create a new one")
        initdb = [
            str(self._tool("initdb")),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",  # the C locale exists everywhere; the OS locale may not
            "--no-sync",
        ]
        self._check(_run(initdb, self.base_dir), "initdb")
        # The port is free when chosen but another process may take it before the server
        # binds it; try a few ports before giving up.
        for attempt in range(3):
            port = _free_port()
            options = shlex.join(
                [
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-p",
                    str(port),
                    "-k",
                    str(self.socket_dir),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ]
            )
            cmd = [
                str(self._tool("pg_ctl")),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
            result = _run(cmd, self.base_dir)
            if result.returncode == 0:
                self.port = port
                break
            if attempt == 2:
                self._check(result, "pg_ctl start")
        self._create_database()
        return self

    def _create_database(self) -> None:
        import psycopg

        conninfo = f"host={self.host} port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')

    def stop(self) -> None:
        """Stop the server immediately (no checkpoint: the data is thrown away anyway)."""
        self._finalizer()
        self.port = 0

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_postgres(tmp_dir: Path) -> PgServer:
    """Start a server with an empty ``verhuizen`` database; stop it with ``with`` or ``.stop()``."""
    server = PgServer(tmp_dir)
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise
