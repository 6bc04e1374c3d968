"""Faults against a real server (issue 8, item 10): kill -9 mid-journey and mid-upload, the
database stopped and started again, and a double-submit race, through HTTP.

Every server here is ``python -m webapp.cli serve`` in a subprocess (``tests/live.py``); the
residents are the ASGI driver of ``tests/driver.py`` on an ``httpx2.Client``, and what was
stored is read back from the database with the server's keys.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests._pg import PgServer, postgres_available, postgres_unavailable_reason, start_postgres
from tests.driver import PDF, PNG, csrf_of
from tests.live import (
    SECURITY_HEADERS,
    UNAVAILABLE,
    LiveServer,
    answer_step,
    answer_until,
    example,
    gemeenten,
    half_sent,
    halt,
    look,
    move,
    new_database,
    resident,
    resident_from_elsewhere,
    resume,
    server_env,
)

SLUG = "rotterdam"
needs_postgres = pytest.mark.skipif(
    not postgres_available(), reason=postgres_unavailable_reason() or ""
)

# Loaded by the server process (on its PYTHONPATH): SIGKILL at the first commit that made an
# upload durable, while the marker file exists. A kill -9 can land at any instruction; this one
# lands where the upload request has written something and not yet answered.
KILL_POINT = """
import os, signal
_marker = os.environ.get("VERHUIZEN_TEST_KILL_MARKER")
if _marker:
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from webapp.storage.models import UploadRow

    @event.listens_for(Session, "after_flush")
    def _upload_written(session, _context):
        if any(isinstance(row, UploadRow) for row in session.new):
            session.info["upload"] = True

    @event.listens_for(Session, "after_commit")
    def _kill(session):
        if session.info.pop("upload", False) and os.path.exists(_marker):
            os.kill(os.getpid(), signal.SIGKILL)
"""


def stored(
    env: dict[str, str], bsn: str
) -> tuple[dict[str, Any], dict[str, tuple[str, int, bytes]]]:
    """The resident's draft answers and files as stored."""
    with look(env) as db:
        draft = db.draft(SLUG, bsn)
        return dict(draft.answers), db.uploads(draft.id)


def go_on(server: LiveServer, r: Any, path: str) -> None:
    """After a restart: a fresh connection, the same cookie, the same session."""
    move(r, server.client(r.client.cookies))
    r.get(path)
    assert r.status == 200, f"{path}: {r.status}\n{r.text()[:600]}"


# -- (a) kill -9 --------------------------------------------------------------------------------


