"""Every kind of response carries the security headers, errors are pages, not tracebacks, and a
step sent after the report went in ends on the confirmation (issue 8, items 3, 4 and 9)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, complete_journey, csrf_of, run_until
from tests.web.test_scenarios import FREE
from webapp.logs import JsonFormatter
from webapp.web.app import create_app

SANNE = "999990007"
ALWAYS = {
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "x-request-id",
}


def check_headers(response, *, hsts: bool = False) -> None:
    names = {k.lower() for k in response.headers}
    assert names >= ALWAYS, (response.status_code, ALWAYS - names)
    assert "server" not in names
    assert ("strict-transport-security" in names) is hsts
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]


def test_every_kind_of_response_has_the_headers(client, resident, app, monkeypatch):
    r = resident("rotterdam")
    seen = {}
    seen["page"] = client.get("/rotterdam/")
    seen["static"] = client.get("/static/css/components.css")
    seen["redirect"] = client.get("/rotterdam/stap/situatie", follow_redirects=False)
    seen["404"] = client.get("/geen-gemeente/")
    seen["405"] = client.put("/rotterdam/")
    r.login(SANNE)
    seen["403"] = client.post("/rotterdam/stap/situatie", data={"csrf": "fout"})
    seen["422"] = client.post("/rotterdam/stap/situatie", data={"csrf": csrf_of(r.page)})
    seen["409"] = client.post("/rotterdam/stap/controleren", data={"csrf": csrf_of(r.page)})
    expected = {"page": 200, "static": 200, "redirect": 303, "404": 404, "405": 405}
    expected.update({"403": 403, "422": 422, "409": 409})
    for kind, response in seen.items():
        assert response.status_code == expected[kind], kind
        check_headers(response)
    assert "no-store" in seen["page"].headers["cache-control"]
    assert "cache-control" not in seen["static"].headers or "no-store" not in seen[
        "static"
    ].headers.get("cache-control", "")


def broken(app, monkeypatch, exc: Exception) -> None:
    store = app.state.services.store

    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr(store, "session", fail)
    monkeypatch.setattr(store, "visit", fail)


def test_an_unexpected_error_is_the_500_page_with_headers_and_a_quiet_log(
    tmp_path, monkeypatch, caplog
):
    app = create_app(make_settings(tmp_path), today=lambda: TODAY)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/rotterdam/inloggen")  # a cookie, so the start page asks the store
        page = client.get("/rotterdam/inloggen").text
        client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": SANNE})
        broken(app, monkeypatch, RuntimeError(f"kapot bij {SANNE}"))
        with caplog.at_level(logging.INFO, logger="verhuizen"):
            response = client.get("/rotterdam/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    check_headers(response)
    [event] = [r for r in caplog.records if getattr(r, "event", "") == "unhandled_error"]
    assert event.error == "RuntimeError" and event.where.startswith("webapp.")
    assert SANNE not in caplog.text


def test_a_database_that_cannot_be_reached_is_a_503_that_keeps_the_answers(
    tmp_path, monkeypatch, caplog
):
    app = create_app(make_settings(tmp_path), today=lambda: TODAY)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = Resident(client, "rotterdam")
        r.login(SANNE)
        r.answer({"waarde": "binnenland"})
        with monkeypatch.context() as patched:
            broken(
                app,
                patched,
                OperationalError(
                    "SELECT * FROM websession WHERE bsn = ?",
                    (SANNE,),
                    Exception("database is locked"),
                ),
            )
            with caplog.at_level(logging.INFO, logger="verhuizen"):
                down = client.get("/rotterdam/stap/verhuisdatum")
        assert down.status_code == 503
        assert "uw antwoorden zijn bewaard" in down.text
        assert down.headers["retry-after"] == "120"
        check_headers(down)
        assert SANNE not in caplog.text
        # Back again: the answer is still there, and the page shows it.
        back = client.get("/rotterdam/stap/situatie")
        assert back.status_code == 200
        store = app.state.services.store
        g = app.state.services.gemeenten["rotterdam"]
        draft = store.draft(store.open_draft("rotterdam", SANNE, g.versie).id)
        assert draft is not None and draft.answers["situatie"] == {"waarde": "binnenland"}


def test_a_step_sent_after_the_report_went_in_ends_on_the_confirmation(resident, app, monkeypatch):
    g = app.state.services.gemeenten["rotterdam"]
    r = resident("rotterdam")
    r.login(SANNE)
    run_until(r, g, "contact", TODAY, FREE["rotterdam"])
    stale = r.page  # a second tab, still on this step
    store = app.state.services.store
    complete_journey(r, g, TODAY, FREE["rotterdam"])
    [submission] = store.submissions("rotterdam")
    # The second tab's request read the draft before it was submitted.
    real = store.draft
    monkeypatch.setattr(
        store,
        "draft",
        lambda draft_id: (
            (d := real(draft_id)) and d.model_copy(update={"submitted_reference": None})
        ),
    )
    response = r.client.post(
        "/rotterdam/stap/contact",
        data={"csrf": csrf_of(stale), "email": "", "telefoon": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/rotterdam/bevestiging"
    assert store.submissions("rotterdam") == [submission]  # still the one report


def test_production_cookies_carry_the_host_prefix(tmp_path):
    settings = make_settings(tmp_path, VERHUIZEN_SECURE_COOKIES="1")
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/rotterdam/inloggen")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-verhuizen-rotterdam=")
    for part in ("Path=/", "Secure", "HttpOnly", "SameSite=lax"):
        assert part in cookie, cookie
    assert "Domain" not in cookie


def test_hsts_when_configured(tmp_path):
    app = create_app(make_settings(tmp_path, VERHUIZEN_HSTS="1"), today=lambda: TODAY)
    with TestClient(app) as client:
        response = client.get("/")
    check_headers(response, hsts=True)
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")


def test_log_events_are_json_lines_with_the_request_id():
    record = logging.makeLogRecord(
        {"name": "verhuizen", "levelno": 20, "levelname": "INFO", "msg": "request"}
    )
    record.event, record.status = "request", 200
    from webapp.logs import request_id

    token = request_id.set("abc123")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    event = json.loads(line)
    assert event["request_id"] == "abc123" and event["event"] == "request"
    assert event["status"] == 200 and event["level"] == "info"


@pytest.mark.parametrize("path", ["/", "/rotterdam/", "/rotterdam/inloggen"])
def test_each_request_is_one_log_event_without_the_query(client, caplog, path):
    with caplog.at_level(logging.INFO, logger="verhuizen"):
        client.get(path + "?bsn=999990007")
    [event] = [r for r in caplog.records if getattr(r, "event", "") == "request"]
    assert event.status == 200 and event.method == "GET"
    assert "999990007" not in caplog.text
