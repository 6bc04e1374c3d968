"""Tampered forms, forged cookies, resume after restart, and single submission."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from starlette.testclient import TestClient

from tests.conftest import TODAY
from tests.driver import PDF, Resident, complete_journey, csrf_of, run_until
from webapp.storage.models import Draft, Submission
from webapp.web.app import create_app

SANNE = "999990007"
KRALINGEN = {"postcode": "3062LG", "huisnummer": 12}


def draft_answers(app) -> dict:
    with Session(app.state.services.store.engine) as db:
        [draft] = db.exec(select(Draft)).all()
        return draft.answers


def submissions(app) -> list[Submission]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(Submission)).all())


def logged_in(resident, app, slug="rotterdam"):
    r = resident(slug)
    r.login(SANNE)
    return r, app.state.services.gemeenten[slug]


def test_steps_cannot_be_skipped_by_url(resident, app):
    r, _g = logged_in(resident, app)
    r.get("/rotterdam/stap/documenten")
    assert r.step == "situatie"  # sent to the first unanswered step


def test_unknown_step_is_404(resident, app, client):
    _r, _g = logged_in(resident, app)
    assert client.get("/rotterdam/stap/bestaat-niet").status_code == 404
    assert client.get("/nergens/").status_code == 404


def test_post_to_a_step_that_does_not_apply_is_refused_and_harms_nothing(resident, app, client):
    r, g = logged_in(resident, app)
    run_until(r, g, "woonsituatie", TODAY, KRALINGEN)
    before = draft_answers(app)
    csrf = csrf_of(r.page)
    response = client.post("/rotterdam/stap/vergunning", data={"csrf": csrf, "keuze": "aanvragen"})
    assert response.status_code == 409
    assert "Uw opgeslagen antwoorden zijn niet veranderd" in response.text
    response = client.post("/rotterdam/stap/documenten", data={"csrf": csrf})  # ahead of its turn
    assert response.status_code == 409
    assert draft_answers(app) == before


def test_missing_or_wrong_csrf_is_403(resident, app, client):
    _r, _g = logged_in(resident, app)
    assert client.post("/rotterdam/stap/situatie", data={"waarde": "binnenland"}).status_code == 403
    assert (
        client.post(
            "/rotterdam/stap/situatie", data={"waarde": "binnenland", "csrf": "x"}
        ).status_code
        == 403
    )
    assert draft_answers(app) == {}


def test_forged_cookie_is_400_and_draft_unharmed(resident, app, client):
    r, _g = logged_in(resident, app)
    r.answer({"waarde": "binnenland"})
    before = draft_answers(app)
    client.cookies.clear()
    client.cookies.set(app.state.services.cookies.name("rotterdam"), "eyJzIjoiZm9yZ2VkIn0.forged")
    response = client.get("/rotterdam/stap/verhuisdatum")
    assert response.status_code == 400
    assert "Uw sessie is ongeldig" in response.text
    assert draft_answers(app) == before


def test_upload_too_big_or_not_a_document(resident, app):
    r, g = logged_in(resident, app)
    run_until(
        r,
        g,
        "documenten",
        TODAY,
        KRALINGEN,
        overrides={"woonsituatie": ({"woonvorm": "koop"}, None)},
    )
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    r.answer({}, {"doc-akte_van_levering": ("akte.pdf", big, "application/pdf")})
    assert r.status == 422
    assert r.errors() == ["Het bestand akte.pdf is te groot. Een bestand mag hoogstens 10 MB zijn."]
    r.answer(
        {}, {"doc-akte_van_levering": ("akte.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    )
    assert r.status == 422
    assert "is geen PDF, JPEG, PNG" in r.errors()[0]
    assert "akte_van_levering" not in app.state.services.store.uploads(r_draft_id(app))
    r.answer({}, {"doc-akte_van_levering": ("akte.pdf", PDF, "application/pdf")})
    assert r.step == "contact"


def r_draft_id(app) -> str:
    with Session(app.state.services.store.engine) as db:
        return db.exec(select(Draft)).one().id


def test_resume_after_restart_and_new_login(settings, resident, app):
    r, g = logged_in(resident, app)
    run_until(r, g, "adres", TODAY, KRALINGEN)  # two steps answered, standing on step 3
    assert set(draft_answers(app)) == {"situatie", "verhuisdatum"}

    restarted = create_app(settings, today=lambda: TODAY)  # same database file, new process state
    with TestClient(restarted) as fresh_browser:  # no cookie: another device
        again = Resident(fresh_browser, "rotterdam")
        again.login(SANNE)
        assert again.step == "adres"
        again.get("/rotterdam/stap/verhuisdatum")
        assert re.search(r'id="dag"[^>]*value="4"', again.page)  # 27 Nov + 7 days = 4 Dec
        again.get("/rotterdam/stap/adres")
        complete_journey(again, g, TODAY, KRALINGEN)
    assert len(submissions(restarted)) == 1


def test_double_submit_gives_one_submission(resident, app, client):
    r, g = logged_in(resident, app)
    run_until(r, g, "controleren", TODAY, KRALINGEN)
    csrf = csrf_of(r.page)
    first = client.post("/rotterdam/stap/controleren", data={"csrf": csrf, "akkoord": "ja"})
    second = client.post(
        "/rotterdam/stap/controleren", data={"csrf": csrf, "akkoord": "ja"}
    )  # Back + resubmit
    assert first.status_code == second.status_code == 200
    assert str(first.url).endswith("/bevestiging") and str(second.url).endswith("/bevestiging")
    [submission] = submissions(app)
    assert submission.reference in first.text and submission.reference in second.text


def test_check_answers_change_link_returns_to_check_answers(resident, app):
    r, g = logged_in(resident, app)
    run_until(r, g, "controleren", TODAY, KRALINGEN)
    links = re.findall(
        r'<a class="utrecht-link utrecht-link--html-a" href="(/rotterdam/stap/[^"]+)">'
        r'Wijzigen<span class="visually-hidden"> ([^<]+)</span>',
        r.page,
    )
    names = [name for _, name in links]
    assert len(names) == len(set(names)) > 4  # unique accessible names
    contact = next(url for url, name in links if name == "e-mailadres")
    r.get(contact.split("#")[0])
    assert 'value="test@example.org"' in r.page  # values kept on the round trip
    r.answer({"email": "nieuw@example.org", "telefoon": ""})
    assert r.step == "controleren"
    assert "nieuw@example.org" in r.text()


def test_declaration_must_be_ticked(resident, app):
    r, g = logged_in(resident, app)
    run_until(r, g, "controleren", TODAY, KRALINGEN)
    r.answer({})
    assert r.status == 422
    assert r.errors() == ["Vink aan dat u de verklaring heeft gelezen en dat die klopt."]
    assert submissions(app) == []


def test_no_personal_data_in_urls_and_pages_not_cached(resident, app, client):
    r, g = logged_in(resident, app)
    complete_journey(r, g, TODAY, KRALINGEN)
    assert SANNE not in r.url
    response = client.get("/rotterdam/bevestiging")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    cookie = response.request.headers.get("cookie", "")
    assert SANNE not in cookie


def test_minor_and_curatele_cannot_report_online(resident):
    r = resident("rotterdam")
    r.login("999990299")  # Mila Wouters, 15
    assert r.status == 403 and "jonger dan 16" in r.text()
    r = resident("rotterdam")
    r.login("999990317")  # Wim de Graaf, onder curatele
    assert r.status == 403 and "curatele" in r.text()


def test_session_expiry_keeps_answers(tmp_path, resident):
    from datetime import UTC, datetime, timedelta

    from tests.conftest import make_settings

    settings = make_settings(tmp_path, VERHUIZEN_SESSION_IDLE_MINUTES="1")
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app) as client:
        r = Resident(client, "rotterdam")
        r.login(SANNE)
        r.answer({"waarde": "binnenland"})
        store = app.state.services.store
        later = datetime.now(UTC) + timedelta(minutes=2)
        store.clock = lambda: later
        response = client.get("/rotterdam/stap/verhuisdatum")
        assert str(response.url).endswith("/rotterdam/sessie-verlopen")
        assert "Uw antwoorden zijn bewaard" in response.text
        r.login(SANNE)
        assert r.step == "verhuisdatum"
