"""The real server (uvicorn, SQLite in a temporary folder) and a browser for the e2e tests.

Run: ``pytest e2e``. Uses /usr/bin/chromium (or $VERHUIZEN_CHROMIUM) when present, otherwise the
browser installed by ``playwright install chromium``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The servers under test use the shipped test data (their environment drops VERHUIZEN_*), so
# the drivers in this process must too, whatever the shell says.
os.environ.pop("VERHUIZEN_TESTDATA_DIR", None)
from playwright.sync_api import Browser, Page

from e2e.helpers import CONFIG_DIR, ROOT
from tests.servers import E2E_RATE_LIMITS, SECRET, clean_env, free_port, serving
from webapp.evidence.runner import CHROMIUM_ARGS, SYSTEM_CHROMIUM  # one list for every browser user


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str | None
) -> dict[str, Any]:
    """A system Chromium when there is one; else Playwright's own browser, unchanged."""
    executable = os.environ.get("VERHUIZEN_CHROMIUM") or (
        SYSTEM_CHROMIUM if Path(SYSTEM_CHROMIUM).exists() else None
    )
    if not executable or browser_name not in (None, "chromium"):
        return browser_type_launch_args
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``uvicorn webapp.web.asgi:app`` on a free port, with its own data folder."""
    data = tmp_path_factory.mktemp("server")
    port = free_port()
    env = clean_env(
        VERHUIZEN_MODE="development",
        VERHUIZEN_DATA_DIR=str(data / "data"),
        VERHUIZEN_SECRET_KEY=SECRET,
        VERHUIZEN_CONFIG_DIR=str(CONFIG_DIR),
        # Every browser test logs in from 127.0.0.1: far more often than a resident would.
        VERHUIZEN_RATE_LIMITS=E2E_RATE_LIMITS,
    )
    cmd = [sys.executable, "-m", "uvicorn", "webapp.web.asgi:app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-server-header"]
    with serving(cmd, port=port, env=env, cwd=ROOT, logs=data, what="server") as url:
        yield url


@pytest.fixture(scope="session")
def base_url(server: str) -> str:
    return server


class Console:
    """Console errors, page errors (uncaught exceptions) and CSP violations of one page."""

    def __init__(self, page: Page) -> None:
        self._errors: list[str] = []
        self._allowed_statuses: set[int] = set()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._errors.append(f"pageerror: {exc}"))

    def allow_status(self, status: int) -> None:
        """A test that sends a wrong answer on purpose expects its 422 in the console."""
        self._allowed_statuses.add(status)

    @property
    def errors(self) -> list[str]:
        allowed = [f"status of {s} " for s in self._allowed_statuses]
        return [e for e in self._errors if not any(a in e for a in allowed)]

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self._errors.append(f"console: {message.text} ({message.location.get('url')})")


@pytest.fixture
def open_page(
    browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[Callable[..., tuple[Page, Console]]]:
    """A page in a fresh context (fresh cookies), with or without JavaScript."""
    contexts = []

    def make(js: bool = True) -> tuple[Page, Console]:
        context = browser.new_context(**browser_context_args, java_script_enabled=js)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        return page, Console(page)

    yield make
    for context in contexts:
        context.close()
