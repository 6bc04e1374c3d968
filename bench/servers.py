"""Servers the benchmark starts on 127.0.0.1, and what they cost (CPU time, RSS).

Every server is a child process in a process group of its own; :class:`Servers` stops all of
them on exit, also on an exception or Ctrl-C (SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's workers are children of its supervisor)."""
    tree = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of these processes (their threads included)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def rss_bytes(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
        total += pages * PAGE_SIZE
    return total


@dataclass
class Server:
    name: str
    cmd: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    ready_path: str = "/gezond"
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    startup_seconds: float = 0.0
    startup_cpu_seconds: float = 0.0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 90.0) -> Server:
        log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = self.started_at + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} stopped during start-up (exit {self.proc.returncode}):\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(
                    f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.05)
        self.startup_seconds = time.perf_counter() - self.started_at
        self.startup_cpu_seconds = self.cpu()
        return self

    def pids(self) -> list[int]:
        assert self.proc is not None
        return process_tree(self.proc.pid)

    def workers(self) -> int:
        return max(1, len(self.pids()) - 1)

    def cpu(self) -> float:
        return cpu_seconds(self.pids())

    def rss(self) -> int:
        return rss_bytes(self.pids())

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@dataclass
class Servers:
    """Starts servers and stops every one of them on exit."""

    tmp: Path
    running: list[Server] = field(default_factory=list)

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def stop_all(self) -> None:
        while self.running:
            self.running.pop().stop()

    @contextlib.contextmanager
    def run(
        self,
        name: str,
        cmd: list[str],
        env: Mapping[str, str],
        port: int,
        ready_path: str = "/gezond",
        timeout: float = 90.0,
    ) -> Iterator[Server]:
        server = Server(
            name=name,
            cmd=cmd,
            env=dict(env),
            port=port,
            log_path=self.tmp / f"{name}-{port}.log",
            ready_path=ready_path,
        )
        self.running.append(server)
        try:
            yield server.start(timeout)
        finally:
            server.stop()
            if server in self.running:
                self.running.remove(server)

    def app(
        self,
        name: str,
        env: Mapping[str, str],
        workers: int = 1,
        timeout: float = 90.0,
    ) -> contextlib.AbstractContextManager[Server]:
        """The app as it is deployed: ``verhuizen serve`` (config check, migration, uvicorn)."""
        port = free_port()
        cmd = [sys.executable, "-m", "webapp.cli", "serve", "--host", HOST, "--port", str(port)]
        cmd += ["--workers", str(workers)]
        return self.run(name, cmd, env, port, "/gereed", timeout)

    def baseline(
        self, env: Mapping[str, str], page_bytes: int
    ) -> contextlib.AbstractContextManager[Server]:
        port = free_port()
        cmd = [sys.executable, "-m", "bench.baseline", "--port", str(port)]
        cmd += ["--bytes", str(page_bytes)]
        return self.run("baseline", cmd, env, port, "/gezond")


def base_env() -> dict[str, str]:
    """The environment of a child: ours, with PYTHONPATH so ``bench`` and ``webapp`` import."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERHUIZEN_")}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
