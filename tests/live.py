"""Real servers for the fault and worker tests: ``verhuizen serve`` in a subprocess that a test
may kill -9 and start again on the same data, a resident that drives it over HTTP (the ASGI
driver of ``tests/driver.py`` on an ``httpx2.Client``), a look at what it stored, and a
PostgreSQL test server that can be stopped and started again with its data.

``tests/servers.py`` runs a server for the length of a ``with`` block; these tests need the
process itself (to kill it, to find its workers), so it is kept here.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlmodel import Session, col, select

from tests._pg import SUPERUSER, PgServer, _run
from tests.conftest import CONFIG_DIR, ROOT
from tests.driver import Resident
from tests.servers import E2E_RATE_LIMITS, SECRET, clean_env, free_port
from webapp.config.loader import load_dir
from webapp.settings import Settings
from webapp.steps import registry
from webapp.steps.base import Example
from webapp.storage.db import make_engine
from webapp.storage.models import Draft, Submission, UploadRow
from webapp.storage.store import Store
from webapp.testing.testdata import resident_data

# A Fernet key for these servers only: given, as in production, so that two servers with their
# own data folders can read each other's rows.
KEY = "0l8yX2dSRBN4JpxnbtL0iB9TJ0b0mPqPqWGvbEykx3Y="
START_TIMEOUT = 30.0
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
)
UNAVAILABLE = "Probeer het over een paar minuten opnieuw; uw antwoorden zijn bewaard."


def gemeenten() -> dict[str, Any]:
    return load_dir(CONFIG_DIR)


def server_env(data: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = clean_env(
        VERHUIZEN_MODE="development",
        VERHUIZEN_DATA_DIR=str(data),
        VERHUIZEN_SECRET_KEY=SECRET,
        VERHUIZEN_ENCRYPTION_KEYS=KEY,
        VERHUIZEN_CONFIG_DIR=str(CONFIG_DIR),
        VERHUIZEN_RATE_LIMITS=E2E_RATE_LIMITS,
        **extra,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@dataclass
class LiveServer:
    """``python -m webapp.cli serve`` on a port of its own; start it, kill it, start it again."""

    env: dict[str, str]
    logs: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr(self) -> Path:
        return self.logs / "stderr.log"

    def start(self) -> LiveServer:
        assert self.proc is None, "already running"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        cmd = [sys.executable, "-m", "webapp.cli", "serve", "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--workers", str(self.workers)]
        with (self.logs / "stdout.log").open("ab") as out, self.stderr.open("ab") as err:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=err)
        self._wait_until_healthy()
        self._wait_for_workers()
        return self

    def _wait_for_workers(self) -> None:
        """Healthy means one worker answers; wait until every worker has started up."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            started = [
                e for e in self.log_events() if e.get("message") == "Application startup complete."
            ]
            if len(started) >= self.workers * self.starts:
                return
            time.sleep(0.1)
        log = self.stderr.read_text(errors="replace")[-4000:]
        self.stop()
        pytest.fail(f"not all {self.workers} workers started; stderr:\n{log}", pytrace=False)

    def _wait_until_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx2.get(f"{self.url}/gezond", timeout=2).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.1)
        state = "exited" if self.proc.poll() is not None else "not healthy"
        log = self.stderr.read_text(errors="replace")[-4000:]
        self.stop()
        pytest.fail(f"server {state} after start; stderr:\n{log}", pytrace=False)

    def kill9(self) -> None:
        """SIGKILL, no shutdown of any kind (workers=1: uvicorn serves in this very process)."""
        assert self.proc is not None
        assert self.workers == 1, "kill -9 of a supervisor would leave its workers running"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL
        self.proc = None

    def died(self, signal_number: int) -> None:
        """The server ended by itself (a kill point), killed by ``signal_number``."""
        assert self.proc is not None
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal_number, self.proc.returncode
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        workers = self.worker_pids() if self.workers > 1 else []
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in workers:  # our own children, should the supervisor have left one behind
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None

    def log_events(self) -> list[dict[str, Any]]:
        events = []
        for line in self.stderr.read_text(errors="replace").splitlines():
            with suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
        return events

    def worker_pids(self) -> list[int]:
        """The pids of the processes that serve, from uvicorn's "Started server process [pid]"."""
        pids = []
        for event in self.log_events():
            message = str(event.get("message", ""))
            if message.startswith("Started server process ["):
                pids.append(int(message.split("[", 1)[1].rstrip("]")))
        return pids

    def client(self, cookies: httpx2.Cookies | None = None) -> httpx2.Client:
        """A fresh client (a new connection), with the cookies of another one if given."""
        return httpx2.Client(
            base_url=self.url, follow_redirects=True, timeout=30, cookies=httpx2.Cookies(cookies)
        )


@contextmanager
def running(server: LiveServer) -> Iterator[LiveServer]:
    try:
        yield server.start()
    finally:
        server.stop()


# -- a resident over HTTP ---------------------------------------------------------------------


def resident(client: httpx2.Client, slug: str) -> Resident:
    return Resident(client, slug)  # type: ignore[arg-type]  # a TestClient is an httpx2.Client


def move(resident: Resident, client: httpx2.Client) -> httpx2.Client:
    """Go on with another client (another server or connection): the cookies move along."""
    old = resident.client
    resident.client = client  # type: ignore[assignment]
    old.close()
    return client


