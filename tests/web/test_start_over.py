"""Staging: a tester (or a driver) throws away a test person's unfinished report and starts
afresh, from the "Welkom terug" page; answers and uploaded files are gone, nothing else."""

from __future__ import annotations

import re
from dataclasses import replace

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, csrf_of, run_until
from tests.web.test_scenarios import FREE
from webapp.web.app import create_app

GERDA = "999990238"  # Voorbeeldstad, single


def welcome_back(client, slug: str, bsn: str) -> str:
    """Log in again with a draft open: the "Welkom terug" page."""
    page = client.get(f"/{slug}/inloggen").text
    response = client.post(f"/{slug}/inloggen", data={"csrf": csrf_of(page), "bsn": bsn})
    assert response.url.path == f"/{slug}/verder", response.url
    return response.text


def test_start_over_forgets_answers_and_files(resident, client, app):
    g = app.state.services.gemeenten["voorbeeld"]
    store = app.state.services.store
    r = resident("voorbeeld")
    r.login(GERDA)
    run_until(r, g, "contact", TODAY, FREE["voorbeeld"])  # past the documents step
    draft = store.draft(store.open_draft("voorbeeld", GERDA, g.versie).id)
    assert draft is not None and "documenten" in draft.answers
    assert store.uploads(draft.id)

    page = welcome_back(client, "voorbeeld", GERDA)
    assert "Opnieuw beginnen (testomgeving)" in page
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testomgeving', page)
    assert action and action.group(1) == "/voorbeeld/opnieuw"
    assert client.post("/voorbeeld/opnieuw", data={"csrf": "fout"}).status_code == 403
    response = client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)})

    assert response.url.path == f"/voorbeeld/stap/{g.stappen[0].id}"
    after = store.draft(draft.id)
    assert after is not None and after.answers == {} and after.submitted_reference is None
    assert store.uploads(draft.id) == {}
    # The next login starts at the first step: nothing left to resume.
    again = Resident(client, "voorbeeld")
    again.login(GERDA)
    assert again.step == g.stappen[0].id


def test_production_has_no_start_over(tmp_path, monkeypatch):
    """Only outside production (a resident's own "Opnieuw beginnen" is a later issue)."""
    from starlette.testclient import TestClient

    from webapp import koppelingen

    # Production refuses the stand-ins and a gemeente without delivery at the start; let them
    # through here, which is what this needs to look at the pages.
    monkeypatch.setattr(koppelingen.Verbindingen, "check_production", lambda self, g: None)
    production = replace(make_settings(tmp_path), mode="production")
    app = create_app(production, today=lambda: TODAY)
    with TestClient(app) as client:
        r = Resident(client, "voorbeeld")
        r.login(GERDA)
        run_until(r, app.state.services.gemeenten["voorbeeld"], "adres", TODAY, FREE["voorbeeld"])
        page = welcome_back(client, "voorbeeld", GERDA)
        assert "Welkom terug" in page and "Opnieuw beginnen" not in page
        assert client.post("/voorbeeld/opnieuw", data={"csrf": csrf_of(page)}).status_code == 404
