"""Who may report for whom (Wet BRP), on hand-made persons and on the test BRP."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.domain.household import (
    REDEN_CURATELE,
    Grond,
    Huisgenoot,
    huisgenoten,
    mag_zelf_melden,
)
from webapp.registers.brp import BestandsBrp, Persoon, Relatie

OP = date(2026, 11, 27)
AANGEVER_BSN = "999990007"


def persoon(
    bsn: str,
    geboren: date,
    *,
    naam: str = "Test",
    partners: tuple[Relatie, ...] = (),
    kinderen: tuple[Relatie, ...] = (),
    ouders: tuple[Relatie, ...] = (),
    curatele: bool = False,
) -> Persoon:
    return Persoon(
        burgerservicenummer=bsn,
        voornamen=naam,
        voorvoegsel=None,
        geslachtsnaam="Jansen",
        geboortedatum=geboren,
        geslacht=None,
        verblijfadres=None,
        adresseerbaar_object_identificatie="0599010000100155",
        gemeente_van_inschrijving="0599",
        partners=partners,
        kinderen=kinderen,
        ouders=ouders,
        curatele=curatele,
    )


def aangever(
    *,
    partners: tuple[Relatie, ...] = (),
    kinderen: tuple[Relatie, ...] = (),
    ouders: tuple[Relatie, ...] = (),
) -> Persoon:
    return persoon(
        AANGEVER_BSN,
        date(1980, 6, 1),
        naam="Aangever",
        partners=partners,
        kinderen=kinderen,
        ouders=ouders,
    )


def only(aangever_: Persoon, bewoner: Persoon, op: date = OP) -> Huisgenoot:
    [h] = huisgenoten(aangever_, [aangever_, bewoner], op)
    assert h.persoon == bewoner
    assert h.reden
    return h


def kind_van_aangever(geboren: date) -> tuple[Persoon, Persoon]:
    kind = persoon("999990019", geboren, ouders=(Relatie(AANGEVER_BSN, "ouder"),))
    return aangever(kinderen=(Relatie("999990019", "kind"),)), kind


# --- mag_zelf_melden ---------------------------------------------------------------------


def test_mag_zelf_melden_from_the_16th_birthday() -> None:
    p = persoon("999990019", date(2010, 11, 27))
    assert mag_zelf_melden(p, date(2026, 11, 27))
    assert not mag_zelf_melden(p, date(2026, 11, 26))


# --- each ground ------------------------------------------------------------------------


@pytest.mark.parametrize("soort", ["partner_huwelijk", "partner_geregistreerd"])
def test_partner(soort: str) -> None:
    partner = persoon("999990019", date(1982, 1, 25))
    h = only(aangever(partners=(Relatie("999990019", soort),)), partner)
    assert h.grond is Grond.PARTNER
    assert "hetzelfde adres" in h.reden


def test_partner_known_only_from_the_partner_side() -> None:
    partner = persoon(
        "999990019", date(1982, 1, 25), partners=(Relatie(AANGEVER_BSN, "partner_huwelijk"),)
    )
    assert only(aangever(), partner).grond is Grond.PARTNER


@pytest.mark.parametrize(
    ("geboren", "grond"),
    [
        (date(2018, 3, 10), Grond.KIND_ONDER_16),
        (date(2010, 11, 28), Grond.KIND_ONDER_16),  # 15, turns 16 tomorrow
        (date(2010, 11, 27), Grond.KIND_16_17),  # 16 today
        (date(2008, 11, 28), Grond.KIND_16_17),  # 17, turns 18 tomorrow
        (date(2008, 11, 27), Grond.MEERDERJARIG_KIND),  # 18 today
        (date(2007, 4, 14), Grond.MEERDERJARIG_KIND),
    ],
)
def test_kind_by_age(geboren: date, grond: Grond) -> None:
    ouder, kind = kind_van_aangever(geboren)
    assert only(ouder, kind).grond is grond


def test_kind_16_17_may_also_report_themselves() -> None:
    ouder, kind = kind_van_aangever(date(2010, 5, 20))
    h = only(ouder, kind)
    assert h.grond is Grond.KIND_16_17
    assert "ook zelf" in h.reden


def test_kind_known_only_from_the_childs_side() -> None:
    kind = persoon("999990019", date(2018, 3, 10), ouders=(Relatie(AANGEVER_BSN, "ouder"),))
    assert only(aangever(), kind).grond is Grond.KIND_ONDER_16


def test_ouder_for_an_adult_aangever() -> None:
    ouder = persoon("999990019", date(1955, 5, 5), kinderen=(Relatie(AANGEVER_BSN, "kind"),))
    h = only(aangever(ouders=(Relatie("999990019", "ouder"),)), ouder)
    assert h.grond is Grond.OUDER


@pytest.mark.parametrize(
    ("op", "grond"),
    [(date(2026, 11, 26), None), (date(2026, 11, 27), Grond.OUDER)],
)
def test_ouder_only_from_the_aangevers_18th_birthday(op: date, grond: Grond | None) -> None:
    jong = persoon("999990007", date(2008, 11, 27), ouders=(Relatie("999990019", "ouder"),))
    ouder = persoon("999990019", date(1975, 5, 5), kinderen=(Relatie("999990007", "kind"),))
    h = only(jong, ouder, op)
    assert h.grond is grond
    if grond is None:
        assert "jonger dan 18" in h.reden


# --- not allowed -----------------------------------------------------------------------


def test_unmarried_partner_reports_separately() -> None:
    h = only(aangever(), persoon("999990019", date(1982, 1, 25)))
    assert h.grond is None
    assert "Samenwonende partners" in h.reden
    assert "zelf door" in h.reden


def test_someone_elses_child_is_not_offered() -> None:
    h = only(aangever(), persoon("999990019", date(2018, 3, 10)))
    assert h.grond is None
    assert "ouder of voogd" in h.reden


def test_curatele_wins_over_any_relation() -> None:
    partner = persoon("999990019", date(1950, 9, 1), curatele=True)
    h = only(aangever(partners=(Relatie("999990019", "partner_huwelijk"),)), partner)
    assert h.grond is None
    assert h.reden == REDEN_CURATELE


# --- the list --------------------------------------------------------------------------


def test_aangever_is_left_out_and_allowed_come_first_oldest_first() -> None:
    partner = persoon("999990019", date(1982, 1, 25), naam="Partner")
    jong_kind = persoon("999990020", date(2018, 3, 10), naam="Jong")
    oud_kind = persoon("999990032", date(2012, 3, 10), naam="Oud")
    kamerhuurder = persoon("999990044", date(1999, 1, 1), naam="Huurder")
    opa = persoon("999990056", date(1940, 1, 1), naam="Opa", curatele=True)
    a = aangever(
        partners=(Relatie("999990019", "partner_huwelijk"),),
        kinderen=(Relatie("999990020", "kind"), Relatie("999990032", "kind")),
    )
    result = huisgenoten(a, [jong_kind, kamerhuurder, a, opa, oud_kind, partner], OP)
    assert [h.persoon.voornamen for h in result] == ["Partner", "Oud", "Jong", "Opa", "Huurder"]
    assert [h.grond for h in result] == [
        Grond.PARTNER,
        Grond.KIND_ONDER_16,
        Grond.KIND_ONDER_16,
        None,
        None,
    ]


def test_alone_at_the_address() -> None:
    a = aangever()
    assert huisgenoten(a, [a], OP) == []
    assert huisgenoten(a, [], OP) == []


def test_grond_values_are_stable_strings() -> None:
    # Stored in drafts and submissions: renaming a value breaks saved data.
    assert [str(g) for g in Grond] == [
        "partner",
        "kind_onder_16",
        "kind_16_17",
        "meerderjarig_kind",
        "ouder",
    ]


# --- the scenarios on the test BRP -----------------------------------------------------


@pytest.fixture(scope="module")
def brp() -> BestandsBrp:
    return BestandsBrp()


def household_of(brp: BestandsBrp, bsn: str) -> list[tuple[str, Grond | None]]:
    p = brp.raadpleeg(bsn)
    assert p is not None and p.adresseerbaar_object_identificatie is not None
    result = huisgenoten(p, brp.bewoners(p.adresseerbaar_object_identificatie), OP)
    return [(h.persoon.naam(), h.grond) for h in result]


def test_den_haag_family(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990123") == [
        ("Esther Bos", Grond.PARTNER),
        ("Daan van den Berg", Grond.MEERDERJARIG_KIND),
        ("Emma van den Berg", Grond.KIND_ONDER_16),
        ("Finn van den Berg", Grond.KIND_ONDER_16),
    ]


def test_adult_son_may_report_his_parents(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990147") == [
        ("Jeroen van den Berg", Grond.OUDER),
        ("Esther Bos", Grond.OUDER),
        ("Emma van den Berg", None),
        ("Finn van den Berg", None),
    ]


def test_married_couple(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990019") == [("Marieke Visser", Grond.PARTNER)]


def test_unmarried_couple(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990093") == [("Noor de Boer", None)]


def test_registered_partners_with_a_16_year_old(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990251") == [
        ("Saskia Vermeulen", Grond.PARTNER),
        ("Lucas Kok", Grond.KIND_16_17),
    ]


def test_fifteen_year_old_and_her_mother(brp: BestandsBrp) -> None:
    mila = brp.raadpleeg("999990299")
    assert mila is not None and not mag_zelf_melden(mila, OP)
    assert household_of(brp, "999990287") == [("Mila Wouters", Grond.KIND_ONDER_16)]


def test_spouse_under_curatele(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990305") == [("Wim de Graaf", None)]


def test_partner_at_another_address_is_not_offered(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990329") == []


def test_room_address_housemates_report_themselves(brp: BestandsBrp) -> None:
    assert household_of(brp, "999990196") == [
        ("Tim Koster", None),
        ("Yara Peters", None),
        ("Sophie Brouwer", None),
    ]
