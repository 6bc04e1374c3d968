"""A gemeente on the real PDOK client, and what the resident sees when the address register is
down: per gemeente "stoppen" (try again later, nothing lost) or "doorgaan" (the address as
typed, flagged for a manual check). Real client, real HTTP, the PDOK double on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, csrf_of, run_until
from tests.fakes.pdok import FakePdok
from tests.httpserver import serve_app
from tests.web.test_scenarios import FREE
from webapp.web.app import create_app

SLUG = "rotterdam"
SANNE = "999990007"


@pytest.fixture(scope="module")
def pdok() -> Iterator[tuple[FakePdok, str]]:
    fake = FakePdok()
    with serve_app(fake.app) as url:
        yield fake, url


def app_with(tmp_path: Path, url: str, storing: str):
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    path = config / f"{SLUG}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"\nkoppelingen:\n  adressen:\n    soort: pdok\n    url: {url}\n    timeout: 1\n"
        f"  adres_storing: {storing}\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config))
    return create_app(settings, today=lambda: TODAY)


def at_address_step(client: TestClient, app) -> Resident:
    r = Resident(client, SLUG)
    r.login(SANNE)
    run_until(r, app.state.services.gemeenten[SLUG], "adres", TODAY, FREE[SLUG])
    return r


def post_address(client: TestClient, r: Resident):
    address = FREE[SLUG]
    data = {
        "csrf": csrf_of(r.page),
        "postcode": address["postcode"],
        "huisnummer": str(address["huisnummer"]),
        "huisletter": address.get("huisletter") or "",
        "toevoeging": address.get("huisnummertoevoeging") or "",
    }
    return client.post(f"/{SLUG}/stap/adres", data=data, follow_redirects=False)


def test_the_real_client_finds_the_address_through_the_wizard(tmp_path, pdok):
    fake, url = pdok
    fake.reset()
    app = app_with(tmp_path, url, "stoppen")
    with TestClient(app) as client:
        r = at_address_step(client, app)
        response = post_address(client, r)
        assert response.status_code == 303, response.text[:500]
    assert fake.verzoeken, "the wizard asked the PDOK double"
    assert not fake.problemen


def test_stoppen_asks_to_try_again_and_keeps_what_was_typed(tmp_path, pdok):
    fake, url = pdok
    fake.reset()
    fake.storing = "503"
    app = app_with(tmp_path, url, "stoppen")
    try:
        with TestClient(app) as client:
            r = at_address_step(client, app)
            response = post_address(client, r)
            fake.storing = None
            assert response.status_code == 422
            assert "Het adres kan nu niet worden gecontroleerd" in response.text
            assert FREE[SLUG]["postcode"].replace(" ", "")[:4] in response.text  # kept
            assert post_address(client, r).status_code == 303  # back: it goes on
    finally:
        fake.storing = None


def test_doorgaan_takes_the_typed_address_and_flags_it(tmp_path, pdok):
    fake, url = pdok
    fake.reset()
    fake.storing = "traag"  # slower than the client's timeout
    fake.vertraging = 2.0
    app = app_with(tmp_path, url, "doorgaan")
    try:
        with TestClient(app) as client:
            r = at_address_step(client, app)
            response = post_address(client, r)
            assert response.status_code == 303, response.text[:500]
            services = app.state.services
            versie = services.gemeenten[SLUG].versie
            answer = services.store.open_draft(SLUG, SANNE, versie).answers["adres"]
    finally:
        fake.storing = None
        fake.vertraging = 0.5
    assert answer["handmatig_controleren"] is True
    assert answer["adres"]["postcode"] == FREE[SLUG]["postcode"].replace(" ", "").upper()
    assert answer["adres"]["gemeentecode"] == "0599"
