"""The login contract, the DigiD test login and the registry of logins."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import make_settings
from tests.registers.eigen_testdata import BUITENLAND_BSN, EIGEN_BSN, write_testdata
from webapp.auth import (
    Betrouwbaarheidsniveau,
    DigidTest,
    LoginProvider,
    LoginRequest,
    LoginResult,
    OwnPage,
    Redirect,
)
from webapp.koppelingen import DigidTestOptions, KoppelingDeps, logins
from webapp.options import Options, OptionsRegistry
from webapp.registers.brp import BestandsBrp
from webapp.registers.testpersonen import BestandsTestpersonen
from webapp.settings import SettingsError

N = Betrouwbaarheidsniveau
REQUEST = LoginRequest(gemeente="voorbeeld", callback_url="https://eDienst.example/voorbeeld/x")


def deps_for(tmp_path: Path, **env: str) -> KoppelingDeps:
    return KoppelingDeps(make_settings(tmp_path, **env))


def test_digid_test_is_registered_and_marked_as_a_test(tmp_path: Path) -> None:
    assert "digid-test" in logins.soorten()
    provider = logins.build(DigidTestOptions(), deps_for(tmp_path))
    assert isinstance(provider, DigidTest)
    assert provider.is_test and provider.name == "digid-test"
    assert provider.label == "DigiD (test)"


def test_the_test_login_shows_our_own_page_with_the_test_persons(tmp_path: Path) -> None:
    provider = logins.build(DigidTestOptions(), deps_for(tmp_path))
    start = provider.start(REQUEST)
    assert isinstance(start, OwnPage)
    assert list(start.personen) == BestandsBrp().testpersonen()
    assert start.pending == {}


def test_the_test_login_offers_the_persons_of_the_test_data_folder(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    deps = deps_for(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    provider = logins.build(DigidTestOptions(), deps)
    start = provider.start(REQUEST)
    assert isinstance(start, OwnPage)
    assert [p.burgerservicenummer for p in start.personen] == [EIGEN_BSN]
    assert provider.callback({"bsn": EIGEN_BSN}, {}) == LoginResult.ok(EIGEN_BSN, N.MIDDEN)
    # A person in the file without a Dutch address is not offered, so cannot log in.
    assert provider.callback({"bsn": BUITENLAND_BSN}, {}).bsn is None


def test_the_test_login_callback_accepts_only_an_offered_person() -> None:
    provider = DigidTest(BestandsTestpersonen())
    bsn = provider.choices()[0].burgerservicenummer
    result = provider.callback({"bsn": bsn, "csrf": "x"}, {})
    assert (result.bsn, result.level, result.error) == (bsn, N.MIDDEN, None)
    for form in ({}, {"bsn": ""}, {"bsn": "123456782"}):
        refused = provider.callback(form, {})
        assert refused.bsn is None and refused.level is None
        assert refused.error == "Kies een testpersoon om mee in te loggen."
    assert provider.logout({}, "https://eDienst.example/voorbeeld/") is None


def test_the_test_login_level_can_be_set() -> None:
    provider = DigidTest(BestandsTestpersonen(), niveau=N.SUBSTANTIEEL)
    result = provider.callback({"bsn": provider.choices()[0].burgerservicenummer}, {})
    assert result.level is N.SUBSTANTIEEL and result.voldoet_aan(N.MIDDEN)
    assert not result.voldoet_aan(N.HOOG)


def test_the_test_login_offers_the_test_persons_and_takes_only_those() -> None:
    provider = DigidTest(BestandsTestpersonen())
    start = provider.start(LoginRequest(gemeente="voorbeeld", callback_url="/voorbeeld/inloggen"))
    assert isinstance(start, OwnPage)
    assert list(start.personen) == BestandsBrp().testpersonen()
    bsn = start.personen[0].burgerservicenummer
    assert provider.callback({"bsn": bsn}, {}).bsn == bsn
    assert provider.callback({"bsn": "nee"}, {}).error


def test_an_unknown_login_names_the_setting_and_the_known_ones(tmp_path: Path) -> None:
    from webapp.koppelingen import Verbindingen

    settings = make_settings(tmp_path, VERHUIZEN_LOGIN="oidc")
    with pytest.raises(SettingsError, match=r"VERHUIZEN_LOGIN: onbekende login 'oidc'") as exc:
        Verbindingen(settings, {})
    assert "bekend zijn: digid-oidc, digid-test" in str(exc.value)


def test_a_name_is_registered_once() -> None:
    def build(options: DigidTestOptions, deps: KoppelingDeps) -> DigidTest:
        return DigidTest(BestandsTestpersonen())

    registry: OptionsRegistry[KoppelingDeps, LoginProvider] = OptionsRegistry("login")
    registry.register("digid-test", DigidTestOptions, build)
    with pytest.raises(ValueError, match="al geregistreerd"):
        registry.register("digid-test", DigidTestOptions, build)
    with pytest.raises(ValueError, match="al geregistreerd"):
        logins.register("digid-test", DigidTestOptions, build)


def test_levels_are_ordered_by_assurance_not_by_spelling() -> None:
    assert [n.value for n in N] == ["basis", "midden", "substantieel", "hoog"]
    assert N.HOOG.voldoet_aan(N.MIDDEN)  # "hoog" < "midden" as words
    assert N.MIDDEN.voldoet_aan(N.MIDDEN)
    assert not N.BASIS.voldoet_aan(N.MIDDEN)
    with pytest.raises(TypeError):
        _ = N.HOOG < N.MIDDEN  # type: ignore[operator]


def test_a_login_result_is_a_valid_bsn_with_a_level_or_an_error() -> None:
    assert LoginResult.failed("Geannuleerd").voldoet_aan(N.BASIS) is False
    with pytest.raises(ValueError, match="bsn of een fout"):
        LoginResult()
    with pytest.raises(ValueError, match="bsn of een fout"):
        LoginResult(bsn=EIGEN_BSN, level=N.MIDDEN, error="x")
    with pytest.raises(ValueError, match="betrouwbaarheidsniveau"):
        LoginResult(bsn=EIGEN_BSN)
    for bad in ("123456789", "99991000", "s00000000:999910000"):
        with pytest.raises(ValueError, match="geldig BSN") as exc:
            LoginResult.ok(bad, N.MIDDEN)
        assert bad not in str(exc.value)


class BrokerOptions(Options):
    soort: Literal["oidc-voorbeeld"] = "oidc-voorbeeld"
    issuer: str


class Broker(LoginProvider):
    """An OpenID Connect provider in miniature, to show that one fits the contract: it redirects,
    leaves its state in ``pending`` and checks it at the callback."""

    name = "oidc-voorbeeld"

    def __init__(self, options: BrokerOptions, deps: KoppelingDeps) -> None:
        self.issuer = options.issuer
        self.issued: dict[str, str] = {}  # the broker's side: code -> (bsn, acr)

    @property
    def label(self) -> str:
        return "DigiD"

    def start(self, request: LoginRequest) -> Redirect:
        query = {
            "redirect_uri": request.callback_url,
            "acr_values": request.minimum.value,
            "state": "st-1",
        }
        return Redirect(
            f"{self.issuer}/authorize?{urlencode(query)}",
            pending={"state": "st-1", "redirect_uri": request.callback_url},
        )

    def callback(self, params: Mapping[str, str], pending: Mapping[str, str]) -> LoginResult:
        if params.get("state") != pending.get("state") or "code" not in params:
            return LoginResult.failed("Het inloggen is niet gelukt. Probeer het opnieuw.")
        bsn, acr = self.issued[params["code"]].split("|")
        return LoginResult.ok(bsn, Betrouwbaarheidsniveau(acr), keep={"id_token_hint": "idt"})

    def logout(self, keep: Mapping[str, str], return_url: str) -> str | None:
        query = urlencode(
            {"id_token_hint": keep["id_token_hint"], "post_logout_redirect_uri": return_url}
        )
        return f"{self.issuer}/logout?{query}"


def test_an_openid_connect_provider_fits_without_a_web_framework(tmp_path: Path) -> None:
    registry: OptionsRegistry[KoppelingDeps, LoginProvider] = OptionsRegistry("login")
    registry.register(Broker.name, BrokerOptions, Broker)
    options = registry.parse_options({"soort": Broker.name, "issuer": "https://broker.example"})
    provider = registry.build(options, deps_for(tmp_path))
    assert isinstance(provider, Broker) and not provider.is_test

    start = provider.start(
        LoginRequest("voorbeeld", "https://eDienst.example/voorbeeld/terug", N.SUBSTANTIEEL)
    )
    assert isinstance(start, Redirect)
    query = parse_qs(urlsplit(start.url).query)
    assert query["acr_values"] == ["substantieel"]
    assert not hasattr(start, "personen")  # no test persons: the broker asks who logs in

    provider.issued["c-1"] = f"{EIGEN_BSN}|substantieel"
    result = provider.callback({"code": "c-1", "state": "st-1"}, start.pending)
    assert result == LoginResult.ok(EIGEN_BSN, N.SUBSTANTIEEL, keep={"id_token_hint": "idt"})
    assert provider.callback({"code": "c-1", "state": "vervalst"}, start.pending).error
    url = provider.logout(result.keep, "https://eDienst.example/voorbeeld/")
    assert url is not None and url.startswith("https://broker.example/logout?id_token_hint=idt")
