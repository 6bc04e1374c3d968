"""The message catalogue. Source strings are Dutch; other languages add a catalogue under locale/.

In Python, wrap every text a resident reads in ``_()``; fill values in with named placeholders
after translating: ``_("Kies een bestand voor: %(titel)s.") % {"titel": doc.titel}``. Texts that
are read when the configuration loads (defaults of config fields) are only marked, with ``N_()``,
and translated where they are shown.

The language of the current request lives in a context variable (``set_locale``); until a second
language is added it is always Dutch. After changing texts, refresh the template:

    python -m webapp.i18n extract

(the same as ``pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 -c TRANSLATORS:
--no-location --omit-header --sort-output -o webapp/locale/messages.pot .``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LOCALE = "nl"

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "babel.cfg"
POT_FILE = LOCALE_DIR / "messages.pot"
KEYWORDS: dict[str, tuple[int, int] | None] = {"_": None, "N_": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)

_locale: ContextVar[str] = ContextVar("locale", default=SOURCE_LOCALE)
_override: ContextVar[NullTranslations | None] = ContextVar("translations", default=None)


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


def get_locale() -> str:
    """The language of the current request (Dutch unless ``set_locale`` said otherwise)."""
    return _locale.get()


def set_locale(locale: str) -> Token[str]:
    """Set the language for the current context (request); reset with ``_locale.reset(token)``."""
    return _locale.set(locale)


def current_translations() -> NullTranslations:
    override = _override.get()
    return override if override is not None else translations(_locale.get())


@contextmanager
def use_translations(catalogue: NullTranslations) -> Iterator[None]:
    """Use these translations in this context, whatever the locale (for tests)."""
    token = _override.set(catalogue)
    try:
        yield
    finally:
        _override.reset(token)


def gettext(message: str) -> str:
    return current_translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current_translations().ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a text for the catalogue without translating it now (translate it where it is shown)."""
    return message


# -- extraction ---------------------------------------------------------------------------


def extract_catalog() -> bytes:
    """The message template (messages.pot) as extracted from the sources now: no dates, no
    locations, sorted, so that the committed file can be compared byte for byte."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import write_po

    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))  # type: ignore[no-untyped-call]
    catalog = Catalog(project="verhuizen")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    buffer = BytesIO()
    write_po(buffer, catalog, no_location=True, omit_header=True, sort_output=True)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if argv != ["extract"]:
        print("gebruik: python -m webapp.i18n extract", file=sys.stderr)
        return 2
    POT_FILE.parent.mkdir(parents=True, exist_ok=True)
    POT_FILE.write_bytes(extract_catalog())
    print(f"geschreven: {POT_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
