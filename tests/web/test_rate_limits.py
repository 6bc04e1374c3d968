"""Rate limits per client (issue 8, item 6): past the limit a friendly 429 page that says when to
try again; another client is not affected; the limits are settings."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, csrf_of, run_until
from tests.web.test_scenarios import FREE
from webapp.settings import SettingsError
from webapp.web.app import create_app

SANNE = "999990007"


def make(tmp_path, limits: str):
    return create_app(make_settings(tmp_path, VERHUIZEN_RATE_LIMITS=limits), today=lambda: TODAY)


def test_logging_in_too_often_gets_a_page_that_says_when(tmp_path):
    app = make(tmp_path, "login=2/minute")
    with TestClient(app, client=("192.0.2.10", 1000)) as client:
        page = client.get("/rotterdam/inloggen").text
        for _ in range(2):
            assert (
                client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page)}).status_code == 422
            )
        refused = client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page)})
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert f"Probeer het over {wait} seconden opnieuw" in refused.text
    assert "content-security-policy" in refused.headers
    with TestClient(app, client=("192.0.2.11", 1000)) as other:
        page = other.get("/rotterdam/inloggen").text
        assert other.post("/rotterdam/inloggen", data={"csrf": csrf_of(page)}).status_code == 422


def test_the_address_lookup_and_submitting_are_limited(tmp_path):
    app = make(tmp_path, "lookup=1/minute,submit=1/minute")
    g = app.state.services.gemeenten["rotterdam"]
    with TestClient(app) as client:
        r = Resident(client, "rotterdam")
        r.login(SANNE)
        run_until(r, g, "adres", TODAY, FREE["rotterdam"])
        data = {"csrf": csrf_of(r.page), "postcode": "3062 LG", "huisnummer": "12"}
        assert client.post("/rotterdam/stap/adres/adres", data=data).status_code == 200
        assert client.post("/rotterdam/stap/adres/adres", data=data).status_code == 429
        run_until(r, g, "controleren", TODAY, FREE["rotterdam"])
        first = client.post("/rotterdam/stap/controleren", data={"csrf": csrf_of(r.page)})
        assert first.status_code == 422  # not ticked: counted, refused by the step
        second = client.post("/rotterdam/stap/controleren", data={"csrf": csrf_of(r.page)})
        assert second.status_code == 429


@pytest.mark.parametrize(
    ("value", "message"),
    [("inloggen=2/minute", "onbekende handeling"), ("login=vaak", "geen limiet")],
)
def test_the_limits_setting_is_checked(tmp_path, value, message):
    with pytest.raises(SettingsError, match=message):
        make_settings(tmp_path, VERHUIZEN_RATE_LIMITS=value)


def test_ipv6_clients_count_by_their_64_network():
    from webapp.web.ratelimit import client_key

    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("192.0.2.10") == "192.0.2.10"
    assert client_key("") == "onbekend"


def test_a_shared_store_that_is_down_lets_residents_through(tmp_path, caplog):
    app = make(tmp_path, "login=1/minute")
    limits = app.state.services.rate_limits

    class Down:
        async def hit(self, *args):
            raise ConnectionError("redis is down")

        async def get_window_stats(self, *args):
            raise ConnectionError("redis is down")

    limits.limiter = Down()
    with TestClient(app) as client:
        page = client.get("/rotterdam/inloggen").text
        for _ in range(3):
            assert (
                client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page)}).status_code == 422
            )
    assert any(getattr(r, "event", "") == "rate_limit_store_unavailable" for r in caplog.records)


def test_serve_trusts_forwarded_addresses_only_from_the_named_proxy(monkeypatch, tmp_path):
    from webapp import cli

    seen: dict[str, object] = {}
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("uvicorn.run", lambda app, **options: seen.update(options))
    assert cli.main(["serve"]) == 0
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] is None
    assert cli.main(["serve", "--proxy", "10.0.0.5", "--proxy", "10.0.0.6"]) == 0
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    assert seen["server_header"] is False and seen["log_config"] is None
