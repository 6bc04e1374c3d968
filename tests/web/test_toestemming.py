"""The hoofdbewoner consents online (issue 10, item 1), through the ASGI app.

Utrecht ships the ``hoofdbewoner`` step with online consent only (``papier: false``):
Julia Hendriks (a student) rents a room at Adelaarstraat 36, Utrecht, where four adults are
registered; she chooses Bram Dekker as hoofdbewoner. Bram logs in with the test login in a
browser of his own and decides. The other three, and Julia herself, cannot.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from tests.conftest import TODAY
from tests.driver import Resident, complete_journey, csrf_of, run_until, text_of
from webapp.storage.models import OutboxRow, Submission, ToestemmingRow

JULIA = "999990172"  # lives with her mother, rents a room at KAMER
BRAM = "999990196"  # registered at KAMER, adult: the hoofdbewoner she chooses
YARA = "999990202"  # also registered at KAMER, not chosen
KAMER = {"postcode": "3514CD", "huisnummer": 36}


def consent_rows(app) -> list[ToestemmingRow]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(ToestemmingRow)).all())


def report_with_online_consent(resident, app) -> Resident:
    """Julia's report, sent, with Bram as hoofdbewoner online."""
    r = resident("utrecht")
    r.login(JULIA)
    g = app.state.services.gemeenten["utrecht"]
    run_until(r, g, "woonsituatie", TODAY, KAMER)
    r.answer({"woonvorm": "inwonen"})
    assert r.step == "hoofdbewoner"
    complete_journey(r, g, TODAY, KAMER, overrides={"hoofdbewoner": ({"hoofdbewoner": BRAM}, None)})
    assert r.url.endswith("/utrecht/bevestiging")
    return r


def hoofdbewoner_logs_in(app, bsn: str) -> TestClient:
    """Another browser: the consent page, its login link (doel=toestemming), the test login."""
    browser = TestClient(app, base_url="http://testserver")
    start = browser.get("/utrecht/toestemming")
    assert start.status_code == 200
    link = re.search(r'href="(/utrecht/inloggen\?doel=toestemming)"', start.text)
    assert link, "the consent page links to the login with its purpose"
    login = browser.get(link.group(1))
    assert 'name="doel" value="toestemming"' in login.text
    done = browser.post(
        "/utrecht/inloggen", data={"csrf": csrf_of(login.text), "bsn": bsn, "doel": "toestemming"}
    )
    assert done.status_code == 200
    return browser


def test_the_resident_chooses_among_the_adults_registered_there(resident, app):
    r = resident("utrecht")
    r.login(JULIA)
    g = app.state.services.gemeenten["utrecht"]
    run_until(r, g, "woonsituatie", TODAY, KAMER)
    r.answer({"woonvorm": "inwonen"})
    shown = r.text()
    for name in ("B. Dekker", "Y. Peters", "T. Koster", "S. Brouwer"):
        assert name in shown
    assert "Julia" not in shown.split("Wie is de hoofdbewoner?")[1].split("Hulp nodig?")[0]
    # Initials only: not their full first names, not their dates of birth.
    assert "Bram" not in shown and "2001" not in shown
    # Utrecht offers no paper choice when the hoofdbewoner is listed.
    assert 'name="wijze"' not in r.page
    r.answer({})
    assert r.status == 422
    assert r.errors() == [
        "Kies wie de hoofdbewoner is, of dat de hoofdbewoner hier niet bij staat."
    ]
    r.answer({"hoofdbewoner": JULIA})  # herself: not offered, so refused
    assert r.status == 422 and r.errors() == ["Kies een van de getoonde personen."]
    r.answer({"hoofdbewoner": "niet_ingeschreven"})
    assert r.step == "documenten"
    assert "Toestemming van de hoofdbewoner" in r.text()  # the paper route: the signed statement


