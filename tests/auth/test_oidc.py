"""DigiD through an OpenID Connect broker, against a real provider (``tests/oidc``: panva's
certified oidc-provider in Node) over real HTTP, with our app in a Starlette TestClient.

The test plays the browser: our app sends it to the broker (303), the broker's login page is
filled in over HTTP, and the broker's redirect back is handed to our app."""

from __future__ import annotations

import base64
import html
import logging
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from tests.conftest import GEMEENTEN, TODAY, make_settings
from tests.driver import csrf_of, step_id_of, text_of
from tests.oidc.broker import (
    BASIS,
    CLIENT_ID,
    HOOG,
    MIDDEN,
    SECRET_ENV,
    SUBSTANTIEEL,
    Broker,
    login_block,
    running_broker,
    write_config,
)
from tests.servers import free_port
from webapp.auth import Betrouwbaarheidsniveau
from webapp.auth.oidc import DigidOidc, DigidOidcOptions
from webapp.config.loader import ConfigError, load_dir, load_text
from webapp.koppelingen import Verbindingen, logins
from webapp.options import OptionsError
from webapp.settings import Settings, SettingsError
from webapp.web.app import create_app

N = Betrouwbaarheidsniveau
SLUG = "voorbeeld"
BASE = "http://testserver"
CALLBACK = f"{BASE}/{SLUG}/inloggen/terug"
LOGGED_OUT = f"{BASE}/{SLUG}/uitloggen"
SANNE, GERDA = "999990007", "999990238"  # Sanne Bakker, Gerda Willems (test data)
PREFIX = "s00000000:"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    with running_broker(
        tmp_path_factory.mktemp("broker"),
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=[LOGGED_OUT],
    ) as running:
        yield running


@dataclass
class Site:
    """Our app with this login, and the broker it uses."""

    client: TestClient
    app: Any
    broker: Broker

    @property
    def provider(self) -> DigidOidc:
        services = self.app.state.services
        provider = services.koppeling(services.gemeenten[SLUG]).login
        assert isinstance(provider, DigidOidc)
        return provider

    def start(self) -> str:
        """Our login page's redirect to the broker."""
        response = self.client.get(f"/{SLUG}/inloggen")
        assert response.status_code == 303, text_of(response.text)[:300]
        return str(response.headers["location"])

    def back(self, url: str) -> Any:
        """Hand the broker's redirect (our callback URL) to our app."""
        assert url.startswith(CALLBACK + "?"), url
        parts = urlsplit(url)
        return self.client.get(f"{parts.path}?{parts.query}")

    def login(self, **kwargs: Any) -> Any:
        return self.back(self.broker.login(self.start(), **kwargs))

    def set_cookie(self, name: str, value: str) -> None:
        """Set a cookie as our app would (the client files the test host under .local)."""
        self.client.cookies.set(name, value, domain="testserver.local", path="/")

    @property
    def pending_name(self) -> str:
        return str(self.app.state.services.cookies.pending_name(SLUG))

    def session_bsn(self) -> str | None:
        services = self.app.state.services
        name = services.cookies.name(SLUG)
        value = self.client.cookies.get(name)
        if not value:
            return None
        request = Request({"type": "http", "headers": [(b"cookie", f"{name}={value}".encode())]})
        token = services.cookies.read(request, SLUG).token
        session = services.store.session(token, services.idle) if token else None
        return None if session is None else session.bsn


@contextmanager
def site_for(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: Broker,
    login: dict[str, Any] | None = None,
    *,
    secret: str | None = None,
    niveau: str = "midden",
    **settings: str,
) -> Iterator[Site]:
    monkeypatch.setenv(SECRET_ENV, secret or broker.client_secret)
    config = write_config(tmp_path / "config", login or login_block(broker.url), niveau=niveau)
    app = create_app(
        make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config), **settings), today=lambda: TODAY
    )
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        yield Site(client, app, broker)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: Broker) -> Iterator[Site]:
    with site_for(tmp_path, monkeypatch, broker) as running:
        yield running


