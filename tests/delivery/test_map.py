"""The ``map`` target: a report as a folder of files, whole or not at all, written once."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from tests.delivery.test_inhoud import consent
from tests.driver import PDF, PNG
from webapp.delivery import DeliveryDeps, DeliveryStatus, Melding, melding_uit_opslag, targets
from webapp.delivery.contract import ConsentTarget, ToestemmingStatus
from webapp.delivery.map import MELDING, STALE_SECONDS, TOESTEMMING, Map, MapOptions
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import Submission
from webapp.storage.store import Store

KEY = "2lSJdIcITa9hA2YxHxk1i6ZPQ1uUTvAfNAjLxEq1wEA="
BSN = "999990007"
FILE_NAME = "huurcontract Jansen.pdf"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'v.db'}", keys=[KEY])
    migrate(engine)
    yield Store(engine, "test-secret-key-that-is-long-enough-1234")
    engine.dispose()


def report(store: Store, *, files: bool = True) -> Melding:
    """A stored report that names two files, with both files stored."""
    draft = store.open_draft("voorbeeld", BSN, "1")
    bestanden = {}
    if files:
        store.save_upload(draft.id, "huurcontract", FILE_NAME, "application/pdf", PDF)
        store.save_upload(draft.id, "id_hoofdbewoner", "id.png", "image/png", PNG)
        bestanden = {"huurcontract": FILE_NAME, "id_hoofdbewoner": "id.png"}
    submission = store.submit(
        draft.id,
        prefix="VB",
        aangever_bsn=BSN,
        answers={
            "stappen": {
                "datum": {"datum": "2026-12-01", "te_laat": False},
                "bijlagen": {"bestanden": bestanden},
            },
            "samenvatting": [{"stap": "datum", "vraag": "Verhuisdatum", "antwoord": "1 december"}],
        },
        signalen=[{"soort": "bewoning", "tekst": "5 bewoners op 40 m2"}],
        linked=[("huisvestingsvergunning", {"gebied": "centrum"})],
        is_test=True,
    )
    assert submission.id is not None
    return melding_uit_opslag(submission, store.linked_requests(submission.id))


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_report_becomes_a_folder_with_its_record_and_files(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "uit"
    out.mkdir()
    melding = report(store)
    result = Map(out, store).deliver(melding)
    folder = out / melding.reference
    assert result.status is DeliveryStatus.AFGELEVERD
    assert result.kenmerk == str(folder) and os.path.isabs(result.kenmerk)
    assert result.detail == "geschreven: melding.json en 2 bijlage(n)"
    assert entries(out) == [melding.reference]  # no temporary folder left behind
    assert entries(folder) == ["huurcontract.pdf", "id_hoofdbewoner.png", MELDING]
    assert (folder / "huurcontract.pdf").read_bytes() == PDF
    assert (folder / "id_hoofdbewoner.png").read_bytes() == PNG
    record = json.loads((folder / MELDING).read_text(encoding="utf-8"))
    assert record["reference"] == melding.reference and record["gemeente"] == "voorbeeld"
    assert record["aangever_bsn"] == BSN and record["is_test"] is True
    assert record["answers"] == melding.answers  # as stored, every step
    assert record["signalen"] == [{"soort": "bewoning", "tekst": "5 bewoners op 40 m2"}]
    assert record["linked"] == [
        {"soort": "huisvestingsvergunning", "details": {"gebied": "centrum"}}
    ]
    assert record["created_at"].endswith("+00:00")
    assert record["toestemming"] is None  # no online consent asked
    [contract, _id] = record["bijlagen"]
    assert contract == {
        "document": "huurcontract",
        "bestand": "huurcontract.pdf",
        "bestandsnaam": FILE_NAME,
        "content_type": "application/pdf",
        "grootte": len(PDF),
        "sha256": contract["sha256"],
    }
    assert (folder / MELDING).stat().st_mode & 0o077 == 0o040  # readable by the group only
    assert FILE_NAME not in result.detail and BSN not in result.detail


def test_delivering_again_rewrites_nothing(store: Store, tmp_path: Path) -> None:
    melding = report(store)
    target = Map(tmp_path, store)
    first = target.deliver(melding)
    record = tmp_path / melding.reference / MELDING
    before = record.stat()
    again = target.deliver(melding)
    assert again.status is DeliveryStatus.AFGELEVERD and again.kenmerk == first.kenmerk
    assert again.detail == "stond er al"
    after = record.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_two_runners_at_once_leave_one_folder(store: Store, tmp_path: Path) -> None:
    melding = report(store)
    start = threading.Barrier(4)
    results = []

    def deliver() -> None:
        start.wait()
        results.append(Map(tmp_path, store).deliver(melding))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert {(r.status, r.kenmerk) for r in results} == {
        (DeliveryStatus.AFGELEVERD, str(tmp_path / melding.reference))
    }
    assert [name for name in entries(tmp_path) if name != "db"] == [melding.reference]
    assert len(entries(tmp_path / melding.reference)) == 3


def test_a_missing_folder_is_temporary_and_names_no_personal_data(
    store: Store, tmp_path: Path
) -> None:
    melding = report(store)
    result = Map(tmp_path / "niet-gemount", store).deliver(melding)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and result.retry
    assert result.detail == f"kan niet schrijven in {tmp_path / 'niet-gemount'} (ENOENT)"
    (tmp_path / "niet-gemount").mkdir()  # mounted again: the next attempt delivers
    assert Map(tmp_path / "niet-gemount", store).deliver(melding).ok


def test_a_folder_that_is_not_ours_or_a_missing_file_is_refused(
    store: Store, tmp_path: Path
) -> None:
    melding = report(store)
    (tmp_path / melding.reference).mkdir()
    (tmp_path / melding.reference / "iets.txt").write_text("van iemand anders")
    refused = Map(tmp_path, store).deliver(melding)
    assert refused.status is DeliveryStatus.MISLUKT
    assert f"zonder {MELDING}: niet door deze dienst gemaakt" in refused.detail
    assert entries(tmp_path / melding.reference) == ["iets.txt"]

    with Session(store.engine) as db:  # the file the answers name is gone from the database
        submission = db.exec(select(Submission)).one()
    with store.engine.begin() as conn:  # no API deletes one file of a submitted draft
        conn.exec_driver_sql(
            "DELETE FROM upload WHERE draft_id = ? AND document = 'huurcontract'",
            (submission.draft_id,),
        )
    out = tmp_path / "uit"
    out.mkdir()
    missing = Map(out, store).deliver(melding)
    assert missing.status is DeliveryStatus.MISLUKT
    assert missing.detail == "het bestand voor document 'huurcontract' ontbreekt"
    assert entries(out) == []


def test_what_a_dead_delivery_left_is_cleared_and_a_live_one_left_alone(
    store: Store, tmp_path: Path
) -> None:
    melding = report(store, files=False)
    dead = tmp_path / f".{melding.reference}.dead0000.tmp"
    live = tmp_path / f".{melding.reference}.live0000.tmp"
    for left in (dead, live):
        left.mkdir()
        (left / "huurcontract.pdf").write_bytes(b"%PDF-half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(dead, (old, old))
    assert Map(tmp_path, store).deliver(melding).ok
    assert not dead.exists() and live.exists()
    assert entries(tmp_path / melding.reference) == [MELDING]


def test_a_reference_that_is_no_folder_name_is_refused(store: Store, tmp_path: Path) -> None:
    melding = report(store, files=False)
    for bad in ("../VB-2026", "VB/2026", ".VB", ""):
        result = Map(tmp_path, store).deliver(replace(melding, reference=bad))
        assert result.status is DeliveryStatus.MISLUKT, bad
    assert [name for name in entries(tmp_path) if name != "db"] == []


def test_map_is_registered_with_a_health_check(store: Store, tmp_path: Path) -> None:
    options = targets.parse_options({"soort": "map", "pad": str(tmp_path)})
    assert options == MapOptions(pad=str(tmp_path))
    target = targets.target_for(options, DeliveryDeps(store=store))
    assert isinstance(target, Map)
    assert target.health().ok
    assert not Map(tmp_path / "weg", store).health().ok
    with pytest.raises(ValidationError):
        targets.parse_options({"soort": "map"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        targets.parse_options({"soort": "map", "pad": "/srv", "wachtwoord": "x"})


# -- the hoofdbewoner's consent ------------------------------------------------------------------

HOOFDBEWONER = "999990081"


def decided(melding: Melding, status: ToestemmingStatus) -> Melding:
    return replace(melding, toestemming=consent(status, HOOFDBEWONER))


def test_the_outcome_follows_as_a_file_next_to_the_report(store: Store, tmp_path: Path) -> None:
    melding = report(store, files=False)
    target = Map(tmp_path, store)
    assert target.deliver(decided(melding, ToestemmingStatus.GEVRAAGD)).ok
    folder = tmp_path / melding.reference
    asked = json.loads((folder / MELDING).read_text(encoding="utf-8"))["toestemming"]
    assert asked["status"] == "gevraagd" and asked["vrijbrp"] == "PENDING"
    assert asked["tekst"] == "in afwachting (termijn tot 15 januari 2027)"
    result = target.deliver_consent(decided(melding, ToestemmingStatus.GEGEVEN))
    assert result.status is DeliveryStatus.AFGELEVERD
    assert result.kenmerk == str(folder / TOESTEMMING) and os.path.isabs(result.kenmerk)
    assert result.detail == "geschreven: toestemming.json (gegeven)"
    assert entries(folder) == [MELDING, TOESTEMMING]  # no temporary file left behind
    record = json.loads((folder / TOESTEMMING).read_text(encoding="utf-8"))
    assert record == {
        "reference": melding.reference,
        "status": "gegeven",
        "tekst": "gegeven op 4 januari 2027 door de hoofdbewoner",
        "vrijbrp": "APPROVED",
        "hoofdbewoner_bsn": HOOFDBEWONER,
        "termijn": "2027-01-15T11:00:00+00:00",
        "besloten_op": "2027-01-03T23:30:00+00:00",
        "gever_bsn": HOOFDBEWONER,
    }
    assert (folder / TOESTEMMING).stat().st_mode & 0o077 == 0o040
    assert HOOFDBEWONER not in result.detail
    # Again: found, not rewritten.
    before = (folder / TOESTEMMING).stat()
    again = target.deliver_consent(decided(melding, ToestemmingStatus.GEGEVEN))
    assert again.ok and again.kenmerk == result.kenmerk and again.detail == "stond er al"
    after = (folder / TOESTEMMING).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_no_answer_in_time_is_written_too(store: Store, tmp_path: Path) -> None:
    melding = report(store, files=False)
    target = Map(tmp_path, store)
    assert target.deliver(melding).ok
    assert json.loads((tmp_path / melding.reference / MELDING).read_text())["toestemming"] is None
    assert target.deliver_consent(decided(melding, ToestemmingStatus.VERLOPEN)).ok
    record = json.loads((tmp_path / melding.reference / TOESTEMMING).read_text())
    assert (record["status"], record["vrijbrp"], record["besloten_op"]) == (
        "verlopen",
        "PENDING",
        None,
    )
    assert record["tekst"] == "niet ontvangen binnen de termijn (tot 15 januari 2027)"


def test_the_outcome_waits_for_the_report_s_folder(store: Store, tmp_path: Path) -> None:
    melding = decided(report(store, files=False), ToestemmingStatus.GEWEIGERD)
    target = Map(tmp_path, store)
    early = target.deliver_consent(melding)
    assert early.status is DeliveryStatus.TIJDELIJK_MISLUKT and early.retry
    assert not (tmp_path / melding.reference).exists()  # deliver still makes the folder whole
    assert target.deliver(melding).ok
    assert target.deliver_consent(melding).ok
    assert entries(tmp_path / melding.reference) == [MELDING, TOESTEMMING]
    # A folder someone else made is not written into.
    other = replace(melding, reference="VB-2026-ANDE-RSZZ")
    (tmp_path / other.reference).mkdir()
    refused = target.deliver_consent(other)
    assert refused.status is DeliveryStatus.MISLUKT and MELDING in refused.detail
    assert entries(tmp_path / other.reference) == []


def test_what_a_dead_consent_write_left_is_cleared(store: Store, tmp_path: Path) -> None:
    melding = decided(report(store, files=False), ToestemmingStatus.GEGEVEN)
    target = Map(tmp_path, store)
    assert target.deliver(melding).ok
    folder = tmp_path / melding.reference
    dead = folder / f".{TOESTEMMING}.dead0000.tmp"
    dead.write_text("{")
    old = time.time() - STALE_SECONDS - 60
    os.utime(dead, (old, old))
    assert target.deliver_consent(melding).ok
    assert entries(folder) == [MELDING, TOESTEMMING]


def test_no_consent_file_without_a_decision(store: Store, tmp_path: Path) -> None:
    melding = report(store, files=False)
    target = Map(tmp_path, store)
    assert target.deliver(melding).ok
    for undecided in (melding, decided(melding, ToestemmingStatus.GEVRAAGD)):
        assert target.deliver_consent(undecided).status is DeliveryStatus.MISLUKT
    assert entries(tmp_path / melding.reference) == [MELDING]
    assert isinstance(target, ConsentTarget) and targets.hears_consent("map")