def example(
    gemeente: Any, step_id: str, today: date | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The step type's example answer as (data, files), as ``tests/driver.default_answer``."""
    cfg = gemeente.step(step_id)
    ex = Example(gemeente, today or date.today(), resident_data().free_address(gemeente))
    answer = registry[cfg.type].example(cfg, ex)
    files = {name: (f.filename, f.data, f.content_type) for name, f in answer.files.items()}
    return answer.post_data(), files or None


def answer_step(resident: Resident, gemeente: Any, data: Any = None, files: Any = None) -> str:
    """Answer the step the resident stands on (its example answer unless given); its id."""
    step_id = resident.step
    assert step_id, f"not on a step page: {resident.url} {resident.status}\n{resident.text()[:600]}"
    if data is None:
        data, files = example(gemeente, step_id)
    resident.answer(data, files)
    assert resident.status == 200, f"step {step_id}: {resident.status}\n{resident.text()[:800]}"
    assert resident.step != step_id, f"step {step_id} did not advance: {resident.errors()}"
    return step_id


def answer_until(resident: Resident, gemeente: Any, stop_at: str) -> list[str]:
    answered = []
    for _ in range(40):
        if resident.step == stop_at:
            return answered
        answered.append(answer_step(resident, gemeente))
    raise AssertionError(f"never reached {stop_at}")


def resident_from_elsewhere(gemeentecode: str) -> str:
    """An adult test person, not under curatele, registered in another gemeente."""
    data = resident_data()
    for persoon in data.brp.testpersonen():
        if persoon.curatele or persoon.leeftijd(date.today()) < 18:
            continue
        if persoon.gemeente_van_inschrijving != gemeentecode:
            return str(persoon.burgerservicenummer)
    raise AssertionError(f"no adult test person outside {gemeentecode}")


def cookie_header(client: httpx2.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def half_sent(
    server: LiveServer, path: str, client: httpx2.Client, data: Any, files: Any = None
) -> socket.socket:
    """A POST whose headers and first half of the body are on the wire, the rest never comes:
    the server is reading the request when this returns."""
    request = httpx2.Request("POST", f"{server.url}{path}", data=data, files=files)
    body = request.read()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        f"Content-Type: {request.headers['content-type']}",
        f"Content-Length: {len(body)}",
        f"Cookie: {cookie_header(client)}",
        "",
        "",
    ]
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall("\r\n".join(head).encode() + body[: len(body) // 2])
    return sock


# -- what the server stored -----------------------------------------------------------------


@dataclass
class Look:
    """The database of a server, read with its keys: drafts, files, submissions."""

    store: Store

    @classmethod
    def at(cls, env: Mapping[str, str]) -> Look:
        settings = Settings.from_env(dict(env))
        engine = make_engine(settings.database_url, keys=settings.encryption_keys, timeout=5)
        return cls(Store(engine, settings.secret_key))

    def close(self) -> None:
        self.store.engine.dispose()

    def drafts(self, slug: str, bsn: str) -> list[Draft]:
        owner = self.store.owner_key(slug, bsn)
        with Session(self.store.engine) as db:
            query = select(Draft).where(Draft.gemeente == slug, Draft.owner == owner)
            return list(db.exec(query.order_by(col(Draft.created_at))).all())

    def draft(self, slug: str, bsn: str) -> Draft:
        [draft] = self.drafts(slug, bsn)
        return draft

    def uploads(self, draft_id: str) -> dict[str, tuple[str, int, bytes]]:
        with Session(self.store.engine) as db:
            rows = db.exec(select(UploadRow).where(UploadRow.draft_id == draft_id)).all()
            return {r.document: (r.bestandsnaam, r.grootte, r.data) for r in rows}

    def submissions(self, draft_id: str | None = None) -> list[Submission]:
        with Session(self.store.engine) as db:
            query = select(Submission)
            if draft_id is not None:
                query = query.where(Submission.draft_id == draft_id)
            return list(db.exec(query).all())


@contextmanager
def look(env: Mapping[str, str]) -> Iterator[Look]:
    found = Look.at(env)
    try:
        yield found
    finally:
        found.close()


# -- PostgreSQL that goes away and comes back ---------------------------------------------------


def new_database(pg: PgServer, name: str) -> str:
    """A fresh, empty database on the server; its URL."""
    import psycopg

    conninfo = f"host={pg.host} port={pg.port} user={SUPERUSER} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg.url.rsplit("/", 1)[0] + f"/{name}"


def halt(pg: PgServer) -> None:
    """Really stop the server (``pg_ctl stop -m fast``: sessions are cut), keeping its data."""
    pg_ctl = str(pg.bin_dir / "pg_ctl")
    result = _run([pg_ctl, "-D", str(pg.data_dir), "-m", "fast", "-w", "stop"], pg.base_dir)
    pg._check(result, "pg_ctl stop")


def resume(pg: PgServer) -> None:
    """Start a halted server again on the same port and data (as ``PgServer.start`` does)."""
    options = shlex.join(
        [
            "-c",
            "listen_addresses=127.0.0.1",
            "-p",
            str(pg.port),
            "-k",
            str(pg.socket_dir),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]
    )
    pg_ctl = str(pg.bin_dir / "pg_ctl")
    cmd = [pg_ctl, "-D", str(pg.data_dir), "-l", str(pg.log_file), "-o", options]
    pg._check(_run([*cmd, "-w", "-t", "60", "start"], pg.base_dir), "pg_ctl start")
