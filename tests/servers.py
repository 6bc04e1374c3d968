"""A real server in a subprocess for the tests: start it on a free port, wait until
``/gezond`` answers, stop it. Used by the e2e server, the broken-configuration server of the
scenario tests and the installed-wheel test."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

START_TIMEOUT = 20.0
SECRET = "e2e-secret-key-that-is-long-enough-12345"
E2E_RATE_LIMITS = "login=1000/minute,lookup=1000/minute,upload=1000/minute,submit=1000/minute"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without our settings (a chosen browser stays), plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if (not k.startswith("VERHUIZEN_") or k == "VERHUIZEN_CHROMIUM") and k != "DATABASE_URL"
    }
    env.update(extra)
    return env


@contextmanager
def serving(
    cmd: list[str], *, port: int, env: Mapping[str, str], cwd: Path, logs: Path, what: str
) -> Iterator[str]:
    """Run ``cmd`` (a server on ``port``) until the block ends; yield its base URL."""
    logs.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with (logs / "stdout.log").open("wb") as out, (logs / "stderr.log").open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env), stdout=out, stderr=err)
    try:
        _wait_until_healthy(proc, url, logs / "stderr.log", what)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_healthy(proc: subprocess.Popen[bytes], url: str, stderr: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/gezond", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    state = f"exited with {proc.returncode}" if proc.poll() is not None else "not healthy"
    log = stderr.read_text(errors="replace")[-4000:]
    pytest.fail(f"{what} {state} after start; stderr:\n{log}", pytrace=False)
