"""A resident throws away their unfinished report and starts afresh ("Opnieuw beginnen"), in
production too: a link on "Welkom terug" and on every step, a page that asks "Weet u het
zeker?", a POST with the CSRF token. Answers and uploaded files go together, nothing else; a
submitted report stays in. Staging testers and the drivers use the same pages."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import func
from sqlmodel import Session, select

from tests.conftest import TODAY, make_settings
from tests.driver import (
    Resident,
    complete_journey,
    csrf_of,
    default_answer,
    run_until,
    text_of,
)
from tests.web.test_scenarios import FREE
from webapp.storage.models import Draft, Submission, UploadRow
from webapp.web.app import create_app

GERDA = "999990238"  # Voorbeeldstad, single
MESSAGE = "Uw antwoorden zijn verwijderd. U begint opnieuw."
QUESTION = (
    "Weet u het zeker? Uw antwoorden en de bestanden die u heeft toegevoegd worden verwijderd."
)
LINK = re.compile(
    r'<a class="utrecht-link utrecht-link--html-a" href="([^"]+)">Opnieuw beginnen</a>'
)


def welcome_back(client, slug: str, bsn: str) -> str:
    """Log in again with a draft open: the "Welkom terug" page."""
    page = client.get(f"/{slug}/inloggen").text
    response = client.post(f"/{slug}/inloggen", data={"csrf": csrf_of(page), "bsn": bsn})
    assert response.url.path == f"/{slug}/verder", response.url
    return response.text


def upload_rows(app, draft_id: str | None = None) -> tuple[int, int]:
    """How many upload rows there are (of one draft, or all) and how many bytes they hold."""
    query = select(func.count(), func.coalesce(func.sum(func.length(UploadRow.data)), 0))
    if draft_id is not None:
        query = query.where(UploadRow.draft_id == draft_id)
    with Session(app.state.services.store.engine) as db:
        count, size = db.exec(query).one()
    return int(count), int(size)


def past_the_documents(resident, app) -> str:
    """Gerda, logged in, on the contact step with a file uploaded; the draft's id."""
    g = app.state.services.gemeenten["voorbeeld"]
    store = app.state.services.store
    r = resident("voorbeeld")
    r.login(GERDA)
    run_until(r, g, "contact", TODAY, FREE["voorbeeld"])
    draft = store.open_draft("voorbeeld", GERDA, g.versie)
    assert "documenten" in draft.answers and store.uploads(draft.id)
    return draft.id


def test_start_over_asks_first_then_forgets_answers_and_files(resident, client, app):
    g = app.state.services.gemeenten["voorbeeld"]
    store = app.state.services.store
    draft_id = past_the_documents(resident, app)
    rows, size = upload_rows(app, draft_id)
    assert rows >= 1 and size > 0

    page = welcome_back(client, "voorbeeld", GERDA)
    link = LINK.search(page)
    assert link and link.group(1) == "/voorbeeld/opnieuw"
    # A quiet link below the main button, not a second button.
    assert page.index("Ga verder waar u gebleven was") < link.start()
    assert "Opnieuw beginnen (testomgeving)" not in page

    ask = client.get("/voorbeeld/opnieuw")
    assert ask.status_code == 200
    assert "<title>Opnieuw beginnen - Verhuizing doorgeven - Gemeente Voorbeeldstad</title>" in (
        ask.text
    )
    assert '<html lang="nl">' in ask.text
    assert re.search(r'<h1 class="utrecht-heading-1">Opnieuw beginnen</h1>', ask.text)
    assert QUESTION in text_of(ask.text)
    form = re.search(
        r'<form method="post" action="([^"]+)" novalidate data-opnieuw>(.*?)</form>', ask.text, re.S
    )
    assert form and form.group(1) == "/voorbeeld/opnieuw"
    assert 'type="submit">Ja, opnieuw beginnen</button>' in form.group(2)
    assert f'name="csrf" value="{csrf_of(page)}"' in form.group(2)
    back = re.search(r'href="([^"]+)">Nee, ga terug</a>', ask.text)
    assert back and back.group(1) == "/voorbeeld/stap/contact"  # where Gerda left off
    # Asking changed nothing.
    assert upload_rows(app, draft_id) == (rows, size)

    assert client.post("/voorbeeld/opnieuw", data={"csrf": "fout"}).status_code == 403
    assert client.post("/voorbeeld/opnieuw", data={}).status_code == 403
    assert upload_rows(app, draft_id) == (rows, size)
    done = client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303
    first = g.stappen[0].id
    assert done.headers["location"] == f"/voorbeeld/stap/{first}?opnieuw=1"

    after = store.draft(draft_id)
    assert after is not None and after.answers == {} and after.submitted_reference is None
    assert store.uploads(draft_id) == {}
    assert upload_rows(app, draft_id) == (0, 0)
    assert upload_rows(app) == (0, 0)  # no file of this draft left anywhere

    shown = client.get(done.headers["location"]).text
    # At the top of main, before the step itself; not a live region (filled at first render,
    # it would not be announced: A21), but part of the page that is read first.
    main = shown.index("<main")
    assert main < shown.index(MESSAGE) < shown.index("step-counter")
    assert 'role="status"' not in shown[main : shown.index("step-counter")]
    assert f'data-step-id="{first}"' in shown
    # Once: the step itself, reloaded or reached again, does not say it.
    assert MESSAGE not in client.get(f"/voorbeeld/stap/{first}").text
    # The next login starts at the first step: nothing left to resume.
    again = Resident(client, "voorbeeld")
    again.login(GERDA)
    assert again.step == first and "/verder" not in again.url


