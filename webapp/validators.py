"""Validation and normalisation of what a resident types into the form.

Each function returns the normalised value or raises ``ValidationError`` with a sentence that
can be shown to the resident as is, from the message catalogue (Dutch is the source language).
The functions are pure: no I/O, no configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, Literal

from webapp.i18n import N_, _, ngettext

__all__ = [
    "DateError",
    "DatePart",
    "DateWindow",
    "Period",
    "ValidationError",
    "WindowResult",
    "add_months",
    "is_valid_bsn",
    "normalise_bsn",
    "normalise_email",
    "normalise_huisletter",
    "normalise_phone",
    "normalise_postcode",
    "normalise_toevoeging",
    "parse_date_parts",
    "parse_huisnummer",
]


class ValidationError(ValueError):
    """A value the resident entered is not acceptable; ``message`` is meant for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


DatePart = Literal["dag", "maand", "jaar"]


class DateError(ValidationError):
    """A date could not be read; ``part`` names the field that should get the focus."""

    def __init__(self, message: str, part: DatePart) -> None:
        super().__init__(message)
        self.part: DatePart = part


def _clean(raw: str) -> str:
    # Copy-pasted values often carry non-breaking spaces; treat them as ordinary spaces.
    return raw.replace("\u00a0", " ").strip()


# Explicit [0-9] and [A-Z] everywhere: str.isdigit() and \d also accept digits from other
# scripts (e.g. "١٢٣"), which int() would silently convert.
_POSTCODE_RE: Final = re.compile(r"([1-9][0-9]{3}) ?([A-Z]{2})")
_POSTCODE_SHAPE_RE: Final = re.compile(r"([0-9]{4}) ?([A-Z]{2})")
_DIGITS_RE: Final = re.compile(r"[0-9]+")
_LETTER_RE: Final = re.compile(r"[A-Z]")
_TOEVOEGING_RE: Final = re.compile(r"[A-Z0-9]{1,4}")
# PostNL never issues these letter combinations (they carried unwanted associations).
_FORBIDDEN_POSTCODE_LETTERS: Final = frozenset({"SA", "SD", "SS"})

HUISNUMMER_MAX: Final = 99999


def normalise_postcode(raw: str) -> str:
    """Return a Dutch postcode as ``1234AB``."""
    value = _clean(raw).upper()
    if not value:
        raise ValidationError(_("Vul de postcode in."))
    match = _POSTCODE_RE.fullmatch(value)
    if match is None:
        if _POSTCODE_SHAPE_RE.fullmatch(value):
            raise ValidationError(
                _(
                    "Een postcode begint nooit met een 0. Vul een geldige postcode in, zoals 1234 AB."
                )
            )
        raise ValidationError(_("Vul een geldige postcode in, zoals 1234 AB."))
    digits, letters = match.groups()
    if letters in _FORBIDDEN_POSTCODE_LETTERS:
        raise ValidationError(
            _(
                "Deze postcode bestaat niet: een postcode eindigt nooit op SA, SD of SS. "
                "Controleer de letters van uw postcode."
            )
        )
    return digits + letters


def parse_huisnummer(raw: str) -> int:
    """Return the huisnummer as a number from 1 to 99999."""
    value = _clean(raw)
    if not value:
        raise ValidationError(_("Vul het huisnummer in."))
    if not _DIGITS_RE.fullmatch(value):
        raise ValidationError(
            _(
                "Vul bij huisnummer alleen cijfers in, zoals 12. "
                "Een huisletter of toevoeging kunt u in het veld daarna invullen."
            )
        )
    # Compare the length first: int() refuses strings of thousands of digits.
    significant = value.lstrip("0")
    if len(significant) > len(str(HUISNUMMER_MAX)) or int(value) > HUISNUMMER_MAX:
        raise ValidationError(
            _("Een huisnummer is hooguit %(max)s. Controleer het nummer.") % {"max": HUISNUMMER_MAX}
        )
    number = int(value)
    if number < 1:
        raise ValidationError(_("Een huisnummer is 1 of hoger. Controleer het nummer."))
    return number


def normalise_huisletter(raw: str) -> str | None:
    """Return the huisletter in uppercase, or None when the field was left empty."""
    value = _clean(raw).upper()
    if not value:
        return None
    if not _LETTER_RE.fullmatch(value):
        raise ValidationError(
            _("Een huisletter is één letter, zoals A. Laat het veld anders leeg.")
        )
    return value


def normalise_toevoeging(raw: str) -> str | None:
    """Return the huisnummertoevoeging in uppercase, or None when the field was left empty."""
    value = _clean(raw).upper()
    if not value:
        return None
    if not _TOEVOEGING_RE.fullmatch(value):
        raise ValidationError(
            _(
                "Een toevoeging bestaat uit hooguit 4 letters of cijfers, zoals 2 of BIS. "
                "Laat het veld anders leeg."
            )
        )
    return value


# --- Burgerservicenummer -----------------------------------------------------------------------

