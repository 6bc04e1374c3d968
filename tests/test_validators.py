"""Table-driven tests for webapp.validators."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from webapp.validators import (
    DateError,
    DateWindow,
    ValidationError,
    WindowResult,
    is_valid_bsn,
    normalise_bsn,
    normalise_email,
    normalise_huisletter,
    normalise_phone,
    normalise_postcode,
    normalise_toevoeging,
    parse_date_parts,
    parse_huisnummer,
)

POSTCODE_EMPTY = "Vul de postcode in."
POSTCODE_SHAPE = "Vul een geldige postcode in, zoals 1234 AB."
POSTCODE_ZERO = "Een postcode begint nooit met een 0. Vul een geldige postcode in, zoals 1234 AB."
POSTCODE_LETTERS = (
    "Deze postcode bestaat niet: een postcode eindigt nooit op SA, SD of SS. "
    "Controleer de letters van uw postcode."
)


def test_validation_error_is_a_value_error_with_message() -> None:
    exc = ValidationError("Vul de postcode in.")
    assert isinstance(exc, ValueError)
    assert exc.message == "Vul de postcode in."
    assert str(exc) == "Vul de postcode in."


def test_date_error_is_a_validation_error_with_part() -> None:
    exc = DateError("Vul de dag in.", "dag")
    assert isinstance(exc, ValidationError)
    assert (exc.message, exc.part) == ("Vul de dag in.", "dag")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234AB", "1234AB"),
        ("1234 AB", "1234AB"),
        ("1234ab", "1234AB"),
        ("1234 ab", "1234AB"),
        ("1234aB", "1234AB"),
        ("  1234 AB  ", "1234AB"),
        ("\t3011 sb\n", "3011SB"),
        ("1234\u00a0AB", "1234AB"),
        ("9999 ZZ", "9999ZZ"),
        ("1000 AA", "1000AA"),
        ("3011 SC", "3011SC"),
        ("3011 AS", "3011AS"),
    ],
)
def test_postcode_valid(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", POSTCODE_EMPTY),
        ("   ", POSTCODE_EMPTY),
        ("12345", POSTCODE_SHAPE),
        ("1234", POSTCODE_SHAPE),
        ("AB", POSTCODE_SHAPE),
        ("123AB", POSTCODE_SHAPE),
        ("12345AB", POSTCODE_SHAPE),
        ("1234A", POSTCODE_SHAPE),
        ("1234ABC", POSTCODE_SHAPE),
        ("1234  AB", POSTCODE_SHAPE),
        ("1234-AB", POSTCODE_SHAPE),
        ("12 34AB", POSTCODE_SHAPE),
        ("AB1234", POSTCODE_SHAPE),
        ("1234 1B", POSTCODE_SHAPE),
        ("1234 ÄB", POSTCODE_SHAPE),
        ("١٢٣٤AB", POSTCODE_SHAPE),
        ("0123AB", POSTCODE_ZERO),
        ("0123 ab", POSTCODE_ZERO),
        ("3011 SS", POSTCODE_LETTERS),
        ("3011SA", POSTCODE_LETTERS),
        ("3011 sd", POSTCODE_LETTERS),
    ],
)
def test_postcode_invalid(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_postcode(raw)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("12", 12),
        (" 42 ", 42),
        ("012", 12),
        ("99999", 99999),
        ("099999", 99999),
    ],
)
def test_huisnummer_valid(raw: str, expected: int) -> None:
    assert parse_huisnummer(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message_start"),
    [
        ("", "Vul het huisnummer in."),
        ("  ", "Vul het huisnummer in."),
        ("12a", "Vul bij huisnummer alleen cijfers in"),
        ("12 a", "Vul bij huisnummer alleen cijfers in"),
        ("12-2", "Vul bij huisnummer alleen cijfers in"),
        ("-1", "Vul bij huisnummer alleen cijfers in"),
        ("1.5", "Vul bij huisnummer alleen cijfers in"),
        ("twaalf", "Vul bij huisnummer alleen cijfers in"),
        ("١٢", "Vul bij huisnummer alleen cijfers in"),
        ("0", "Een huisnummer is 1 of hoger."),
        ("000", "Een huisnummer is 1 of hoger."),
        ("100000", "Een huisnummer is hooguit 99999."),
        ("9" * 5000, "Een huisnummer is hooguit 99999."),
    ],
)
def test_huisnummer_invalid(raw: str, message_start: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_huisnummer(raw)
    assert info.value.message.startswith(message_start)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("  ", None), ("a", "A"), ("B", "B"), (" z ", "Z")],
)
def test_huisletter_valid(raw: str, expected: str | None) -> None:
    assert normalise_huisletter(raw) == expected


@pytest.mark.parametrize("raw", ["AB", "1", "-", "é", "A1"])
def test_huisletter_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_huisletter(raw)
    assert "één letter" in info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        (" ", None),
        ("2", "2"),
        ("bis", "BIS"),
        ("hs", "HS"),
        ("1a", "1A"),
        ("1234", "1234"),
        (" abcd ", "ABCD"),
    ],
)
def test_toevoeging_valid(raw: str, expected: str | None) -> None:
    assert normalise_toevoeging(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "ABCDE", "-2", "1 a", "2/3", "ü"])
def test_toevoeging_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_toevoeging(raw)
    assert "hooguit 4 letters of cijfers" in info.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123456782", True),
        ("123456789", False),
        ("111222333", True),
        ("999993653", True),
        ("012345672", True),
        ("12345672", True),  # the same number without its leading zero
        ("000000000", False),
        ("00000000", False),
        ("1234567", False),
        ("1234567820", False),
        ("12345678a", False),
        (" 123456782", False),
        ("", False),
    ],
)
def test_is_valid_bsn(value: str, expected: bool) -> None:
    assert is_valid_bsn(value) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123456782", "123456782"),
        (" 123456782 ", "123456782"),
        ("1234 56 782", "123456782"),
        ("1234.56.782", "123456782"),
        ("12345672", "012345672"),
    ],
)
def test_bsn_valid(raw: str, expected: str) -> None:
    assert normalise_bsn(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Vul het burgerservicenummer (BSN) in."),
        ("1234567", "Een burgerservicenummer bestaat uit 9 cijfers. Controleer het nummer."),
        ("1234567820", "Een burgerservicenummer bestaat uit 9 cijfers. Controleer het nummer."),
        ("12345678a", "Een burgerservicenummer bestaat uit 9 cijfers. Controleer het nummer."),
        ("123-456-782", "Een burgerservicenummer bestaat uit 9 cijfers. Controleer het nummer."),
        ("123456789", "Dit burgerservicenummer klopt niet. Controleer het nummer."),
        ("000000000", "Dit burgerservicenummer klopt niet. Controleer het nummer."),
        ("00000000", "Dit burgerservicenummer klopt niet. Controleer het nummer."),
        ("12345678", "Dit burgerservicenummer klopt niet. Controleer het nummer."),
    ],
)
def test_bsn_invalid(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_bsn(raw)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("27", "11", "2026", date(2026, 11, 27)),
        ("1", "1", "2026", date(2026, 1, 1)),
        ("01", "01", "2026", date(2026, 1, 1)),
        (" 5 ", " 3 ", " 2027 ", date(2027, 3, 5)),
        ("29", "2", "2028", date(2028, 2, 29)),
        ("31", "12", "2026", date(2026, 12, 31)),
    ],
)
def test_date_parts_valid(day: str, month: str, year: str, expected: date) -> None:
    assert parse_date_parts(day, month, year) == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "part"),
    [
        ("", "", "", "Vul de datum in, met een dag, maand en jaar.", "dag"),
        ("", "11", "2026", "Vul de dag in.", "dag"),
        ("27", "", "2026", "Vul de maand in.", "maand"),
        ("27", "11", "", "Vul het jaar in.", "jaar"),
        ("", "", "2026", "De datum moet ook een dag en een maand hebben.", "dag"),
        ("27", "", "", "De datum moet ook een maand en een jaar hebben.", "maand"),
        ("", "11", "", "De datum moet ook een dag en een jaar hebben.", "dag"),
        ("x", "11", "2026", "Vul de dag in met cijfers, zoals 5.", "dag"),
        ("27", "nov", "2026", "Vul de maand in met cijfers, zoals 3 voor maart.", "maand"),
        ("0", "11", "2026", "De dag moet een getal van 1 tot en met 31 zijn.", "dag"),
        ("32", "11", "2026", "De dag moet een getal van 1 tot en met 31 zijn.", "dag"),
        ("100", "11", "2026", "De dag moet een getal van 1 tot en met 31 zijn.", "dag"),
        ("27", "0", "2026", "De maand moet een getal van 1 tot en met 12 zijn.", "maand"),
        ("27", "13", "2026", "De maand moet een getal van 1 tot en met 12 zijn.", "maand"),
        ("32", "13", "2026", "De dag moet een getal van 1 tot en met 31 zijn.", "dag"),
        ("27", "11", "26", "Vul het jaar in met 4 cijfers, zoals 2026.", "jaar"),
        ("27", "11", "20266", "Vul het jaar in met 4 cijfers, zoals 2026.", "jaar"),
        ("27", "11", "0999", "Vul het jaar in met 4 cijfers, zoals 2026.", "jaar"),
        ("27", "11", "twee", "Vul het jaar in met 4 cijfers, zoals 2026.", "jaar"),
        ("31", "02", "2026", "Deze datum bestaat niet. Vul een bestaande datum in.", "dag"),
        ("29", "2", "2026", "Deze datum bestaat niet. Vul een bestaande datum in.", "dag"),
        ("31", "4", "2026", "Deze datum bestaat niet. Vul een bestaande datum in.", "dag"),
    ],
)
def test_date_parts_invalid(day: str, month: str, year: str, message: str, part: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date_parts(day, month, year)
    assert (info.value.message, info.value.part) == (message, part)


TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("offset_days", "expected"),
    [
        (-6, WindowResult.TOO_LATE),
        (-5, WindowResult.OK),
        (0, WindowResult.OK),
        (28, WindowResult.OK),
        (29, WindowResult.TOO_EARLY),
        (-400, WindowResult.TOO_LATE),
        (400, WindowResult.TOO_EARLY),
    ],
)
def test_default_window(offset_days: int, expected: WindowResult) -> None:
    assert DateWindow().check(TODAY + timedelta(days=offset_days), TODAY) is expected


def test_window_defaults_and_bounds() -> None:
    window = DateWindow()
    assert (window.days_before, window.days_after) == (5, 28)
    assert window.earliest(TODAY) == date(2026, 11, 22)
    assert window.latest(TODAY) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 11, 26), "too_late"),
        (date(2026, 11, 27), "ok"),
        (date(2026, 11, 28), "too_early"),
    ],
)
def test_zero_window_allows_only_today(d: date, expected: str) -> None:
    # WindowResult is a StrEnum, so callers may compare with plain strings.
    result = DateWindow(0, 0).check(d, TODAY)
    assert result == expected
    assert str(result) == expected


def test_window_refuses_negative_days() -> None:
    with pytest.raises(ValueError):
        DateWindow(-1, 28)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jan@example.nl", "jan@example.nl"),
        ("  Jan.Jansen@Example.NL ", "Jan.Jansen@example.nl"),
        ("a+b@sub.domein.nl", "a+b@sub.domein.nl"),
        ("x@b.co", "x@b.co"),
        ("Piet@Gemeente.Rotterdam.nl", "Piet@gemeente.rotterdam.nl"),
    ],
)
def test_email_valid(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


def test_email_length_boundary() -> None:
    domain = "@example.nl"
    longest = "a" * (254 - len(domain)) + domain
    assert normalise_email(longest) == longest
    with pytest.raises(ValidationError) as info:
        normalise_email("a" + longest)
    assert "hooguit 254 tekens" in info.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "jan",
        "jan@",
        "@example.nl",
        "jan@example",
        "jan@@example.nl",
        "jan@a@example.nl",
        "jan jansen@example.nl",
        "jan@exa mple.nl",
        "jan@.example.nl",
        "jan@example.nl.",
        "jan@example..nl",
        "jan@example.nl,piet@example.nl",
        "jan@example.nl;",
        "<jan@example.nl>",
        "jan@example.nl\nBcc: x@y.nl",
        "a(b@example.nl",  # a mail header reads "(b@example.nl" as a comment: sent to "a"
        '"@example.nl',
        "jan\\@example.nl",
        "jan[1]@example.nl",
    ],
)
def test_email_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_email(raw)
    assert info.value.message == "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."


def test_email_empty() -> None:
    with pytest.raises(ValidationError) as info:
        normalise_email("  ")
    assert info.value.message == "Vul uw e-mailadres in."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0612345678", "0612345678"),
        ("06 12345678", "0612345678"),
        ("06-12345678", "0612345678"),
        ("010 - 123 45 67", "0101234567"),
        ("(010) 1234567", "0101234567"),
        ("+31612345678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("+32 2 123 45 67", "+3221234567"),
        ("+12345678", "+12345678"),
        ("+123456789012345", "+123456789012345"),
        (" 06 12345678 ", "0612345678"),
    ],
)
def test_phone_valid(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "061234567",  # 9 digits
        "06123456789",  # 11 digits
        "6123456789",  # 10 digits, no leading 0
        "+1234567",  # 7 digits after +
        "+1234567890123456",  # 16 digits after +
        "+0612345678",
        "06 1234 567a",
        "06.12345678",
        "++31612345678",
        "31+612345678",
        "+",
        "()",
    ],
)
def test_phone_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalise_phone(raw)
    assert info.value.message == (
        "Vul een geldig telefoonnummer in, zoals 06 12345678 of +31 6 12345678."
    )


def test_phone_empty() -> None:
    with pytest.raises(ValidationError) as info:
        normalise_phone("")
    assert info.value.message == "Vul uw telefoonnummer in."