def test_every_step_offers_start_over_and_the_way_back(resident, app):
    g = app.state.services.gemeenten["voorbeeld"]
    r = resident("voorbeeld")
    r.login(GERDA)
    seen: list[str] = []
    while r.step != "controleren":
        step_id = r.step
        assert step_id is not None, r.url
        link = LINK.search(r.page)
        assert link, f"no start-over link on step {step_id}"
        assert link.group(1) == f"/voorbeeld/opnieuw?stap={step_id}"
        # Below the step's form, outside it: never sent with the answer.
        assert r.page.index("</form>", r.page.index("data-step-id")) < link.start()
        assert MESSAGE not in r.page
        seen.append(step_id)
        r.answer(*default_answer(r, g.step(step_id), TODAY, FREE["voorbeeld"]))
        assert r.status < 400 and len(seen) < 40
    assert LINK.search(r.page)  # check answers too
    # The way back leads to the step the resident came from, if they may see it.
    back = re.compile(r'href="([^"]+)">Nee, ga terug</a>')
    page = r.client.get(f"/voorbeeld/opnieuw?stap={seen[1]}").text
    assert back.search(page).group(1) == f"/voorbeeld/stap/{seen[1]}"  # type: ignore[union-attr]
    for odd in ("bestaat-niet", "../inloggen", ""):
        page = r.client.get("/voorbeeld/opnieuw", params={"stap": odd}).text
        assert back.search(page).group(1) == "/voorbeeld/stap/controleren"  # type: ignore[union-attr]