_BSN_RE: Final = re.compile(r"[0-9]{8,9}")
_BSN_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """Tell whether ``value`` (8 or 9 digits, nothing else) passes the elfproef."""
    if not _BSN_RE.fullmatch(value):
        return False
    digits = value.zfill(9)
    if digits == "000000000":
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_BSN_WEIGHTS, digits, strict=True))
    return total % 11 == 0


def normalise_bsn(raw: str) -> str:
    """Return a valid BSN as 9 digits; an 8-digit number gets its leading zero back."""
    # Residents copy the number from letters and passes, where it is grouped by spaces or dots.
    value = re.sub(r"[ .]", "", _clean(raw))
    if not value:
        raise ValidationError(_("Vul het burgerservicenummer (BSN) in."))
    if not _BSN_RE.fullmatch(value):
        raise ValidationError(
            _("Een burgerservicenummer bestaat uit 9 cijfers. Controleer het nummer.")
        )
    if not is_valid_bsn(value):
        raise ValidationError(_("Dit burgerservicenummer klopt niet. Controleer het nummer."))
    return value.zfill(9)


# --- Dates ---------------------------------------------------------------------------------------

_DATE_PARTS: Final[tuple[DatePart, ...]] = ("dag", "maand", "jaar")
# Whole sentences per field (not the field's name pasted into one sentence), so that a
# translation can change words and word order.
_MISSING_ONE: Final[dict[DatePart, str]] = {
    "dag": N_("Vul de dag in."),
    "maand": N_("Vul de maand in."),
    "jaar": N_("Vul het jaar in."),
}
_MISSING_TWO: Final[dict[tuple[DatePart, ...], str]] = {
    ("dag", "maand"): N_("De datum moet ook een dag en een maand hebben."),
    ("dag", "jaar"): N_("De datum moet ook een dag en een jaar hebben."),
    ("maand", "jaar"): N_("De datum moet ook een maand en een jaar hebben."),
}
_YEAR_RE: Final = re.compile(r"[1-9][0-9]{3}")


def _small_number(
    value: str, part: DatePart, low: int, high: int, not_digits: str, out_of_range: str
) -> int:
    """``out_of_range`` has the placeholders %(laag)s and %(hoog)s."""
    if not _DIGITS_RE.fullmatch(value):
        raise DateError(not_digits, part)
    # Only the length of the leading-zero-free value matters; avoids int() on huge strings.
    if len(value.lstrip("0")) > 2 or not low <= int(value) <= high:
        raise DateError(out_of_range % {"laag": low, "hoog": high}, part)
    return int(value)


def parse_date_parts(day: str, month: str, year: str) -> date:
    """Read a date from the three text fields dag, maand and jaar.

    Raises ``DateError`` whose ``part`` is the first field the resident should correct.
    """
    values: dict[DatePart, str] = {"dag": _clean(day), "maand": _clean(month), "jaar": _clean(year)}
    missing = [part for part in _DATE_PARTS if not values[part]]
    if len(missing) == len(_DATE_PARTS):
        raise DateError(_("Vul de datum in, met een dag, maand en jaar."), "dag")
    if len(missing) == 1:
        raise DateError(_(_MISSING_ONE[missing[0]]), missing[0])
    if missing:
        raise DateError(_(_MISSING_TWO[tuple(missing)]), missing[0])

    d = _small_number(
        values["dag"],
        "dag",
        1,
        31,
        _("Vul de dag in met cijfers, zoals 5."),
        _("De dag moet een getal van %(laag)s tot en met %(hoog)s zijn."),
    )
    m = _small_number(
        values["maand"],
        "maand",
        1,
        12,
        _("Vul de maand in met cijfers, zoals 3 voor maart."),
        _("De maand moet een getal van %(laag)s tot en met %(hoog)s zijn."),
    )
    if not _YEAR_RE.fullmatch(values["jaar"]):
        raise DateError(_("Vul het jaar in met 4 cijfers, zoals 2026."), "jaar")
    try:
        return date(int(values["jaar"]), m, d)
    except ValueError:
        # Day and month are each in range, so the day does not exist in that month (31-04, 29-02).
        raise DateError(_("Deze datum bestaat niet. Vul een bestaande datum in."), "dag") from None


class WindowResult(StrEnum):
    """Where a date falls relative to the window in which a move may be reported."""

    OK = "ok"
    TOO_LATE = "too_late"
    TOO_EARLY = "too_early"


PeriodUnit = Literal["dagen", "weken", "maanden"]
PERIOD_UNITS: Final[tuple[PeriodUnit, ...]] = ("dagen", "weken", "maanden")


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months; a day the month lacks becomes its last day
    (31 January plus one month is 28 or 29 February). Clamped to the range of ``date``."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    next_month = date(year + 1, 1, 1) if month == 11 else date(year, month + 2, 1)
    return date(year, month + 1, min(d.day, (next_month - timedelta(days=1)).day))


