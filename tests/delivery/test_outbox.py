"""The outbox and its runner: rows written with the submission, claimed once, retried with
backoff, given up, taken over when a claim runs out; the operator's command; retention.

The clock is the store's (injected); the targets are a double registered in a registry of the
test's own, except where a real target (``map``) shows the whole path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, complete_journey
from tests.storage.conftest import BOTH, KEY, database_url, reset
from tests.storage.test_opschonen import Clock
from webapp.cli import main
from webapp.config.loader import load_dir, load_file
from webapp.config.models import Gemeente
from webapp.delivery import (
    DeliveryOptions,
    DeliveryRegistry,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
    OpslagOptions,
)
from webapp.delivery.map import MapOptions
from webapp.delivery.outbox import BEVESTIGING, Policy, Runner, deliveries_for
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import OutboxRow, OutboxStatus
from webapp.storage.store import Bewaartermijn, Opgeschoond, Store, options_hash, utc
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BSN = "999990007"
SECRET = "test-secret-key-that-is-long-enough-1234"


# -- a target double -------------------------------------------------------------------------


class ProefOptions(DeliveryOptions):
    soort: Literal["proef"] = "proef"
    naam: str = "een"


@dataclass
class Proef:
    """Answers from a script (then AFGELEVERD), and remembers every report it was given."""

    soort: ClassVar[str] = "proef"
    script: list[DeliveryStatus] = field(default_factory=list)
    given: list[str] = field(default_factory=list)
    during: Any = None
    """Called in ``deliver``, to look at the database while a delivery runs."""

    def deliver(self, melding: Melding) -> DeliveryResult:
        self.given.append(melding.reference)
        if self.during is not None:
            self.during(melding)
        status = self.script.pop(0) if self.script else DeliveryStatus.AFGELEVERD
        kenmerk = f"proef-{melding.reference}" if status is DeliveryStatus.AFGELEVERD else None
        return DeliveryResult(melding.reference, status, kenmerk=kenmerk, detail=status.value)

    def health(self) -> Health:
        return Health(True)


def registry_with(target: Proef) -> DeliveryRegistry:
    registry = DeliveryRegistry()
    registry.register("proef", ProefOptions, lambda _options, _deps: target)
    return registry


def voorbeeld(*aflevering: DeliveryOptions) -> Gemeente:
    return load_file(CONFIG_DIR / "voorbeeld.yaml").model_copy(
        update={"aflevering": list(aflevering), "slug": "voorbeeld"}
    )


def submit(store: Store, gemeente: Gemeente, bsn: str = BSN) -> str:
    draft = store.open_draft(gemeente.slug, bsn, gemeente.versie)
    submission = store.submit(
        draft.id,
        prefix=gemeente.referentie_prefix,
        aangever_bsn=bsn,
        answers={"stappen": {}},
        signalen=[],
        linked=[("huisvestingsvergunning", {"gebied": "centrum"})],
        is_test=True,
        deliveries=deliveries_for(gemeente),
    )
    return submission.reference


def runner(
    store: Store, gemeente: Gemeente, target: Proef, worker: str = "runner-a", **policy: Any
) -> Runner:
    return Runner(
        store,
        lambda: {gemeente.slug: gemeente},
        registry=registry_with(target),
        env={},
        policy=Policy(**policy),
        worker=worker,
    )


def row(store: Store, reference: str, index: int = 0) -> OutboxRow:
    [found] = [r for r in store.deliveries(reference=reference) if r.target_index == index]
    return found


# -- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests._pg import postgres_available, postgres_unavailable_reason, start_postgres

    if not postgres_available():
        pytest.skip(postgres_unavailable_reason() or "no PostgreSQL")
    with start_postgres(tmp_path_factory.mktemp("pg")) as pg:
        yield pg.url


@pytest.fixture(params=BOTH)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database at head, on SQLite and on PostgreSQL."""
    engine = make_engine(database_url(request, tmp_path), keys=[KEY])
    reset(engine)
    migrate(engine)
    yield engine
    reset(engine)
    engine.dispose()


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'v.db'}", keys=[KEY])
    migrate(engine)
    yield engine
    engine.dispose()


