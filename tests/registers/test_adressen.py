"""The file-backed address register: the test data file, zoek() and weergavenaam."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from webapp.registers.adressen import (
    DEFAULT_PATH,
    Adres,
    AdresDataError,
    BestandsAdresRegister,
)


@pytest.fixture(scope="module")
def register() -> BestandsAdresRegister:
    return BestandsAdresRegister()


def adres(**changes: Any) -> Adres:
    base: dict[str, Any] = {
        "nummeraanduiding_id": "0599200000100148",
        "adresseerbaarobject_id": "0599010000100155",
        "straatnaam": "Grondelstraat",
        "huisnummer": 12,
        "huisletter": None,
        "huisnummertoevoeging": None,
        "postcode": "3083AB",
        "woonplaatsnaam": "Rotterdam",
        "gemeentenaam": "Rotterdam",
        "gemeentecode": "0599",
        "wijkcode": None,
        "wijknaam": None,
        "buurtcode": None,
        "buurtnaam": None,
        "oppervlakte": None,
        "gebruiksdoelen": (),
    }
    return Adres(**{**base, **changes})


def numbers(found: list[Adres]) -> list[str]:
    return [a.huisnummer_volledig for a in found]


def test_file_shape_and_formats() -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert "FICTIONAL TEST DATA" in raw["_comment"]
    assert "oppervlakte" in raw["_comment"]
    docs = raw["response"]["docs"]
    assert raw["response"]["numFound"] == len(docs)
    for doc in docs:
        gc = doc["gemeentecode"]
        assert doc["type"] == "adres"
        assert re.fullmatch(rf"{gc}20\d{{10}}", doc["nummeraanduiding_id"])
        assert re.fullmatch(rf"{gc}01\d{{10}}", doc["adresseerbaarobject_id"])
        assert re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", doc["postcode"])
        assert re.fullmatch(rf"WK{gc}\d{{2}}", doc["wijkcode"])
        assert re.fullmatch(rf"BU{gc}\d{{4}}", doc["buurtcode"])
        assert re.fullmatch(r"POINT\(\d+\.\d+ \d+\.\d+\)", doc["centroide_ll"])
    ids = [d["adresseerbaarobject_id"] for d in docs]
    assert len(set(ids)) == len(ids)


def test_all_addresses_load(register: BestandsAdresRegister) -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    for doc in raw["response"]["docs"]:
        found = register.zoek(
            doc["postcode"],
            doc["huisnummer"],
            doc.get("huisletter"),
            doc.get("huisnummertoevoeging"),
        )
        assert [a.weergavenaam for a in found] == [doc["weergavenaam"]]


@pytest.mark.parametrize(
    ("buurtcode", "buurtnaam", "wijkcode"),
    [
        ("BU05991571", "Tarwewijk", "WK059915"),
        ("BU05991572", "Carnisse", "WK059915"),
        ("BU05991573", "Oud-Charlois", "WK059915"),
        ("BU05991574", "Bloemhof", "WK059910"),
        ("BU05991575", "Hillesluis", "WK059910"),
        ("BU05991401", "Stadsdriehoek", "WK059914"),
        ("BU05991402", "Kralingen-West", "WK059913"),
        ("BU05990306", "Middelland", "WK059903"),
    ],
)
def test_rotterdam_buurten_used_in_configuration(
    buurtcode: str, buurtnaam: str, wijkcode: str
) -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    docs = [d for d in raw["response"]["docs"] if d["buurtcode"] == buurtcode]
    assert docs
    assert {(d["buurtnaam"], d["wijkcode"], d["gemeentecode"]) for d in docs} == {
        (buurtnaam, wijkcode, "0599")
    }


def test_zoek_parses_every_field(register: BestandsAdresRegister) -> None:
    [a] = register.zoek("3083AB", 12, "A")
    assert a == Adres(
        nummeraanduiding_id="0599200000100148",
        adresseerbaarobject_id="0599010000100155",
        straatnaam="Grondelstraat",
        huisnummer=12,
        huisletter="A",
        huisnummertoevoeging=None,
        postcode="3083AB",
        woonplaatsnaam="Rotterdam",
        gemeentenaam="Rotterdam",
        gemeentecode="0599",
        wijkcode="WK059915",
        wijknaam="Charlois",
        buurtcode="BU05991571",
        buurtnaam="Tarwewijk",
        oppervlakte=62,
        gebruiksdoelen=("woonfunctie",),
    )


def test_zoek_without_letter_returns_every_letter(register: BestandsAdresRegister) -> None:
    assert numbers(register.zoek("3083AB", 12)) == ["12A", "12B"]


def test_zoek_with_letter_is_case_insensitive(register: BestandsAdresRegister) -> None:
    assert numbers(register.zoek("3083AB", 12, "B")) == ["12B"]
    assert numbers(register.zoek("3083AB", 12, "b")) == ["12B"]
    assert register.zoek("3083AB", 12, "C") == []


def test_zoek_with_toevoeging(register: BestandsAdresRegister) -> None:
    assert numbers(register.zoek("3081CG", 40)) == ["40-1", "40-2"]
    assert numbers(register.zoek("3081CG", 40, None, "2")) == ["40-2"]
    assert register.zoek("3081CG", 40, None, "3") == []
    # A letter where there is none does not match.
    assert register.zoek("3081CG", 40, "A") == []


def test_zoek_with_letter_and_toevoeging(register: BestandsAdresRegister) -> None:
    assert numbers(register.zoek("3083BK", 9)) == ["9A-2"]
    assert numbers(register.zoek("3083BK", 9, "a")) == ["9A-2"]
    assert numbers(register.zoek("3083BK", 9, "a", "2")) == ["9A-2"]
    assert register.zoek("3083BK", 9, "B", "2") == []


def test_zoek_treats_an_empty_letter_as_not_given(register: BestandsAdresRegister) -> None:
    assert numbers(register.zoek("3083AB", 12, "", "")) == ["12A", "12B"]


def test_zoek_unknown_address(register: BestandsAdresRegister) -> None:
    assert register.zoek("3083AB", 13) == []
    assert register.zoek("1234AB", 12) == []


def test_op_postcode_huisnummer_lists_all_variants(register: BestandsAdresRegister) -> None:
    assert numbers(register.op_postcode_huisnummer("9991AE", 3)) == ["3A", "3B"]
    assert numbers(register.op_postcode_huisnummer("9992EF", 22)) == ["22-1", "22-2"]
    assert register.op_postcode_huisnummer("9991AE", 4) == []


def test_other_gemeenten_are_present(register: BestandsAdresRegister) -> None:
    [amsterdam] = register.zoek("1073LS", 100)
    assert (amsterdam.gemeentecode, amsterdam.gemeentenaam) == ("0363", "Amsterdam")
    [schiedam] = register.zoek("3111EH", 30)
    assert schiedam.gemeentecode == "0606"
    [den_haag] = register.zoek("2521XZ", 300)
    assert (den_haag.gemeentenaam, den_haag.woonplaatsnaam) == ("'s-Gravenhage", "Den Haag")
    assert den_haag.oppervlakte == 95


def test_mathenesserdijk_in_two_postcodes(register: BestandsAdresRegister) -> None:
    assert register.zoek("3026GD", 300)[0].straatnaam == "Mathenesserdijk"
    assert register.zoek("3027AB", 412)[0].straatnaam == "Mathenesserdijk"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "Grondelstraat 12, 3083AB Rotterdam"),
        ({"huisletter": "A"}, "Grondelstraat 12A, 3083AB Rotterdam"),
        ({"huisnummertoevoeging": "2"}, "Grondelstraat 12-2, 3083AB Rotterdam"),
        ({"huisletter": "A", "huisnummertoevoeging": "2"}, "Grondelstraat 12A-2, 3083AB Rotterdam"),
    ],
)
def test_weergavenaam(changes: dict[str, Any], expected: str) -> None:
    assert adres(**changes).weergavenaam == expected


def test_parsing_skips_other_types_and_tolerates_missing_fields(tmp_path: Path) -> None:
    path = tmp_path / "adressen.json"
    path.write_text(
        json.dumps(
            {
                "response": {
                    "docs": [
                        {"type": "weg", "weergavenaam": "Grondelstraat, Rotterdam"},
                        {
                            "type": "adres",
                            "straatnaam": "Dorpsstraat",
                            "huisnummer": "1",
                            "postcode": "9991 ab",
                            "woonplaatsnaam": "Voorbeeldstad",
                            "gemeentenaam": "Voorbeeldstad",
                            "gemeentecode": "9999",
                            "nummeraanduiding_id": "9999200000100148",
                            "adresseerbaarobject_id": "9999010000100155",
                        },
                    ]
                }
            }
        ),
        encoding="utf-8",
    )
    [a] = BestandsAdresRegister(path).zoek("9991AB", 1)
    assert a.postcode == "9991AB"
    assert (a.huisletter, a.wijkcode, a.buurtcode, a.oppervlakte) == (None, None, None, None)
    assert a.gebruiksdoelen == ()


def test_unreadable_address_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "adressen.json"
    path.write_text(json.dumps({"response": {"docs": [{"type": "adres"}]}}), encoding="utf-8")
    with pytest.raises(AdresDataError):
        BestandsAdresRegister(path)
