"""The notice step (mededeling): information only, shown when its condition holds, with
nothing to answer and nothing on the check-answers page; voorbeeld.yaml uses it for a large
dwelling with few residents."""

from __future__ import annotations

import pytest

from tests.conftest import CONFIG_DIR, TODAY
from tests.driver import Resident, address_form, run_until
from tests.web.test_journeys import resident_from_elsewhere
from webapp.config.loader import ConfigError, load_text
from webapp.testing.testdata import resident_data

VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
LARGE = address_form("9991 CD", "21")  # 110 m2, nobody registered
FULL = address_form("9991 CD", "15")  # 130 m2, three registered: enough after the move
SMALL = address_form("9992 EF", "22", toevoeging="1")  # 55 m2


def start(client) -> tuple[Resident, object]:
    gemeente = client.app.state.services.gemeenten["voorbeeld"]
    r = Resident(client, "voorbeeld")
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    return r, gemeente


def test_a_large_dwelling_for_one_person_shows_the_notice(client):
    r, gemeente = start(client)
    free = resident_data().free_address(gemeente)
    run_until(r, gemeente, "grote_woning", TODAY, free, {"adres": LARGE})
    page = r.text()
    assert "Een grote woning vraagt genoeg bewoners" in page
    assert "ten minste 3 mensen" in page and "Wij nemen contact met u op" in page
    assert "utrecht-alert--warning" in r.page  # waarschuwing: true
    assert 'href="https://www.voorbeeldstad.example/woonruimte"' in r.page
    assert "<fieldset" not in r.page  # nothing to answer
    r.answer({})
    assert r.status == 200 and r.step == "woonsituatie"
    # The notice is part of the path but has no row on the check-answers page.
    run_until(r, gemeente, "controleren", TODAY, free, {"adres": LARGE})
    assert "grote_woning" in r.history
    assert "Een grote woning" not in r.text()


@pytest.mark.parametrize("adres", [SMALL, FULL], ids=["small", "large-with-residents"])
def test_a_small_or_well_filled_dwelling_skips_the_notice(client, adres):
    r, gemeente = start(client)
    free = resident_data().free_address(gemeente)
    run_until(r, gemeente, "woonsituatie", TODAY, free, {"adres": adres})
    assert "grote_woning" not in r.history


def notice(extra: str) -> str:
    step = (
        "  - id: let_op\n    type: mededeling\n    titel: Let op\n"
        "    tekst: [Een alinea.]\n" + extra
    )
    return VOORBEELD.replace("  - id: contact\n", step + "  - id: contact\n", 1)


@pytest.mark.parametrize(
    ("extra", "needle", "message"),
    [
        ("    link: https://voorbeeld.example/x\n", "link:", "geef link en link_tekst samen"),
        ("    link: http://voorbeeld.example/x\n    link_tekst: X\n", "link:", "https://"),
        ("    waarschuwing: misschien\n", "waarschuwing:", "true of false"),
    ],
)
def test_a_wrong_notice_names_its_line(extra, needle, message):
    text = notice(extra)
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems
    assert message in problem.message
    start_line = next(i for i, s in enumerate(text.splitlines(), 1) if "id: let_op" in s)
    assert problem.line == next(
        i for i, s in enumerate(text.splitlines(), 1) if i > start_line and needle in s
    )


def test_a_notice_needs_text_and_cannot_be_a_condition():
    with pytest.raises(ConfigError) as info:
        load_text(
            notice("").replace("    tekst: [Een alinea.]\n", "    tekst: []\n"), "t", "t.yaml"
        )
    assert "tekst" in info.value.problems[0].path
    text = notice("").replace(
        "  - id: contact\n", "  - id: contact\n    als: {antwoord: let_op, is: ja}\n", 1
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, "t", "t.yaml")
    assert "heeft geen antwoord" in info.value.problems[0].message


# -- notices inside a step (mededelingen) -----------------------------------------------------

HUUR_NOTICE = "Staat het huurcontract nog niet op uw naam?"


@pytest.mark.parametrize(("woonvorm", "shown"), [("huur", True), ("koop", False)])
def test_a_notice_inside_a_step_follows_its_condition(client, woonvorm, shown):
    r, gemeente = start(client)
    free = resident_data().free_address(gemeente)
    run_until(
        r,
        gemeente,
        "documenten",
        TODAY,
        free,
        {"adres": SMALL, "woonsituatie": ({"woonvorm": woonvorm}, None)},
    )
    assert (HUUR_NOTICE in r.text()) is shown
    if shown:  # above the button, inside the form, after the question
        form = r.page.split('data-step-id="documenten"')[1]
        assert form.index(HUUR_NOTICE) < form.index("Volgende stap")
        assert form.index("Bewijsstukken uploaden") < form.index(HUUR_NOTICE)


def test_a_notice_condition_must_name_an_earlier_step():
    text = VOORBEELD.replace(
        "      - als: {antwoord: woonsituatie, is: huur}\n",
        "      - als: {antwoord: contact, is: ja}\n",
        1,
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems
    assert problem.path.endswith(".mededelingen[0].als")
    assert "niet eerder" in problem.message
    assert "antwoord: contact" in text.splitlines()[problem.line - 1]
