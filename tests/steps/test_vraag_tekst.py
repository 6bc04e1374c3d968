"""Text questions with a form: a pattern (a kenteken, a reference), a maximum length, capitals,
and the gemeente's own error texts; voorbeeld.yaml asks for a kenteken after the parking permit
(its scenario file answers it, wrong and right)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, run_until
from tests.web.test_journeys import resident_from_elsewhere
from webapp.config.loader import ConfigError, load_text
from webapp.steps import registry
from webapp.steps.base import FormInput
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

SHIPPED = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
_KENTEKEN = re.compile(r"^  - id: kenteken\n(?:    .*\n)+", re.M)


def documented_question() -> str:
    """The kenteken question as voorbeeld.yaml ships it."""
    match = _KENTEKEN.search(SHIPPED)
    assert match, "voorbeeld.yaml has a text question with a pattern"
    return match.group(0)


VOORBEELD = SHIPPED.replace(documented_question(), "", 1)
"""voorbeeld.yaml without its kenteken question, for the tests that put their own in."""


def with_question(question: str, after: str = "  - id: contact\n") -> str:
    """voorbeeld.yaml with ``question`` (YAML of one step) inserted before the step ``after``."""
    assert after in VOORBEELD
    return VOORBEELD.replace(after, question + after, 1)


def problems(text: str) -> list:
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_documented_example_loads():
    gemeente = load_text(SHIPPED, "voorbeeld", "voorbeeld.yaml")
    kenteken = gemeente.step("kenteken")
    assert kenteken.patroon and kenteken.voorbeeld == "AB-123-C" and kenteken.hoofdletters
    assert kenteken.max_lengte == 8


BASE = "  - id: ref\n    type: vraag\n    invoer: {invoer}\n    titel: Uw referentie?\n"


@pytest.mark.parametrize(
    ("extra", "invoer", "needle", "message"),
    [
        ("    patroon: '^[A-Z'\n    voorbeeld: A\n", "tekst", "patroon:", "reguliere expressie"),
        (
            "    patroon: '^[A-Z]+$'\n",
            "tekst",
            "patroon:",
            "geef bij een patroon ook een voorbeeld",
        ),
        (
            "    patroon: '^[A-Z]+$'\n    voorbeeld: abc\n",
            "tekst",
            "voorbeeld:",
            "voldoet niet aan het patroon",
        ),
        (
            "    max_lengte: 3\n    voorbeeld: ABCD\n",
            "tekst",
            "voorbeeld:",
            "langer dan max_lengte",
        ),
        ("    patroon_fout: Fout.\n", "tekst", "patroon_fout:", "hoort bij een patroon"),
        ("    patroon: '^[0-9]+$'\n", "getal", "patroon:", "alleen bij invoer tekst"),
    ],
)
def test_a_wrong_text_question_names_its_line(extra, invoer, needle, message):
    text = with_question(BASE.format(invoer=invoer) + extra)
    [problem] = problems(text)
    assert message in problem.message
    start = line_of(text, "  - id: ref")
    assert problem.line == next(
        i for i, line in enumerate(text.splitlines(), 1) if i > start and needle in line
    )


# -- through the web ---------------------------------------------------------------------------


@pytest.fixture
def at_question(tmp_path: Path):
    clients: list[TestClient] = []

    def make(question: str) -> Resident:
        config = tmp_path / "config"
        config.mkdir()
        # Without its condition, so that every resident reaches it (just before contact).
        text = with_question(question.replace("    als: {antwoord: parkeren, is: ja}\n", ""))
        (config / "voorbeeld.yaml").write_text(text, encoding="utf-8")
        app = create_app(
            make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config)), today=lambda: TODAY
        )
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        gemeente = app.state.services.gemeenten["voorbeeld"]
        r = Resident(client, "voorbeeld")
        r.login(resident_from_elsewhere(gemeente.gemeentecode))
        step_id = next(s.id for s in gemeente.stappen if s.type == "vraag" and s.invoer == "tekst")
        run_until(r, gemeente, step_id, TODAY, resident_data().free_address(gemeente))
        return r

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def answer(r: Resident, value: str) -> None:
    r.answer({"waarde": value})


def test_the_kenteken_question_with_its_own_error_texts(at_question):
    r = at_question(documented_question())
    answer(r, "AB123C")
    assert r.status == 422
    assert r.errors() == ["Vul het kenteken in met streepjes, zoals AB-123-C."]
    assert 'value="AB123C"' in r.page  # what was typed stays
    answer(r, "AB-1234-CD")
    assert r.status == 422
    assert r.errors() == ["Een kenteken heeft hooguit 8 tekens, met de streepjes."]
    answer(r, " ab-123-c ")
    assert r.status == 200 and r.step == "contact"
    r.get("/voorbeeld/stap/kenteken")
    assert 'value="AB-123-C"' in r.page  # stored trimmed and in capitals


def test_default_error_texts_name_the_example_and_the_length(at_question):
    r = at_question(
        "  - id: referentie\n    type: vraag\n    invoer: tekst\n    titel: Uw referentie?\n"
        "    max_lengte: 12\n    patroon: 'REF-[0-9]{6}'\n    voorbeeld: REF-123456\n"
    )
    answer(r, "ref-123456")  # no capitals configured: the pattern is case-sensitive
    assert r.status == 422
    assert r.errors() == ["Dit antwoord heeft niet de juiste vorm. Bijvoorbeeld: REF-123456."]
    answer(r, "REF-1234567890")
    assert r.status == 422 and r.errors() == ["Gebruik ten hoogste 12 tekens."]
    answer(r, "REF-123456")
    assert r.status == 200 and r.step == "contact"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("850", 850.0),
        ("1.228,07", 1228.07),
        ("1228,5", 1228.5),
        ("1,228.07", 1228.07),
        ("850.5", 850.5),
    ],
)
def test_a_number_is_read_in_dutch_and_in_english_notation(typed: str, stored: float) -> None:
    vraag = registry["vraag"]
    cfg = vraag.Config(id="huur", type="vraag", titel="Huur", invoer="getal")
    outcome = vraag.parse(cfg, FormInput({"waarde": typed}), None)
    assert outcome.ok and outcome.answer == {"waarde": stored}