# -- rows with the submission ------------------------------------------------------------------


def test_a_submission_is_stored_with_one_row_per_target(engine: Engine) -> None:
    clock = Clock(T0)
    store = Store(engine, SECRET, clock)
    targets = (MapOptions(pad="/srv/meldingen"), OpslagOptions())
    gemeente = voorbeeld(*targets)
    reference = submit(store, gemeente)
    rows = store.deliveries(reference=reference)
    assert [(r.target_index, r.soort, r.status, r.attempts) for r in rows] == [
        (0, "map", OutboxStatus.WACHTEND, 0),
        (1, "opslag", OutboxStatus.WACHTEND, 0),
    ]
    assert [r.options_hash for r in rows] == [options_hash(o) for o in targets]
    assert options_hash(MapOptions(pad="/srv/meldingen")) == rows[0].options_hash  # stable
    assert options_hash(MapOptions(pad="/srv/elders")) != rows[0].options_hash
    assert all(utc(r.next_attempt_at) == T0 and r.claimed_by is None for r in rows)
    # Submitting twice (a double click) gives the first submission and no second set of rows.
    draft = store.open_draft("voorbeeld", "999990019", "1")
    first = store.submit(
        draft.id,
        prefix="VB",
        aangever_bsn="999990019",
        answers={},
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=list(enumerate(targets)),
    )
    again = store.submit(
        draft.id,
        prefix="VB",
        aangever_bsn="999990019",
        answers={},
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=list(enumerate(targets)),
    )
    assert again.reference == first.reference
    assert len(store.deliveries()) == 4
    # A gemeente that delivers nowhere: the report only stays in this database.
    assert store.deliveries(reference=submit(store, voorbeeld(), "999990027")) == []


def test_no_submission_without_its_rows_and_no_rows_without_a_submission(
    sqlite: Engine,
) -> None:
    store = Store(sqlite, SECRET, Clock(T0))
    gemeente = voorbeeld(ProefOptions())
    with sqlite.begin() as conn:  # the outbox refuses every row, as a full disk would
        conn.execute(
            text(
                "CREATE TRIGGER weiger BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'outbox vol'); END"
            )
        )
    draft = store.open_draft("voorbeeld", BSN, "1")
    with pytest.raises(IntegrityError):
        submit(store, gemeente)
    assert store.submissions() == [] and store.deliveries() == []
    assert store.draft(draft.id).submitted_reference is None  # type: ignore[union-attr]
    with sqlite.begin() as conn:
        conn.execute(text("DROP TRIGGER weiger"))
    # The submission itself fails (its draft is gone): no rows either.
    with pytest.raises(LookupError):
        store.submit(
            "bestaat-niet",
            prefix="VB",
            aangever_bsn=BSN,
            answers={},
            signalen=[],
            linked=[],
            is_test=True,
            deliveries=[(0, ProefOptions())],
        )
    assert store.deliveries() == []
    reference = submit(store, gemeente)  # and once the outbox takes rows again, both are there
    assert [s.reference for s in store.submissions()] == [reference]
    assert [r.reference for r in store.deliveries()] == [reference]


