"""Moving dates in scenario files: "vandaag", "over 7 dagen", "10 dagen geleden" or 2026-12-04."""

from __future__ import annotations

import re
from datetime import date, timedelta

FORMS = "'vandaag', 'over 7 dagen', '10 dagen geleden', 'over 6 weken' of een datum als 2026-12-04"

_WORDS = {"vandaag": 0, "morgen": 1, "gisteren": -1}
_UNITS = {"dag": 1, "dagen": 1, "week": 7, "weken": 7}
_AHEAD = re.compile(r"over (\d{1,3}) (dag|dagen|week|weken)")
_AGO = re.compile(r"(\d{1,3}) (dag|dagen|week|weken) geleden")


class DateError(ValueError):
    pass


def resolve(value: str | date, today: date) -> date:
    """The date a phrase means on ``today``; DateError names the forms that are understood."""
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split()).casefold()
    if text in _WORDS:
        return today + timedelta(days=_WORDS[text])
    if match := _AHEAD.fullmatch(text):
        return today + timedelta(days=int(match[1]) * _UNITS[match[2]])
    if match := _AGO.fullmatch(text):
        return today - timedelta(days=int(match[1]) * _UNITS[match[2]])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DateError(f"geen datum: {value!r}; schrijf {FORMS}") from None
