"""The Haal Centraal BRP Personen 2.x client against a double that serves the test data over a
real socket and holds every request and answer to the official spec (tests/fakes/haalcentraal.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from pydantic import ValidationError

from tests.fakes.haalcentraal import (
    JSON,
    FakeHaalCentraal,
    project,
    strict_spec,
)
from tests.httpserver import serve_app
from tests.servers import free_port
from webapp.domain.household import Grond, huisgenoten
from webapp.options import OptionsError
from webapp.registers.brp import DEFAULT_PATH, BestandsBrp, persoon_uit_haal_centraal
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.registers.haalcentraal import (
    FIELDS,
    HaalCentraal,
    HaalCentraalOptions,
    fields,
)
from webapp.steps.base import StepContext
from webapp.steps.meeverhuizers import Meeverhuizers

TODAY = dt.date(2026, 11, 27)
KEY = "geheime-test-sleutel"
ENV = {"HC_API_KEY": KEY}
RAW = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["personen"]
ALL_BSNS = [p["burgerservicenummer"] for p in RAW]
ADDRESSES = sorted(
    {
        p["verblijfplaats"]["adresseerbaarObjectIdentificatie"]
        for p in RAW
        if "adresseerbaarObjectIdentificatie" in p["verblijfplaats"]
    }
)
NOBODY_THERE = "0599010000100155"  # Grondelstraat 12A in adressen.json: nobody registered

# What raadpleeg must ask, written out here rather than taken from the module under test.
EXPECTED_FIELDS = {
    "burgerservicenummer",
    "naam.voornamen",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
    "geboorte.datum",
    "geslacht",
    "verblijfplaats.verblijfadres.officieleStraatnaam",
    "verblijfplaats.verblijfadres.huisnummer",
    "verblijfplaats.verblijfadres.huisletter",
    "verblijfplaats.verblijfadres.huisnummertoevoeging",
    "verblijfplaats.verblijfadres.postcode",
    "verblijfplaats.verblijfadres.woonplaats",
    "verblijfplaats.adresseerbaarObjectIdentificatie",
    "gemeenteVanInschrijving",
    "partners.burgerservicenummer",
    "partners.soortVerbintenis",
    "partners.ontbindingHuwelijkPartnerschap.datum",
    "kinderen.burgerservicenummer",
    "ouders.burgerservicenummer",
    "indicatieCurateleRegister",
}


@pytest.fixture
def fake() -> Iterator[FakeHaalCentraal]:
    double = FakeHaalCentraal(api_key=KEY)
    yield double
    # Every request the client made is one the spec allows, every answer one the spec gives.
    assert double.problemen == []
    double.check_answers()


@pytest.fixture
def url(fake: FakeHaalCentraal) -> Iterator[str]:
    with serve_app(fake.app) as base:
        yield base


@pytest.fixture
def make() -> Iterator[Callable[..., HaalCentraal]]:
    built: list[HaalCentraal] = []

    def build(url: str, env: dict[str, str] | None = None, **options: Any) -> HaalCentraal:
        options = {"api_key_env": "HC_API_KEY", "connect_timeout": 1, "read_timeout": 2, **options}
        client = HaalCentraal.from_options(
            HaalCentraalOptions(url=url, **options), {**ENV, **(env or {})}
        )
        built.append(client)
        return client

    yield build
    for client in built:
        client.close()


@pytest.fixture
def client(make: Callable[..., HaalCentraal], url: str) -> HaalCentraal:
    return make(url)


@pytest.fixture(scope="module")
def bestand() -> BestandsBrp:
    return BestandsBrp()


def onbereikbaar(call: Callable[[], Any], *, geheim: tuple[str, ...] = ()) -> str:
    """The message of the RegisterOnbereikbaar ``call`` raises; it names no BSN (nor ``geheim``)."""
    with pytest.raises(RegisterOnbereikbaar) as info:
        call()
    message = str(info.value)
    assert message
    for bsn in ALL_BSNS:
        assert bsn not in message
        assert bsn[-4:] not in message  # not even masked
    for text in geheim:
        assert text not in message
    return message


# -- raadpleeg -------------------------------------------------------------------------------


def test_raadpleeg_a_hit(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    noor = client.raadpleeg("999990111")
    assert noor is not None
    assert noor.naam() == "Noor de Boer"
    assert noor.geboortedatum == dt.date(1994, 2, 17)
    assert noor.adresseerbaar_object_identificatie == "0599010000102079"
    assert noor.verblijfadres is not None
    assert (noor.verblijfadres.huisnummer, noor.verblijfadres.huisletter) == (24, "C")
    assert noor.gemeente_van_inschrijving == "0599"
    [vraag] = fake.vragen()
    assert vraag["type"] == "RaadpleegMetBurgerservicenummer"
    assert vraag["burgerservicenummer"] == ["999990111"]


def test_every_person_reads_as_the_test_data_file_reads_it(
    client: HaalCentraal, bestand: BestandsBrp
) -> None:
    """Curatele, relations, incomplete addresses and age: exactly what the file-backed BRP gives,
    although the client asks only the fields it needs."""
    for bsn in ALL_BSNS:
        assert client.raadpleeg(bsn) == bestand.raadpleeg(bsn), bsn
    wim = client.raadpleeg("999990317")
    assert wim is not None and wim.curatele
    read = {b: client.raadpleeg(b) for b in ("999990147", "999990275", "999990299")}
    ages = {b: p.leeftijd(TODAY) for b, p in read.items() if p is not None}
    assert ages == {"999990147": 19, "999990275": 16, "999990299": 15}
    karin = client.raadpleeg("999990354")  # lives abroad
    assert karin is not None and karin.verblijfadres is None
    assert karin.gemeente_van_inschrijving == "1999"


def test_a_miss_is_none(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    assert client.raadpleeg("123456782") is None
    assert len(fake.vragen()) == 1
    # Not a BSN at all: no person can have it, so the BRP is not even asked.
    assert client.raadpleeg("12345") is None
    assert client.raadpleeg("99999011a") is None
    assert len(fake.vragen()) == 1


def test_a_404_is_none(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    fake.storing = "404"
    assert client.raadpleeg("999990111") is None
    assert client.bewoners("0599010000102079") == []


def test_a_person_with_a_wholly_unknown_birth_date_is_not_guessed(
    tmp_path: Path, make: Callable[..., HaalCentraal]
) -> None:
    person = json.loads(json.dumps(RAW[0]))
    person["geboorte"]["datum"] = {
        "type": "DatumOnbekend",
        "onbekend": True,
        "langFormaat": "onbekend",
    }
    path = tmp_path / "brp.json"
    path.write_text(json.dumps({"personen": [person]}), encoding="utf-8")
    fake = FakeHaalCentraal(path, api_key=KEY)
    with serve_app(fake.app) as url:
        message = onbereikbaar(lambda: make(url).raadpleeg(person["burgerservicenummer"]))
    assert "geboortedatum" in message
    fake.check_answers()  # the answer was the spec's; it is our model that cannot hold it


# -- failures --------------------------------------------------------------------------------


def test_a_timeout(make: Callable[..., HaalCentraal], url: str, fake: FakeHaalCentraal) -> None:
    fake.storing, fake.vertraging = "traag", 0.6
    client = make(url, connect_timeout=0.2, read_timeout=0.1)
    started = time.monotonic()
    message = onbereikbaar(lambda: client.raadpleeg("999990111"))
    assert time.monotonic() - started < 0.5
    assert "tijd" in message and "Timeout" in message


def test_a_refused_connection(make: Callable[..., HaalCentraal]) -> None:
    client = make(f"http://127.0.0.1:{free_port()}", connect_timeout=0.5)
    message = onbereikbaar(lambda: client.raadpleeg("999990111"))
    assert "niet bereikbaar" in message
    assert "niet bereikbaar" in onbereikbaar(lambda: client.bewoners("0599010000102079"))


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_5xx(client: HaalCentraal, fake: FakeHaalCentraal, status: str) -> None:
    fake.storing = status
    assert f"status {status}" in onbereikbaar(lambda: client.raadpleeg("999990111"))
    assert f"status {status}" in onbereikbaar(lambda: client.bewoners("0599010000102079"))


@pytest.mark.parametrize(
    "storing", ["kapotte-json", "html", "geen-spec", "vreemde-bsn", "ander-type"]
)
def test_an_answer_that_is_not_what_the_spec_says(
    client: HaalCentraal, fake: FakeHaalCentraal, storing: str
) -> None:
    fake.storing = storing
    onbereikbaar(lambda: client.raadpleeg("999990111"))
    onbereikbaar(lambda: client.bewoners("0599010000102079"))
    fake.storing = None
    assert client.raadpleeg("999990111") is not None  # nothing broken was cached


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        (lambda fake: setattr(fake, "api_key", "een-andere-sleutel"), 401),
        (lambda fake: setattr(fake, "verplichte_headers", {"x-doelbinding": "BRPACT-X"}), 403),
        (lambda fake: setattr(fake, "storing", "400"), 400),
    ],
)
def test_a_400_401_or_403_says_it_looks_like_configuration(
    client: HaalCentraal,
    fake: FakeHaalCentraal,
    setup: Callable[[FakeHaalCentraal], None],
    status: int,
) -> None:
    setup(fake)
    message = onbereikbaar(lambda: client.raadpleeg("999990111"), geheim=(KEY,))
    assert f"status {status}" in message
    assert "configuratiefout" in message
    health = client.health()
    assert not health.ok and "configuratiefout" in health.detail


# -- headers ---------------------------------------------------------------------------------


def test_the_api_key_header_is_sent(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    client.raadpleeg("999990111")
    [u] = fake.uitwisselingen
    assert u.headers["x-api-key"] == KEY
    assert u.headers["content-type"] == JSON


def test_another_header_name_and_fixed_headers(
    make: Callable[..., HaalCentraal], fake: FakeHaalCentraal, url: str
) -> None:
    fake.api_key_header = "X-Gateway-Sleutel"
    fake.verplichte_headers = {"x-doelbinding": "BRPACT-Verhuizen", "x-verwerking": "Verhuizing"}
    client = make(
        url,
        authenticatie_header="X-Gateway-Sleutel",
        vaste_headers={"x-doelbinding": "BRPACT-Verhuizen", "x-verwerking": "Verhuizing"},
    )
    assert client.raadpleeg("999990111") is not None
    assert client.bewoners("0599010000102079") != []
    assert all("x-api-key" not in u.headers for u in fake.uitwisselingen)


def test_without_an_api_key(
    make: Callable[..., HaalCentraal], fake: FakeHaalCentraal, url: str
) -> None:
    fake.api_key = None  # e.g. mTLS alone, or a gateway that adds the key itself
    client = make(url, api_key_env=None)
    assert client.raadpleeg("999990111") is not None
    assert "x-api-key" not in fake.uitwisselingen[0].headers


# -- the cache -------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_second_call_does_not_reach_the_server_until_it_expires(
    url: str, fake: FakeHaalCentraal
) -> None:
    clock = Clock()
    client = HaalCentraal(url, headers={"X-API-KEY": KEY}, cache_seconden=60, clock=clock)
    first = client.raadpleeg("999990111")
    assert client.raadpleeg("999990111") == first
    assert len(fake.vragen()) == 1
    clock.now += 59
    client.raadpleeg("999990111")
    assert len(fake.vragen()) == 1
    clock.now += 2
    assert client.raadpleeg("999990111") == first
    assert len(fake.vragen()) == 2
    client.close()


def test_a_miss_is_not_cached(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    client.raadpleeg("123456782")
    client.raadpleeg("123456782")
    assert len(fake.vragen()) == 2


def test_the_cache_can_be_off(
    make: Callable[..., HaalCentraal], url: str, fake: FakeHaalCentraal
) -> None:
    client = make(url, cache_seconden=0)
    client.raadpleeg("999990111")
    client.raadpleeg("999990111")
    client.bewoners("0599010000102079")
    client.bewoners("0599010000102079")
    assert len(fake.vragen("RaadpleegMetBurgerservicenummer")) == 4
    assert len(fake.vragen("ZoekMetAdresseerbaarObjectIdentificatie")) == 2


def test_the_cache_is_bounded(
    make: Callable[..., HaalCentraal], url: str, fake: FakeHaalCentraal
) -> None:
    client = make(url, cache_max=2)
    for bsn in ("999990111", "999990093", "999990007"):
        client.raadpleeg(bsn)
    client.raadpleeg("999990007")  # the newest two are kept
    client.raadpleeg("999990093")
    assert len(fake.vragen()) == 3
    client.raadpleeg("999990111")  # the oldest was dropped
    assert len(fake.vragen()) == 4


def test_personal_data_is_never_logged(
    client: HaalCentraal, fake: FakeHaalCentraal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.raadpleeg("999990123")
    client.bewoners("0518010000100155")
    fake.storing = "kapotte-json"
    with pytest.raises(RegisterOnbereikbaar):
        client.raadpleeg("999990329")
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    for secret in ("999990", "Berg", "Weimarstraat", "0518010000100155", KEY):
        assert secret not in logged


# -- fields ----------------------------------------------------------------------------------


def test_only_the_needed_fields_are_asked(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    client.raadpleeg("999990111")
    client.bewoners("0518010000100155")
    raadpleeg = fake.vragen("RaadpleegMetBurgerservicenummer")
    assert {tuple(sorted(v["fields"])) for v in raadpleeg} == {tuple(sorted(EXPECTED_FIELDS))}
    assert all(len(v["fields"]) == len(set(v["fields"])) for v in raadpleeg)
    [zoek] = fake.vragen("ZoekMetAdresseerbaarObjectIdentificatie")
    assert zoek["fields"] == ["burgerservicenummer"]
    assert set(zoek) == {"type", "adresseerbaarObjectIdentificatie", "fields"}
    assert set(raadpleeg[0]) == {"type", "burgerservicenummer", "fields"}


def test_each_field_asked_is_needed() -> None:
    """Leave any one out and some person reads differently: none is asked for nothing."""
    ontbonden = json.loads(json.dumps(RAW[1]))
    ontbonden["partners"][0]["ontbindingHuwelijkPartnerschap"] = {
        "datum": {"type": "Datum", "datum": "2020-01-01", "langFormaat": "1 januari 2020"}
    }
    toevoeging = json.loads(json.dumps(RAW[0]))
    toevoeging["verblijfplaats"]["verblijfadres"]["huisnummertoevoeging"] = "bis"
    personen = [*RAW, ontbonden, toevoeging]
    assert not strict_spec().errors(
        {"type": "RaadpleegMetBurgerservicenummer", "personen": personen},
        "RaadpleegMetBurgerservicenummerResponse",
    )

    def read(paths: tuple[str, ...] | list[str]) -> list[Any] | str:
        try:
            return [persoon_uit_haal_centraal(project(p, paths)) for p in personen]
        except (ValueError, KeyError, TypeError) as exc:
            return type(exc).__name__  # unreadable without it: needed as well

    everything = [persoon_uit_haal_centraal(p) for p in personen]
    assert read(FIELDS) == everything
    for left_out in FIELDS:
        assert read([f for f in FIELDS if f != left_out]) != everything, (
            f"{left_out} is asked but changes nothing"
        )


def test_every_field_asked_is_one_the_spec_has() -> None:
    spec = strict_spec()
    for path in (*FIELDS, *fields("verblijfplaatsBinnenland")):
        assert spec.field_error(path, "Persoon") is None, path
    assert spec.field_error("burgerservicenummer", "GezagPersoonBeperkt") is None
    assert len(FIELDS) <= 130  # the spec's maxItems


def test_the_verblijfplaats_binnenland_alias(
    make: Callable[..., HaalCentraal], url: str, fake: FakeHaalCentraal, bestand: BestandsBrp
) -> None:
    client = make(url, verblijfplaats_veld="verblijfplaatsBinnenland")
    assert client.raadpleeg("999990111") == bestand.raadpleeg("999990111")
    karin = client.raadpleeg("999990354")
    assert karin == bestand.raadpleeg("999990354")
    [first, _] = fake.vragen()
    assert "verblijfplaatsBinnenland.adresseerbaarObjectIdentificatie" in first["fields"]
    assert not any(f.startswith("verblijfplaats.") for f in first["fields"])


# -- bewoners --------------------------------------------------------------------------------


def test_bewoners_of_an_address(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    kamer = client.bewoners("0344010000100451")
    assert [p.naam() for p in kamer] == [
        "Bram Dekker",
        "Yara Peters",
        "Tim Koster",
        "Sophie Brouwer",
    ]
    # One search for the BSNs (a search gives a limited person), one raadpleeg for all four.
    [zoek] = fake.vragen("ZoekMetAdresseerbaarObjectIdentificatie")
    assert zoek["adresseerbaarObjectIdentificatie"] == "0344010000100451"
    [raadpleeg] = fake.vragen("RaadpleegMetBurgerservicenummer")
    assert raadpleeg["burgerservicenummer"] == [p.burgerservicenummer for p in kamer]
    assert client.bewoners(NOBODY_THERE) == []
    assert len(fake.vragen("RaadpleegMetBurgerservicenummer")) == 1  # nobody to ask for


def test_bewoners_of_every_address_as_the_test_data_file_gives_them(
    client: HaalCentraal, bestand: BestandsBrp
) -> None:
    for address in [*ADDRESSES, NOBODY_THERE]:
        assert client.bewoners(address) == bestand.bewoners(address), address


def test_bewoners_are_asked_20_at_a_time(tmp_path: Path, make: Callable[..., HaalCentraal]) -> None:
    template = RAW[0]
    personen = []
    for i in range(45):
        p = json.loads(json.dumps(template))
        p["burgerservicenummer"] = f"99980{i:04d}"
        p["naam"]["voornamen"] = f"Bewoner {i}"
        personen.append(p)
    path = tmp_path / "brp.json"
    path.write_text(json.dumps({"personen": personen}), encoding="utf-8")
    fake = FakeHaalCentraal(path, api_key=KEY)
    with serve_app(fake.app) as url:
        found = make(url).bewoners(template["verblijfplaats"]["adresseerbaarObjectIdentificatie"])
    assert [p.burgerservicenummer for p in found] == [p["burgerservicenummer"] for p in personen]
    sizes = [len(v["burgerservicenummer"]) for v in fake.vragen("RaadpleegMetBurgerservicenummer")]
    assert sizes == [20, 20, 5]
    assert fake.problemen == []
    fake.check_answers()


def test_bewoners_reuse_the_resident_already_asked(
    client: HaalCentraal, fake: FakeHaalCentraal
) -> None:
    jeroen = client.raadpleeg("999990123")
    assert jeroen is not None and jeroen.adresseerbaar_object_identificatie
    gezin = client.bewoners(jeroen.adresseerbaar_object_identificatie)
    assert len(gezin) == 5
    asked = [
        b for v in fake.vragen("RaadpleegMetBurgerservicenummer") for b in v["burgerservicenummer"]
    ]
    assert asked.count("999990123") == 1
    # The household step shows and then checks the same household: asked once.
    client.bewoners(jeroen.adresseerbaar_object_identificatie)
    assert len(fake.vragen()) == 3


def test_aantal_bewoners_asks_only_who_is_there(
    client: HaalCentraal, fake: FakeHaalCentraal
) -> None:
    """For the new address the number is all the service needs: no names, no relations."""
    assert client.aantal_bewoners("0518010000100155") == 5
    assert client.aantal_bewoners(NOBODY_THERE) == 0
    assert [v["type"] for v in fake.vragen()] == ["ZoekMetAdresseerbaarObjectIdentificatie"] * 2
    assert all(v["fields"] == ["burgerservicenummer"] for v in fake.vragen())


def test_an_invalid_address_id_asks_nothing(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    assert client.bewoners("0000000000000000") == []
    assert client.bewoners("12") == []
    assert client.aantal_bewoners("12") == 0
    assert fake.vragen() == []


def _meeverhuizers(client: HaalCentraal, bsn: str) -> dict[str, Any]:
    aangever = client.raadpleeg(bsn)
    assert aangever is not None
    ctx = StepContext(
        gemeente=None,  # type: ignore[arg-type]  # the step does not look at it
        aangever=aangever,
        brp=client,
        adressen=None,  # type: ignore[arg-type]
        today=TODAY,
        answers={},
        evaluate=lambda c: False,
    )
    return Meeverhuizers().view(None, ctx, None)


def test_a_partner_living_elsewhere_is_not_offered_one_at_the_same_address_is(
    client: HaalCentraal,
) -> None:
    """Relatives come without an address: the household is who the BRP registers at the
    resident's address, read through the wizard's own step."""
    johan = client.raadpleeg("999990329")
    assert johan is not None
    assert [r.burgerservicenummer for r in johan.partners] == ["999990330"]  # married to Linda
    linda = client.raadpleeg("999990330")
    assert linda is not None
    assert linda.adresseerbaar_object_identificatie != johan.adresseerbaar_object_identificatie
    view = _meeverhuizers(client, "999990329")
    assert view == {"toegestaan": [], "niet_toegestaan": []}

    kees = client.raadpleeg("999990019")
    assert kees is not None and [r.burgerservicenummer for r in kees.partners] == ["999990020"]
    view = _meeverhuizers(client, "999990019")
    assert [p["bsn"] for p in view["toegestaan"]] == ["999990020"]
    assert view["niet_toegestaan"] == []
    assert kees.adresseerbaar_object_identificatie
    [marieke] = huisgenoten(kees, client.bewoners(kees.adresseerbaar_object_identificatie), TODAY)
    assert marieke.grond is Grond.PARTNER


def test_a_family_through_the_household_step(client: HaalCentraal, bestand: BestandsBrp) -> None:
    """Children, a partner and curatele come out as the file-backed BRP makes them."""
    for bsn in ("999990123", "999990317", "999990044", "999990287"):
        ctx_brp = _meeverhuizers(client, bsn)
        aangever = bestand.raadpleeg(bsn)
        assert aangever is not None and aangever.adresseerbaar_object_identificatie
        expected = huisgenoten(
            aangever, bestand.bewoners(aangever.adresseerbaar_object_identificatie), TODAY
        )
        assert [p["bsn"] for p in ctx_brp["toegestaan"]] == [
            h.persoon.burgerservicenummer for h in expected if h.grond is not None
        ]
        assert [p["naam"] for p in ctx_brp["niet_toegestaan"]] == [
            h.persoon.naam() for h in expected if h.grond is None
        ]


# -- health ----------------------------------------------------------------------------------


def test_health(client: HaalCentraal, fake: FakeHaalCentraal) -> None:
    health = client.health()
    assert health.ok, health.detail
    [vraag] = fake.vragen()
    assert vraag["burgerservicenummer"] == ["000000000"]  # nobody's: no personal data asked
    assert vraag["fields"] == ["burgerservicenummer"]
    fake.storing = "503"
    health = client.health()
    assert not health.ok and "503" in health.detail
    fake.storing = "404"
    health = client.health()
    assert not health.ok and "url" in health.detail


def test_health_of_an_unreachable_brp(make: Callable[..., HaalCentraal]) -> None:
    health = make(f"http://127.0.0.1:{free_port()}", connect_timeout=0.5).health()
    assert not health.ok and "niet bereikbaar" in health.detail


# -- options ---------------------------------------------------------------------------------


def test_options_defaults() -> None:
    options = HaalCentraalOptions(url="https://brp.example.nl/haalcentraal/api/brp/")
    assert options.url == "https://brp.example.nl/haalcentraal/api/brp"
    assert options.authenticatie_header == "X-API-KEY"
    assert (options.connect_timeout, options.read_timeout) == (2.0, 5.0)
    assert (options.cache_seconden, options.cache_max) == (60.0, 256)
    client = HaalCentraal.from_options(options, {})
    assert client.endpoint == "https://brp.example.nl/haalcentraal/api/brp/personen"
    client.close()


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "http://brp.example.nl/api"},  # personal data never in plain text off this host
        {"url": "ftp://brp.example.nl"},
        {"url": "https://user:pw@brp.example.nl"},
        {"url": "https://brp.example.nl", "api_key_env": "een-geheim-zelf"},
        {"url": "https://brp.example.nl", "vaste_headers": {"Authorization": "Bearer x"}},
        {"url": "https://brp.example.nl", "vaste_headers": {"X-API-KEY": "x"}},
        {"url": "https://brp.example.nl", "vaste_headers": {"x-doelbinding": "a\nb"}},
        {"url": "https://brp.example.nl", "vaste_headers": {"x doel": "a"}},
        {"url": "https://brp.example.nl", "authenticatie_header": "Content-Type"},
        {"url": "https://brp.example.nl", "client_sleutel_pad_env": "HC_KEY_PATH"},
        {"url": "https://brp.example.nl", "read_timeout": 0},
        {"url": "https://brp.example.nl", "cache_seconden": -1},
        {"url": "https://brp.example.nl", "onbekend": 1},
    ],
)
def test_wrong_options_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HaalCentraalOptions(**bad)


def test_loopback_may_be_plain_http() -> None:
    for url in ("http://127.0.0.1:8080", "http://localhost:8080/brp", "http://[::1]:8080"):
        assert HaalCentraalOptions(url=url).url == url


def test_a_missing_environment_variable_or_file_is_named() -> None:
    options = HaalCentraalOptions(url="https://brp.example.nl", api_key_env="HC_API_KEY")
    with pytest.raises(OptionsError, match="HC_API_KEY"):
        HaalCentraal.from_options(options, {})
    options = HaalCentraalOptions(url="https://brp.example.nl", ca_bundel_pad_env="HC_CA")
    with pytest.raises(OptionsError, match="HC_CA"):
        HaalCentraal.from_options(options, {"HC_CA": "/bestaat/niet.pem"})


# -- the double itself -----------------------------------------------------------------------


def test_the_double_refuses_what_the_spec_does_not_allow(url: str, fake: FakeHaalCentraal) -> None:
    headers = {"X-API-KEY": KEY, "Content-Type": JSON}
    base = {"type": "RaadpleegMetBurgerservicenummer", "burgerservicenummer": ["999990111"]}
    wrong = [
        {**base, "fields": ["verblijfplaats.bestaatNiet"]},
        {**base, "fields": ["inOnderzoek"]},
        {**base, "fields": ["burgerservicenummer"], "burgerservicenummer": ["1"]},
        {**base, "fields": ["burgerservicenummer"], "burgerservicenummer": ["999990111"] * 21},
        {**base, "fields": ["burgerservicenummer"], "voornamen": "Noor"},
        {
            "type": "ZoekMetAdresseerbaarObjectIdentificatie",
            "adresseerbaarObjectIdentificatie": "0599010000102079",
            "fields": ["verblijfplaats"],
        },
        {"type": "RaadpleegMetBurgerservicenummer", "fields": ["burgerservicenummer"]},
    ]
    for body in wrong:
        response = httpx.post(f"{url}/personen", content=json.dumps(body), headers=headers)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    response = httpx.post(
        f"{url}/personen",
        content=json.dumps({**base, "fields": ["burgerservicenummer"]}),
        headers={"X-API-KEY": KEY, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert len(fake.problemen) == len(wrong) + 1
    fake.problemen.clear()  # these were wrong on purpose


def test_the_spec_check_itself_can_fail() -> None:
    spec = strict_spec()
    answer = {
        "type": "RaadpleegMetBurgerservicenummer",
        "personen": [json.loads(json.dumps(RAW[0]))],
    }
    assert spec.errors(answer, "RaadpleegMetBurgerservicenummerResponse") == []
    answer["personen"][0]["verblijfplaats"]["verblijfadres"]["huisnummer"] = 0
    answer["personen"][0]["geboorte"]["datum"] = {"type": "Datum", "langFormaat": "x"}
    errors = spec.errors(answer, "RaadpleegMetBurgerservicenummerResponse")
    assert len(errors) == 2  # found through the discriminators of verblijfplaats and datum


# -- mTLS ------------------------------------------------------------------------------------


@contextmanager
def serve_tls(app: Any, cert: Path, key: Path, ca: Path) -> Iterator[str]:
    """``app`` over TLS on 127.0.0.1, asking every client for a certificate signed by ``ca``."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
        ssl_ca_certs=str(ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "TLS-testserver start niet"
        time.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _certificates(folder: Path) -> dict[str, Path]:
    """A self-signed CA, a server certificate for 127.0.0.1 and a client certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(stem: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        (folder / f"{stem}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test CA"))
        .issuer_name(name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write("ca", ca_key, ca)

    def leaf(stem: str, usage: x509.ObjectIdentifier, san: list[x509.GeneralName]) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(stem))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        write(stem, key, builder.sign(ca_key, hashes.SHA256()))

    leaf(
        "server",
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    leaf("client", ExtendedKeyUsageOID.CLIENT_AUTH, [])
    return {stem: folder / stem for stem in ("ca", "server", "client")}


def test_mutual_tls(
    tmp_path: Path, make: Callable[..., HaalCentraal], fake: FakeHaalCentraal
) -> None:
    _certificates(tmp_path)
    env = {
        "HC_CERT": str(tmp_path / "client.pem"),
        "HC_CERT_KEY": str(tmp_path / "client.key"),
        "HC_CA": str(tmp_path / "ca.pem"),
    }
    mtls = {
        "client_certificaat_pad_env": "HC_CERT",
        "client_sleutel_pad_env": "HC_CERT_KEY",
        "ca_bundel_pad_env": "HC_CA",
    }
    with serve_tls(
        fake.app, tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    ) as url:
        good = make(url, env, **mtls)
        # Without a client certificate the server ends the handshake.
        no_cert = make(url, env, ca_bundel_pad_env="HC_CA")
        # Without our CA the server's certificate is not trusted.
        no_ca = make(
            url, env, client_certificaat_pad_env="HC_CERT", client_sleutel_pad_env="HC_CERT_KEY"
        )
        try:
            assert good.raadpleeg("999990111") is not None
            assert good.health().ok
            onbereikbaar(lambda: no_cert.raadpleeg("999990111"))
            onbereikbaar(lambda: no_ca.raadpleeg("999990111"))
        finally:
            for client in (good, no_cert, no_ca):
                client.close()  # before the server stops: it waits for open connections
    assert len(fake.vragen()) == 2  # only the two with a certificate got through


def test_a_key_that_does_not_fit_is_named(tmp_path: Path) -> None:
    _certificates(tmp_path)
    options = HaalCentraalOptions(
        url="https://brp.example.nl",
        client_certificaat_pad_env="HC_CERT",
        client_sleutel_pad_env="HC_CERT_KEY",
    )
    env = {"HC_CERT": str(tmp_path / "client.pem"), "HC_CERT_KEY": str(tmp_path / "server.key")}
    with pytest.raises(OptionsError, match="HC_CERT"):
        HaalCentraal.from_options(options, env)
