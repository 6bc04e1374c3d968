"""The BAG Individuele Bevragingen v2 client, over a real socket against the double of
``tests/fakes/bag.py``, which checks every request and answer against the official spec."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx2
import pytest
from pydantic import ValidationError

from tests.fakes.bag import FakeBag
from tests.httpserver import serve_app
from tests.servers import free_port
from webapp.options import OptionsError
from webapp.registers.adressen import Adres, BestandsAdresRegister
from webapp.registers.bag import (
    DEFAULT_URL,
    BagAdresRegister,
    BagOptions,
    TtlCache,
    from_options,
)
from webapp.registers.errors import RegisterOnbereikbaar

BESTAND = BestandsAdresRegister()
ENV = "VERHUIZEN_BAG_API_KEY"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeBag, str]]:
    fake = FakeBag()
    with serve_app(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake(served: tuple[FakeBag, str]) -> Iterator[FakeBag]:
    fake = served[0]
    fake.reset()
    yield fake
    assert not fake.problemen, "een verzoek of antwoord buiten de BAG-specificatie"


@pytest.fixture
def url(served: tuple[FakeBag, str]) -> str:
    return served[1]


@pytest.fixture
def make(fake: FakeBag, url: str) -> Iterator[Callable[..., BagAdresRegister]]:
    """Registers on the double; closed afterwards (an open pool would warn)."""
    made: list[BagAdresRegister] = []

    def make(
        clock: Callable[[], float] | None = None, key: str | None = None, **options: object
    ) -> BagAdresRegister:
        opts = BagOptions.model_validate({"url": url, "api_key_env": ENV, **options})
        env = {ENV: fake.api_key if key is None else key}
        register = (
            BagAdresRegister(opts, env[ENV], clock=clock) if clock else from_options(opts, env)
        )
        made.append(register)
        return register

    yield make
    for register in made:
        register.close()


def als_bag(adres: Adres) -> Adres:
    """An address of the file register as BAG has it: no CBS wijk or buurt."""
    return replace(adres, wijkcode=None, wijknaam=None, buurtcode=None, buurtnaam=None)


def numbers(found: list[Adres]) -> list[str]:
    return [a.huisnummer_volledig for a in found]


# -- lookups -----------------------------------------------------------------------------------


def test_a_hit_has_floor_area_use_and_gemeente_but_no_wijk(fake, make):
    found = make().zoek("3083 ab", 12, "a")
    assert found == [als_bag(a) for a in BESTAND.zoek("3083AB", 12, "A")]
    assert (found[0].oppervlakte, found[0].gebruiksdoelen) == (62, ("woonfunctie",))
    assert (found[0].gemeentecode, found[0].gemeentenaam) == ("0599", "Rotterdam")
    assert found[0].wijkcode is None and found[0].buurtcode is None


def test_every_gemeente_comes_from_the_bronhouder_of_its_woonplaats(fake, make):
    register = make()
    for postcode, nummer in (("9991CD", 15), ("3572AM", 101), ("3011PV", 110)):
        assert register.op_postcode_huisnummer(postcode, nummer) == [
            als_bag(a) for a in BESTAND.op_postcode_huisnummer(postcode, nummer)
        ]


def test_the_requests_are_the_ones_the_spec_describes(fake, make):
    make().zoek("3083AB", 12)
    (path, query, headers), (path2, query2, _) = fake.verzoeken
    assert path == "/adressenuitgebreid"
    assert query == {"postcode": "3083AB", "huisnummer": "12"}  # no exacteMatch: see bag.py
    assert headers["accept-crs"] == "epsg:28992"
    assert headers["accept"] == "application/hal+json"
    assert (path2, query2) == ("/bronhouders", {"objectIdentificatie": "1003"})


def test_the_api_key_is_sent(fake, make):
    make().zoek("3083AB", 12)
    assert {headers["x-api-key"] for _, _, headers in fake.verzoeken} == {fake.api_key}


def test_a_wrong_key_looks_like_configuration(fake, make):
    with pytest.raises(RegisterOnbereikbaar, match=r"HTTP 403.*configuratiefout"):
        make(key="niet-de-sleutel").zoek("3083AB", 12)


def test_a_miss_is_an_empty_list(fake, make):
    register = make()
    assert register.zoek("1234AB", 1) == []
    assert register.zoek("3083AB", 12, "C") == []
    # Nothing found, or not this letter: no gemeente to ask.
    assert fake.paden() == ["/adressenuitgebreid", "/adressenuitgebreid"]


def test_every_letter_at_a_number_is_offered(fake, make):
    register = make()
    assert numbers(register.op_postcode_huisnummer("3083AB", 12)) == ["12A", "12B"]
    assert numbers(register.zoek("3083AB", 12)) == ["12A", "12B"]
    assert numbers(register.zoek("9992EF", 22)) == ["22-1", "22-2"]


def test_exact_match_on_letter_and_addition_whatever_the_case(fake, make):
    register = make()
    assert numbers(register.zoek("3083bk", 9, "a", "2")) == ["9A-2"]
    assert numbers(register.zoek("3083BK", 9, "A", "3")) == []
    assert numbers(register.zoek("9992EF", 22, None, "2")) == ["22-2"]


def test_what_cannot_be_an_address_is_never_sent(fake, make):
    assert make().zoek("3083AB&huisnummer=1", 12) == []
    assert fake.verzoeken == []


# -- the double keeps to the spec --------------------------------------------------------------


def test_the_double_refuses_what_the_spec_does_not_allow(fake, url):
    headers = {"X-Api-Key": fake.api_key}
    bad = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "AB"}
    assert httpx2.get(f"{url}/adressenuitgebreid", params=bad, headers=headers).status_code == 400
    assert len(fake.problemen) == 1 and "huisletter" in fake.problemen[0]
    fake.problemen.clear()
    ok = {"postcode": "3083AB", "huisnummer": 12}
    assert httpx2.get(f"{url}/adressenuitgebreid", params=ok).status_code == 401
    assert fake.problemen == ["geen X-Api-Key"]
    fake.problemen.clear()


def test_the_double_checks_its_own_answers(fake, make):
    adres = next(a for a in fake.adressen if a["postcode"] == "3083AB")
    adres["gebruiksdoelen"] = ["zwemfunctie"]
    try:
        make().zoek("3083AB", 12)
    finally:
        adres["gebruiksdoelen"] = ["woonfunctie"]
    assert any("buiten de spec" in p for p in fake.problemen)
    fake.problemen.clear()


def test_exacte_match_in_the_double_follows_the_feature(fake, url):
    headers = {"X-Api-Key": fake.api_key}

    def found(**params: object) -> list[str]:
        response = httpx2.get(f"{url}/adressenuitgebreid", params=params, headers=headers)
        adressen = response.json().get("_embedded", {}).get("adressen", [])
        return [f"{a['huisnummer']}{a.get('huisletter', '')}" for a in adressen]

    assert found(postcode="3083AB", huisnummer=12) == ["12A", "12B"]
    assert found(postcode="3083AB", huisnummer=12, exacteMatch="true") == []
    assert found(postcode="3083AB", huisnummer=12, huisletter="a", exacteMatch="true") == ["12A"]


# -- failures ----------------------------------------------------------------------------------


def raised(register: BagAdresRegister) -> str:
    with pytest.raises(RegisterOnbereikbaar) as caught:
        register.zoek("3083AB", 12)
    message = str(caught.value)
    assert "3083" not in message and "12" not in message.replace("HTTP", "")
    assert caught.value.__cause__ is None  # an httpx error may hold the URL
    return message


def test_a_timeout(fake, make):
    fake.storing = "traag"
    assert "tijdslimiet" in raised(make(timeout=0.05))


def test_a_refused_connection(make):
    assert "niet bereikbaar" in raised(make(url=f"http://127.0.0.1:{free_port()}"))


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_server_error(fake, make, status):
    fake.storing = status
    assert f"HTTP {status}" in raised(make())


def test_malformed_json(fake, make):
    fake.storing = "kapotte-json"
    assert "geen JSON" in raised(make())


@pytest.mark.parametrize("storing", ["geen-spec", "onleesbaar"])
def test_an_unexpected_shape(fake, make, storing):
    fake.storing = storing
    assert "onverwacht antwoord" in raised(make())


def test_404_is_nothing_found(fake, make):
    fake.storing = "404"
    assert make().zoek("3083AB", 12) == []


def test_a_woonplaats_without_bronhouder_cannot_be_placed(fake, make):
    kept = dict(fake.bronhouders)
    fake.bronhouders.clear()
    try:
        with pytest.raises(RegisterOnbereikbaar, match="bronhouders"):
            make().zoek("3083AB", 12)
    finally:
        fake.bronhouders.update(kept)


# -- the cache ---------------------------------------------------------------------------------


def test_one_request_per_number_and_per_woonplaats_while_cached(fake, make):
    clock = Clock()
    register = make(clock)
    register.zoek("3083AB", 12, "A")
    register.op_postcode_huisnummer("3083ab", 12)
    register.zoek("3081CG", 40)  # also Rotterdam: its gemeente is known
    assert fake.paden() == ["/adressenuitgebreid", "/bronhouders", "/adressenuitgebreid"]
    clock.now += 600
    register.zoek("3083AB", 12)
    assert fake.paden()[3:] == ["/adressenuitgebreid", "/bronhouders"]


def test_failures_are_not_remembered(fake, make):
    register = make(Clock())
    fake.storing = "503"
    with pytest.raises(RegisterOnbereikbaar):
        register.zoek("3083AB", 12)
    fake.storing = None
    assert numbers(register.zoek("3083AB", 12)) == ["12A", "12B"]


def test_the_cache_drops_the_least_recently_used():
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(10, 2, clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    clock.now += 10
    assert cache.get("a") is None


# -- health and options ------------------------------------------------------------------------


def test_health(fake, make):
    register = make()
    register.health()
    register.health()
    assert fake.paden() == ["/adressenuitgebreid", "/adressenuitgebreid"]  # never cached
    fake.storing = "503"
    with pytest.raises(RegisterOnbereikbaar):
        register.health()


def test_health_says_when_the_key_is_wrong(fake, make):
    with pytest.raises(RegisterOnbereikbaar, match="configuratiefout"):
        make(key="oud").health()


def test_options():
    options = BagOptions(api_key_env=ENV)
    assert options.soort == "bag" and options.url == DEFAULT_URL
    assert (options.connect_timeout, options.timeout) == (1.0, 3.0)
    with pytest.raises(ValidationError):
        BagOptions.model_validate({})  # the key's variable is required
    with pytest.raises(ValidationError):
        BagOptions.model_validate({"api_key_env": "sk-1234-de-sleutel-zelf"})
    with pytest.raises(OptionsError, match=ENV):
        from_options(options, {})