def test_the_wizard_stores_the_rows_and_the_server_delivers_them(tmp_path: Path) -> None:
    """A resident sends a report through the web; a runner in the server process writes it
    into the gemeente's folder while the confirmation is already shown."""
    config = tmp_path / "config"
    config.mkdir()
    folder = tmp_path / "meldingen"
    folder.mkdir()
    text_ = (CONFIG_DIR / "voorbeeld.yaml").read_text()
    (config / "voorbeeld.yaml").write_text(
        text_ + f"\naflevering:\n  - soort: map\n    pad: {folder}\n"
    )
    settings = make_settings(
        tmp_path, VERHUIZEN_CONFIG_DIR=str(config), VERHUIZEN_BEZORGEN_INTERVAL="0.1"
    )
    app = create_app(settings, today=lambda: TODAY)
    store: Store = app.state.services.store
    gemeente = app.state.services.gemeenten["voorbeeld"]
    with TestClient(app, base_url="http://testserver") as client:
        resident = Resident(client, "voorbeeld")
        resident.login(BSN)
        complete_journey(resident, gemeente, TODAY, resident_data().free_address(gemeente))
        [submission] = store.submissions()
        assert [r.soort for r in store.deliveries(reference=submission.reference)] == ["map"]
        deadline = time.monotonic() + 10
        while row(store, submission.reference).status != OutboxStatus.AFGELEVERD:
            assert time.monotonic() < deadline, row(store, submission.reference)
            time.sleep(0.05)
    assert (folder / submission.reference / "melding.json").is_file()
    assert row(store, submission.reference).kenmerk == str(folder / submission.reference)


