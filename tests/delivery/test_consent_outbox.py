"""The hoofdbewoner's online consent in the outbox: the report goes out with consent pending,
and the outcome (decided, or the deadline passed) follows to each target that hears it.

The targets are doubles in a registry of the test's own (as in test_outbox); the real targets'
``deliver_consent`` is tested against their fake back offices in their own modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from sqlalchemy import Engine

from tests.conftest import CONFIG_DIR
from tests.storage.conftest import KEY
from tests.storage.test_opschonen import Clock
from webapp.config.loader import load_file
from webapp.config.models import Gemeente
from webapp.delivery import (
    DeliveryOptions,
    DeliveryRegistry,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
)
from webapp.delivery.contract import ConsentTarget, ToestemmingStatus
from webapp.delivery.outbox import Policy, Runner, consent_deliveries_for, deliveries_for
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import OutboxStatus
from webapp.storage.store import Bewaartermijn, Store, ToestemmingVraag, utc

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AANGEVER = "999990172"
HOOFDBEWONER = "999990196"
SECRET = "test-secret-key-that-is-long-enough-1234"


class LuisterOptions(DeliveryOptions):
    soort: Literal["luister"] = "luister"


class DoofOptions(DeliveryOptions):
    soort: Literal["doof"] = "doof"


@dataclass
class Doof:
    """A target that takes reports and knows nothing of consent (like ``opslag``)."""

    soort: ClassVar[str] = "doof"
    reports: list[Melding] = field(default_factory=list)

    @classmethod
    def build(cls, _options: DoofOptions, _deps: object) -> Doof:
        return DOOF

    def deliver(self, melding: Melding) -> DeliveryResult:
        self.reports.append(melding)
        return DeliveryResult(melding.reference, DeliveryStatus.AFGELEVERD, kenmerk="doof")

    def health(self) -> Health:
        return Health(True)


@dataclass
class Luister(Doof):
    """A target that also hears the consent (like vrijBRP)."""

    soort: ClassVar[str] = "luister"
    outcomes: list[Melding] = field(default_factory=list)
    down: bool = False
    """Unreachable: every report answers TIJDELIJK_MISLUKT."""

    def deliver(self, melding: Melding) -> DeliveryResult:
        if self.down:
            return DeliveryResult(melding.reference, DeliveryStatus.TIJDELIJK_MISLUKT)
        return super().deliver(melding)

    @classmethod
    def build(cls, _options: LuisterOptions, _deps: object) -> Luister:  # type: ignore[override]
        return LUISTER

    def deliver_consent(self, melding: Melding) -> DeliveryResult:
        self.outcomes.append(melding)
        return DeliveryResult(melding.reference, DeliveryStatus.AFGELEVERD, kenmerk="luister")


DOOF = Doof()
LUISTER = Luister()


@pytest.fixture(autouse=True)
def fresh_targets() -> Iterator[None]:
    for target in (DOOF, LUISTER):
        target.reports.clear()
    LUISTER.outcomes.clear()
    LUISTER.down = False
    yield


def registry() -> DeliveryRegistry:
    found = DeliveryRegistry()
    found.register("luister", LuisterOptions, Luister.build)
    found.register("doof", DoofOptions, Doof.build)
    return found


@pytest.fixture
def gemeente() -> Gemeente:
    return load_file(CONFIG_DIR / "voorbeeld.yaml").model_copy(
        update={"aflevering": [DoofOptions(), LuisterOptions()], "slug": "voorbeeld"}
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}", keys=[KEY])
    migrate(engine)
    yield Store(engine, SECRET, clock=clock)
    engine.dispose()


def submit(store: Store, gemeente: Gemeente, days: int = 14) -> str:
    draft = store.open_draft(gemeente.slug, AANGEVER, gemeente.versie)
    asked = ToestemmingVraag(
        hoofdbewoner_bsn=HOOFDBEWONER,
        termijn=timedelta(days=days),
        details={"personen": ["Julia Hendriks"], "bsns": [AANGEVER], "datum": "2026-11-09"},
    )
    submission = store.submit(
        draft.id,
        prefix=gemeente.referentie_prefix,
        aangever_bsn=AANGEVER,
        answers={"stappen": {}},
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=deliveries_for(gemeente),
        toestemming=asked,
    )
    return submission.reference


def runner(store: Store, gemeente: Gemeente) -> Runner:
    return Runner(
        store, lambda: {gemeente.slug: gemeente}, registry=registry(), env={}, policy=Policy()
    )


def test_only_targets_that_implement_it_hear_consent(gemeente):
    assert isinstance(LUISTER, ConsentTarget) and not isinstance(DOOF, ConsentTarget)
    assert registry().hears_consent("luister") and not registry().hears_consent("doof")
    assert [i for i, _ in consent_deliveries_for(gemeente, registry())] == [1]


def test_the_report_goes_out_pending_and_the_decision_follows(store, gemeente, clock):
    reference = submit(store, gemeente)
    run = runner(store, gemeente)
    run.run_until_idle()
    [first] = LUISTER.reports
    assert first.toestemming is not None
    assert (first.toestemming.status, first.toestemming.vrijbrp) == (
        ToestemmingStatus.GEVRAAGD,
        "PENDING",
    )
    assert LUISTER.outcomes == []

    [row] = store.open_toestemmingen("voorbeeld", HOOFDBEWONER)
    assert store.open_toestemmingen("voorbeeld", AANGEVER) == []  # asked of him, not of her
    deliveries = consent_deliveries_for(gemeente, registry())
    refused = store.beslis_toestemming(
        row.id or 0, gemeente="voorbeeld", gever_bsn=AANGEVER, gegeven=True, deliveries=deliveries
    )
    assert refused is None  # nobody consents for themselves, nor for someone else
    clock.at = T0 + timedelta(days=2)
    decided = store.beslis_toestemming(
        row.id or 0,
        gemeente="voorbeeld",
        gever_bsn=HOOFDBEWONER,
        gegeven=True,
        deliveries=deliveries,
    )
    assert decided is not None and decided.status == "gegeven"
    assert decided.besloten_op is not None and utc(decided.besloten_op) == clock.at
    rows = store.deliveries(reference=reference)
    assert [(r.soort, r.taak, r.status) for r in rows] == [
        ("doof", "melding", OutboxStatus.AFGELEVERD),
        ("luister", "melding", OutboxStatus.AFGELEVERD),
        ("luister", "toestemming", OutboxStatus.WACHTEND),
    ]
    run.run_until_idle()
    [outcome] = LUISTER.outcomes
    assert outcome.toestemming is not None
    assert (outcome.toestemming.status, outcome.toestemming.vrijbrp) == (
        ToestemmingStatus.GEGEVEN,
        "APPROVED",
    )
    assert outcome.toestemming.gever_bsn == HOOFDBEWONER
    assert store.deliveries(reference=reference)[-1].status == OutboxStatus.AFGELEVERD
    assert len(DOOF.reports) == 1  # its report only: nothing of the consent
    # Decided once: a second decision changes nothing and adds no rows.
    assert (
        store.beslis_toestemming(
            row.id or 0,
            gemeente="voorbeeld",
            gever_bsn=HOOFDBEWONER,
            gegeven=False,
            deliveries=deliveries,
        )
        is None
    )
    assert len(store.deliveries(reference=reference)) == 3


def test_a_declined_consent_reaches_the_target_as_declined(store, gemeente):
    submit(store, gemeente)
    [row] = store.open_toestemmingen("voorbeeld", HOOFDBEWONER)
    store.beslis_toestemming(
        row.id or 0,
        gemeente="voorbeeld",
        gever_bsn=HOOFDBEWONER,
        gegeven=False,
        deliveries=consent_deliveries_for(gemeente, registry()),
    )
    runner(store, gemeente).run_until_idle()
    [outcome] = LUISTER.outcomes
    assert outcome.toestemming is not None and outcome.toestemming.vrijbrp == "DECLINED"


def test_after_the_deadline_the_runner_closes_it_and_tells_the_target(store, gemeente, clock):
    reference = submit(store, gemeente, days=3)
    run = runner(store, gemeente)
    run.run_until_idle()
    clock.at = T0 + timedelta(days=3) - timedelta(seconds=1)
    assert run.close_expired_consents() == []
    clock.at = T0 + timedelta(days=3)
    assert store.open_toestemmingen("voorbeeld", HOOFDBEWONER) == []  # too late to decide
    run.run_until_idle()
    [outcome] = LUISTER.outcomes
    assert outcome.toestemming is not None
    assert outcome.toestemming.status is ToestemmingStatus.VERLOPEN
    assert outcome.toestemming.vrijbrp == "PENDING" and outcome.toestemming.gever_bsn is None
    assert [r.taak for r in store.deliveries(reference=reference)] == [
        "melding",
        "melding",
        "toestemming",
    ]


def test_a_gemeente_no_longer_configured_keeps_its_request_open(store, gemeente, clock):
    submit(store, gemeente, days=1)
    clock.at = T0 + timedelta(days=2)
    assert Runner(store, dict, registry=registry(), env={}).close_expired_consents() == []
    assert runner(store, gemeente).close_expired_consents() != []


def test_retention_waits_for_an_open_consent(store, gemeente, clock):
    submit(store, gemeente, days=60)
    runner(store, gemeente).run_until_idle()  # delivered: only the consent is open
    bewaren = Bewaartermijn(concept=timedelta(days=30), na_aflevering=timedelta(days=30))
    clock.at = T0 + timedelta(days=45)
    assert store.opschonen(lambda _g: bewaren, timedelta(minutes=15)).meldingen == 0
    clock.at = T0 + timedelta(days=61)
    runner(store, gemeente).run_until_idle()  # closed as verlopen, its outcome delivered
    clock.at = T0 + timedelta(days=92)
    assert store.opschonen(lambda _g: bewaren, timedelta(minutes=15)).meldingen == 1
    assert store.toestemming_van(1) is None


def test_the_outcome_waits_until_the_target_has_the_report(store, gemeente, clock):
    """The back office is down when the report goes out; the hoofdbewoner decides meanwhile.
    The outcome does not overtake the report: it waits, uncounted, and follows it."""
    reference = submit(store, gemeente)
    LUISTER.down = True
    run = runner(store, gemeente)
    run.run_until_idle()
    [row] = store.open_toestemmingen("voorbeeld", HOOFDBEWONER)
    store.beslis_toestemming(
        row.id or 0,
        gemeente="voorbeeld",
        gever_bsn=HOOFDBEWONER,
        gegeven=True,
        deliveries=consent_deliveries_for(gemeente, registry()),
    )
    clock.at = T0 + timedelta(minutes=5)
    run.run_until_idle()
    consent = store.deliveries(reference=reference)[-1]
    assert (consent.taak, consent.status, consent.attempts) == ("toestemming", "wachtend", 0)
    assert "wacht tot de melding zelf" in consent.detail
    assert LUISTER.outcomes == []
    LUISTER.down = False
    clock.at = T0 + timedelta(hours=3)
    run.run_until_idle()
    [report] = LUISTER.reports
    assert report.toestemming is not None and report.toestemming.vrijbrp == "APPROVED"
    clock.at = T0 + timedelta(hours=4)
    run.run_until_idle()
    [outcome] = LUISTER.outcomes
    assert outcome.toestemming is not None and outcome.toestemming.vrijbrp == "APPROVED"
