"""The realistic scenarios of DOMAIN.md section 8, through the ASGI app."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.conftest import CONFIG_DIR, GEMEENTEN, TODAY
from tests.driver import PDF, PNG, address_form, complete_journey, moving_date, run_until
from webapp.config.loader import load_dir
from webapp.storage.models import LinkedRequest, Submission
from webapp.testing.testdata import resident_data

SANNE = "999990007"  # lives in Utrecht, rents in Tarwewijk
KEES = "999990019"  # married to Marieke (999990020), buys in Hillesluis
RUUD = "999990032"  # Mathenesserweg, moves to Carnisse
LOTTE = "999990044"  # lives with her parents, moves in with her aunt
THIJS = "999990093"  # unmarried partner of Noor de Boer
JEROEN = "999990123"  # Den Haag family
JULIA = "999990172"  # student, rents a room with 4 registered
BRAM = "999990196"  # one of the 4 registered at that room's address
GERDA = "999990238"  # Voorbeeldstad, single

TARWEWIJK = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "A"}
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
CARNISSE = {"postcode": "3084BN", "huisnummer": 120}
TANTE = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "B"}
KRALINGEN = {"postcode": "3062LG", "huisnummer": 12}
LAAKKADE = {"postcode": "2521XZ", "huisnummer": 300}
KAMER = {"postcode": "3514CD", "huisnummer": 36}
OUDEGRACHT = {"postcode": "3511NT", "huisnummer": 230}
# The free address of each gemeente, as every driver uses it (webapp.testing.testdata).
FREE = {slug: resident_data().free_address(g) for slug, g in load_dir(CONFIG_DIR).items()}
LOGIN = {"rotterdam": SANNE, "utrecht": SANNE, "den-haag": SANNE, "voorbeeld": SANNE}


def submissions(app) -> list[Submission]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(Submission)).all())


def linked(app) -> list[LinkedRequest]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(LinkedRequest)).all())


def start(resident, app, slug: str, bsn: str):
    r = resident(slug)
    r.login(bsn)
    return r, app.state.services.gemeenten[slug]


# -- Rotterdam -----------------------------------------------------------------------------


def test_rotterdam_tenant_in_tarwewijk_applies_for_permit_with_the_move(resident, app):
    r, g = start(resident, app, "rotterdam", SANNE)
    run_until(r, g, "vergunning", TODAY, TARWEWIJK)
    assert "huisvestingsvergunning" in r.text()
    complete_journey(
        r, g, TODAY, TARWEWIJK, overrides={"vergunning": ({"keuze": "aanvragen"}, None)}
    )
    assert r.history[:6] == [
        "situatie",
        "verhuisdatum",
        "adres",
        "meeverhuizers",
        "woonsituatie",
        "vergunning",
    ]
    assert "documenten" in r.history
    [submission] = submissions(app)
    assert submission.answers["stappen"]["documenten"]["bestanden"].keys() == {"huurcontract"}
    [request] = linked(app)
    assert request.soort == "huisvestingsvergunning" and request.submission_id == submission.id
    assert "een huisvestingsvergunning" in r.text()


def test_rotterdam_already_has_a_permit_gives_its_number(resident, app):
    r, g = start(resident, app, "rotterdam", SANNE)
    run_until(r, g, "vergunning", TODAY, TARWEWIJK)
    r.answer({"keuze": "heb_al", "nummer": ""})
    assert r.status == 422
    assert r.errors() == ["Vul het nummer van uw huisvestingsvergunning in."]
    r.answer({"keuze": "heb_al", "nummer": "12"})
    assert r.status == 422 and "HVV-2026-012345" in r.errors()[0]
    complete_journey(
        r,
        g,
        TODAY,
        TARWEWIJK,
        overrides={"vergunning": ({"keuze": "heb_al", "nummer": "hvv-2026-012345"}, None)},
    )
    [submission] = submissions(app)
    assert submission.answers["stappen"]["vergunning"] == {
        "keuze": "heb_al",
        "nummer": "HVV-2026-012345",
    }
    assert linked(app) == []


def test_rotterdam_couple_buys_in_hillesluis_partner_from_brp(resident, app):
    r, g = start(resident, app, "rotterdam", KEES)
    run_until(r, g, "meeverhuizers", TODAY, HILLESLUIS)
    assert "Marieke Visser" in r.text()
    r.answer({"personen": ["999990020"]})
    r.answer({"woonvorm": "koop"})
    assert r.step == "documenten"  # no permit for buying
    assert "Akte van levering" in r.text()
    assert "Huurcontract" not in r.text()
    complete_journey(r, g, TODAY, HILLESLUIS)
    assert "vergunning" not in r.history
    [submission] = submissions(app)
    [partner] = submission.answers["stappen"]["meeverhuizers"]["personen"]
    assert partner["bsn"] == "999990020" and partner["grond"] == "partner"
    assert set(submission.answers["stappen"]["documenten"]["bestanden"]) == {"akte_van_levering"}


def test_rotterdam_moving_within_permit_areas_needs_a_new_permit(resident, app):
    r, g = start(resident, app, "rotterdam", RUUD)
    run_until(r, g, "woonsituatie", TODAY, CARNISSE)
    r.answer({"woonvorm": "huur"})
    assert r.step == "vergunning"


def test_rotterdam_moving_in_with_aunt_who_rents(resident, app):
    r, g = start(resident, app, "rotterdam", LOTTE)
    run_until(r, g, "woonsituatie", TODAY, TANTE)
    r.answer({"woonvorm": "inwonen"})
    assert r.step == "hoofdbewoner_huurt"
    r.answer({"waarde": "ja"})
    assert r.step == "documenten"
    for title in (
        "Verklaring van inwoning",
        "identiteitsbewijs van de hoofdbewoner",
        "Verhuurdersverklaring",
    ):
        assert title in r.text()
    r.answer({}, {"doc-verklaring_inwoning": ("verklaring.pdf", PDF, "application/pdf")})
    assert r.status == 422
    assert sorted(r.errors()) == sorted(
        [
            "Kies een bestand voor: Kopie van het identiteitsbewijs van de hoofdbewoner.",
            "Kies een bestand voor: Verhuurdersverklaring van de verhuurder van de hoofdbewoner.",
        ]
    )
    # the valid file of the first attempt is kept: only the missing ones are asked again
    r.answer(
        {},
        {
            "doc-id_hoofdbewoner": ("id.png", PNG, "image/png"),
            "doc-verhuurdersverklaring": ("vv.pdf", PDF, "application/pdf"),
        },
    )
    assert (
        r.status == 422
    )  # nothing was stored on the failed attempt, so the first file is asked again
    r.answer(
        {},
        {
            "doc-verklaring_inwoning": ("verklaring.pdf", PDF, "application/pdf"),
            "doc-id_hoofdbewoner": ("id.png", PNG, "image/png"),
            "doc-verhuurdersverklaring": ("vv.pdf", PDF, "application/pdf"),
        },
    )
    assert r.step == "contact"
    complete_journey(r, g, TODAY, TANTE)
    assert "vergunning" not in r.history  # inwonen needs no permit in this configuration


def test_rotterdam_unmarried_partner_is_told_to_report_separately(resident, app):
    r, g = start(resident, app, "rotterdam", THIJS)
    run_until(r, g, "meeverhuizers", TODAY, KRALINGEN)
    assert "Noor de Boer" in r.text()
    assert 'value="999990111"' not in r.page  # not offered as a co-mover
    assert "zelf door" in r.text()
    r.answer({"personen": ["999990111"]})  # a forged choice
    assert r.status == 422
    assert r.errors() == ["U kunt alleen de getoonde personen meenemen in uw melding."]


# -- Den Haag and Utrecht ------------------------------------------------------------------


def test_den_haag_family_with_adult_son_and_middenhuur_permit(resident, app):
    r, g = start(resident, app, "den-haag", JEROEN)
    run_until(r, g, "meeverhuizers", TODAY, LAAKKADE)
    offered = re.findall(r'name="personen" value="(\d+)"', r.page)
    assert set(offered) == {"999990135", "999990147", "999990159", "999990160"}
    r.answer({"personen": offered})
    r.answer({"woonvorm": "huur"})
    assert r.step == "huurprijs"
    r.answer({"waarde": "1.050,00"})
    assert r.step == "vergunning"
    assert "12 m2" in r.text()
    complete_journey(r, g, TODAY, LAAKKADE)
    [submission] = submissions(app)
    assert len(submission.answers["stappen"]["meeverhuizers"]["personen"]) == 4
    assert submission.answers["stappen"]["huurprijs"]["waarde"] == 1050.0
    assert set(submission.answers["stappen"]["documenten"]["bestanden"]) == {
        "huurcontract",
        "inkomensverklaring",
    }
    assert submission.signalen == []  # 95 m2 for 5 people is 19 m2 each


def test_den_haag_rent_above_limit_needs_no_permit(resident, app):
    r, g = start(resident, app, "den-haag", SANNE)
    run_until(
        r, g, "huurprijs", TODAY, LAAKKADE, overrides={"woonsituatie": ({"woonvorm": "huur"}, None)}
    )
    r.answer({"waarde": "1500"})
    assert r.step == "documenten"


def test_utrecht_student_rents_room_where_four_are_registered(resident, app):
    r, g = start(resident, app, "utrecht", JULIA)
    run_until(r, g, "woonsituatie", TODAY, KAMER)
    r.answer({"woonvorm": "huur"})
    # Four are registered there: one of them is the hoofdbewoner, who consents online.
    assert r.step == "hoofdbewoner"
    assert "B. Dekker" in r.text() and "999990196" not in r.text()
    r.answer({"hoofdbewoner": BRAM})
    r.answer({"waarde": "kamer"})
    assert r.step == "documenten"  # rooms need no permit and no rent question
    assert "Toestemming van de hoofdbewoner" not in r.text()  # no paper: consent is online
    complete_journey(r, g, TODAY, KAMER)
    assert "vergunning" not in r.history and "huurprijs" not in r.history
    [submission] = submissions(app)
    assert set(submission.answers["stappen"]["documenten"]["bestanden"]) == {"huurcontract"}
    assert "wacht op de toestemming van de hoofdbewoner" in r.text()


# -- Any gemeente: bad input ---------------------------------------------------------------


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_dates_outside_the_window(slug, resident, app):
    r, g = start(resident, app, slug, LOGIN[slug])
    run_until(r, g, "verhuisdatum", TODAY, FREE[slug])
    r.answer(moving_date(TODAY, 42))
    assert r.status == 422
    assert "hooguit 4 weken van tevoren" in r.errors()[0]  # the shipped weken_vooruit: 4
    assert re.search(r'id="jaar"[^>]*value="2027"', r.page)  # typed values stay
    r.answer(moving_date(TODAY, -10))
    if g.datum.te_laat == "weigeren":
        assert r.status == 422
        assert "tot 5 dagen na de verhuisdatum" in r.errors()[0]
    else:
        assert r.status == 200 and r.step == "adres"
        r.get(f"/{slug}/stap/verhuisdatum")
        assert r.step == "verhuisdatum"


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_address_errors_are_specific(slug, resident, app):
    r, g = start(resident, app, slug, LOGIN[slug])
    run_until(r, g, "adres", TODAY, FREE[slug])
    r.answer(*address_form("3011 SS", "0"))
    assert r.status == 422
    postcode_error, huisnummer_error = r.errors()
    assert postcode_error.startswith("Deze postcode bestaat niet") and "SS" in postcode_error
    assert "huisnummer" in huisnummer_error.lower()
    assert 'value="3011 SS"' in r.page  # typed values stay
    assert 'aria-invalid="true"' in r.page
    r.answer(*address_form("12345", "12"))
    assert r.status == 422 and "postcode" in r.errors()[0].lower()
    r.answer(*address_form("3083 AB", "13"))
    assert r.status == 422 and "niet vinden" in r.errors()[0]
    r.answer(*address_form("1073 LS", "100"))  # Amsterdam
    assert r.status == 422
    assert "gemeente Amsterdam" in r.errors()[0]
    r.answer(*address_form("3083ab", "12"))  # two letters at this number
    assert r.status == 422 and "12A" in r.errors()[0] and "12B" in r.errors()[0]


def test_late_report_in_rotterdam_registers_today(resident, app):
    r, g = start(resident, app, "rotterdam", SANNE)
    run_until(r, g, "verhuisdatum", TODAY, KRALINGEN)
    r.answer(moving_date(TODAY, -10))
    run_until(r, g, "controleren", TODAY, KRALINGEN)
    assert "later door dan de wet toestaat" in r.text()
    assert "te laat doorgegeven; als verhuisdatum geldt 27 november 2026" in r.text()
    complete_journey(r, g, TODAY, KRALINGEN)
    [submission] = submissions(app)
    assert submission.answers["stappen"]["verhuisdatum"] == {
        "datum": "2026-11-17",
        "te_laat": True,
        "geregistreerde_datum": "2026-11-27",
    }


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_moving_abroad_is_explained_not_handled(slug, resident, app):
    r, g = start(resident, app, slug, LOGIN[slug])
    r.answer({"waarde": "emigratie"})
    assert r.url.endswith(f"/{slug}/einde")
    assert g.links.emigratie in r.page
    r.get(f"/{slug}/stap/verhuisdatum")  # cannot continue past a stop
    assert r.url.endswith(f"/{slug}/einde")


def test_the_named_free_addresses_are_the_drivers_free_addresses():
    voorbeeld = {"postcode": "9992EF", "huisnummer": 22, "huisnummertoevoeging": "1"}
    for slug, named in (
        ("rotterdam", KRALINGEN),
        ("utrecht", OUDEGRACHT),
        ("den-haag", LAAKKADE),
        ("voorbeeld", voorbeeld),
    ):
        assert {k: FREE[slug][k] for k in named} == named
