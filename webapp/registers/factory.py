"""The test registers: the files ``brp-personen.json`` and ``adressen.json`` in the test data
folder (``VERHUIZEN_TESTDATA_DIR``), read with a clear error naming the setting.

Which register a gemeente consults is chosen in its configuration (:mod:`webapp.koppelingen`).
The test login's persons always come from the test data folder (:func:`login_testpersonen`):
a real BRP has no list of persons to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from webapp.registers import adressen, brp
from webapp.registers.adressen import AdresRegister, BestandsAdresRegister
from webapp.registers.brp import BestandsBrp, Brp
from webapp.registers.testpersonen import BestandsTestpersonen, LoginTestpersonen
from webapp.settings import Settings, SettingsError

R = TypeVar("R")


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


def bestands_brp(settings: Settings) -> Brp:
    """The BRP of the test data folder."""
    return _read(settings, brp.BESTAND, BestandsBrp)


def bestands_adressen(settings: Settings) -> AdresRegister:
    """The address register of the test data folder."""
    return _read(settings, adressen.BESTAND, BestandsAdresRegister)


def login_testpersonen(settings: Settings) -> LoginTestpersonen:
    """The persons the test login offers: ``brp-personen.json`` in the test data folder."""
    return _read(settings, brp.BESTAND, BestandsTestpersonen)
