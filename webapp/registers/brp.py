"""BRP interface, with a file-backed implementation holding Haal Centraal BRP Personen 2.x data.

The file holds what a ``RaadpleegMetBurgerservicenummer`` response would return, so a real
Haal Centraal client can later parse responses with the same ``persoon_uit_haal_centraal``.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from webapp.resources import DEFAULT_TESTDATA_DIR

BESTAND = "brp-personen.json"
"""The file's name in a test data folder (``VERHUIZEN_TESTDATA_DIR``)."""
DEFAULT_PATH = DEFAULT_TESTDATA_DIR / BESTAND

# Haal Centraal soortVerbintenis codes.
_SOORT_PARTNER = {"H": "partner_huwelijk", "P": "partner_geregistreerd"}


@dataclass(frozen=True)
class Verblijfadres:
    officiele_straatnaam: str
    huisnummer: int
    huisletter: str | None
    huisnummertoevoeging: str | None
    postcode: str
    woonplaats: str


@dataclass(frozen=True)
class Relatie:
    """A partner, kind or ouder as Haal Centraal lists it: only a reference, never an address."""

    burgerservicenummer: str
    soort: str  # "partner_huwelijk" | "partner_geregistreerd" | "kind" | "ouder"


@dataclass(frozen=True)
class Persoon:
    burgerservicenummer: str
    voornamen: str
    voorvoegsel: str | None
    geslachtsnaam: str
    geboortedatum: date
    geslacht: str | None
    verblijfadres: Verblijfadres | None
    adresseerbaar_object_identificatie: str | None
    gemeente_van_inschrijving: str | None  # CBS gemeentecode, e.g. "0344"
    partners: tuple[Relatie, ...]
    kinderen: tuple[Relatie, ...]
    ouders: tuple[Relatie, ...]
    curatele: bool = False

    def naam(self) -> str:
        return " ".join(p for p in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if p)

    def leeftijd(self, op: date) -> int:
        had_birthday = (op.month, op.day) >= (self.geboortedatum.month, self.geboortedatum.day)
        return op.year - self.geboortedatum.year - (0 if had_birthday else 1)


class Brp(Protocol):
    """What the service asks the BRP. The persons a test login offers are not part of it: see
    :class:`webapp.registers.testpersonen.LoginTestpersonen`."""

    def raadpleeg(self, bsn: str) -> Persoon | None:
        """The person with this BSN, or None when the BRP does not know it."""
        ...

    def bewoners(self, adresseerbaar_object_identificatie: str) -> list[Persoon]:
        """Everyone registered at this address (BAG adresseerbaar object)."""
        ...

    def aantal_bewoners(self, adresseerbaar_object_identificatie: str) -> int:
        """How many are registered there: for the new address, where nothing more about the
        people living there is needed (data minimisation)."""
        ...


