"""What a page costs the database, counted (not timed): statements and pooled connections per
request, on SQLite and on PostgreSQL. A step GET of a logged-in resident needs one connection
and one statement (the session with its draft); a session's last-seen time is written at most
once a minute; the uploads are read only on the step that asks for documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, run_until
from tests.storage.conftest import BOTH, KEY, reset
from webapp.storage.db import make_engine
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

GERDA = "999990238"  # single adult in Voorbeeldstad: nobody to take along

STEP_GET_STATEMENTS = 1
STEP_GET_CONNECTIONS = 1
STEP_POST_STATEMENTS = 3  # the session, the draft read and its answer written
STEP_POST_CONNECTIONS = 2


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0


@contextmanager
def counting(engine) -> Iterator[Counted]:
    counted = Counted()

    def statement(_conn, _cursor, sql, *_args) -> None:
        counted.statements.append(sql.split()[0].upper())

    def checkout(*_args) -> None:
        counted.checkouts += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)


@pytest.fixture(params=BOTH)
def app(request: pytest.FixtureRequest, tmp_path: Path):
    overrides = {"VERHUIZEN_BEZORGEN": "0", "VERHUIZEN_ENCRYPTION_KEYS": KEY}
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        reset(engine)  # whatever an earlier test left
        engine.dispose()
        overrides["DATABASE_URL"] = url
    app = create_app(make_settings(tmp_path, **overrides), today=lambda: TODAY)
    yield app
    app.state.services.store.engine.dispose()  # no connection left for the next test


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests._pg import postgres_available, postgres_unavailable_reason, start_postgres

    if not postgres_available():
        pytest.skip(postgres_unavailable_reason() or "no PostgreSQL")
    with start_postgres(tmp_path_factory.mktemp("pg")) as pg:
        yield pg.url


def logged_in(app, client) -> Resident:
    r = Resident(client, "voorbeeld")
    r.login(GERDA)
    return r


def test_a_step_get_is_one_statement_on_one_connection(app):
    with TestClient(app, base_url="http://testserver") as client:
        r = logged_in(app, client)
        engine = app.state.services.store.engine
        r.get("/voorbeeld/stap/situatie")  # last_seen was just written: not again
        with counting(engine) as counted:
            page = r.get("/voorbeeld/stap/situatie")
        assert page.status_code == 200
        assert counted.statements == ["SELECT"] * STEP_GET_STATEMENTS, counted.statements
        assert counted.checkouts == STEP_GET_CONNECTIONS


def test_last_seen_is_written_once_a_minute(app):
    store = app.state.services.store
    with TestClient(app, base_url="http://testserver") as client:
        r = logged_in(app, client)
        start = store.clock()
        store.clock = lambda: start + timedelta(seconds=61)
        with counting(store.engine) as counted:
            r.get("/voorbeeld/stap/situatie")
            r.get("/voorbeeld/stap/situatie")
        assert counted.statements.count("UPDATE") == 1, counted.statements


def test_a_step_post_stays_within_its_budget(app):
    with TestClient(app, base_url="http://testserver") as client:
        r = logged_in(app, client)
        r.get("/voorbeeld/stap/situatie")
        with counting(app.state.services.store.engine) as counted:
            r.answer({"waarde": "binnenland"})
        assert r.status == 200 and r.step == "verhuisdatum"
        # The POST (session, answer saved) and the next step's GET after the redirect.
        assert len(counted.statements) <= STEP_POST_STATEMENTS + STEP_GET_STATEMENTS, (
            counted.statements
        )
        assert counted.checkouts <= STEP_POST_CONNECTIONS + STEP_GET_CONNECTIONS


def test_only_the_documents_step_reads_the_uploads(app):
    with TestClient(app, base_url="http://testserver") as client:
        r = logged_in(app, client)
        g = app.state.services.gemeenten["voorbeeld"]
        run_until(r, g, "documenten", TODAY, resident_data().free_address(g))
        with counting(app.state.services.store.engine) as counted:
            r.get("/voorbeeld/stap/documenten")
        assert len(counted.statements) == STEP_GET_STATEMENTS + 1  # + the upload list
