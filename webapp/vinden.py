"""Find your gemeente: from the postcode and house number of the new address to the gemeente that
serves it.

The address register says in which gemeente an address lies (its CBS ``gemeentecode``); the
configuration says which gemeenten use this service. ``/`` belongs to no gemeente, so it asks the
settings' default address register (``VERHUIZEN_ADRESSEN``), else the register of the first
gemeente that names one (PDOK is national: any gemeente's register knows every address).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from webapp.config.models import Gemeente
from webapp.i18n import _
from webapp.koppelingen import Verbindingen
from webapp.registers.adressen import AdresRegister
from webapp.validators import ValidationError, normalise_postcode, parse_huisnummer

FIELDS: Final = ("postcode", "huisnummer")

# A number as written on a letterbox: "12", "12A", "12 A", "12-2", "12A-bis". The field asks for
# the number alone, but the letter and the addition do not matter here (every address at one
# number lies in one gemeente), so whoever types them is not sent back for it.
_NUMBER_RE: Final = re.compile(r"([0-9]+) ?-?(.*)")
_EXTRA_RE: Final = re.compile(r"[A-Z]?(?: ?-? ?[A-Z0-9]{1,4})?")


def register_for(
    verbindingen: Verbindingen, gemeenten: Mapping[str, Gemeente]
) -> AdresRegister | None:
    """The register ``/`` asks: the settings' default, else the first gemeente's own; None when
    there is neither (then ``/`` shows only the list)."""
    default = verbindingen.default("adressen")
    if default is not None:
        return default  # type: ignore[no-any-return]
    for gemeente in gemeenten.values():
        if gemeente.koppelingen.adressen is not None:
            return verbindingen.voor(gemeente).adressen
    return None


def parse_huisnummer_with_extra(raw: str) -> int:
    """The house number of what the resident typed, a huisletter or toevoeging after it allowed
    (``12A``, ``12-2``); the messages of :func:`parse_huisnummer` for an empty, too large or zero
    number."""
    value = raw.replace("\u00a0", " ").strip().upper()
    match = _NUMBER_RE.fullmatch(value)
    if match is None:
        if not value:
            return parse_huisnummer(value)
        raise ValidationError(_("Vul een geldig huisnummer in, zoals 12."))
    digits, extra = match.groups()
    if extra and not _EXTRA_RE.fullmatch(extra.strip()):
        raise ValidationError(_("Vul een geldig huisnummer in, zoals 12."))
    return parse_huisnummer(digits)


@dataclass(frozen=True)
class Invoer:
    """What the resident typed, as typed (shown again), and what could be read of it."""

    values: dict[str, str]
    postcode: str | None
    huisnummer: int | None
    errors: dict[str, str]


def read(params: Mapping[str, str]) -> Invoer:
    """Read the form; an error per field that cannot be read."""
    values = {name: str(params.get(name, ""))[:100] for name in FIELDS}
    errors: dict[str, str] = {}
    postcode: str | None = None
    huisnummer: int | None = None
    try:
        postcode = normalise_postcode(values["postcode"])
    except ValidationError as exc:
        errors["postcode"] = exc.message
    try:
        huisnummer = parse_huisnummer_with_extra(values["huisnummer"])
    except ValidationError as exc:
        errors["huisnummer"] = exc.message
    return Invoer(values, postcode, huisnummer, errors)


@dataclass(frozen=True)
class Gevonden:
    """Where the address lies: the register's name of its gemeente, and the configured gemeente
    that serves it (None: that gemeente does not use this service)."""

    gemeentenaam: str
    gemeentecode: str
    gemeente: Gemeente | None


def find(
    register: AdresRegister, gemeenten: Mapping[str, Gemeente], postcode: str, huisnummer: int
) -> Gevonden | None:
    """The gemeente of the address at postcode and number, None when the register knows no
    address there. Runs in a thread: the register may be asked over the network, and raises
    :class:`~webapp.registers.errors.RegisterOnbereikbaar` when it cannot answer."""
    found = register.op_postcode_huisnummer(postcode, huisnummer)
    if not found:
        return None
    # Several addresses at one number (letters, additions) share the number's gemeente.
    adres = found[0]
    serving = next((g for g in gemeenten.values() if g.gemeentecode == adres.gemeentecode), None)
    return Gevonden(adres.gemeentenaam, adres.gemeentecode, serving)
