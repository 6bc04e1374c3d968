"""Extending a session from the timeout dialog, and the accessibility statement page."""

from __future__ import annotations

from datetime import timedelta

from tests.driver import csrf_of

SANNE = "999990007"


def test_extend_needs_a_live_session_and_csrf(resident, client, app):
    assert client.post("/rotterdam/sessie/verlengen", data={"csrf": "x"}).status_code == 401
    r = resident("rotterdam")
    r.login(SANNE)
    assert client.post("/rotterdam/sessie/verlengen", data={"csrf": "wrong"}).status_code == 403
    store = app.state.services.store
    start = store.clock()
    store.clock = lambda: start + timedelta(minutes=14)
    assert (
        client.post("/rotterdam/sessie/verlengen", data={"csrf": csrf_of(r.page)}).status_code
        == 204
    )
    store.clock = lambda: (
        start + timedelta(minutes=28)
    )  # 14 minutes after the extension: still alive
    r.get("/rotterdam/stap/situatie")
    assert r.step == "situatie"


def test_accessibility_statement_page_links_to_the_statement(client, app):
    for slug, gemeente in app.state.services.gemeenten.items():
        response = client.get(f"/{slug}/toegankelijkheid")
        assert response.status_code == 200
        assert gemeente.links.toegankelijkheidsverklaring in response.text


def test_staging_pages_show_submissions_as_stored(resident, client, app):
    from tests.conftest import TODAY
    from tests.driver import complete_journey

    r = resident("voorbeeld")
    r.login(SANNE)
    complete_journey(
        r,
        app.state.services.gemeenten["voorbeeld"],
        TODAY,
        {"postcode": "9992EF", "huisnummer": 22, "huisnummertoevoeging": "1"},
    )
    [submission] = app.state.services.store.submissions("voorbeeld")
    listing = client.get("/voorbeeld/staging/meldingen")
    assert submission.reference in listing.text
    detail = client.get(f"/voorbeeld/staging/meldingen/{submission.reference}")
    assert detail.status_code == 200
    assert "&#34;is_test&#34;: true" in detail.text or '"is_test": true' in detail.text
    assert client.get("/voorbeeld/staging/meldingen/VB-0000-XXXX-XXXX").status_code == 404


def test_staging_pages_do_not_exist_in_production(settings, monkeypatch):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from webapp import koppelingen
    from webapp.web.app import create_app

    # Production refuses the stand-ins and a gemeente without delivery at the start; the route
    # guard is tested alone, so here that check is let through.
    monkeypatch.setattr(koppelingen.Verbindingen, "check_production", lambda self, g: None)
    app = create_app(replace(settings, mode="production"))
    with TestClient(app) as client:
        assert client.get("/voorbeeld/staging/meldingen").status_code == 404
        assert "Testomgeving" not in client.get("/voorbeeld/").text