def refusal(response: Any) -> str:
    """The text of a refused login's page, without the page around it (a page like any:
    Dutch, one h1, a title)."""
    assert '<html lang="nl">' in response.text and response.text.count("<h1") == 1
    assert re.search(r"<title>[^<]+ - Gemeente Voorbeeldstad</title>", response.text)
    main = re.search(r"<main[^>]*>(.*)</main>", response.text, re.S)
    assert main, response.text[:300]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.group(1))).split())


# -- the full flow ---------------------------------------------------------------------------


def test_the_full_flow_logs_in_as_the_person_the_broker_names(site: Site) -> None:
    authorize = site.start()
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(site.broker.discovery()["authorization_endpoint"])  # type: ignore[arg-type]
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["acr_values"] == [MIDDEN]  # the gemeente asks midden
    assert "code_verifier" not in query and len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32

    back = site.broker.login(authorize, sub=PREFIX + GERDA)
    assert "code=" in back and "state=" in back
    response = site.back(back)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/{SLUG}/stap/")
    assert site.session_bsn() == GERDA
    # The pending login is used up.
    assert site.app.state.services.cookies.pending_name(SLUG) not in site.client.cookies
    page = site.client.get(response.headers["location"])
    assert page.status_code == 200 and step_id_of(page.text)

    # The same answer once more (a reload, a replay): refused, no second session.
    again = site.back(back)
    assert again.status_code == 400
    assert "Wij konden niet controleren dat het inloggen op deze website begon" in refusal(again)


def test_a_hoofdbewoner_logs_in_through_the_broker_to_consent(site: Site) -> None:
    """The purpose of the login (doel=toestemming) survives the trip to the broker in the
    pending cookie: the session has no report, and the consent page follows."""
    response = site.client.get(f"/{SLUG}/inloggen?doel=toestemming")
    assert response.status_code == 303
    back = site.broker.login(str(response.headers["location"]), sub=PREFIX + GERDA)
    done = site.back(back)
    assert done.status_code == 303 and done.headers["location"] == f"/{SLUG}/toestemming"
    assert site.session_bsn() == GERDA
    page = site.client.get(done.headers["location"])
    assert "Er staat geen verzoek om toestemming voor u klaar." in page.text
    wizard = site.client.get(f"/{SLUG}/stap/situatie")
    assert wizard.status_code == 303 and wizard.headers["location"] == f"/{SLUG}/toestemming"


def test_the_pending_login_cookie_is_set_as_the_broker_needs_it(site: Site) -> None:
    response = site.client.get(f"/{SLUG}/inloggen")
    cookie = next(
        h
        for h in response.headers.get_list("set-cookie")
        if h.startswith(site.app.state.services.cookies.pending_name(SLUG) + "=")
    )
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "max-age", "path", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower() and "max-age=600" in cookie.lower()
    # Development: no Secure (plain http); production sets it (VERHUIZEN_SECURE_COOKIES).
    assert "secure" not in attributes


def test_with_secure_cookies_the_pending_cookie_is_secure_and_host_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: Broker
) -> None:
    with site_for(tmp_path, monkeypatch, broker, VERHUIZEN_SECURE_COOKIES="1") as secure:
        response = secure.client.get(f"/{SLUG}/inloggen")
        [cookie] = [h for h in response.headers.get_list("set-cookie") if "_inloggen=" in h]
        assert cookie.startswith("__Host-verhuizen-voorbeeld_inloggen=")
        assert "; secure" in cookie.lower() and "domain" not in cookie.lower()


def test_a_higher_level_than_asked_is_welcome(site: Site) -> None:
    response = site.login(acr=SUBSTANTIEEL)
    assert response.status_code == 303 and site.session_bsn() == SANNE


# -- refusals --------------------------------------------------------------------------------


def test_a_level_too_low_gets_the_level_page_with_a_new_login(site: Site) -> None:
    response = site.login(acr=BASIS)
    assert response.status_code == 403
    text = refusal(response)
    assert (
        "U heeft ingelogd met DigiD op niveau basis; voor deze dienst is niveau midden nodig."
        in text
    )
    assert "Log opnieuw in met de DigiD app" in text
    assert f'href="/{SLUG}/inloggen"' in response.text and "Opnieuw inloggen met DigiD" in text
    assert "<title>Log in met een hoger DigiD-niveau - " in response.text
    assert site.session_bsn() is None
    assert SANNE not in response.text