def test_consent_online_from_report_to_decision(resident, app):
    r = report_with_online_consent(resident, app)
    page = r.text()
    assert "Uw melding wacht op de toestemming van de hoofdbewoner" in page
    assert "http://testserver/utrecht/toestemming" in page
    [row] = consent_rows(app)
    assert (row.status, row.hoofdbewoner_bsn, row.gever_bsn) == ("gevraagd", BRAM, None)
    [submission] = app.state.services.store.submissions("utrecht")
    assert row.submission_id == submission.id
    assert row.termijn.date() == (submission.created_at + timedelta(days=14)).date()

    bram = hoofdbewoner_logs_in(app, BRAM)
    # One request waiting: straight to it.
    shown = bram.get("/utrecht/toestemming")
    assert shown.url.path == f"/utrecht/toestemming/{row.id}"
    text = text_of(shown.text)
    assert "Julia Hendriks wil vanaf" in text and "Adelaarstraat 36" in text
    # Only what he must judge: nothing else of her report.
    for private in (JULIA, "test@example.org", "Kies uw woonsituatie", "Huurcontract"):
        assert private not in shown.text
    # He has no report of his own: the wizard sends him back to his consent.
    wizard = bram.get("/utrecht/stap/situatie", follow_redirects=False)
    assert wizard.status_code == 303 and wizard.headers["location"] == "/utrecht/toestemming"

    empty = bram.post(shown.url.path, data={"csrf": csrf_of(shown.text)})
    assert empty.status_code == 422
    assert "Kies of u toestemming geeft." in empty.text
    assert text_of(empty.text).strip().startswith("Fout:")
    decided = bram.post(shown.url.path, data={"csrf": csrf_of(shown.text), "beslissing": "ja"})
    assert decided.status_code == 200
    assert "Uw beslissing is doorgegeven" in decided.text
    [row] = consent_rows(app)
    assert (row.status, row.gever_bsn) == ("gegeven", BRAM)
    assert row.besloten_op is not None
    # Once only: a second decision changes nothing.
    again = bram.post(shown.url.path, data={"csrf": csrf_of(shown.text), "beslissing": "nee"})
    assert again.status_code in (404, 409) and "staat niet meer open" in again.text
    assert consent_rows(app)[0].status == "gegeven"
    # The resident's confirmation says so.
    assert "De hoofdbewoner heeft toestemming gegeven." in r.get("bevestiging").text


@pytest.mark.parametrize("who", [YARA, JULIA], ids=["another-resident", "the-resident"])
def test_nobody_else_can_consent(resident, app, who):
    report_with_online_consent(resident, app)
    [row] = consent_rows(app)
    other = hoofdbewoner_logs_in(app, who)
    listing = other.get("/utrecht/toestemming")
    assert "Er staat geen verzoek om toestemming voor u klaar." in listing.text
    page = other.get(f"/utrecht/toestemming/{row.id}")
    assert page.status_code == 404
    csrf = csrf_of(listing.text)
    posted = other.post(f"/utrecht/toestemming/{row.id}", data={"csrf": csrf, "beslissing": "ja"})
    assert posted.status_code == 404
    assert consent_rows(app)[0].status == "gevraagd"


def test_a_hoofdbewoner_who_moved_away_cannot_consent(resident, app, monkeypatch):
    report_with_online_consent(resident, app)
    [row] = consent_rows(app)
    bram = hoofdbewoner_logs_in(app, BRAM)
    brp = app.state.services.koppeling(app.state.services.gemeenten["utrecht"]).brp
    registered = brp.raadpleeg(BRAM)
    moved = registered.__class__(
        **{**registered.__dict__, "adresseerbaar_object_identificatie": "0344010000999999"}
    )
    monkeypatch.setattr(type(brp), "raadpleeg", lambda self, bsn: moved if bsn == BRAM else None)
    page = bram.get(f"/utrecht/toestemming/{row.id}")
    assert page.status_code == 403
    assert "U kunt voor dit adres geen toestemming geven" in page.text
    assert consent_rows(app)[0].status == "gevraagd"


def test_after_the_deadline_the_report_goes_on_without_consent(resident, app):
    r = report_with_online_consent(resident, app)
    store = app.state.services.store
    [row] = consent_rows(app)
    later, before = row.termijn + timedelta(minutes=1), store.clock
    store.clock = lambda: later
    bram = hoofdbewoner_logs_in(app, BRAM)
    assert "Er staat geen verzoek" in bram.get("/utrecht/toestemming").text
    assert store.verloop_toestemmingen(lambda slug: []) == [row.reference]
    assert consent_rows(app)[0].status == "verlopen"
    assert store.verloop_toestemmingen(lambda slug: []) == []  # once
    store.clock = before  # (her session would have run out in 14 days)
    assert "De hoofdbewoner heeft niet op tijd beslist." in r.get("bevestiging").text


def test_staging_shows_the_consent(resident, app):
    report_with_online_consent(resident, app)
    [submission] = app.state.services.store.submissions("utrecht")
    staging = resident("utrecht").get(f"/utrecht/staging/meldingen/{submission.reference}")
    assert staging.status_code == 200
    assert re.search(r"data-consent-status>gevraagd<", staging.text)
    assert "Toestemming van de hoofdbewoner" in staging.text


def test_the_paper_route_asks_no_online_consent(resident, app):
    r = resident("utrecht")
    r.login(JULIA)
    g = app.state.services.gemeenten["utrecht"]
    run_until(r, g, "woonsituatie", TODAY, KAMER)
    r.answer({"woonvorm": "inwonen"})
    complete_journey(r, g, TODAY, KAMER)  # the example: "not registered there", paper
    assert consent_rows(app) == []
    with Session(app.state.services.store.engine) as db:
        [submission] = db.exec(select(Submission)).all()
        assert db.exec(select(OutboxRow)).all() == []  # Utrecht delivers nowhere in tests
    stappen = submission.answers["stappen"]
    assert stappen["hoofdbewoner"] == {"route": "papier"}
    assert set(stappen["documenten"]["bestanden"]) == {"toestemming_hoofdbewoner"}
    assert "wacht op de toestemming" not in r.text()
