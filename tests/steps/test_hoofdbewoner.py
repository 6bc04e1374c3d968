"""The hoofdbewoner step: who may be chosen, online or on paper (voorbeeld.yaml offers both,
``papier: true``), and what its configuration must say. The whole consent, from report to
decision, is in tests/web/test_toestemming.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import CONFIG_DIR, TODAY
from tests.driver import Resident, address_form, run_until
from tests.web.test_journeys import resident_from_elsewhere
from webapp.config.loader import ConfigError, load_text
from webapp.registers.brp import BestandsBrp
from webapp.steps.hoofdbewoner import may_consent, short_name
from webapp.testing.testdata import resident_data

VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
MOLENWEG = address_form("9991 CD", "15")  # Martijn Kok, Saskia Vermeulen and Lucas Kok (16)
MOLENWEG_ID = "9999010000100303"
MARTIJN = "999990251"
SASKIA = "999990263"


def inwonen(client) -> tuple[Resident, object]:
    gemeente = client.app.state.services.gemeenten["voorbeeld"]
    r = Resident(client, "voorbeeld")
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    free = resident_data().free_address(gemeente)
    run_until(r, gemeente, "woonsituatie", TODAY, free, {"adres": MOLENWEG})
    r.answer({"woonvorm": "inwonen"})
    assert r.step == "hoofdbewoner"
    return r, gemeente


def test_adults_only_and_the_choice_of_paper(client):
    r, _gemeente = inwonen(client)
    page = r.text()
    assert "M. Kok" in page and "S. Vermeulen" in page
    assert "L. Kok" not in page  # 16: no hoofdbewoner
    assert 'name="wijze"' in r.page  # papier: true
    r.answer({"hoofdbewoner": MARTIJN})
    assert r.status == 422 and r.errors() == ["Kies hoe de hoofdbewoner toestemming geeft."]
    assert f'value="{MARTIJN}" checked' in r.page  # the choice is kept
    r.answer({"hoofdbewoner": MARTIJN, "wijze": "papier"})
    assert r.step == "documenten"
    assert "Toestemming van de hoofdbewoner" in r.text()


def test_online_needs_no_statement(client):
    r, _gemeente = inwonen(client)
    r.answer({"hoofdbewoner": SASKIA, "wijze": "online"})
    # Nothing to upload when moving in online: past the documents, to the parking question.
    assert r.status == 200 and r.step == "parkeren"
    assert "documenten" not in r.history


def test_who_may_consent():
    brp = BestandsBrp()
    martijn = brp.raadpleeg(MARTIJN)
    assert martijn is not None
    assert short_name(martijn) == "M. Kok"
    assert may_consent(martijn, MOLENWEG_ID, {"999990007"}, TODAY)
    assert not may_consent(martijn, "9999010000999999", set(), TODAY)  # lives elsewhere
    assert not may_consent(martijn, MOLENWEG_ID, {MARTIJN}, TODAY)  # moves in himself
    assert not may_consent(replace(martijn, curatele=True), MOLENWEG_ID, set(), TODAY)
    eighteen_today = replace(martijn, geboortedatum=TODAY.replace(year=TODAY.year - 18))
    assert may_consent(eighteen_today, MOLENWEG_ID, set(), TODAY)
    tomorrow = TODAY + timedelta(days=1)
    almost = replace(martijn, geboortedatum=tomorrow.replace(year=tomorrow.year - 18))
    assert not may_consent(almost, MOLENWEG_ID, set(), TODAY)


def with_step(extra: str, *, without_address: bool = False) -> str:
    text = VOORBEELD.replace(
        "    papier: true\n    termijn_dagen: 14\n", "    papier: true\n" + extra, 1
    )
    if without_address:
        text = text.replace("  - id: adres\n    type: nieuw_adres\n", "", 1)
    return text


@pytest.mark.parametrize(
    ("extra", "needle", "message"),
    [
        ("    termijn_dagen: 0\n", "termijn_dagen:", "verwacht een getal minstens 1"),
        ("    termijn_dagen: 120\n", "termijn_dagen:", "verwacht een getal hoogstens 90"),
        ("    email: true\n", "email: true", "bevestiging.afzender"),
    ],
)
def test_a_wrong_hoofdbewoner_step_names_its_line(extra, needle, message):
    text = with_step(extra)
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems
    assert message in problem.message
    start = next(i for i, s in enumerate(text.splitlines(), 1) if "id: hoofdbewoner" in s)
    assert problem.line == next(
        i for i, s in enumerate(text.splitlines(), 1) if i > start and needle in s
    )


def test_the_step_needs_a_new_address_before_it():
    with pytest.raises(ConfigError) as info:
        load_text(with_step("", without_address=True), "test", "test.yaml")
    assert any("nieuw_adres" in p.message for p in info.value.problems)
