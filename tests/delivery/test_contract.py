"""The delivery contract: options without secrets, a registry by soort, idempotent delivery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from webapp.delivery import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryOptions,
    DeliveryRegistry,
    DeliveryResult,
    DeliveryStatus,
    EnvVarName,
    Health,
    Melding,
    Opslag,
    OpslagOptions,
    melding_uit_opslag,
    secret,
    targets,
)
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import Submission
from webapp.storage.store import Store

BSN = "999990007"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'v.db'}")
    migrate(engine, keys=[Fernet.generate_key().decode()])
    yield Store(engine, "test-secret-key-that-is-long-enough-1234")
    engine.dispose()


def submitted(store: Store, gemeente: str = "voorbeeld") -> Melding:
    draft = store.open_draft(gemeente, BSN, "1")
    submission = store.submit(
        draft.id,
        prefix="VB",
        aangever_bsn=BSN,
        answers={"verhuisdatum": {"datum": "2026-12-01"}},
        signalen=["veel_bewoners"],
        linked=[("huisvestingsvergunning", {"gebied": "centrum"})],
        is_test=True,
    )
    assert submission.id is not None
    return melding_uit_opslag(submission, store.linked_requests(submission.id))


def count_submissions(store: Store) -> int:
    with Session(store.engine) as db:
        return db.exec(select(func.count()).select_from(Submission)).one()


def test_a_stored_submission_becomes_a_melding(store: Store) -> None:
    melding = submitted(store)
    assert melding.gemeente == "voorbeeld" and melding.aangever_bsn == BSN
    assert melding.reference.startswith("VB-")
    assert melding.linked == (("huisvestingsvergunning", {"gebied": "centrum"}),)
    assert melding.signalen == ("veel_bewoners",) and melding.is_test


def test_opslag_delivers_once_however_often_it_is_asked(store: Store) -> None:
    target = targets.target_for(OpslagOptions(), DeliveryDeps(store=store))
    assert isinstance(target, Opslag)
    melding = submitted(store)
    first = target.deliver(melding)
    assert first == DeliveryResult(
        melding.reference,
        DeliveryStatus.AFGELEVERD,
        kenmerk=melding.reference,
        detail="bewaard in de database van de eDienst",
    )
    assert first.ok and not first.retry
    assert [target.deliver(melding) for _ in range(3)] == [first] * 3
    assert count_submissions(store) == 1


def test_opslag_refuses_a_report_it_does_not_hold(store: Store) -> None:
    target = Opslag(store)
    melding = submitted(store)
    unknown = replace(melding, reference="VB-2026-XXXX-XXXX")
    result = target.deliver(unknown)
    assert result.status is DeliveryStatus.MISLUKT and not result.retry
    assert result.kenmerk is None
    other = target.deliver(replace(melding, gemeente="rotterdam"))
    assert other.status is DeliveryStatus.MISLUKT and "voorbeeld" in other.detail
    assert BSN not in result.detail + other.detail


def test_opslag_health_and_an_unreachable_database(store: Store, tmp_path: Path) -> None:
    assert Opslag(store).health() == Health(True, "database bereikbaar")
    melding = submitted(store)
    (tmp_path / "dicht").mkdir()
    broken = make_engine(f"sqlite:///{tmp_path / 'dicht'}")  # a folder is no database
    try:
        target = Opslag(Store(broken, "test-secret-key-that-is-long-enough-1234"))
        health = target.health()
        assert not health.ok and "niet bereikbaar" in health.detail
        result = target.deliver(melding)
        assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and result.retry
    finally:
        broken.dispose()


def test_opslag_is_registered_and_parsed_from_configuration() -> None:
    assert "opslag" in targets.soorten()
    assert targets.options_model("opslag") is OpslagOptions
    assert targets.parse_options({"soort": "opslag"}) == OpslagOptions()
    with pytest.raises(ValidationError, match="Extra inputs"):
        targets.parse_options({"soort": "opslag", "map": "/tmp"})
    with pytest.raises(LookupError, match=r"onbekende aflevering 'fax'; bekend zijn: .*opslag"):
        targets.parse_options({"soort": "fax"})
    assert {"bevestiging", "email", "map", "opslag", "vrijbrp", "zgw"} <= set(targets.soorten())


class ZaakOptions(DeliveryOptions):
    soort: Literal["zaken"]
    url: str
    token_env: EnvVarName


class Zaken:
    """A target in miniature keyed on the reference, as a real one must be."""

    soort: ClassVar[str] = "zaken"

    def __init__(self, options: ZaakOptions, deps: DeliveryDeps) -> None:
        self.token = secret(options.token_env, deps.env, self.soort)
        self.zaken: dict[str, str] = {}

    def deliver(self, melding: Melding) -> DeliveryResult:
        kenmerk = self.zaken.setdefault(melding.reference, f"zaak-{len(self.zaken) + 1}")
        return DeliveryResult(melding.reference, DeliveryStatus.AFGELEVERD, kenmerk=kenmerk)

    def health(self) -> Health:
        return Health(True)


def test_a_target_reads_its_secret_from_the_variable_its_options_name(store: Store) -> None:
    registry = DeliveryRegistry()
    registry.register("zaken", ZaakOptions, Zaken)
    options = registry.parse_options(
        {"soort": "zaken", "url": "https://zaken.example", "token_env": "VERHUIZEN_ZAKEN_TOKEN"}
    )
    deps = DeliveryDeps(store=store, env={"VERHUIZEN_ZAKEN_TOKEN": "geheim"})
    target = registry.target_for(options, deps)
    assert isinstance(target, Zaken) and target.token == "geheim"
    melding = submitted(store)
    assert target.deliver(melding) == target.deliver(melding)
    assert len(target.zaken) == 1
    with pytest.raises(DeliveryConfigError, match="VERHUIZEN_ZAKEN_TOKEN is niet gezet"):
        registry.target_for(options, DeliveryDeps(store=store))


def test_a_secret_in_the_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="token_env"):
        ZaakOptions(soort="zaken", url="https://zaken.example", token_env="eyJhbGciOi.secret")
    with pytest.raises(TypeError, match=r"api_key: een geheim staat niet in de configuratie"):

        class _Open(DeliveryOptions):
            soort: Literal["open"]
            api_key: str

    class _Env(DeliveryOptions):
        soort: Literal["env"]
        wachtwoord_env: str

    with pytest.raises(ValidationError, match="niet het geheim zelf"):
        _Env(soort="env", wachtwoord_env="hunter2")


def test_the_registry_takes_each_soort_once_with_a_matching_model() -> None:
    registry = DeliveryRegistry()
    registry.register("zaken", ZaakOptions, Zaken)
    with pytest.raises(ValueError, match="al geregistreerd"):
        registry.register("zaken", ZaakOptions, Zaken)
    with pytest.raises(ValueError, match="al geregistreerd"):
        targets.register("opslag", OpslagOptions, Opslag.from_options)
    with pytest.raises(TypeError, match=r"ZaakOptions.soort moet Literal\['mail'\]"):
        registry.register("mail", ZaakOptions, Zaken)

    class _Other(DeliveryOptions):
        soort: str = "zaken"

    with pytest.raises(TypeError, match="verwacht ZaakOptions"):
        registry.target_for(_Other(), DeliveryDeps(store=None))  # type: ignore[arg-type]