def test_a_submitted_report_is_not_started_over(resident, client, app):
    g = app.state.services.gemeenten["voorbeeld"]
    store = app.state.services.store
    r = resident("voorbeeld")
    r.login(GERDA)
    csrf = csrf_of(r.page)
    complete_journey(r, g, TODAY, FREE["voorbeeld"])
    with Session(store.engine) as db:
        submission = db.exec(select(Submission)).one()
    rows = upload_rows(app, submission.draft_id)
    assert rows[0] >= 1

    asked = client.get("/voorbeeld/opnieuw", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/voorbeeld/bevestiging"
    posted = client.post("/voorbeeld/opnieuw", data={"csrf": csrf}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == "/voorbeeld/bevestiging"
    draft = store.draft(submission.draft_id)
    assert draft is not None and draft.answers and draft.submitted_reference
    assert upload_rows(app, submission.draft_id) == rows


def test_clear_draft_refuses_a_submitted_draft_and_keeps_its_files(resident, app):
    """The store itself: the condition is in the UPDATE, so a submission that came first
    wins and its files stay; an unsubmitted draft takes the configuration of the new start."""
    store = app.state.services.store
    draft_id = past_the_documents(resident, app)
    rows = upload_rows(app, draft_id)
    with Session(store.engine) as db:
        draft = db.get(Draft, draft_id)
        assert draft is not None
        draft.submitted_reference = "TEST-1"
        db.add(draft)
        db.commit()
    try:
        store.clear_draft(draft_id)
    except LookupError:
        pass
    else:
        raise AssertionError("a submitted draft was cleared")
    assert upload_rows(app, draft_id) == rows
    assert store.draft(draft_id).answers  # type: ignore[union-attr]
    try:
        store.clear_draft("0" * 32)
    except LookupError:
        pass
    else:
        raise AssertionError("a draft that does not exist was cleared")

    other = store.open_draft("voorbeeld", "999990007", "oud")
    store.clear_draft(other.id, "nieuw")
    assert store.draft(other.id).config_versie == "nieuw"  # type: ignore[union-attr]


def test_start_over_needs_a_login(client):
    response = client.get("/voorbeeld/opnieuw", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/voorbeeld/inloggen"
    response = client.post("/voorbeeld/opnieuw", data={"csrf": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/voorbeeld/inloggen"


def test_production_residents_start_over_too(tmp_path, monkeypatch):
    """Not a staging tool any more: production has the link, the question and the reset."""
    from starlette.testclient import TestClient

    from webapp import koppelingen

    # Production refuses the stand-ins and a gemeente without delivery at the start; let them
    # through here, which is what this needs to look at the pages.
    monkeypatch.setattr(koppelingen.Verbindingen, "check_production", lambda self, g: None)
    production = replace(make_settings(tmp_path), mode="production")
    app = create_app(production, today=lambda: TODAY)
    g = app.state.services.gemeenten["voorbeeld"]
    with TestClient(app) as client:
        r = Resident(client, "voorbeeld")
        r.login(GERDA)
        run_until(r, g, "adres", TODAY, FREE["voorbeeld"])
        assert LINK.search(r.page)
        page = welcome_back(client, "voorbeeld", GERDA)
        assert "Welkom terug" in page and LINK.search(page)
        assert "Testomgeving" not in client.get("/voorbeeld/opnieuw").text
        done = client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)})
        assert done.status_code == 200 and MESSAGE in done.text
        assert done.url.path == f"/voorbeeld/stap/{g.stappen[0].id}"
        store = app.state.services.store
        assert store.open_draft("voorbeeld", GERDA, g.versie).answers == {}


def test_staging_testers_start_over_with_the_staging_password(tmp_path):
    """Staging: the pages a tester (or a driver) starts over with ask for the password, as the
    test login does; with it, the same question and reset as for a resident."""
    from starlette.testclient import TestClient

    from tests.web.test_staging_access import PASSWORD, basic

    settings = make_settings(
        tmp_path, VERHUIZEN_MODE="staging", VERHUIZEN_STAGING_WACHTWOORD=PASSWORD
    )
    app = create_app(settings, today=lambda: TODAY)
    g = app.state.services.gemeenten["voorbeeld"]
    with TestClient(app) as client:
        client.headers.update(basic(PASSWORD))
        r = Resident(client, "voorbeeld")
        r.login(GERDA)
        run_until(r, g, "contact", TODAY, FREE["voorbeeld"])
        draft_id = app.state.services.store.open_draft("voorbeeld", GERDA, g.versie).id
        assert upload_rows(app, draft_id)[0] >= 1
        page = welcome_back(client, "voorbeeld", GERDA)
        del client.headers["Authorization"]
        assert client.get("/voorbeeld/opnieuw").status_code == 401
        assert client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)}).status_code == 401
        assert upload_rows(app, draft_id)[0] >= 1
        client.headers.update(basic(PASSWORD))
        assert QUESTION in text_of(client.get("/voorbeeld/opnieuw").text)
        done = client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)})
        assert done.url.path == f"/voorbeeld/stap/{g.stappen[0].id}" and MESSAGE in done.text
        assert upload_rows(app, draft_id) == (0, 0)