def test_a_wrong_nonce_is_refused(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    # The provider misbehaves: its ID token carries another nonce than the one we sent.
    response = site.login(nonce="een-andere-nonce-dan-wij-stuurden")
    assert response.status_code == 400
    assert "Het antwoord van DigiD hoort niet bij dit inloggen." in refusal(response)
    assert site.session_bsn() is None
    assert reasons(caplog) == ["nonce"]


def test_a_tampered_pending_cookie_is_refused(site: Site) -> None:
    authorize = site.start()
    value = site.client.cookies[site.pending_name]
    site.set_cookie(site.pending_name, value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    response = site.back(site.broker.login(authorize))
    assert response.status_code == 400 and site.session_bsn() is None


def reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.reason for r in caplog.records if getattr(r, "event", None) == "login_refused"]


def test_an_expired_id_token_is_refused(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    authorize = site.start()
    back = site.broker.login(authorize)
    # An hour later by our clock (past exp plus the allowed clock skew): the token is stale.
    provider = site.provider
    provider.clock = lambda: time.time() + 3600
    response = site.back(back)
    assert response.status_code == 400
    assert "Het inloggen duurde te lang." in refusal(response)
    assert site.session_bsn() is None
    assert reasons(caplog) == ["expired"]


@pytest.mark.parametrize(
    "sub",
    [SANNE, "S11111111:" + SANNE, PREFIX + "123456789", PREFIX + SANNE + "0", PREFIX],
    ids=["no-prefix", "other-sector", "not-11-proof", "ten-digits", "empty"],
)
def test_a_bsn_without_the_sector_prefix_or_not_valid_is_refused(site: Site, sub: str) -> None:
    response = site.login(sub=sub)
    assert response.status_code == 400
    assert "DigiD gaf geen geldig burgerservicenummer door." in refusal(response)
    assert site.session_bsn() is None


def test_a_valid_bsn_the_brp_does_not_know_gets_a_page_that_says_so(site: Site) -> None:
    unknown = "999993653"  # passes the 11-proef, not in the test BRP
    response = site.login(sub=PREFIX + unknown)
    assert response.status_code == 403
    assert "wij vinden u niet in de Basisregistratie Personen" in response.text
    assert unknown not in response.text and site.session_bsn() is None


def test_an_unknown_acr_is_refused(site: Site) -> None:
    response = site.login(acr="urn:example:onbekend")
    assert response.status_code == 400
    assert "met welk DigiD-niveau u inlogde" in refusal(response)


def test_cancelled_at_the_broker(site: Site) -> None:
    back = site.broker.login(site.start(), abort=True)
    assert "error=access_denied" in back
    response = site.back(back)
    assert response.status_code == 400
    text = refusal(response)
    assert "U heeft het inloggen bij DigiD afgebroken." in text
    assert "Opnieuw inloggen met DigiD" in text


def test_a_state_that_does_not_match_is_refused_and_logs_no_code(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    authorize = site.start()
    pending = site.client.cookies[site.pending_name]
    back = site.broker.login(authorize)
    params = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    forged = {**params, "state": "een-state-van-een-ander"}
    with caplog.at_level(logging.DEBUG):
        response = site.back(f"{CALLBACK}?{urlencode(forged)}")
    assert response.status_code == 400
    assert "Wij konden niet controleren dat het inloggen op deze website begon" in refusal(response)
    ours = [r for r in caplog.records if r.name == "verhuizen"]
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in ours)
    assert "login_refused" in logged and "'reason': 'state'" in logged
    for secret in (params["code"], params["state"], forged["state"]):
        assert secret not in logged
    # The code was not spent: with the right state (and the pending cookie back) it logs in.
    site.set_cookie(site.pending_name, pending)
    assert site.back(back).status_code == 303 and site.session_bsn() == SANNE


def test_a_callback_without_a_pending_login_is_refused(site: Site) -> None:
    response = site.client.get(f"/{SLUG}/inloggen/terug?code=abc&state=def")
    assert response.status_code == 400
    assert "Inloggen is niet gelukt" in response.text


def test_the_callback_is_rate_limited_like_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: Broker
) -> None:
    with site_for(tmp_path, monkeypatch, broker, VERHUIZEN_RATE_LIMITS="login=2/minute") as limited:
        statuses = [
            limited.client.get(f"/{SLUG}/inloggen/terug?code=a&state=b").status_code
            for _ in range(3)
        ]
        assert statuses == [400, 400, 429]


# -- the broker down ---------------------------------------------------------------------------


def test_an_unreachable_broker_gives_the_503_page_and_the_app_starts_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: Broker
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with site_for(tmp_path, monkeypatch, broker, login_block(nobody, connect_timeout=0.5)) as down:
        response = down.client.get(f"/{SLUG}/inloggen")
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert "DigiD is even niet bereikbaar" in refusal(response)
        assert "Probeer het over een paar minuten opnieuw" in refusal(response)
        # The rest of the service is up.
        assert down.client.get(f"/{SLUG}/").status_code == 200


def test_a_broker_that_goes_down_before_the_callback_gives_the_503_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ExitStack() as stack:
        short_lived = stack.enter_context(
            running_broker(tmp_path / "logs", redirect_uris=[CALLBACK])
        )
        with site_for(tmp_path, monkeypatch, short_lived) as down:
            back = short_lived.login(down.start())
            stack.close()  # the broker stops: the token exchange cannot reach it
            response = down.back(back)
    assert response.status_code == 503
    assert "DigiD is even niet bereikbaar" in refusal(response)
    assert "Opnieuw inloggen met DigiD" in refusal(response)


# -- levels, keys, client authentication ---------------------------------------------------


def test_the_gemeente_level_is_asked_and_enforced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker: Broker
) -> None:
    with site_for(tmp_path, monkeypatch, broker, niveau="substantieel") as strict:
        authorize = strict.start()
        assert parse_qs(urlsplit(authorize).query)["acr_values"] == [SUBSTANTIEEL]
        response = strict.back(broker.login(authorize, acr=MIDDEN))
        assert response.status_code == 403
        text = refusal(response)
        assert "op niveau midden; voor deze dienst is niveau substantieel nodig" in text
        assert "DigiD app met ID-check" in text
        assert strict.login(acr=HOOG).status_code == 303 and strict.session_bsn() == SANNE


