"""A delivery killed in the middle: ``verhuizen bezorgen`` is killed with SIGKILL while its
request to a back office is in flight, started again, and every report ends up delivered
exactly once: on SQLite with one runner, on PostgreSQL with two runners at once.

The back offices are the doubles of vrijBRP Dossiers (``tests/fakes/vrijbrp.py``) and of the
ZGW Zaken and Documenten APIs (``tests/fakes/zgw.py``), each on a real socket and checking
every request against its contract, behind :class:`Hold`: the first relocation and the first
zaak are made, and then their answers are held back. That is the moment a crash does the most
harm: the dossier or zaak exists and the runner does not know it. The runner holding it is
killed, started again, and finds what it made instead of making it twice. Each report also goes
to the ``map`` target, into a folder. The runners are real processes (``python -m webapp.cli
bezorgen``) with a claim of one second, so a dead runner's row is due again soon.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests._pg import postgres_available, postgres_unavailable_reason, start_postgres
from tests.conftest import CONFIG_DIR, ROOT
from tests.delivery.test_vrijbrp import config as vrijbrp_config
from tests.delivery.test_zgw import config as zgw_config
from tests.fakes.vrijbrp import BASE as VRIJBRP
from tests.fakes.vrijbrp import SECRET as VRIJBRP_SECRET
from tests.fakes.vrijbrp import FakeVrijBrp
from tests.fakes.zgw import SECRET as ZGW_SECRET
from tests.fakes.zgw import ZAKEN, FakeZgw
from tests.httpserver import serve_app
from tests.live import new_database
from tests.servers import SECRET, clean_env
from tests.specs import require_specs
from webapp.config.loader import load_dir
from webapp.config.models import Gemeente
from webapp.delivery.outbox import deliveries_for
from webapp.delivery.vrijbrp import AANGEVER, GEMEENTE_VAN_INSCHRIJVING
from webapp.registers.adressen import adres_uit_locatieserver
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import OutboxStatus
from webapp.storage.store import Store
from webapp.testing.testdata import resident_data

KEY = "0l8yX2dSRBN4JpxnbtL0iB9TJ0b0mPqPqWGvbEykx3Y="
BSNS = ["999990007", "999990019", "999990020", "999990032", "999990044", "999990056"]
TIMEOUT = 30.0


class Hold:
    """ASGI middleware: the first POST to ``path`` after :attr:`armed` is set reaches the app
    (the dossier or zaak is made), and its answer is held back until :attr:`release` is set."""

    def __init__(self, app: Any, soort: str, path: str, reference: Callable[[Any], str]) -> None:
        self.app = app
        self.soort = soort
        self.path = path
        self.reference_of = reference
        self.armed = False
        self.held = threading.Event()
        self.release = threading.Event()
        self.reference: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (
            self.armed
            and scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == self.path
        ):
            await self.app(scope, receive, send)
            return
        self.armed = False  # once
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.reference = self.reference_of(json.loads(body))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        answer: list[Any] = []

        async def keep(message: Any) -> None:
            answer.append(message)

        await self.app(scope, replay, keep)
        self.held.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)
        for message in answer:  # to a client that is long dead
            try:
                await send(message)
            except OSError:
                break


class RunnerProcess:
    """``verhuizen bezorgen`` in a process of its own."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.proc: subprocess.Popen[bytes] | None = None
        logs.mkdir(parents=True, exist_ok=True)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> RunnerProcess:
        assert self.proc is None
        cmd = [sys.executable, "-m", "webapp.cli", "bezorgen"]
        with (
            (self.logs / "stdout.log").open("ab") as out,
            (self.logs / "stderr.log").open("ab") as err,
        ):
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=err)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=10) == -signal.SIGKILL
        self.proc = None

    def stop(self) -> int:
        """SIGTERM: the runner finishes the delivery in hand and exits 0."""
        if self.proc is None:
            return 0
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def log(self) -> str:
        return (self.logs / "stderr.log").read_text(errors="replace")


