"""The moving-date window as the resident reads it: in days, weeks or calendar months, every
text (start page, date hint, errors) written from the configured window, and the gemeente's own
refusal texts. Each test runs the ASGI app on a copy of voorbeeld.yaml with another window."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, run_until, text_of
from tests.web.test_journeys import resident_from_elsewhere
from webapp.config.loader import load_text
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

SLUG = "voorbeeld"
VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
SHIPPED_WINDOW = "  dagen_terug: 5\n  weken_vooruit: 4\n  te_laat: accepteren\n"
# voorbeeld.yaml's two periods and te_laat, with their comments.
_WINDOW_LINES = re.compile(
    r"^  dagen_terug: 5.*\n  weken_vooruit: 4.*\n  te_laat: accepteren\n", re.M
)


def with_window(window: str) -> str:
    """voorbeeld.yaml with its window (the two periods and te_laat) replaced by ``window``."""
    text, count = _WINDOW_LINES.subn(window, VOORBEELD, count=1)
    assert count == 1, "voorbeeld.yaml's window has moved"
    return text


@pytest.fixture
def visit(tmp_path: Path):
    clients: list[TestClient] = []

    def make(window: str) -> Resident:
        config = tmp_path / "config"
        config.mkdir()
        (config / f"{SLUG}.yaml").write_text(with_window(window), encoding="utf-8")
        app = create_app(
            make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config)), today=lambda: TODAY
        )
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return Resident(client, SLUG)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def at_date_step(r: Resident) -> Resident:
    gemeente = r.client.app.state.services.gemeenten[SLUG]
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    run_until(r, gemeente, "verhuisdatum", TODAY, resident_data().free_address(gemeente))
    return r


def post_date(r: Resident, day: int, month: int, year: int) -> None:
    r.answer({"dag": str(day), "maand": str(month), "jaar": str(year)})


def hint(r: Resident) -> str:
    match = re.search(
        r'<div class="utrecht-form-field-description[^"]*" id="datum-group-hint">(.*?)</div>',
        r.page,
        re.S,
    )
    assert match, "the date step shows a hint"
    return text_of(match.group(1))


# TODAY is 27 November 2026.
WINDOWS = {
    "shipped": (
        SHIPPED_WINDOW,
        "U kunt uw verhuizing doorgeven vanaf 4 weken voor tot 5 dagen na de verhuisdatum.",
    ),
    "90 days": (
        "  dagen_terug: 5\n  dagen_vooruit: 90\n",
        "U kunt uw verhuizing doorgeven vanaf 90 dagen voor tot 5 dagen na de verhuisdatum.",
    ),
    "three months, no past dates": (
        "  dagen_terug: 0\n  maanden_vooruit: 3\n  te_laat: weigeren\n",
        "U kunt uw verhuizing doorgeven vanaf 3 maanden voor de verhuisdatum tot en met de "
        "verhuisdatum zelf.",
    ),
    "one day after, none before": (
        "  dagen_terug: 1\n  dagen_vooruit: 0\n",
        "U kunt uw verhuizing doorgeven vanaf de verhuisdatum tot 1 dag erna.",
    ),
    "only the day itself": (
        "  dagen_terug: 0\n  dagen_vooruit: 0\n",
        "U kunt uw verhuizing alleen op de verhuisdatum zelf doorgeven.",
    ),
}


@pytest.mark.parametrize("name", WINDOWS)
def test_the_start_page_states_the_window_once(visit, name):
    window, sentence = WINDOWS[name]
    r = visit(window)
    r.get(f"/{SLUG}/")
    assert r.status == 200
    page = r.text()
    assert page.count(sentence) == 1, page
    assert page.count("U kunt uw verhuizing") == 1  # stated once, not also in the intro
    assert not re.search(r"\b0 (dagen|weken|maanden)", page)


def test_calendar_months_ahead_in_hint_and_error(visit):
    r = at_date_step(visit("  dagen_terug: 0\n  maanden_vooruit: 3\n  te_laat: weigeren\n"))
    shown = hint(r)
    assert "tot 3 maanden vooruit (uiterlijk 27 februari 2027)" in shown
    assert "vanaf 27 november 2026" in shown and not re.search(r"\b0 dagen", shown)
    post_date(r, 28, 2, 2027)
    assert r.status == 422
    [error] = r.errors()
    assert "hooguit 3 maanden van tevoren" in error and "27 februari 2027" in error
    post_date(r, 26, 11, 2026)  # yesterday, with no past dates
    assert r.status == 422
    [error] = r.errors()
    assert "Een verhuisdatum in het verleden kunt u niet online doorgeven" in error
    assert not re.search(r"\b0 dagen", error) and "14 0999" in error
    post_date(r, 27, 2, 2027)  # the last day of the window
    assert r.status == 200 and r.step == "adres"


def test_a_long_window_in_days_is_not_rounded_to_weeks(visit):
    r = at_date_step(visit("  dagen_terug: 5\n  dagen_vooruit: 90\n"))
    assert "tot 90 dagen vooruit (uiterlijk 25 februari 2027)" in hint(r)
    assert "weken" not in hint(r)
    post_date(r, 26, 2, 2027)
    assert r.status == 422 and "hooguit 90 dagen van tevoren" in r.errors()[0]
    post_date(r, 25, 2, 2027)
    assert r.status == 200 and r.step == "adres"


def test_no_future_dates_and_weeks_back(visit):
    r = at_date_step(visit("  weken_terug: 1\n  dagen_vooruit: 0\n  te_laat: weigeren\n"))
    shown = hint(r)
    assert "U kunt geen datum na vandaag kiezen." in shown and not re.search(r"\b0 dagen", shown)
    post_date(r, 28, 11, 2026)
    assert r.status == 422
    assert "niet van tevoren doorgeven" in r.errors()[0]
    assert not re.search(r"\b0 dagen", r.errors()[0])
    post_date(r, 19, 11, 2026)
    assert r.status == 422
    assert "tot 1 week na de verhuisdatum (vanaf 20 november 2026)" in r.errors()[0]
    post_date(r, 20, 11, 2026)
    assert r.status == 200 and r.step == "adres"


def test_the_gemeentes_own_refusal_texts(visit):
    r = at_date_step(
        visit(
            "  dagen_terug: 5\n  weken_vooruit: 4\n  te_laat: weigeren\n"
            "  te_laat_weigeren_tekst: Te lang geleden. Bel 14 0999.\n"
            "  te_vroeg_tekst: Te ver vooruit. Kom later terug.\n"
        )
    )
    post_date(r, 26, 12, 2026)
    assert r.status == 422 and r.errors() == ["Te ver vooruit. Kom later terug."]
    post_date(r, 21, 11, 2026)
    assert r.status == 422 and r.errors() == ["Te lang geleden. Bel 14 0999."]


def test_a_window_without_a_cap(visit):
    # A year ahead was refused before (the cap was 90 days); now only the calendar limits it.
    r = at_date_step(visit("  dagen_terug: 5\n  maanden_vooruit: 1200000\n"))
    assert "uiterlijk 31 december 9999" in hint(r)
    post_date(r, 27, 11, 2027)
    assert r.status == 200 and r.step == "adres"


def test_the_shipped_texts_no_longer_repeat_the_window():
    for path in CONFIG_DIR.glob("*.yaml"):
        gemeente = load_text(path.read_text(encoding="utf-8"), path.stem, path.name)
        assert "weken" not in gemeente.intro and "dagen" not in gemeente.intro, path.name