@dataclass(frozen=True)
class Period:
    """A length of time in days, weeks or calendar months, e.g. ``Period(3, "maanden")``."""

    amount: int
    unit: PeriodUnit = "dagen"

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("a Period needs an amount of 0 or more")
        if self.unit not in PERIOD_UNITS:
            raise ValueError(f"unknown period unit {self.unit!r}")

    def shift(self, d: date, sign: Literal[1, -1]) -> date:
        """``d`` moved this period forwards (1) or backwards (-1), clamped to the range of
        ``date`` so that no configured length can make the arithmetic fail."""
        if self.unit == "maanden":
            return add_months(d, sign * self.amount)
        days = self.amount * (7 if self.unit == "weken" else 1)
        try:
            return d + sign * timedelta(days=days)
        except OverflowError:
            return date.max if sign > 0 else date.min

    def describe(self) -> str:
        """The period in words, with the right plural: "1 dag", "4 weken", "3 maanden"."""
        n = self.amount
        if self.unit == "weken":
            text = ngettext("%(n)s week", "%(n)s weken", n)
        elif self.unit == "maanden":
            text = ngettext("%(n)s maand", "%(n)s maanden", n)
        else:
            text = ngettext("%(n)s dag", "%(n)s dagen", n)
        return text % {"n": n}


def _period(value: int | Period) -> Period:
    return value if isinstance(value, Period) else Period(value)


@dataclass(frozen=True)
class DateWindow:
    """Dates from ``days_before`` ago up to ``days_after`` ahead, both inclusive: each a
    number of days or a :class:`Period` (weeks, calendar months)."""

    days_before: int | Period = 5
    days_after: int | Period = 28

    def __post_init__(self) -> None:
        for value in (self.days_before, self.days_after):
            if isinstance(value, int) and value < 0:
                raise ValueError("DateWindow needs days_before and days_after of 0 or more")

    def earliest(self, today: date) -> date:
        return _period(self.days_before).shift(today, -1)

    def latest(self, today: date) -> date:
        return _period(self.days_after).shift(today, 1)

    def check(self, d: date, today: date) -> WindowResult:
        if d < self.earliest(today):
            return WindowResult.TOO_LATE
        if d > self.latest(today):
            return WindowResult.TOO_EARLY
        return WindowResult.OK


# --- Contact details ---------------------------------------------------------------------------

EMAIL_MAX_LENGTH: Final = 254
_EMAIL_MESSAGE: Final = N_("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")
# Whitespace and control characters never belong in an address; commas and semicolons usually
# mean the resident typed two addresses. Quotes, brackets and backslashes are legal in a quoted
# local part, but no resident has one, and a mail header would read them as a comment or a
# name: "a(b@x.nl" would be sent to "a".
_EMAIL_BAD_CHARS_RE: Final = re.compile(r"[\s\x00-\x1f\x7f,;<>()\"\\\[\]]")


def normalise_email(raw: str) -> str:
    """Return a plausible e-mail address with its domain in lowercase.

    Deliberately pragmatic: only a confirmation mail proves an address works.
    """
    value = _clean(raw)
    if not value:
        raise ValidationError(_("Vul uw e-mailadres in."))
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("Een e-mailadres is hooguit %(max)s tekens lang. Controleer het adres.")
            % {"max": EMAIL_MAX_LENGTH}
        )
    if _EMAIL_BAD_CHARS_RE.search(value) or value.count("@") != 1:
        raise ValidationError(_(_EMAIL_MESSAGE))
    local, domain = value.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or any(not label for label in labels):
        raise ValidationError(_(_EMAIL_MESSAGE))
    # Only the domain is case-insensitive by standard; the local part is kept as typed.
    return f"{local}@{domain.lower()}"


_PHONE_MESSAGE: Final = N_("Vul een geldig telefoonnummer in, zoals 06 12345678 of +31 6 12345678.")
_PHONE_ALLOWED_RE: Final = re.compile(r"[0-9 ()\-]+")


def normalise_phone(raw: str) -> str:
    """Return a phone number as digits, with a leading + for international numbers.

    Dutch numbers: 10 digits starting with 0 (``0612345678``). International numbers: + (or 00)
    followed by 8 to 15 digits (``+31612345678``).
    """
    value = _clean(raw)
    if not value:
        raise ValidationError(_("Vul uw telefoonnummer in."))
    international = value.startswith("+")
    body = value[1:] if international else value
    if international:
        # "+31 (0)6 ..." is a common way to write a Dutch number; the (0) is not dialled.
        body = re.sub(r"\(\s*0\s*\)", "", body, count=1)
    if not _PHONE_ALLOWED_RE.fullmatch(body):
        raise ValidationError(_(_PHONE_MESSAGE))
    digits = re.sub(r"[^0-9]", "", body)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if international:
        if 8 <= len(digits) <= 15 and not digits.startswith("0"):
            return "+" + digits
        raise ValidationError(_(_PHONE_MESSAGE))
    if len(digits) == 10 and digits.startswith("0"):
        return digits
    raise ValidationError(_(_PHONE_MESSAGE))
