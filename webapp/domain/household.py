"""Who may report a move for whom (Wet BRP): each housemate with the ground, or why not.

Pure functions over BRP data; the caller fetches the persons registered at the resident's address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from webapp.i18n import N_, _
from webapp.registers.brp import Persoon, Relatie

ZELF_MELDEN_VANAF = 16
MEERDERJARIG = 18


class Grond(StrEnum):
    PARTNER = "partner"
    KIND_ONDER_16 = "kind_onder_16"
    KIND_16_17 = "kind_16_17"
    MEERDERJARIG_KIND = "meerderjarig_kind"
    OUDER = "ouder"


# Marked for the catalogue here, translated when a household is classified (per request).
REDEN: dict[Grond, str] = {
    Grond.PARTNER: N_(
        "Uw echtgenoot of geregistreerd partner mag u meenemen als u samen naar hetzelfde "
        "adres verhuist."
    ),
    Grond.KIND_ONDER_16: N_("Als ouder geeft u de verhuizing van uw kind jonger dan 16 door."),
    Grond.KIND_16_17: N_(
        "U mag de verhuizing van uw kind van 16 of 17 doorgeven. Uw kind mag de verhuizing "
        "ook zelf doorgeven."
    ),
    Grond.MEERDERJARIG_KIND: N_(
        "Uw meerderjarige kind mag u meenemen als u samen naar hetzelfde adres verhuist."
    ),
    Grond.OUDER: N_("Uw ouder mag u meenemen als u samen naar hetzelfde adres verhuist."),
}
REDEN_CURATELE = N_(
    "Iemand onder curatele kan de verhuizing niet online laten doorgeven; neem contact op met "
    "de gemeente."
)
REDEN_OUDER_DOOR_MINDERJARIGE = N_(
    "U bent jonger dan 18 en kunt de verhuizing van uw ouder niet doorgeven. Uw ouder geeft de "
    "verhuizing zelf door."
)
REDEN_VOLWASSEN_HUISGENOOT = N_(
    "Samenwonende partners (niet getrouwd en geen geregistreerd partnerschap) en andere "
    "huisgenoten geven hun verhuizing zelf door."
)
REDEN_MINDERJARIGE_HUISGENOOT = N_("Voor dit kind geeft een ouder of voogd de verhuizing door.")


@dataclass(frozen=True)
class Huisgenoot:
    persoon: Persoon
    grond: Grond | None  # None: the resident may not report for this person
    reden: str  # shown to the resident: why they may or may not report for this person


def mag_zelf_melden(aangever: Persoon, op: date) -> bool:
    return aangever.leeftijd(op) >= ZELF_MELDEN_VANAF


def _bsns(relaties: Iterable[Relatie]) -> set[str]:
    return {r.burgerservicenummer for r in relaties}


def _classify(aangever: Persoon, bewoner: Persoon, op: date) -> Huisgenoot:
    if bewoner.curatele:
        # The curator reports, usually in writing: no relation makes this possible online.
        return Huisgenoot(bewoner, None, _(REDEN_CURATELE))
    bsn, own = bewoner.burgerservicenummer, aangever.burgerservicenummer
    # Relations are read from both persons: BRP data is symmetric, but when one side is
    # missing the other is just as authoritative.
    if bsn in _bsns(aangever.partners) or own in _bsns(bewoner.partners):
        return Huisgenoot(bewoner, Grond.PARTNER, _(REDEN[Grond.PARTNER]))
    leeftijd = bewoner.leeftijd(op)
    if bsn in _bsns(aangever.kinderen) or own in _bsns(bewoner.ouders):
        if leeftijd < ZELF_MELDEN_VANAF:
            grond = Grond.KIND_ONDER_16
        elif leeftijd < MEERDERJARIG:
            grond = Grond.KIND_16_17
        else:
            grond = Grond.MEERDERJARIG_KIND
        return Huisgenoot(bewoner, grond, _(REDEN[grond]))
    if bsn in _bsns(aangever.ouders) or own in _bsns(bewoner.kinderen):
        if aangever.leeftijd(op) >= MEERDERJARIG:
            return Huisgenoot(bewoner, Grond.OUDER, _(REDEN[Grond.OUDER]))
        return Huisgenoot(bewoner, None, _(REDEN_OUDER_DOOR_MINDERJARIGE))
    if leeftijd < MEERDERJARIG:
        return Huisgenoot(bewoner, None, _(REDEN_MINDERJARIGE_HUISGENOOT))
    return Huisgenoot(bewoner, None, _(REDEN_VOLWASSEN_HUISGENOOT))


def huisgenoten(aangever: Persoon, bewoners: list[Persoon], op: date) -> list[Huisgenoot]:
    """Everyone else registered at the resident's address, those who may be reported for first.

    ``bewoners`` are the persons the BRP registers at the aangever's current address; relatives
    living elsewhere are therefore never offered (they do not move from the same address).
    """
    result = [
        _classify(aangever, b, op)
        for b in bewoners
        if b.burgerservicenummer != aangever.burgerservicenummer
    ]
    # Oldest first within each group: the order a household is usually listed in.
    result.sort(key=lambda h: (h.grond is None, h.persoon.geboortedatum, h.persoon.naam()))
    return result
