"""Which registers the service consults, chosen by settings, never by code.

``VERHUIZEN_BRP`` names the BRP, ``VERHUIZEN_ADRESSEN`` the address register; today both know
only ``test``: the files ``brp-personen.json`` and ``adressen.json`` in ``VERHUIZEN_TESTDATA_DIR``.
A real client (Haal Centraal BRP Personen; PDOK Locatieserver or BAG Individuele Bevragingen)
implements :class:`~webapp.registers.brp.Brp` or :class:`~webapp.registers.adressen.AdresRegister`
and registers a factory under its name::

    brp_soorten.register("haal-centraal", lambda settings: HaalCentraalBrp(...))

The test login's persons always come from the test data folder (:func:`login_testpersonen`):
a real BRP has no list of persons to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from webapp.registers import adressen, brp
from webapp.registers.adressen import AdresRegister, BestandsAdresRegister
from webapp.registers.brp import BestandsBrp, Brp
from webapp.registers.testpersonen import BestandsTestpersonen, LoginTestpersonen
from webapp.settings import Settings, SettingsError

TEST = "test"
"""The file-backed kind: the test data folder."""

F = TypeVar("F")
R = TypeVar("R")

BrpFactory = Callable[[Settings], Brp]
AdresFactory = Callable[[Settings], AdresRegister]


class Soorten(Generic[F]):
    """The kinds of one register by name, as its setting names them."""

    def __init__(self, setting: str, planned: tuple[str, ...] = ()) -> None:
        self.setting = setting
        self.planned = planned
        self._factories: dict[str, F] = {}

    def register(self, kind: str, factory: F) -> None:
        if kind in self._factories:
            raise ValueError(f"{self.setting}: de soort {kind!r} is al geregistreerd")
        self._factories[kind] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def factory(self, kind: str) -> F:
        try:
            return self._factories[kind]
        except KeyError:
            pass
        known = ", ".join(self.names()) or "geen"
        if kind in self.planned:
            raise SettingsError(
                f"{self.setting}={kind!r} is nog niet gebouwd in deze versie; beschikbaar: {known}"
            ) from None
        later = [k for k in self.planned if k not in self._factories]
        hint = f" (later ook: {', '.join(later)})" if later else ""
        raise SettingsError(
            f"{self.setting}: onbekende soort {kind!r}; beschikbaar: {known}{hint}"
        ) from None


brp_soorten: Soorten[BrpFactory] = Soorten("VERHUIZEN_BRP", planned=("haal-centraal",))
adres_soorten: Soorten[AdresFactory] = Soorten("VERHUIZEN_ADRESSEN", planned=("pdok", "bag"))


def testdata_file(settings: Settings, name: str) -> Path:
    """A file in the test data folder; a missing folder or file names the setting."""
    folder = settings.testdata_dir
    if not folder.is_dir():
        raise SettingsError(
            f"VERHUIZEN_TESTDATA_DIR wijst naar {folder}, maar die map bestaat niet. Geef een map "
            f"met {brp.BESTAND} en {adressen.BESTAND}, of laat VERHUIZEN_TESTDATA_DIR weg voor de "
            "meegeleverde testgegevens."
        )
    path = folder / name
    if not path.is_file():
        raise SettingsError(
            f"VERHUIZEN_TESTDATA_DIR ({folder}): het bestand {name} ontbreekt. De map hoort "
            f"{brp.BESTAND} en {adressen.BESTAND} te bevatten, in de vorm van "
            "webapp/registers/testdata/."
        )
    return path


def _read(settings: Settings, name: str, reader: Callable[[Path], R]) -> R:
    path = testdata_file(settings, name)
    try:
        return reader(path)
    except (OSError, ValueError, LookupError, TypeError, AttributeError) as exc:
        # The data modules mask BSNs in their messages, so the message may be shown.
        raise SettingsError(
            f"VERHUIZEN_TESTDATA_DIR: {path} is niet te lezen: {str(exc) or type(exc).__name__}"
        ) from exc


def _bestands_brp(settings: Settings) -> Brp:
    return _read(settings, brp.BESTAND, BestandsBrp)


def _bestands_adressen(settings: Settings) -> AdresRegister:
    return _read(settings, adressen.BESTAND, BestandsAdresRegister)


brp_soorten.register(TEST, _bestands_brp)
adres_soorten.register(TEST, _bestands_adressen)


def brp_for(settings: Settings) -> Brp:
    return brp_soorten.factory(settings.brp)(settings)


def adressen_for(settings: Settings) -> AdresRegister:
    return adres_soorten.factory(settings.adressen)(settings)


def login_testpersonen(settings: Settings) -> LoginTestpersonen:
    """The persons the test login offers: ``brp-personen.json`` in the test data folder."""
    return _read(settings, brp.BESTAND, BestandsTestpersonen)


@dataclass(frozen=True)
class Registers:
    brp: Brp
    adressen: AdresRegister


def registers_for(settings: Settings) -> Registers:
    """Both registers as the settings choose them; a wrong setting stops the start."""
    return Registers(brp=brp_for(settings), adressen=adressen_for(settings))