def test_a_server_with_delivery_switched_off_leaves_the_rows(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    text_ = (CONFIG_DIR / "voorbeeld.yaml").read_text()
    (config / "voorbeeld.yaml").write_text(text_ + "\naflevering:\n  - soort: opslag\n")
    off = make_settings(
        tmp_path,
        VERHUIZEN_CONFIG_DIR=str(config),
        VERHUIZEN_BEZORGEN="0",
        VERHUIZEN_BEZORGEN_INTERVAL="0.1",
    )
    assert not off.delivery_in_server
    app = create_app(off, today=lambda: TODAY)
    store: Store = app.state.services.store
    with TestClient(app):
        reference = submit(store, app.state.services.gemeenten["voorbeeld"])
        time.sleep(0.5)  # five poll intervals of a runner that would be there
        assert (row(store, reference).status, row(store, reference).attempts) == ("wachtend", 0)
    # Switched on (the default), the same server delivers it.
    on = make_settings(
        tmp_path, VERHUIZEN_CONFIG_DIR=str(config), VERHUIZEN_BEZORGEN_INTERVAL="0.1"
    )
    with TestClient(create_app(on, today=lambda: TODAY)):
        deadline = time.monotonic() + 10
        while row(store, reference).status != OutboxStatus.AFGELEVERD:
            assert time.monotonic() < deadline, row(store, reference)
            time.sleep(0.05)
    assert row(store, reference).kenmerk == reference


def test_the_confirmation_mail_is_queued_by_the_outbox_itself(sqlite: Engine) -> None:
    """A gemeente that sends confirmations gets a row for it with every report, outside its
    ``aflevering`` list; the target sends it to the address the resident gave, once."""
    from tests.smtp import smtp_server
    from webapp.config.models import BevestigingMail
    from webapp.delivery.bevestiging import BevestigingOptions

    clock = Clock(T0)
    store = Store(sqlite, SECRET, clock)
    gemeente = voorbeeld(OpslagOptions()).model_copy(
        update={
            "bevestiging": BevestigingMail(email=True, afzender="noreply@voorbeeldstad.example")
        }
    )
    assert deliveries_for(gemeente) == [(0, OpslagOptions()), (BEVESTIGING, BevestigingOptions())]
    assert deliveries_for(voorbeeld(OpslagOptions())) == [(0, OpslagOptions())]
    draft = store.open_draft("voorbeeld", BSN, "1")
    reference = store.submit(
        draft.id,
        prefix="VB",
        aangever_bsn=BSN,
        answers={"stappen": {"contact": {"email": "sanne@example.org", "telefoon": ""}}},
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=deliveries_for(gemeente),
    ).reference
    assert [(r.target_index, r.soort) for r in store.deliveries()] == [
        (0, "opslag"),
        (BEVESTIGING, "bevestiging"),
    ]
    with smtp_server() as smtp:
        run = Runner(store, lambda: {"voorbeeld": gemeente}, env=smtp.env(), worker="r")
        assert [a.status for a in run.run_until_idle()] == ["afgeleverd", "afgeleverd"]
        [sent] = smtp.mailbox.received
    assert sent.rcpt_tos == ["sanne@example.org"]
    assert reference in str(sent.message["Subject"]) and BSN not in sent.raw.decode()
    assert row(store, reference, BEVESTIGING).kenmerk == str(sent.message["Message-ID"])
    # The gemeente stops sending them: a row still waiting is settled without a mail, so it
    # does not hold the report past its retention.
    later = submit(store, gemeente, "999990019")
    with smtp_server() as smtp:
        off = Runner(
            store, lambda: {"voorbeeld": voorbeeld(OpslagOptions())}, env=smtp.env(), worker="r"
        )
        assert [a.status for a in off.run_until_idle()] == ["afgeleverd", "afgeleverd"]
        assert smtp.mailbox.received == []
    assert "geen bevestiging per e-mail meer" in row(store, later, BEVESTIGING).detail


# -- attempts, backoff, giving up -----------------------------------------------------------


def test_a_temporary_failure_backs_off_doubling_to_the_cap_then_gives_up(
    sqlite: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(T0)
    store = Store(sqlite, SECRET, clock)
    gemeente = voorbeeld(ProefOptions())
    target = Proef(script=[DeliveryStatus.TIJDELIJK_MISLUKT] * 12)
    run = runner(store, gemeente, target, max_attempts=10, max_age=timedelta(days=30))
    reference = submit(store, gemeente)
    waits = []
    with caplog.at_level(logging.INFO, logger="verhuizen"):
        for attempt in range(1, 10):
            done = run.run_once()
            assert done is not None and done.status == OutboxStatus.WACHTEND
            assert done.attempt == attempt
            found = row(store, reference)
            assert (found.status, found.attempts, found.claimed_by) == ("wachtend", attempt, None)
            wait = utc(found.next_attempt_at) - clock()
            waits.append(wait)
            clock.at = utc(found.next_attempt_at) - timedelta(seconds=1)
            assert run.run_once() is None  # not due yet
            clock.at = utc(found.next_attempt_at)
    full = [timedelta(seconds=30 * 2**n) for n in range(7)] + [timedelta(hours=1)] * 2
    for wait, most in zip(waits, full, strict=True):
        assert most * 0.75 <= wait <= most, (wait, most)
    assert len(set(waits)) == len(waits)  # jittered, not in lockstep
    last = run.run_once()  # the tenth attempt: given up
    assert last is not None and last.status == OutboxStatus.MISLUKT
    found = row(store, reference)
    assert (found.status, found.attempts) == ("mislukt", 10)
    assert found.detail == "tijdelijk_mislukt (opgegeven na 10 poging(en))"
    clock.days_later(20)
    assert run.run_once() is None  # mislukt stays
    assert target.given == [reference] * 10
    events = [r for r in caplog.records if getattr(r, "event", "") == "delivery"]
    assert [(e.attempt, e.status) for e in events] == [  # type: ignore[attr-defined]
        *((n, "wachtend") for n in range(1, 10)),
        (10, "mislukt"),
    ]
    assert {(e.reference, e.soort, e.outcome) for e in events} == {  # type: ignore[attr-defined]
        (reference, "proef", "tijdelijk_mislukt")
    }
    assert BSN not in caplog.text


def test_a_row_failing_for_too_long_is_given_up_and_mislukt_at_once_stays(sqlite: Engine) -> None:
    clock = Clock(T0)
    store = Store(sqlite, SECRET, clock)
    gemeente = voorbeeld(ProefOptions(), ProefOptions(naam="twee"))
    target = Proef(script=[DeliveryStatus.TIJDELIJK_MISLUKT, DeliveryStatus.MISLUKT])
    run = runner(store, gemeente, target, max_age=timedelta(hours=2))
    reference = submit(store, gemeente)
    assert run.run_once().status == OutboxStatus.WACHTEND  # type: ignore[union-attr]
    refused = run.run_once()  # the second target refuses: a person must look
    assert refused is not None and refused.status == OutboxStatus.MISLUKT
    assert (row(store, reference, 1).status, row(store, reference, 1).attempts) == ("mislukt", 1)
    target.script = [DeliveryStatus.TIJDELIJK_MISLUKT]
    clock.at = T0 + timedelta(hours=2)
    late = run.run_once()
    assert late is not None and late.status == OutboxStatus.MISLUKT and late.attempt == 2
    assert "opgegeven na 2 poging(en)" in row(store, reference).detail
    clock.days_later(10)
    assert run.run_once() is None
    # The operator sends both again: a fresh round, due now, delivered.
    assert store.retry_delivery(reference) == 2
    assert {r.attempts for r in store.deliveries(reference=reference)} == {0}
    assert [a.status for a in run.run_until_idle()] == ["afgeleverd", "afgeleverd"]
    assert [r.kenmerk for r in store.deliveries(reference=reference)] == [f"proef-{reference}"] * 2
    assert store.retry_delivery(reference) == 0  # nothing left to retry


# -- claims ---------------------------------------------------------------------------------


def test_a_claim_that_runs_out_is_taken_again(engine: Engine) -> None:
    """Runner A claims the row and dies (its process was killed mid-delivery); runner B
    takes it once the claim has run out, and A's late word no longer counts."""
    clock = Clock(T0)
    store = Store(engine, SECRET, clock)
    gemeente = voorbeeld(ProefOptions())
    reference = submit(store, gemeente)
    lease = timedelta(seconds=30)
    [claimed] = store.claim_deliveries("runner-a", lease)
    assert (claimed.status, claimed.claimed_by, claimed.attempts) == ("bezig", "runner-a", 1)
    target = Proef()
    b = runner(store, gemeente, target, worker="runner-b", lease=lease)
    assert b.run_once() is None  # A's claim holds
    assert store.retry_delivery(reference) == 0  # the operator cannot pull it from under A
    clock.at = T0 + lease + timedelta(seconds=1)
    done = b.run_once()
    assert done is not None and done.status == OutboxStatus.AFGELEVERD and done.attempt == 2
    assert target.given == [reference]
    assert not store.settle_delivery(
        claimed.id or 0, "runner-a", OutboxStatus.MISLUKT, detail="te laat"
    )
    found = row(store, reference)
    assert (found.status, found.kenmerk, found.claimed_by) == (
        "afgeleverd",
        f"proef-{reference}",
        None,
    )
    assert utc(found.done_at or T0) == clock()


def test_a_long_delivery_keeps_its_claim(sqlite: Engine) -> None:
    """While ``deliver`` runs, the runner renews its claim: another runner does not take a
    row from a slow back office."""
    store = Store(sqlite, SECRET)  # the real clock: the renewal runs in real time
    gemeente = voorbeeld(ProefOptions())
    reference = submit(store, gemeente)
    seen: list[list[OutboxRow]] = []
    other = Store(sqlite, SECRET)

    def slow(_melding: Melding) -> None:
        time.sleep(1.0)  # past the lease of 0.3 s, renewed every 0.1 s
        seen.append(other.claim_deliveries("runner-b", timedelta(seconds=1)))

    target = Proef(during=slow)
    done = runner(store, gemeente, target, lease=timedelta(seconds=0.3)).run_once()
    assert done is not None and done.status == OutboxStatus.AFGELEVERD and done.settled
    assert seen == [[]]
    assert row(store, reference).attempts == 1


def test_runners_at_once_claim_each_row_once(engine: Engine) -> None:
    runners = 4
    store = Store(engine, SECRET)
    gemeente = voorbeeld(ProefOptions())
    references = [submit(store, gemeente, bsn) for bsn in [f"99999{n:04d}" for n in range(24)]]
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(runners)

    def claim(worker: str) -> None:
        mine = claimed.setdefault(worker, [])
        start.wait()
        while rows := store.claim_deliveries(worker, timedelta(minutes=1), limit=2):
            mine.extend(r.id or 0 for r in rows)

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == len(set(every)) == len(references)
    assert {r.claimed_by for r in store.deliveries()} <= set(claimed)


def test_a_gemeente_or_target_that_is_gone_leaves_the_row_waiting(sqlite: Engine) -> None:
    clock = Clock(T0)
    store = Store(sqlite, SECRET, clock)
    gemeente = voorbeeld(ProefOptions(), ProefOptions(naam="twee"))
    reference = submit(store, gemeente)
    target = Proef()
    gone = Runner(store, lambda: {}, registry=registry_with(target), env={}, worker="r")
    first = gone.run_once()
    assert first is not None and first.status == OutboxStatus.WACHTEND and first.attempt == 0
    found = row(store, reference)
    assert (
        found.attempts == 0 and "'voorbeeld' staat niet (meer) in de configuratie" in found.detail
    )
    assert utc(found.next_attempt_at) == T0 + timedelta(hours=1)
    clock.at = T0 + timedelta(hours=1)
    gone.run_once()  # the other row
    clock.at = T0 + timedelta(hours=2)
    shorter = runner(store, voorbeeld(ProefOptions()), target)  # one target fewer now
    assert [a.status for a in shorter.run_until_idle()] == ["afgeleverd", "wachtend"]
    assert "geen doel in de configuratie heeft nog de opties" in row(store, reference, 1).detail
    assert target.given == [reference]  # never delivered to a target it was not meant for
    assert row(store, reference, 1).status == OutboxStatus.WACHTEND  # it stays for the operator


def test_a_row_follows_its_target_when_another_is_removed_and_waits_when_its_own_changed(
    sqlite: Engine,
) -> None:
    """[A, B] becomes [B]: A's row must not go to B (now at A's place); B's row finds B at its
    new place. B's options changed at its place: the row waits until the operator accepts."""
    from webapp.delivery.outbox import configured_hash

    clock = Clock(T0)
    store = Store(sqlite, SECRET, clock)
    a, b = ProefOptions(naam="a"), ProefOptions(naam="b")
    reference = submit(store, voorbeeld(a, b))
    target = Proef()
    only_b = runner(store, voorbeeld(b), target)
    assert sorted(x.status for x in only_b.run_until_idle()) == ["afgeleverd", "wachtend"]
    assert row(store, reference, 0).status == OutboxStatus.WACHTEND  # A's: not sent to B
    assert row(store, reference, 1).status == OutboxStatus.AFGELEVERD  # B's: found at index 0
    assert target.given == [reference]

    other = submit(store, voorbeeld(a), "999990019")
    changed = voorbeeld(ProefOptions(naam="a-nieuw"))
    clock.at = T0 + timedelta(hours=2)
    runner(store, changed, target).run_until_idle()
    waiting = row(store, other, 0)
    assert waiting.status == OutboxStatus.WACHTEND and target.given == [reference]
    now = configured_hash({"voorbeeld": changed}, waiting)
    assert now is not None and now != waiting.options_hash
    assert waiting.id is not None and store.accept_delivery_options(waiting.id, now) == 1
    store.retry_delivery(other, 0)
    runner(store, changed, target).run_until_idle()
    assert row(store, other, 0).status == OutboxStatus.AFGELEVERD
    assert target.given == [reference, other]


# -- the operator's command and the runner's ------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    config = tmp_path / "config"
    config.mkdir()
    voorbeeld_yaml = (CONFIG_DIR / "voorbeeld.yaml").read_text()
    (config / "voorbeeld.yaml").write_text(
        voorbeeld_yaml + f"\naflevering:\n  - soort: map\n    pad: {tmp_path / 'meldingen'}\n"
        "  - soort: opslag\n"
    )
    for name, value in {
        "VERHUIZEN_MODE": "development",
        "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
        "VERHUIZEN_CONFIG_DIR": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'v.db'}",
        "VERHUIZEN_SECRET_KEY": SECRET,
        "VERHUIZEN_ENCRYPTION_KEYS": KEY,
    }.items():
        monkeypatch.setenv(name, value)
    # ``verhuizen bezorgen`` sets up JSON logging on this process's stderr (capsys's here).
    loggers = [logging.getLogger(n) for n in ("verhuizen", "uvicorn", "uvicorn.error")]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield tmp_path
    for lg, handlers, level, propagate in saved:
        lg.handlers, lg.level, lg.propagate = handlers, level, propagate


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_bezorging_lists_retries_and_marks(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(f"sqlite:///{env / 'data' / 'v.db'}", keys=[KEY])
    migrate(engine)
    store = Store(engine, SECRET)
    gemeente = load_dir(env / "config")["voorbeeld"]
    delivered, refused = submit(store, gemeente), submit(store, gemeente, "999990019")
    assert cli(capsys, "bezorging")[1].splitlines()[-1] == "4 aflevering(en) niet afgeleverd"

    # The folder is not there (yet): the map target fails for now, opslag delivers.
    code, out, _err = cli(capsys, "bezorgen", "--eenmalig")
    assert code == 0
    assert out.strip() == "4 poging(en): 2 afgeleverd, 2 later opnieuw, 0 mislukt"
    code, out, _err = cli(capsys, "bezorging")
    lines = out.splitlines()
    assert lines[0].split() == [
        "referentie",
        "gemeente",
        "doel",
        "status",
        "pogingen",
        "volgende",
        "poging",
        "detail",
    ]
    assert len(lines) == 4 and lines[-1] == "2 aflevering(en) niet afgeleverd"
    for reference, line in zip((delivered, refused), lines[1:3], strict=True):
        assert line.split()[:6] == [reference, "voorbeeld", "0", "map", "wachtend", "1"]
        assert "kan niet schrijven in" in line and "(ENOENT)" in line
    assert BSN not in out

    code, out, _err = cli(capsys, "bezorging", "--alle")
    assert len(out.splitlines()) == 6
    assert sum("afgeleverd" in line and "opslag" in line for line in out.splitlines()) == 2

    # The folder is made; retry now (before the backoff is over): delivered into it.
    (env / "meldingen").mkdir()
    assert cli(capsys, "bezorging", "--opnieuw", delivered.lower())[1] == (
        f"{delivered}: 1 aflevering(en) staan klaar; de eerstvolgende bezorger pakt ze op\n"
    )
    assert cli(capsys, "bezorgen", "--eenmalig")[1].startswith("1 poging(en): 1 afgeleverd")
    assert (env / "meldingen" / delivered / "melding.json").is_file()
    # The other one a person handled by hand.
    assert cli(capsys, "bezorging", "--afgehandeld", refused, "--doel", "0")[0] == 0
    assert row(store, refused).status == OutboxStatus.AFGEHANDELD
    header, end = cli(capsys, "bezorging")[1].splitlines()
    assert (header.split(), end) == (lines[0].split(), "alles is afgeleverd")
    code, _out, err = cli(capsys, "bezorging", "--opnieuw", refused)
    assert code == 1 and "doel 0: afgehandeld, doel 1: afgeleverd" in err
    code, _out, err = cli(capsys, "bezorging", "--afgehandeld", "VB-2026-0000-0000")
    assert code == 1 and "geen aflevering van melding VB-2026-0000-0000" in err
    assert cli(capsys, "bezorging", "--doel", "1")[0] == 2
    engine.dispose()


def test_bezorging_shows_a_changed_or_missing_target(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(f"sqlite:///{env / 'data' / 'v.db'}", keys=[KEY])
    migrate(engine)
    store = Store(engine, SECRET)
    reference = submit(store, load_dir(env / "config")["voorbeeld"])
    config = env / "config" / "voorbeeld.yaml"
    config.write_text(
        config.read_text().replace(f"pad: {env / 'meldingen'}", f"pad: {env / 'elders'}")
    )
    out = cli(capsys, "bezorging")[1]
    [line] = [line for line in out.splitlines() if " map " in line]
    assert line.startswith(reference) and "[configuratie gewijzigd sinds de melding]" in line
    config.write_text(config.read_text().replace("  - soort: opslag\n", ""))
    [line] = [line for line in cli(capsys, "bezorging")[1].splitlines() if "opslag" in line]
    assert "[doel niet meer in de configuratie]" in line
    engine.dispose()


def test_bezorgen_asks_for_a_migration_first(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "bezorgen", "--eenmalig")
    assert code == 2 and "verhuizen migrate" in err
    assert cli(capsys, "bezorging")[0] == 2


# -- retention ------------------------------------------------------------------------------


def test_retention_waits_for_every_target(engine: Engine, tmp_path: Path) -> None:
    clock = Clock(T0)
    store = Store(engine, SECRET, clock)
    gemeente = voorbeeld(ProefOptions(), ProefOptions(naam="twee"))
    target = Proef(script=[DeliveryStatus.AFGELEVERD, DeliveryStatus.MISLUKT])
    run = runner(store, gemeente, target)
    reference = submit(store, gemeente)
    zonder = submit(store, voorbeeld(), "999990019")  # delivers nowhere: sending counts
    run.run_until_idle()
    termijn = Bewaartermijn(concept=timedelta(days=30), na_aflevering=timedelta(days=30))
    idle = timedelta(minutes=15)

    clock.days_later(31)
    assert store.opschonen(lambda _g: termijn, idle) == Opgeschoond(
        meldingen=1, gekoppelde_aanvragen=1
    )
    assert [s.reference for s in store.submissions()] == [reference]  # one target refused it

    clock.days_later(40)
    store.mark_delivery_handled(reference)  # the operator delivered it by hand on day 40
    clock.days_later(69)
    assert store.opschonen(lambda _g: termijn, idle) == Opgeschoond()  # 29 days after
    clock.days_later(71)
    assert store.opschonen(lambda _g: termijn, idle, droog=True) == Opgeschoond(
        meldingen=1, gekoppelde_aanvragen=1
    )
    assert store.opschonen(lambda _g: termijn, idle) == Opgeschoond(
        meldingen=1, gekoppelde_aanvragen=1
    )
    assert store.submissions() == [] and store.deliveries() == []
    assert zonder not in {r.reference for r in store.deliveries()}


def test_settings_of_the_runner(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert (settings.delivery_in_server, settings.delivery_interval) == (True, 5.0)
    policy = Policy.from_settings(
        make_settings(
            tmp_path,
            VERHUIZEN_BEZORGEN_POGINGEN="7",
            VERHUIZEN_BEZORGEN_MAX_UREN="1.5",
            VERHUIZEN_BEZORGEN_CLAIM="9",
        )
    )
    assert (policy.max_attempts, policy.max_age, policy.lease) == (
        7,
        timedelta(hours=1.5),
        timedelta(seconds=9),
    )
    from webapp.settings import SettingsError

    for name, value in (
        ("VERHUIZEN_BEZORGEN", "ja"),
        ("VERHUIZEN_BEZORGEN_INTERVAL", "0"),
        ("VERHUIZEN_BEZORGEN_POGINGEN", "0"),
        ("VERHUIZEN_BEZORGEN_CLAIM", "vijf"),
        ("VERHUIZEN_BEZORGEN_MAX_UREN", "-1"),
    ):
        with pytest.raises(SettingsError, match=name):
            make_settings(tmp_path, **{name: value})
