"""Staging is not public (issue 8, item 7): its pages, the test login and start over ask for the
staging password; the resident's own pages stay open; development without a password is open."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import csrf_of
from webapp.web.app import create_app

PASSWORD = "een-lang-testwachtwoord"
# Path, and its status once the password is given (a reference nobody submitted: 404).
GUARDED = {
    "/rotterdam/inloggen": 200,
    "/rotterdam/staging/meldingen": 200,
    "/rotterdam/staging/stroom": 200,
    "/rotterdam/staging/meldingen/ROT-2026-AAAA-BBBB": 404,
}


def basic(password: str, user: str = "tester") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def staging(tmp_path):
    settings = make_settings(
        tmp_path, VERHUIZEN_MODE="staging", VERHUIZEN_STAGING_WACHTWOORD=PASSWORD
    )
    with TestClient(create_app(settings, today=lambda: TODAY)) as client:
        yield client


@pytest.mark.parametrize("path", GUARDED)
def test_staging_pages_and_the_test_login_ask_for_the_password(staging, path):
    odd = [
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic é".encode("latin-1")},
        {"Authorization": "Bearer x"},
    ]
    for headers in ({}, basic("fout-wachtwoord"), basic(""), basic("wachtwoord-é"), *odd):
        response = staging.get(path, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith('Basic realm="Testomgeving"')
        assert "Alleen voor testers" in response.text
        assert "content-security-policy" in response.headers
    assert staging.get(path, headers=basic(PASSWORD)).status_code == GUARDED[path]


def test_the_residents_pages_stay_open(staging):
    assert staging.get("/rotterdam/").status_code == 200
    assert staging.get("/rotterdam/toegankelijkheid").status_code == 200
    assert staging.get("/gezond").status_code == 200


def test_a_tester_with_the_password_logs_in_and_may_start_over(staging):
    staging.headers.update(basic(PASSWORD))
    page = staging.get("/rotterdam/inloggen").text
    response = staging.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": "999990007"})
    assert response.status_code == 200 and "/stap/" in str(response.url)
    del staging.headers["Authorization"]
    assert staging.post("/rotterdam/opnieuw", data={"csrf": "x"}).status_code == 401


def test_development_without_a_password_is_open(client):
    for path, status in GUARDED.items():
        assert client.get(path).status_code == status
