"""The window's arithmetic and words: calendar months, plurals, no "0 dagen", no overflow."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.config.models import Datumvenster
from webapp.validators import DateWindow, Period, WindowResult, add_months

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # February has no 30th
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
        (date(2026, 5, 5), 10**9, date.max),
        (date(2026, 5, 5), -(10**9), date.min),
    ],
)
def test_add_months_is_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_periods_shift_in_their_unit_and_never_overflow():
    assert Period(2, "weken").shift(TODAY, 1) == date(2026, 12, 11)
    assert Period(3, "maanden").shift(TODAY, -1) == date(2026, 8, 27)
    assert Period(10**12).shift(TODAY, 1) == date.max
    assert Period(10**12, "weken").shift(TODAY, -1) == date.min
    with pytest.raises(ValueError):
        Period(-1, "weken")


def test_window_of_months():
    window = DateWindow(Period(0), Period(3, "maanden"))
    assert window.check(date(2027, 2, 27), TODAY) is WindowResult.OK
    assert window.check(date(2027, 2, 28), TODAY) is WindowResult.TOO_EARLY
    assert window.check(date(2026, 11, 26), TODAY) is WindowResult.TOO_LATE


@pytest.mark.parametrize(
    ("period", "words"),
    [
        (Period(1), "1 dag"),
        (Period(5), "5 dagen"),
        (Period(1, "weken"), "1 week"),
        (Period(12, "weken"), "12 weken"),
        (Period(1, "maanden"), "1 maand"),
        (Period(3, "maanden"), "3 maanden"),
    ],
)
def test_periods_in_words_with_plurals(period, words):
    assert period.describe() == words


@pytest.mark.parametrize(
    ("venster", "sentence"),
    [
        (
            Datumvenster(),
            "U kunt uw verhuizing doorgeven vanaf 4 weken voor tot 5 dagen na de verhuisdatum.",
        ),
        (
            Datumvenster(dagen_vooruit=90, weken_terug=1),
            "U kunt uw verhuizing doorgeven vanaf 90 dagen voor tot 1 week na de verhuisdatum.",
        ),
        (
            Datumvenster(dagen_terug=0, maanden_vooruit=1),
            "U kunt uw verhuizing doorgeven vanaf 1 maand voor de verhuisdatum tot en met de "
            "verhuisdatum zelf.",
        ),
        (
            Datumvenster(maanden_terug=2, dagen_vooruit=0),
            "U kunt uw verhuizing doorgeven vanaf de verhuisdatum tot 2 maanden erna.",
        ),
        (
            Datumvenster(dagen_terug=0, weken_vooruit=0),
            "U kunt uw verhuizing alleen op de verhuisdatum zelf doorgeven.",
        ),
    ],
)
def test_the_start_sentence_fits_every_window(venster, sentence):
    assert venster.beschrijving() == sentence