class BrpDataError(ValueError):
    """The BRP data could not be read as Haal Centraal BRP Personen data."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _masked(bsn: str) -> str:
    # Error messages may end up in logs, where a full BSN must never appear (AVG).
    return "*****" + bsn[-4:]


def _geboortedatum(geboorte: Mapping[str, Any] | None, bsn: str) -> date:
    datum = (geboorte or {}).get("datum") or {}
    soort = datum.get("type", "Datum")
    try:
        if soort in ("Datum", None):
            return date.fromisoformat(datum["datum"])
        # Incomplete dates: take the last possible day, so an age check never grants a right
        # (reporting for oneself, for a parent) to someone who may still be too young.
        if soort == "JaarMaandDatum":
            jaar, maand = int(datum["jaar"]), int(datum["maand"])
            return date(jaar, maand, calendar.monthrange(jaar, maand)[1])
        if soort == "JaarDatum":
            return date(int(datum["jaar"]), 12, 31)
    except (KeyError, TypeError, ValueError) as exc:
        raise BrpDataError(f"geboortedatum van persoon {_masked(bsn)} is onleesbaar") from exc
    raise BrpDataError(f"geboortedatum van persoon {_masked(bsn)} is onbekend ({soort})")


def _relaties(items: Any, soort: str | None) -> tuple[Relatie, ...]:
    result: list[Relatie] = []
    for item in items or ():
        bsn = _text(item.get("burgerservicenummer"))
        if bsn is None:
            # Relatives without a BSN (e.g. a partner who never lived here) cannot be consulted.
            continue
        if soort is None:
            # Partners: Haal Centraal returns the last dissolved partnership when there is no
            # current one; that person is no longer a partner.
            if item.get("ontbindingHuwelijkPartnerschap"):
                continue
            code = _text((item.get("soortVerbintenis") or {}).get("code"))
            result.append(Relatie(bsn, _SOORT_PARTNER.get(code or "", "partner_huwelijk")))
        else:
            result.append(Relatie(bsn, soort))
    return tuple(result)


def _verblijf(data: Mapping[str, Any]) -> tuple[Verblijfadres | None, str | None]:
    verblijfplaats = data.get("verblijfplaats") or {}
    adres = verblijfplaats.get("verblijfadres") or {}
    # Only a Dutch address counts; VerblijfplaatsBuitenland and Locatie carry other fields.
    if verblijfplaats.get("type", "Adres") != "Adres" or "officieleStraatnaam" not in adres:
        return None, None
    verblijfadres = Verblijfadres(
        officiele_straatnaam=str(adres["officieleStraatnaam"]),
        huisnummer=int(adres["huisnummer"]),
        huisletter=_text(adres.get("huisletter")),
        huisnummertoevoeging=_text(adres.get("huisnummertoevoeging")),
        postcode=str(adres.get("postcode", "")).replace(" ", "").upper(),
        woonplaats=str(adres.get("woonplaats", "")),
    )
    return verblijfadres, _text(verblijfplaats.get("adresseerbaarObjectIdentificatie"))


def persoon_uit_haal_centraal(data: Mapping[str, Any]) -> Persoon:
    """Read one entry of a Haal Centraal ``personen`` list; optional parts may be missing."""
    bsn = _text(data.get("burgerservicenummer"))
    if bsn is None:
        raise BrpDataError("persoon zonder burgerservicenummer")
    naam = data.get("naam") or {}
    verblijfadres, object_id = _verblijf(data)
    return Persoon(
        burgerservicenummer=bsn,
        voornamen=_text(naam.get("voornamen")) or "",
        voorvoegsel=_text(naam.get("voorvoegsel")),
        geslachtsnaam=_text(naam.get("geslachtsnaam")) or "",
        geboortedatum=_geboortedatum(data.get("geboorte"), bsn),
        geslacht=_text((data.get("geslacht") or {}).get("code")),
        verblijfadres=verblijfadres,
        adresseerbaar_object_identificatie=object_id,
        gemeente_van_inschrijving=_text((data.get("gemeenteVanInschrijving") or {}).get("code")),
        partners=_relaties(data.get("partners"), None),
        kinderen=_relaties(data.get("kinderen"), "kind"),
        ouders=_relaties(data.get("ouders"), "ouder"),
        curatele=bool(data.get("indicatieCurateleRegister", False)),
    )


class BestandsBrp:
    """A BRP read from a JSON file in the Haal Centraal response shape (test data, staging).

    It is also a :class:`~webapp.registers.testpersonen.LoginTestpersonen`: ``testpersonen``
    lists the persons in the file with a Dutch address.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or DEFAULT_PATH
        with self.path.open(encoding="utf-8") as f:
            raw = json.load(f)
        self._personen = [persoon_uit_haal_centraal(p) for p in raw.get("personen", [])]
        self._op_bsn = {p.burgerservicenummer: p for p in self._personen}
        if len(self._op_bsn) != len(self._personen):
            raise BrpDataError(f"{self.path}: een burgerservicenummer komt dubbel voor")

    def raadpleeg(self, bsn: str) -> Persoon | None:
        return self._op_bsn.get(bsn)

    def bewoners(self, adresseerbaar_object_identificatie: str) -> list[Persoon]:
        return [
            p
            for p in self._personen
            if p.adresseerbaar_object_identificatie == adresseerbaar_object_identificatie
        ]

    def aantal_bewoners(self, adresseerbaar_object_identificatie: str) -> int:
        return len(self.bewoners(adresseerbaar_object_identificatie))

    def testpersonen(self) -> list[Persoon]:
        """The persons with a Dutch address, in file order: the ones a test login can offer."""
        return [p for p in self._personen if p.verblijfadres is not None]
