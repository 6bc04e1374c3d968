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
