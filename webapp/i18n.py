"""The message catalogue. Source strings are Dutch; other languages add a catalogue under locale/."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LOCALE = "nl"


@cache
def translations(locale: str) -> NullTranslations:
    """Dutch is the source language; another locale's .po is compiled in memory at first use."""
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str) -> str:
    return translations(SOURCE_LOCALE).gettext(message)


_ = gettext
