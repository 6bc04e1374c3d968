"""The PDOK Locatieserver v3.1 client, over a real socket against the double of
``tests/fakes/pdok.py``: lookups, every letter of a number, failures, the cache, and PDOK
enriched with BAG (``tests/fakes/bag.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import httpx2
import pytest
from pydantic import ValidationError

from tests.fakes.bag import FakeBag
from tests.fakes.pdok import FakePdok
from tests.httpserver import serve_app
from tests.servers import free_port
from webapp.options import OptionsError
from webapp.registers.adressen import Adres, BestandsAdresRegister
from webapp.registers.bag import BagOptions
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.registers.pdok import (
    DEFAULT_URL,
    FIELDS,
    PdokAdresRegister,
    PdokOptions,
    from_options,
)
from webapp.steps.base import FormInput, StepContext
from webapp.steps.nieuw_adres import NieuwAdres

BESTAND = BestandsAdresRegister()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakePdok, str]]:
    fake = FakePdok()
    with serve_app(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake(served: tuple[FakePdok, str]) -> Iterator[FakePdok]:
    fake = served[0]
    fake.reset()
    yield fake
    assert not fake.problemen, "een verzoek dat Locatieserver zou weigeren"


@pytest.fixture
def url(served: tuple[FakePdok, str]) -> str:
    return served[1]


@pytest.fixture
def make(url: str) -> Iterator[Callable[..., PdokAdresRegister]]:
    """Registers on the double; closed afterwards (an open pool would warn)."""
    made: list[PdokAdresRegister] = []

    def make(clock: Callable[[], float] | None = None, **options: object) -> PdokAdresRegister:
        opts = PdokOptions.model_validate({"url": url, **options})
        register = PdokAdresRegister(opts, clock=clock) if clock else from_options(opts, {})
        made.append(register)
        return register

    yield make
    for register in made:
        register.close()


def zonder_bag(adres: Adres) -> Adres:
    """An address of the file register as Locatieserver has it: no BAG fields."""
    return replace(adres, oppervlakte=None, gebruiksdoelen=())


def numbers(found: list[Adres]) -> list[str]:
    return [a.huisnummer_volledig for a in found]


# -- lookups -----------------------------------------------------------------------------------


def test_a_hit_reads_every_field_locatieserver_has(fake, make):
    found = make().zoek("3083 ab", 12, "a")
    assert found == [zonder_bag(a) for a in BESTAND.zoek("3083AB", 12, "A")]
    assert found[0].wijkcode == "WK059915" and found[0].buurtnaam == "Tarwewijk"
    assert found[0].gemeentecode == "0599"


def test_the_request_asks_only_what_the_address_needs(fake, make):
    make().zoek("3083AB", 12)
    assert fake.param("q") == ["postcode:3083AB AND huisnummer:12"]
    assert fake.param("fq") == ["type:adres"]
    assert fake.param("fl") == [",".join(FIELDS)]
    assert fake.param("rows") == ["100"]
    assert {name for name, _ in fake.verzoeken[-1]} == {"q", "fq", "fl", "rows", "start"}


def test_a_miss_is_an_empty_list(fake, make):
    register = make()
    assert register.zoek("1234AB", 1) == []
    assert register.op_postcode_huisnummer("1234AB", 1) == []
    assert register.zoek("3083AB", 12, "C") == []


def test_every_letter_at_a_number_is_offered(fake, make):
    register = make()
    assert numbers(register.op_postcode_huisnummer("3083AB", 12)) == ["12A", "12B"]
    assert numbers(register.zoek("3083AB", 12)) == ["12A", "12B"]
    assert numbers(register.op_postcode_huisnummer("9992EF", 22)) == ["22-1", "22-2"]


def test_exact_match_on_letter_and_addition_whatever_the_case(fake, make):
    register = make()
    assert numbers(register.zoek("3083bk", 9, "a", "2")) == ["9A-2"]
    assert numbers(register.zoek("3083BK", 9, "A", "3")) == []
    assert numbers(register.zoek("9992 EF", 22, None, "2")) == ["22-2"]
    assert numbers(register.zoek("9992EF", 22, "", " ")) == ["22-1", "22-2"]


def test_the_wizard_asks_which_letter_is_meant(fake, make):
    """ "Bedoelt u 12A of 12B?" with the real client behind the step."""
    ctx = StepContext(
        gemeente=None,  # type: ignore[arg-type]
        aangever=None,  # type: ignore[arg-type]
        brp=None,  # type: ignore[arg-type]
        adressen=make(),
        today=date(2026, 11, 27),
        answers={},
        evaluate=lambda _c: True,
    )
    step = NieuwAdres()
    adres, errors = step.lookup(FormInput({"postcode": "3083 AB", "huisnummer": "12"}), ctx)
    assert adres is None and [e.field for e in errors] == ["huisletter"]
    assert "12A, 12B" in errors[0].message
    adres, errors = step.lookup(
        FormInput({"postcode": "3083AB", "huisnummer": "12", "huisletter": "C"}), ctx
    )
    assert adres is None and "Op dit nummer bestaan: 12A, 12B" in errors[0].message
    adres, errors = step.lookup(
        FormInput({"postcode": "3083ab", "huisnummer": "12", "huisletter": "b"}), ctx
    )
    assert errors == [] and adres is not None and adres.huisnummer_volledig == "12B"


def test_a_number_with_more_addresses_than_one_answer_is_paged(fake, make):
    fake.max_rows = 1
    assert numbers(make().op_postcode_huisnummer("3083AB", 12)) == ["12A", "12B"]
    assert [fake.param("start", i) for i in range(len(fake.verzoeken))] == [["0"], ["1"]]


def test_what_cannot_be_an_address_is_never_sent(fake, make):
    register = make()
    assert register.zoek("3083AB OR *:*", 12) == []
    assert register.zoek("0083AB", 12) == []
    assert register.zoek("3083AB", 0) == []
    assert register.zoek("3083AB", 100_000) == []
    assert fake.verzoeken == []


# -- the double refuses what Locatieserver refuses ---------------------------------------------


def test_the_double_refuses_an_unknown_parameter(fake, url):
    response = httpx2.get(f"{url}/free", params={"q": "postcode:3083AB AND huisnummer:12", "x": 1})
    assert response.status_code == 400
    assert fake.problemen == ["onbekende parameters: ['x']"]
    fake.problemen.clear()
    response = httpx2.get(f"{url}/free", params={"fl": "oppervlakte", "rows": 1})
    assert response.status_code == 200 and "oppervlakte" not in response.text
    assert len(fake.problemen) == 1 and "oppervlakte" in fake.problemen[0]
    fake.problemen.clear()


# -- failures ----------------------------------------------------------------------------------


def raised(register: PdokAdresRegister) -> str:
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
    register = make(url=f"http://127.0.0.1:{free_port()}")
    assert "niet bereikbaar" in raised(register)


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_server_error(fake, make, status):
    fake.storing = status
    assert f"HTTP {status}" in raised(make())


@pytest.mark.parametrize("status", ["401", "403"])
def test_a_refusal_looks_like_configuration(fake, make, status):
    fake.storing = status
    assert "configuratiefout" in raised(make())


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


# -- the cache ---------------------------------------------------------------------------------


def test_one_request_per_number_while_the_cache_holds_it(fake, make):
    clock = Clock()
    register = make(clock)
    register.zoek("3083AB", 12, "A")
    register.op_postcode_huisnummer("3083ab", 12)
    register.zoek("3083 AB", 12, "B")
    assert len(fake.verzoeken) == 1
    clock.now += 599
    register.zoek("3083AB", 12)
    assert len(fake.verzoeken) == 1
    clock.now += 1
    register.zoek("3083AB", 12)
    assert len(fake.verzoeken) == 2


def test_misses_are_remembered_failures_are_not(fake, make):
    register = make(Clock())
    register.zoek("1234AB", 1)
    register.zoek("1234AB", 1)
    assert len(fake.verzoeken) == 1
    fake.storing = "503"
    with pytest.raises(RegisterOnbereikbaar):
        register.zoek("3083AB", 12)
    fake.storing = None
    assert numbers(register.zoek("3083AB", 12)) == ["12A", "12B"]
    assert len(fake.verzoeken) == 3


def test_the_cache_is_bounded_and_can_be_off(fake, make):
    register = make(Clock(), cache_max=1)
    for number in (12, 40, 12):
        register.op_postcode_huisnummer("3083AB" if number == 12 else "3081CG", number)
    assert len(fake.verzoeken) == 3
    fake.verzoeken.clear()
    register = make(Clock(), cache_seconden=0)
    register.zoek("3083AB", 12)
    register.zoek("3083AB", 12)
    assert len(fake.verzoeken) == 2


# -- health ------------------------------------------------------------------------------------


def test_health_asks_no_documents_and_says_when_pdok_is_down(fake, make):
    register = make()
    register.health()
    assert fake.param("rows") == ["0"]
    fake.storing = "503"
    with pytest.raises(RegisterOnbereikbaar):
        register.health()


# -- options -----------------------------------------------------------------------------------


def test_options_default_to_the_public_locatieserver():
    options = PdokOptions()
    assert options.url == DEFAULT_URL
    assert (options.connect_timeout, options.timeout) == (1.0, 3.0)
    assert (options.cache_seconden, options.cache_max) == (600, 1000)
    assert options.bag is None
    with pytest.raises(ValidationError):
        PdokOptions.model_validate({"soort": "pdok", "rijen": 5})
    with pytest.raises(ValidationError):
        PdokOptions.model_validate({"url": "ftp://example.org"})


def test_a_bag_block_needs_its_key_in_the_environment():
    options = PdokOptions.model_validate({"bag": {"api_key_env": "VERHUIZEN_BAG_KEY"}})
    with pytest.raises(OptionsError, match="VERHUIZEN_BAG_KEY"):
        from_options(options, {})
    register = from_options(options, {"VERHUIZEN_BAG_KEY": "k"})
    try:
        assert register.bag is not None
    finally:
        register.close()


# -- PDOK enriched with BAG --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bag_served() -> Iterator[tuple[FakeBag, str]]:
    fake = FakeBag()
    with serve_app(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_bag(bag_served: tuple[FakeBag, str]) -> Iterator[FakeBag]:
    fake = bag_served[0]
    fake.reset()
    yield fake
    assert not fake.problemen


@pytest.fixture
def verrijkt(fake, fake_bag, bag_served, url) -> Iterator[PdokAdresRegister]:
    bag = BagOptions(url=bag_served[1], api_key_env="BAG_KEY")
    register = from_options(PdokOptions(url=url, bag=bag), {"BAG_KEY": fake_bag.api_key})
    yield register
    register.close()


def test_bag_adds_floor_area_and_use_to_what_pdok_found(fake, fake_bag, verrijkt):
    assert verrijkt.zoek("3083AB", 12, "A") == BESTAND.zoek("3083AB", 12, "A")
    assert verrijkt.op_postcode_huisnummer("3011PV", 110) == BESTAND.op_postcode_huisnummer(
        "3011PV", 110
    )
    # BAG is asked per number, not per address, and needs no gemeente from it.
    verrijkt.op_postcode_huisnummer("3083AB", 12)
    assert fake_bag.paden() == ["/adressenuitgebreid", "/adressenuitgebreid"]


def test_a_miss_asks_bag_nothing(fake, fake_bag, verrijkt):
    assert verrijkt.zoek("1234AB", 1) == []
    assert fake_bag.verzoeken == []


def test_when_bag_is_down_the_enriched_register_cannot_answer(fake, fake_bag, verrijkt):
    fake_bag.storing = "503"
    with pytest.raises(RegisterOnbereikbaar, match="BAG"):
        verrijkt.zoek("3083AB", 12, "A")
    with pytest.raises(RegisterOnbereikbaar, match="BAG"):
        verrijkt.health()
