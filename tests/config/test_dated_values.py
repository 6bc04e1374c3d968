"""Thresholds that change on a date (``geldig_vanaf``): next year's limit is configured ahead and
takes effect by itself, read on the moving date. The shipped middenhuur ceiling of Utrecht and
Den Haag is EUR 1,184.82 in 2025 and EUR 1,228.07 from 1 January 2026 (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, moving_date, run_until
from tests.web.test_journeys import resident_from_elsewhere
from webapp.conditions import Conditie, Gedateerd, evaluate
from webapp.config.loader import ConfigError, load_dir, load_text
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

parse = TypeAdapter(Conditie).validate_python
CEILING = {
    "antwoord": "huurprijs",
    "ten_hoogste": [
        {"geldig_vanaf": "2025-01-01", "waarde": 1184.82},
        {"geldig_vanaf": "2026-01-01", "waarde": 1228.07},
    ],
}
VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
VERGUNNING = [s.id for s in load_dir(CONFIG_DIR)["voorbeeld"].stappen].index("vergunning")


def on(day: str | None, rent: float) -> bool | None:
    namespace: dict[str, object] = {"huurprijs.waarde": rent}
    if day is not None:
        namespace["verhuizing.datum"] = day
    return evaluate(parse(CEILING), namespace, {})


@pytest.mark.parametrize(
    ("day", "rent", "expected"),
    [
        ("2025-12-31", 1184.82, True),
        ("2025-12-31", 1200, False),  # above the 2025 ceiling
        ("2026-01-01", 1200, True),  # the 2026 ceiling takes effect by itself
        ("2026-01-01", 1228.07, True),
        ("2026-01-01", 1228.08, False),
        ("2031-06-01", 1228.07, True),  # the last value holds until a next one is added
        ("2024-03-01", 1184.82, True),  # before the first date: the first value
        ("2024-03-01", 1200, False),
        (None, 1200, None),  # no moving date yet: not known
    ],
)
def test_the_value_of_the_moving_date_counts(day, rent, expected):
    assert on(day, rent) is expected


def test_a_plain_number_needs_no_date():
    condition = parse({"antwoord": "huurprijs", "ten_hoogste": 1184.82})
    assert evaluate(condition, {"huurprijs.waarde": 1000}, {}) is True
    assert not condition.dated() and parse(CEILING).dated()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "at least 1 item"),
        (
            [
                {"geldig_vanaf": "2026-01-01", "waarde": 1228.07},
                {"geldig_vanaf": "2025-01-01", "waarde": 1184.82},
            ],
            "moeten oplopen",
        ),
        ([{"geldig_vanaf": "2026-01-01"}], "waarde"),
        ([{"geldig_vanaf": "1 januari", "waarde": 1}], "geldig_vanaf"),
    ],
)
def test_wrong_dated_values_are_refused(values, message):
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Gedateerd).validate_python(values)
    assert message in str(info.value)


@pytest.mark.parametrize("slug", ["utrecht", "den-haag"])
def test_shipped_middenhuur_ceiling(slug):
    vergunning = load_dir(CONFIG_DIR)[slug].step("vergunning")
    [ceiling] = [c for c in vergunning.als.alle if getattr(c, "antwoord", None) == "huurprijs"]
    threshold = ceiling.ten_hoogste
    assert isinstance(threshold, Gedateerd)
    assert threshold.op(date(2025, 12, 31)) == 1184.82
    assert threshold.op(date(2026, 1, 1)) == 1228.07
    assert "1.184,82" not in vergunning.uitleg  # the text does not repeat a yearly amount


def with_dated_condition(*entries: str) -> str:
    text = VOORBEELD.replace(
        "        - {gebied: centrum}\n    uitleg:",
        "        - {gebied: centrum}\n"
        "        - feit: huishouden.personen\n"
        "          ten_minste:\n"
        + "".join(f"            - {entry}\n" for entry in entries)
        + "    uitleg:",
    )
    assert text != VOORBEELD
    return text


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_dated_values_in_a_condition_load():
    text = with_dated_condition(
        "{geldig_vanaf: 2026-01-01, waarde: 3}", "{geldig_vanaf: 2027-01-01, waarde: 4}"
    )
    condition = load_text(text, "test", "test.yaml").step("vergunning").als.alle[2]
    assert condition.ten_minste.op(date(2026, 12, 31)) == 3
    assert condition.ten_minste.op(date(2027, 1, 1)) == 4


def test_a_mistake_in_dated_values_names_its_line():
    text = with_dated_condition(
        "{geldig_vanaf: 2026-01-01, waarde: 3}", "{geldig_vanaf: 2026-01-01, waarde: 4}"
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems  # not also "not a number"
    assert "moeten oplopen" in problem.message
    assert problem.line == line_of(text, "          ten_minste:")
    assert problem.path == f"stappen[{VERGUNNING}].als.alle[2].ten_minste"


def test_a_missing_value_names_the_entrys_line():
    text = with_dated_condition(
        "{geldig_vanaf: 2026-01-01, waarde: 3}", "{geldig_vanaf: 2027-01-01}"
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems
    assert problem.line == line_of(text, "{geldig_vanaf: 2027-01-01}")
    assert problem.path.startswith(f"stappen[{VERGUNNING}].als.alle[2].ten_minste[1]")


def test_a_dated_threshold_needs_the_moving_date_first():
    text = VOORBEELD.replace(
        "  - id: verhuisdatum\n    type: verhuisdatum\n",
        "  - id: verhuisdatum\n    type: verhuisdatum\n"
        "    als:\n"
        "      feit: huishouden.personen\n"
        "      ten_minste: [{geldig_vanaf: 2026-01-01, waarde: 1}]\n",
    )
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    # The condition is the step's 'als' itself, on the line above its 'feit'.
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "feit: huishouden.personen" in s)
    line -= 1
    [problem] = [p for p in info.value.problems if "geldig_vanaf" in p.message]
    assert "pas na de stap van type 'verhuisdatum'" in problem.message
    assert problem.line == line and problem.path == "stappen[1].als"


# -- through the web: the ceiling switches on its date ------------------------------------------


def utrecht_app(tmp_path: Path, switch: str):
    """Utrecht with the 2026 ceiling taking effect on ``switch`` instead of 1 January."""
    config = tmp_path / "config"
    config.mkdir()
    text = (CONFIG_DIR / "utrecht.yaml").read_text(encoding="utf-8")
    assert "geldig_vanaf: 2026-01-01" in text
    (config / "utrecht.yaml").write_text(
        text.replace("geldig_vanaf: 2026-01-01", f"geldig_vanaf: {switch}"), encoding="utf-8"
    )
    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config))
    return create_app(settings, today=lambda: TODAY)


def step_after_rent(client: TestClient, days_ahead: int) -> str | None:
    r = Resident(client, "utrecht")
    gemeente = client.app.state.services.gemeenten["utrecht"]  # type: ignore[attr-defined]
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    overrides = {
        "verhuisdatum": (moving_date(TODAY, days_ahead), None),
        "woonsituatie": ({"woonvorm": "huur"}, None),
        "kamer": ({"waarde": "woning"}, None),
    }
    run_until(r, gemeente, "huurprijs", TODAY, resident_data().free_address(gemeente), overrides)
    r.answer({"waarde": "1200"})
    assert r.status == 200, r.errors()
    return r.step


@pytest.mark.parametrize(("days_ahead", "expected"), [(3, "documenten"), (4, "vergunning")])
def test_the_new_ceiling_takes_effect_on_its_date(tmp_path, days_ahead, expected):
    # TODAY is 27 November 2026; the new ceiling from 1 December: a rent of 1,200 needs a permit
    # for a move on 1 December, not for one on 30 November.
    with TestClient(utrecht_app(tmp_path, "2026-12-01"), base_url="http://testserver") as client:
        assert step_after_rent(client, days_ahead) == expected


def test_the_shipped_2026_ceiling_applies_now(tmp_path):
    app = create_app(make_settings(tmp_path), today=lambda: TODAY)
    with TestClient(app, base_url="http://testserver") as client:
        assert step_after_rent(client, 7) == "vergunning"  # 1,200 <= 1,228.07
