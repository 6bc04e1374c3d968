"""The store on SQLite and on a real PostgreSQL: migrations, drafts, single submission under races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect
from starlette.testclient import TestClient

from tests.conftest import GEMEENTEN, TODAY, make_settings
from tests.driver import Resident, complete_journey
from tests.storage.conftest import needs_postgres, reset
from tests.web.test_scenarios import FREE
from webapp.storage.db import make_engine
from webapp.storage.store import Store, new_reference
from webapp.web.app import create_app


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {
        "web_session",
        "draft",
        "upload",
        "submission",
        "linked_request",
        "alembic_version",
    } <= tables


def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_drafts_are_found_again_by_person_and_gemeente(engine):
    store = Store(engine, "secret")
    draft = store.open_draft("rotterdam", "999990007", "v1")
    store.save_answer(draft.id, "verhuisdatum", {"datum": "2026-12-04"})
    assert store.open_draft("rotterdam", "999990007", "v1").id == draft.id
    assert store.open_draft("utrecht", "999990007", "v1").id != draft.id
    assert store.open_draft("rotterdam", "999990019", "v1").id != draft.id
    assert store.draft(draft.id).answers == {"verhuisdatum": {"datum": "2026-12-04"}}
    assert "999990007" not in draft.owner  # keyed hash, not the BSN


def test_sessions_expire_and_store_only_a_hash(engine):
    store = Store(engine, "secret")
    draft = store.open_draft("rotterdam", "999990007", "v1")
    token, row = store.create_session("rotterdam", "999990007", draft.id)
    assert row.id != token
    assert store.session(token, timedelta(minutes=15)) is not None
    assert store.session("not-a-token", timedelta(minutes=15)) is None
    later = store.clock() + timedelta(minutes=16)
    store.clock = lambda: later
    assert store.session(token, timedelta(minutes=15)) is None


def test_concurrent_submits_give_one_submission(engine):
    store = Store(engine, "secret")
    draft = store.open_draft("rotterdam", "999990007", "v1")
    references: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            references.append(
                store.submit(
                    draft.id,
                    prefix="ROT",
                    aangever_bsn="999990007",
                    answers={},
                    signalen=[],
                    linked=[("huisvestingsvergunning", {})],
                    is_test=True,
                ).reference
            )
        except BaseException as exc:  # report in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(set(references)) == 1 and len(references) == 6
    assert len(store.submissions("rotterdam")) == 1
    [only] = store.submissions()
    assert len(store.linked_requests(only.id)) == 1
    assert store.draft(draft.id).submitted_reference == only.reference


def test_uploads_replace_per_document(engine):
    store = Store(engine, "secret")
    draft = store.open_draft("rotterdam", "999990007", "v1")
    store.save_upload(draft.id, "huurcontract", "a.pdf", "application/pdf", b"%PDF-1")
    store.save_upload(draft.id, "huurcontract", "b.pdf", "application/pdf", b"%PDF-22")
    assert store.uploads(draft.id)["huurcontract"].bestandsnaam == "b.pdf"
    assert store.upload_data(draft.id, "huurcontract") == b"%PDF-22"


def test_references_are_readable():
    reference = new_reference("ROT", 2026)
    prefix, year, a, b = reference.split("-")
    assert (prefix, year, len(a), len(b)) == ("ROT", "2026", 4, 4)
    assert not set(a + b) & set("ILOU")


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("slug", GEMEENTEN)
def test_complete_journey_on_postgresql(slug, pg_url, tmp_path):
    settings = make_settings(tmp_path, DATABASE_URL=pg_url)
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app) as client:
        r = Resident(client, slug)
        r.login("999990007")
        gemeente = app.state.services.gemeenten[slug]
        address = {**FREE[slug]}
        complete_journey(r, gemeente, TODAY, address)
        submissions = app.state.services.store.submissions(slug)
        assert submissions[-1].reference in r.text()
        assert (
            submissions[-1].answers["stappen"]["adres"]["adres"]["gemeentecode"]
            == gemeente.gemeentecode
        )
    reset(app.state.services.store.engine)
    app.state.services.store.engine.dispose()
