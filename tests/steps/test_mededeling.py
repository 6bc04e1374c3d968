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
LARGE = address_form("9991 CD", "15")  # 130 m2
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


def test_a_small_dwelling_skips_the_notice(client):
    r, gemeente = start(client)
    free = resident_data().free_address(gemeente)
    run_until(r, gemeente, "woonsituatie", TODAY, free, {"adres": SMALL})
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
