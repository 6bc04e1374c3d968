"""The message catalogue. Source strings are Dutch; other languages add a catalogue under locale/.

In Python, wrap every text a resident reads in ``_()``; fill values in with named placeholders
after translating: ``_("Kies een bestand voor: %(titel)s.") % {"titel": doc.titel}``. Texts that
are read when the configuration loads (defaults of config fields) are only marked, with ``N_()``,
and translated where they are shown.

The language of the current request lives in a context variable (``set_locale``, set per request
by ``webapp.web.middleware.Language``); Dutch unless the resident chose English. What the back
office, the PDF receipt and the stored summary get is made in Dutch (``use_locale("nl")``).
A gemeente's own texts are :class:`webapp.tekst.Tekst`: they carry their translation with them. After changing texts, refresh the template:

    python -m webapp.i18n extract

and bring the English catalogue in line with it (new texts untranslated, for a translator):

    python -m webapp.i18n update

(extract is the same as ``pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k ngettext:1,2 -c TRANSLATORS:
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
    with po_file(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


FORMAT_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""How dates are written per language: English as in the UK and Europe (5 March 2026)."""


def format_locale() -> str:
    """The Babel locale for dates and numbers in the current language."""
    locale = _locale.get()
    return FORMAT_LOCALES.get(locale, locale)


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
def use_locale(locale: str) -> Iterator[None]:
    """Work in this language in this context, e.g. Dutch for what the back office receives,
    whatever language the resident chose."""
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)


@contextmanager
def use_translations(catalogue: NullTranslations) -> Iterator[None]:
    """Use these translations in this context, whatever the locale (for tests)."""
    token = _override.set(catalogue)
    try:
        yield
    finally:
        _override.reset(token)


def gettext(message: str) -> str:
    if getattr(type(message), "zelf_vertaald", False):
        return message  # a gemeente's own text (webapp.tekst.Tekst) translates itself when shown
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


TRANSLATED_LOCALES = ("en",)


def po_file(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def update_catalog(locale: str) -> bytes:
    """The locale's .po brought in line with messages.pot: new msgids added untranslated,
    vanished ones dropped (not kept as obsolete), translations kept; sorted, no header dates."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    with POT_FILE.open("rb") as handle:
        template = read_po(handle)
    path = po_file(locale)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="verhuizen")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    buffer = BytesIO()
    write_po(buffer, catalog, no_location=True, omit_header=True, sort_output=True)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if argv == ["extract"]:
        POT_FILE.parent.mkdir(parents=True, exist_ok=True)
        POT_FILE.write_bytes(extract_catalog())
        print(f"geschreven: {POT_FILE.relative_to(ROOT)}")
        return 0
    if argv == ["update"]:
        for locale in TRANSLATED_LOCALES:
            path = po_file(locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(update_catalog(locale))
            print(f"bijgewerkt: {path.relative_to(ROOT)} (vertaal de lege msgstr's)")
        return 0
    print("gebruik: python -m webapp.i18n extract | update", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
