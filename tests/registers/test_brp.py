"""The file-backed BRP: the test data file and the Haal Centraal parsing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from webapp.registers.adressen import BestandsAdresRegister
from webapp.registers.brp import DEFAULT_PATH, BestandsBrp, BrpDataError, Persoon, Relatie

TODAY = date(2026, 11, 27)


def elfproef(bsn: str) -> bool:
    # Inline on purpose: the shared validators module is written separately.
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "0" * 9:
        return False
    digits = [int(c) for c in bsn]
    total = sum(weight * d for weight, d in zip(range(9, 1, -1), digits[:8], strict=True))
    return (total - digits[8]) % 11 == 0


@pytest.fixture(scope="module")
def brp() -> BestandsBrp:
    return BestandsBrp()


def persoon(brp: BestandsBrp, bsn: str) -> Persoon:
    found = brp.raadpleeg(bsn)
    assert found is not None
    return found


def write(tmp_path: Path, personen: list[dict[str, Any]]) -> Path:
    path = tmp_path / "brp.json"
    path.write_text(json.dumps({"personen": personen}), encoding="utf-8")
    return path


def test_elfproef_helper_itself() -> None:
    assert elfproef("123456782")
    assert not elfproef("123456789")
    assert not elfproef("000000000")


def test_file_is_marked_fictional() -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert "FICTIONAL TEST DATA" in raw["_comment"]


def test_every_bsn_passes_the_elfproef_and_is_unique() -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    bsns = [p["burgerservicenummer"] for p in raw["personen"]]
    relatives = [
        r["burgerservicenummer"]
        for p in raw["personen"]
        for key in ("partners", "kinderen", "ouders")
        for r in p.get(key, [])
    ]
    assert len(bsns) >= 30
    assert len(set(bsns)) == len(bsns)
    bad = [b for b in bsns + relatives if not elfproef(b) or not b.startswith("999")]
    assert bad == []
    # Every relative is itself in the file, so households can be followed both ways.
    assert set(relatives) <= set(bsns)


def test_addresses_agree_with_the_address_register(brp: BestandsBrp) -> None:
    register = BestandsAdresRegister()
    for p in brp.testpersonen():
        assert p.verblijfadres is not None
        matches = register.zoek(
            p.verblijfadres.postcode,
            p.verblijfadres.huisnummer,
            p.verblijfadres.huisletter,
            p.verblijfadres.huisnummertoevoeging,
        )
        assert [a.adresseerbaarobject_id for a in matches] == [
            p.adresseerbaar_object_identificatie
        ], p.naam()
        assert matches[0].gemeentecode == p.gemeente_van_inschrijving
        assert matches[0].straatnaam == p.verblijfadres.officiele_straatnaam


def test_raadpleeg_reads_all_fields(brp: BestandsBrp) -> None:
    noor = persoon(brp, "999990111")
    assert noor.naam() == "Noor de Boer"
    assert (noor.voornamen, noor.voorvoegsel, noor.geslachtsnaam) == ("Noor", "de", "Boer")
    assert noor.geboortedatum == date(1994, 2, 17)
    assert noor.geslacht == "V"
    assert noor.gemeente_van_inschrijving == "0599"
    assert noor.adresseerbaar_object_identificatie == "0599010000102079"
    assert noor.verblijfadres is not None
    assert noor.verblijfadres.officiele_straatnaam == "Botersloot"
    assert noor.verblijfadres.huisnummer == 24
    assert noor.verblijfadres.huisletter == "C"
    assert noor.verblijfadres.huisnummertoevoeging is None
    assert noor.verblijfadres.postcode == "3011HE"
    assert noor.verblijfadres.woonplaats == "Rotterdam"
    assert noor.partners == noor.kinderen == noor.ouders == ()
    assert not noor.curatele


def test_relations(brp: BestandsBrp) -> None:
    jeroen = persoon(brp, "999990123")
    assert jeroen.partners == (Relatie("999990135", "partner_huwelijk"),)
    assert [r.burgerservicenummer for r in jeroen.kinderen] == [
        "999990147",
        "999990159",
        "999990160",
    ]
    assert all(r.soort == "kind" for r in jeroen.kinderen)
    emma = persoon(brp, "999990159")
    assert {r.burgerservicenummer for r in emma.ouders} == {"999990123", "999990135"}
    assert all(r.soort == "ouder" for r in emma.ouders)
    assert persoon(brp, "999990251").partners == (Relatie("999990263", "partner_geregistreerd"),)


def test_curatele(brp: BestandsBrp) -> None:
    assert persoon(brp, "999990317").curatele
    assert not persoon(brp, "999990305").curatele


def test_scenario_ages(brp: BestandsBrp) -> None:
    ages = {
        bsn: persoon(brp, bsn).leeftijd(TODAY)
        for bsn in ("999990147", "999990159", "999990160", "999990275", "999990299", "999990044")
    }
    assert ages == {
        "999990147": 19,
        "999990159": 12,
        "999990160": 8,
        "999990275": 16,
        "999990299": 15,
        "999990044": 22,
    }


def test_raadpleeg_unknown_is_none(brp: BestandsBrp) -> None:
    assert brp.raadpleeg("123456782") is None


def test_bewoners(brp: BestandsBrp) -> None:
    kamer = brp.bewoners("0344010000100451")
    assert [p.naam() for p in kamer] == [
        "Bram Dekker",
        "Yara Peters",
        "Tim Koster",
        "Sophie Brouwer",
    ]
    assert len(brp.bewoners("0518010000100155")) == 5
    assert brp.bewoners("0599010000100155") == []  # Grondelstraat 12A: nobody registered


def test_partner_at_other_address_is_not_a_bewoner(brp: BestandsBrp) -> None:
    johan = persoon(brp, "999990329")
    assert johan.partners == (Relatie("999990330", "partner_huwelijk"),)
    assert johan.adresseerbaar_object_identificatie is not None
    bsns = [p.burgerservicenummer for p in brp.bewoners(johan.adresseerbaar_object_identificatie)]
    assert bsns == ["999990329"]


def test_testpersonen_have_an_address_in_file_order(brp: BestandsBrp) -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    with_address = [
        p["burgerservicenummer"]
        for p in raw["personen"]
        if p.get("verblijfplaats", {}).get("type") == "Adres"
    ]
    assert [p.burgerservicenummer for p in brp.testpersonen()] == with_address
    emigrated = persoon(brp, "999990354")
    assert emigrated.verblijfadres is None
    assert emigrated.adresseerbaar_object_identificatie is None
    assert emigrated.gemeente_van_inschrijving == "1999"
    assert emigrated not in brp.testpersonen()


def test_leeftijd_around_the_birthday() -> None:
    p = Persoon("999990007", "A", None, "B", date(2010, 5, 20), None, None, None, None, (), (), ())
    assert p.leeftijd(date(2026, 5, 19)) == 15
    assert p.leeftijd(date(2026, 5, 20)) == 16
    assert p.leeftijd(date(2026, 11, 27)) == 16


def test_leeftijd_born_on_29_february() -> None:
    p = Persoon("999990007", "A", None, "B", date(2008, 2, 29), None, None, None, None, (), (), ())
    assert p.leeftijd(date(2026, 2, 28)) == 17
    assert p.leeftijd(date(2026, 3, 1)) == 18


def test_minimal_person_parses(tmp_path: Path) -> None:
    brp = BestandsBrp(
        write(
            tmp_path,
            [
                {
                    "burgerservicenummer": "999990007",
                    "naam": {"geslachtsnaam": "Jansen"},
                    "geboorte": {"datum": {"type": "Datum", "datum": "1990-04-02"}},
                }
            ],
        )
    )
    p = persoon(brp, "999990007")
    assert p.naam() == "Jansen"
    assert p.geslacht is None
    assert p.verblijfadres is None
    assert p.gemeente_van_inschrijving is None
    assert (p.partners, p.kinderen, p.ouders, p.curatele) == ((), (), (), False)
    assert brp.testpersonen() == []


def test_incomplete_birth_date_takes_the_last_possible_day(tmp_path: Path) -> None:
    brp = BestandsBrp(
        write(
            tmp_path,
            [
                {
                    "burgerservicenummer": "999990007",
                    "geboorte": {"datum": {"type": "JaarMaandDatum", "jaar": 2010, "maand": 2}},
                },
                {
                    "burgerservicenummer": "999990019",
                    "geboorte": {"datum": {"type": "JaarDatum", "jaar": 2010}},
                },
            ],
        )
    )
    assert persoon(brp, "999990007").geboortedatum == date(2010, 2, 28)
    assert persoon(brp, "999990019").geboortedatum == date(2010, 12, 31)


def test_unknown_birth_date_is_an_error_without_the_full_bsn(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [{"burgerservicenummer": "999990007", "geboorte": {"datum": {"type": "DatumOnbekend"}}}],
    )
    with pytest.raises(BrpDataError) as exc:
        BestandsBrp(path)
    assert "999990007" not in str(exc.value)


def test_dissolved_and_bsn_less_partners_are_skipped(tmp_path: Path) -> None:
    brp = BestandsBrp(
        write(
            tmp_path,
            [
                {
                    "burgerservicenummer": "999990007",
                    "geboorte": {"datum": {"datum": "1980-01-01"}},
                    "partners": [
                        {
                            "burgerservicenummer": "999990019",
                            "soortVerbintenis": {"code": "H"},
                            "ontbindingHuwelijkPartnerschap": {
                                "datum": {"type": "Datum", "datum": "2015-03-01"}
                            },
                        },
                        {"naam": {"geslachtsnaam": "Smith"}, "soortVerbintenis": {"code": "P"}},
                    ],
                    "kinderen": [{"naam": {"voornamen": "Zonder BSN"}}],
                }
            ],
        )
    )
    p = persoon(brp, "999990007")
    assert p.partners == ()
    assert p.kinderen == ()


def test_address_parts_are_normalised(tmp_path: Path) -> None:
    brp = BestandsBrp(
        write(
            tmp_path,
            [
                {
                    "burgerservicenummer": "999990007",
                    "geboorte": {"datum": {"type": "Datum", "datum": "1990-04-02"}},
                    "verblijfplaats": {
                        "type": "Adres",
                        "verblijfadres": {
                            "officieleStraatnaam": "Grondelstraat",
                            "huisnummer": 12,
                            "huisletter": "",
                            "postcode": "3083 ab",
                            "woonplaats": "Rotterdam",
                        },
                        "adresseerbaarObjectIdentificatie": "0599010000100155",
                    },
                }
            ],
        )
    )
    adres = persoon(brp, "999990007").verblijfadres
    assert adres is not None
    assert adres.postcode == "3083AB"
    assert adres.huisletter is None
    assert [p.burgerservicenummer for p in brp.bewoners("0599010000100155")] == ["999990007"]


def test_duplicate_bsn_is_refused(tmp_path: Path) -> None:
    person = {"burgerservicenummer": "999990007", "geboorte": {"datum": {"datum": "1990-04-02"}}}
    with pytest.raises(BrpDataError):
        BestandsBrp(write(tmp_path, [person, person]))