def test_new_keys_of_the_broker_are_fetched_when_a_token_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    with ExitStack() as brokers:
        first = brokers.enter_context(
            running_broker(tmp_path / "a", redirect_uris=[CALLBACK], port=port)
        )
        with site_for(tmp_path, monkeypatch, first) as rotating:
            assert rotating.login().status_code == 303
            brokers.close()
            # The same broker with a new signing key (a restart makes one, with a new kid);
            # we still remember its discovery and its old keys.
            rotating.broker = brokers.enter_context(
                running_broker(tmp_path / "b", redirect_uris=[CALLBACK], port=port)
            )
            response = rotating.login(sub=PREFIX + GERDA)
            assert response.status_code == 303, refusal(response)
            assert rotating.session_bsn() == GERDA


def test_client_secret_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_broker(
        tmp_path / "logs", redirect_uris=[CALLBACK], client_auth="client_secret_post"
    ) as posting:
        login = login_block(posting.url, client_auth="client_secret_post")
        with site_for(tmp_path, monkeypatch, posting, login) as site:
            assert site.login().status_code == 303 and site.session_bsn() == SANNE


def test_a_wrong_client_secret_is_the_operators_problem_not_the_residents(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broker: Broker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with site_for(tmp_path, monkeypatch, broker, secret="niet-het-geheim") as wrong:
        response = wrong.login()
        assert response.status_code == 503
        assert "DigiD is even niet bereikbaar" in refusal(response)
    [event] = [r for r in caplog.records if getattr(r, "event", None) == "login_unavailable"]
    assert "invalid_client" in event.error and "client secret" in event.error


# -- logging out -----------------------------------------------------------------------------


def test_logout_ends_our_session_then_the_brokers_without_the_id_token(site: Site) -> None:
    target = site.login(sub=PREFIX + GERDA).headers["location"]
    csrf = csrf_of(site.client.get(target).text)
    response = site.client.post(f"/{SLUG}/uitloggen", data={"csrf": csrf})
    # A refresh, not a 303: the CSP's form-action ('self') holds a redirect after a form post.
    assert response.status_code == 200 and "U bent uitgelogd" in response.text
    refresh = re.fullmatch(r"0; url=(\S+)", response.headers["refresh"])
    assert refresh
    location = refresh.group(1)
    assert f'href="{html.escape(location)}"' in response.text  # for when the refresh does not
    end_session = site.broker.discovery()["end_session_endpoint"]
    assert location.startswith(f"{end_session}?")
    assert parse_qs(urlsplit(location).query) == {
        "client_id": [CLIENT_ID],
        "post_logout_redirect_uri": [LOGGED_OUT],
    }
    assert "id_token_hint" not in location and GERDA not in location
    assert site.session_bsn() is None  # our session ended first
    assert site.client.get(f"/{SLUG}/verder").status_code == 303  # to the login

    # The broker takes it: it asks to confirm, then sends the browser back to us.
    confirm = site.broker.http.get(location)
    assert confirm.status_code == 200, confirm.text[:300]
    action = re.search(r'action="([^"]+)"', confirm.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    assert action and xsrf
    done = site.broker.http.post(action.group(1), data={"xsrf": xsrf.group(1), "logout": "yes"})
    assert done.status_code in (302, 303) and done.headers["location"] == LOGGED_OUT
    page = site.client.get(f"/{SLUG}/uitloggen")
    assert page.status_code == 200 and "U bent uitgelogd" in page.text


def test_logout_without_a_session_shows_the_page_and_sends_nobody_to_the_broker(
    site: Site,
) -> None:
    response = site.client.post(f"/{SLUG}/uitloggen", data={"csrf": "x"})
    assert response.status_code == 200 and "U bent uitgelogd" in response.text


# -- options and starting --------------------------------------------------------------------


def options(**extra: Any) -> DigidOidcOptions:
    return DigidOidcOptions.model_validate({**login_block("https://makelaar.example"), **extra})


def test_the_acr_values_asked_are_those_of_the_lowest_level_that_will_do() -> None:
    provider = DigidOidc(options(), "geheim")
    assert provider.acr_values(N.BASIS) == BASIS
    assert provider.acr_values(N.MIDDEN) == MIDDEN
    assert provider.acr_values(N.SUBSTANTIEEL) == SUBSTANTIEEL
    assert provider.acr_values(N.HOOG) == HOOG
    sparse = DigidOidc(options(acr={"a": "substantieel", "b": "hoog", "c": "substantieel"}), "g")
    assert sparse.acr_values(N.MIDDEN) == "a c"
    assert DigidOidc(options(acr={"a": "basis"}), "g").acr_values(N.HOOG) == ""
    provider.close()
    sparse.close()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"issuer": "http://makelaar.example"}, "https-URL"),
        ({"issuer": "https://makelaar.example/?x=1"}, "https-URL"),
        ({"scopes": ["profile"]}, "openid"),
        ({"scopes": ["openid", "met spatie"]}, "één woord"),
        ({"client_secret_env": "het-geheim-zelf"}, "pattern"),
        ({"acr": {"urn:x": "heel-hoog"}}, "basis"),
        ({"client_auth": "private_key_jwt"}, "client_secret_basic"),
        ({"timeout": 0}, "greater than 0"),
    ],
)
def test_wrong_options_are_refused(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        options(**extra)


def test_wrong_options_in_a_configuration_stop_the_start_with_file_and_line(
    tmp_path: Path,
) -> None:
    folder = write_config(tmp_path / "config", login_block("http://makelaar.example"))
    text = (folder / f"{SLUG}.yaml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_text(text, SLUG, f"{SLUG}.yaml")
    line = next(
        i
        for i, row in enumerate(text.splitlines(), 1)
        if "issuer:" in row and not row.lstrip().startswith("#")  # not the commented example
    )
    assert any(p.line == line and "https-URL" in p.message for p in info.value.problems)


def test_a_missing_client_secret_stops_the_start_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    folder = write_config(tmp_path / "config", login_block("https://makelaar.example"))
    with pytest.raises(OptionsError, match=f"{SECRET_ENV} is niet gezet"):
        create_app(make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(folder)))


def test_the_broker_login_needs_its_options_per_gemeente(tmp_path: Path) -> None:
    assert "digid-oidc" in logins.soorten()
    with pytest.raises(SettingsError, match="VERHUIZEN_LOGIN='digid-oidc' heeft opties nodig"):
        Verbindingen(make_settings(tmp_path, VERHUIZEN_LOGIN="digid-oidc"), {})


@pytest.mark.parametrize("target", ["map", "email"])
def test_production_does_not_start_with_a_target_that_cannot_be_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """A delivery target is built at the start: a folder that does not exist or a mail
    server that is not set stops it, instead of days of failing deliveries."""
    monkeypatch.setenv(SECRET_ENV, "het-geheim-van-de-makelaar")
    monkeypatch.delenv("VERHUIZEN_SMTP_URL", raising=False)
    entry = (
        {"soort": "map", "pad": str(tmp_path / "bestaat-niet")}
        if target == "map"
        else {"soort": "email", "aan": "burgerzaken@voorbeeld.example", "afzender": "n@v.example"}
    )
    folder = write_config(
        tmp_path / "config",
        login_block("https://makelaar.example"),
        brp={"soort": "haal-centraal", "url": "https://brp.invalid/haalcentraal/api/brp"},
        adressen={"soort": "pdok"},
        aflevering=[entry],
    )
    for other in GEMEENTEN:
        if other != SLUG:
            (folder / f"{other}.yaml").unlink(missing_ok=True)
    settings = Settings.from_env(
        {
            "VERHUIZEN_MODE": "production",
            "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
            "VERHUIZEN_CONFIG_DIR": str(folder),
            "VERHUIZEN_SECRET_KEY": "productie-sleutel-die-lang-genoeg-is-12345",
            "VERHUIZEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'productie.db'}",
        }
    )
    with pytest.raises(SettingsError, match=rf"gemeente {SLUG}, aflevering 0"):
        create_app(settings)


def test_production_starts_when_every_gemeente_names_the_broker_and_real_registers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Production, every shipped gemeente on DigiD through a broker that is down (nothing
    listens on its port), with a real BRP and address register that are never asked at the
    start: the service starts, and the login page says DigiD cannot be reached."""
    monkeypatch.setenv(SECRET_ENV, "het-geheim-van-de-makelaar")
    down = f"http://127.0.0.1:{free_port()}"
    folder = write_config(
        tmp_path / "config",
        login_block(down, connect_timeout=0.5),
        GEMEENTEN,
        brp={"soort": "haal-centraal", "url": "https://brp.invalid/haalcentraal/api/brp"},
        adressen={"soort": "pdok", "url": "https://pdok.invalid/locatieserver/search/v3_1"},
        aflevering=[{"soort": "map", "pad": str(tmp_path)}],
    )
    settings = Settings.from_env(
        {
            "VERHUIZEN_MODE": "production",
            "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
            "VERHUIZEN_CONFIG_DIR": str(folder),
            "VERHUIZEN_SECRET_KEY": "productie-sleutel-die-lang-genoeg-is-12345",
            "VERHUIZEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'productie.db'}",
        }
    )
    app = create_app(settings)
    services = app.state.services
    assert {services.koppeling(g).login.name for g in services.gemeenten.values()} == {"digid-oidc"}
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        assert client.get(f"/{SLUG}/").status_code == 200
        response = client.get(f"/{SLUG}/inloggen")
        assert response.status_code == 503 and "DigiD is even niet bereikbaar" in response.text


def test_production_still_refuses_the_test_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_config(tmp_path / "config", {"soort": "digid-test"})
    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(folder))
    g = load_dir(folder)[SLUG]
    with pytest.raises(SettingsError, match=r"koppelingen\.login is de testvoorziening"):
        Verbindingen(settings, {}).check_production(g)