def wait_until(what: str, condition: Callable[[], bool], runners: list[RunnerProcess]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(r.log()[-3000:] for r in runners)
            pytest.fail(f"{what}: not within {TIMEOUT} s\n{logs}", pytrace=False)
        time.sleep(0.05)


def configure(tmp_path: Path, vrijbrp_base: str, zgw_base: str) -> tuple[Path, Path]:
    """A configuration folder with voorbeeld, delivering to a folder, vrijBRP and ZGW."""
    config = tmp_path / "config"
    config.mkdir()
    folder = tmp_path / "meldingen"
    folder.mkdir()
    # The runner waits for an answer longer than the test holds one back.
    aflevering = [
        {"soort": "map", "pad": str(folder)},
        vrijbrp_config(vrijbrp_base, timeout=TIMEOUT, connect_timeout=5),
        zgw_config(zgw_base, timeout=TIMEOUT, connect_timeout=5),
    ]
    text = (CONFIG_DIR / "voorbeeld.yaml").read_text()
    assert "\naflevering:" not in text
    (config / "voorbeeld.yaml").write_text(text + "\n" + yaml.safe_dump({"aflevering": aflevering}))
    return config, folder


def send(store: Store, gemeente: Gemeente, bsn: str) -> str:
    """A report with what a zaak needs (a new address and a moving date), as the wizard stores
    it, sent with the gemeente's targets."""
    adres = adres_uit_locatieserver(resident_data().free_address(gemeente))
    draft = store.open_draft(gemeente.slug, bsn, gemeente.versie)
    submission = store.submit(
        draft.id,
        prefix=gemeente.referentie_prefix,
        aangever_bsn=bsn,
        answers={
            "stappen": {
                "verhuisdatum": {"datum": "2026-12-01", "te_laat": False},
                "adres": {"adres": asdict(adres), "bewoners": 0},
            },
            # Registered in Utrecht now (from the BRP): a move into Voorbeeldstad from there.
            AANGEVER: {GEMEENTE_VAN_INSCHRIJVING: "0344"},
        },
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=deliveries_for(gemeente),
    )
    return submission.reference


def kill_mid_delivery(tmp_path: Path, database_url: str, runners: int, reports: int) -> None:
    require_specs()
    engine = make_engine(database_url, keys=[KEY])
    migrate(engine)
    store = Store(engine, SECRET)
    vrijbrp, zgw = FakeVrijBrp(), FakeZgw()
    holds = [
        Hold(
            vrijbrp.app,
            "vrijbrp",
            f"{VRIJBRP}/api/v1/relocations/inter",
            lambda body: body["dossier"]["referenceIds"][0]["id"],
        ),
        Hold(zgw.app, "zgw", f"{ZAKEN}/zaken", lambda body: body["identificatie"]),
    ]
    processes: list[RunnerProcess] = []
    try:
        with serve_app(holds[0]) as vrijbrp_base, serve_app(holds[1]) as zgw_base:
            vrijbrp.base, zgw.base = vrijbrp_base, zgw_base
            config, folder = configure(tmp_path, vrijbrp_base, zgw_base)
            gemeente = load_dir(config)["voorbeeld"]
            references = [send(store, gemeente, bsn) for bsn in BSNS[:reports]]
            env = clean_env(
                VERHUIZEN_MODE="development",
                VERHUIZEN_DATA_DIR=str(tmp_path / "data"),
                VERHUIZEN_SECRET_KEY=SECRET,
                VERHUIZEN_ENCRYPTION_KEYS=KEY,
                VERHUIZEN_CONFIG_DIR=str(config),
                DATABASE_URL=database_url,
                VERHUIZEN_BEZORGEN_CLAIM="1",
                VERHUIZEN_BEZORGEN_INTERVAL="0.1",
                VERHUIZEN_VRIJBRP_SECRET=VRIJBRP_SECRET,
                VERHUIZEN_ZGW_SECRET=ZGW_SECRET,
            )
            for hold in holds:
                hold.armed = True
            processes = [
                RunnerProcess(env, tmp_path / f"runner-{n}").start() for n in range(runners)
            ]
            killed: list[int] = []
            pending = list(holds)
            while pending:
                wait_until(
                    "a request in flight", lambda: any(h.held.is_set() for h in pending), processes
                )
                hold = next(h for h in pending if h.held.is_set())
                pending.remove(hold)
                [row] = [
                    r for r in store.deliveries(reference=hold.reference) if r.soort == hold.soort
                ]
                assert row.status == OutboxStatus.BEZIG and row.claimed_by and row.id
                victim = next(p for p in processes if p.pid == int(row.claimed_by.split(":")[1]))
                victim.kill9()
                killed.append(row.id)
                hold.release.set()
                victim.start()  # the same runner again, as systemd or a supervisor would

            def delivered() -> bool:
                return all(r.status == OutboxStatus.AFGELEVERD for r in store.deliveries())

            wait_until("every report delivered", delivered, processes)
            assert [p.stop() for p in processes] == [0] * runners

            # Exactly one dossier and one zaak per report, each made by exactly one POST.
            dossiers = sorted(
                d["body"]["dossier"]["referenceIds"][0]["id"] for d in vrijbrp.dossiers.values()
            )
            assert dossiers == sorted(references)
            assert vrijbrp.posted("/api/v1/relocations/inter") == reports
            assert sorted(z["identificatie"] for z in zgw.zaken.values()) == sorted(references)
            assert zgw.posted("/zaken") == reports
            assert len(zgw.rollen) == len(zgw.zaakobjecten) == reports
            assert vrijbrp.violations == zgw.violations == []
            # And one folder per report, nothing half written.
            assert sorted(p.name for p in folder.iterdir()) == sorted(references)
            rows = store.deliveries()
            assert {r.kenmerk for r in rows if r.soort == "vrijbrp"} == set(vrijbrp.dossiers)
            assert {r.kenmerk for r in rows if r.soort == "zgw"} == {
                z["url"] for z in zgw.zaken.values()
            }
            assert [r.attempts for r in rows if r.id in killed] == [2, 2]  # killed, then found
            assert all('"event": "delivery"' in p.log() for p in processes)  # each delivered
            assert not any(bsn in p.log() for p in processes for bsn in BSNS)
    finally:
        for hold in holds:
            hold.release.set()
        for p in processes:
            p.stop()
        engine.dispose()


def test_a_runner_killed_mid_delivery_on_sqlite(tmp_path: Path) -> None:
    kill_mid_delivery(tmp_path, f"sqlite:///{tmp_path / 'data' / 'v.db'}", runners=1, reports=3)


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with start_postgres(tmp_path_factory.mktemp("pg")) as server:
        yield server


@pytest.mark.postgres
@pytest.mark.skipif(not postgres_available(), reason=postgres_unavailable_reason() or "")
def test_two_runners_one_killed_mid_delivery_on_postgresql(tmp_path: Path, pg: Any) -> None:
    kill_mid_delivery(tmp_path, new_database(pg, "bezorgen"), runners=2, reports=6)