def test_kill_9_mid_journey_and_mid_upload_keeps_the_draft_whole(tmp_path: Path) -> None:
    """SQLite in a data folder; the server is killed with SIGKILL four times and started again
    on the same folder, and the same session goes on each time:

    1. between two steps: every answer so far is there;
    2. with a step's answer half sent: that answer is not there, the others are;
    3. with an upload half streamed (a 3 MB file): no file, no answer for the step;
    4. right after an upload that replaces a file was committed (a kill point, loaded into the
       server process, fires SIGKILL at that commit): the file and the step's answer agree,
       either both old or both new, never a new file under the old answer.

    Then the resident finishes: exactly one submission, and it names the file that is stored.
    """
    g = gemeenten()[SLUG]
    bsn = resident_from_elsewhere(g.gemeentecode)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(KILL_POINT)
    marker = tmp_path / "kill-now"
    env = server_env(
        tmp_path / "data",
        PYTHONPATH=str(hooks),
        VERHUIZEN_TEST_KILL_MARKER=str(marker),
    )
    server = LiveServer(env, tmp_path / "logs")
    r = resident(server.client(), SLUG)
    try:
        server.start()
        r.login(bsn)
        answer_until(r, g, "woonsituatie")
        before, _files = stored(env, bsn)
        assert set(before) == {"situatie", "verhuisdatum", "adres", "meeverhuizers"}

        # 1. Between two steps.
        server.kill9()
        server.start()
        go_on(server, r, f"/{SLUG}/stap/woonsituatie")
        assert stored(env, bsn)[0] == before

        # 2. A step's answer half sent.
        data, _none = example(g, "woonsituatie")
        sock = half_sent(
            server, f"/{SLUG}/stap/woonsituatie", r.client, {"csrf": csrf_of(r.page), **data}
        )
        time.sleep(0.5)
        server.kill9()
        sock.close()
        server.start()
        go_on(server, r, f"/{SLUG}/stap/woonsituatie")
        assert stored(env, bsn)[0] == before
        answer_until(r, g, "documenten")
        before, files = stored(env, bsn)
        assert "woonsituatie" in before and files == {}

        # 3. An upload half streamed.
        big = PDF + b"%" + bytes(range(256)) * (3 * 4096)
        sock = half_sent(
            server,
            f"/{SLUG}/stap/documenten",
            r.client,
            {"csrf": csrf_of(r.page)},
            {"doc-huurcontract": ("groot.pdf", big, "application/pdf")},
        )
        time.sleep(0.8)
        server.kill9()
        sock.close()
        server.start()
        go_on(server, r, f"/{SLUG}/stap/documenten")
        assert stored(env, bsn) == (before, {})

        # 4. A file replaced, killed at the commit that stored the new file.
        first = {"doc-huurcontract": ("eerste.pdf", PDF, "application/pdf")}
        answer_step(r, g, {}, first)
        assert r.step == "contact"
        answers, files = stored(env, bsn)
        assert answers["documenten"]["bestanden"]["huurcontract"]["bestandsnaam"] == "eerste.pdf"
        assert files["huurcontract"][0] == "eerste.pdf"
        r.get(f"/{SLUG}/stap/documenten")
        marker.touch()
        second = {"doc-huurcontract": ("tweede.png", PNG, "image/png")}
        with pytest.raises(httpx2.TransportError):
            r.client.post(f"/{SLUG}/stap/documenten", data={"csrf": csrf_of(r.page)}, files=second)
        server.died(signal_number=9)
        marker.unlink()
        server.start()
        go_on(server, r, f"/{SLUG}/verder")
        answers, files = stored(env, bsn)
        named = answers["documenten"]["bestanden"]["huurcontract"]
        name, size, data_stored = files["huurcontract"]
        assert (named["bestandsnaam"], named["grootte"]) == (name, size), (
            "the stored file and the answer that names it disagree after kill -9"
        )
        assert (name, data_stored) in {("eerste.pdf", PDF), ("tweede.png", PNG)}

        # The resident finishes: one submission, naming the stored file.
        r.get(f"/{SLUG}/stap/contact")
        answer_until(r, g, "controleren")
        answer_step(r, g)
        assert r.url.endswith(f"/{SLUG}/bevestiging")
        with look(env) as db:
            draft = db.draft(SLUG, bsn)
            [submission] = db.submissions(draft.id)
            assert submission.answers["stappen"]["documenten"]["bestanden"]["huurcontract"] == named
            assert db.uploads(draft.id)["huurcontract"][0] == name
    finally:
        r.client.close()
        server.stop()
    # SQLite came through every kill in one piece.
    with sqlite3.connect(tmp_path / "data" / "verhuizen.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


# -- (b) PostgreSQL stopped while the server runs --------------------------------------------


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    if not postgres_available():
        pytest.skip(postgres_unavailable_reason() or "no PostgreSQL")
    with start_postgres(tmp_path_factory.mktemp("pg")) as server:
        yield server


def check_unavailable_page(response: httpx2.Response) -> None:
    assert response.status_code == 503, f"{response.request.url.path}: {response.status_code}"
    assert UNAVAILABLE in response.text
    assert '<html lang="nl">' in response.text
    for header in SECURITY_HEADERS:
        assert header in response.headers, f"{response.request.url.path}: no {header}"
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers
    assert response.headers.get("retry-after", "").isdigit()


@pytest.mark.postgres
@needs_postgres
def test_postgres_stopped_then_started_again(pg: PgServer, tmp_path: Path) -> None:
    """``pg_ctl stop`` while the server runs and a resident is halfway: pages that need the
    database are the Dutch 503 page with every security header (a step, a step's answer, the
    welcome back page, the start page of a logged-in resident); ``/gezond`` stays 200,
    ``/gereed`` is 503, and pages without the database still work. The answer posted while
    the database was down is not stored. After ``pg_ctl start`` the same session goes on with
    its draft intact and finishes with one submission."""
    g = gemeenten()[SLUG]
    bsn = resident_from_elsewhere(g.gemeentecode)
    env = server_env(tmp_path / "data", new_database(pg, "gestopt"), VERHUIZEN_DB_TIMEOUT="2")
    server = LiveServer(env, tmp_path / "logs")
    r = resident(server.client(), SLUG)
    halted = False
    try:
        server.start()
        r.login(bsn)
        answer_until(r, g, "woonsituatie")
        before, _files = stored(env, bsn)
        csrf = csrf_of(r.page)

        halt(pg)
        halted = True
        c = r.client
        check_unavailable_page(c.get(f"/{SLUG}/stap/woonsituatie"))
        data, _none = example(g, "woonsituatie")
        check_unavailable_page(c.post(f"/{SLUG}/stap/woonsituatie", data={"csrf": csrf, **data}))
        check_unavailable_page(c.get(f"/{SLUG}/verder"))
        check_unavailable_page(c.get(f"/{SLUG}/"))
        health = c.get("/gezond")
        assert (health.status_code, health.text) == (200, "ok")
        assert c.get("/gereed").status_code == 503
        for path in ("/", f"/{SLUG}/toegankelijkheid", f"/{SLUG}/sessie-verlopen"):
            assert c.get(path).status_code == 200, path
        with server.client() as anonymous:
            assert anonymous.get(f"/{SLUG}/inloggen").status_code == 200
        assert server.proc is not None and server.proc.poll() is None  # still serving
        events = {e.get("event") for e in server.log_events()}
        assert "database_unavailable" in events and "unhandled_error" not in events

        resume(pg)
        halted = False
        assert c.get("/gereed").status_code == 200
        r.get(f"/{SLUG}/stap/woonsituatie")
        assert r.status == 200 and r.step == "woonsituatie"
        assert stored(env, bsn)[0] == before  # intact, and nothing of the refused answer
        answer_until(r, g, "controleren")
        answer_step(r, g)
        assert r.url.endswith(f"/{SLUG}/bevestiging")
        with look(env) as db:
            assert len(db.submissions(db.draft(SLUG, bsn).id)) == 1
    finally:
        r.client.close()
        if halted:
            resume(pg)
        server.stop()


# -- (c) double submit ------------------------------------------------------------------------

RACERS = 8


def race_submits(server: LiveServer, r: Any) -> list[httpx2.Response]:
    """``RACERS`` clients, each on its own open connection and with the resident's cookie,
    post check answers at the same moment."""
    csrf = csrf_of(r.page)
    clients = [server.client(r.client.cookies) for _ in range(RACERS)]
    for client in clients:
        assert client.get("/gezond").status_code == 200  # connected before the start
    barrier = threading.Barrier(RACERS)
    responses: list[Any] = [None] * RACERS

    def submit(i: int) -> None:
        barrier.wait()
        try:
            responses[i] = clients[i].post(
                f"/{SLUG}/stap/controleren", data={"csrf": csrf, "akkoord": ["ja"]}
            )
        except Exception as exc:  # reported below, in the test's thread
            responses[i] = exc

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for client in clients:
        client.close()
    return responses


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])]
)
def test_simultaneous_submits_give_one_submission(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Eight simultaneous POSTs of check answers (a double click, many tabs) to a server with
    two worker processes: every one ends on the confirmation with the same reference, and
    there is exactly one submission."""
    g = gemeenten()[SLUG]
    bsn = resident_from_elsewhere(g.gemeentecode)
    url = None
    if database == "postgres":
        url = new_database(request.getfixturevalue("pg"), "race")
    env = server_env(tmp_path / "data", url)
    server = LiveServer(env, tmp_path / "logs", workers=2)
    r = resident(server.client(), SLUG)
    try:
        server.start()
        r.login(bsn)
        answer_until(r, g, "controleren")
        responses = race_submits(server, r)
        for response in responses:
            assert isinstance(response, httpx2.Response), repr(response)
            assert response.status_code == 200, response.text[:800]
            assert response.url.path == f"/{SLUG}/bevestiging"
        with look(env) as db:
            draft = db.draft(SLUG, bsn)
            [submission] = db.submissions(draft.id)
            assert draft.submitted_reference == submission.reference
            assert len(db.submissions()) == 1
        for response in responses:
            assert submission.reference in response.text
    finally:
        r.client.close()
        server.stop()
