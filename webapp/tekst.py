"""A gemeente's own text for residents, in Dutch and optionally in English.

In a configuration file such a text is either plain Dutch::

    intro: Geef hier uw verhuizing door.

or a mapping with the Dutch text (required) and its English translation::

    intro:
      nl: Geef hier uw verhuizing door.
      en: Report your move here.

A :class:`Tekst` *is* its Dutch string (its value in JSON, comparisons, joins and ``+``;
``t.nl``), and knows its translations besides. Shown, it follows the current language
(:func:`webapp.i18n.get_locale`), which is always Dutch where the back office, the PDF and the
stored summary are made (:func:`webapp.i18n.use_locale`):

- ``str(t)``, ``f"{t}"`` and ``"%s" % t`` give the text in the current language (Dutch
  when the gemeente gave no translation);
- in a template, ``{{ tekst }}`` shows the English text, or, when the gemeente gave none, the
  Dutch one inside ``<span lang="nl">`` so that a screen reader pronounces it as Dutch
  (``__html__``); where no markup may go (``<title>``, an attribute) use the ``tekst`` filter;
- in Python, :func:`lokaal` gives the plain text in the current language of a gemeente text
  or a catalogue text (``", ".join`` and ``+`` use the Dutch value, so go through it).

Values a condition compares (an option's ``waarde``) are never a ``Tekst``: they are never
translated.
"""

from __future__ import annotations

from typing import Annotated, Any

from markupsafe import Markup, escape
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from webapp.i18n import SOURCE_LOCALE, current_translations, get_locale, translations

TALEN = ("nl", "en")
"""The languages a gemeente text may be given in; Dutch is required."""
VERTALINGEN = tuple(t for t in TALEN if t != SOURCE_LOCALE)
NAMEN = {"nl": "Nederlands", "en": "English"}
"""Each language in its own words (the language link, the scenario runner)."""


class Tekst(str):
    """Dutch text (the string itself) with its translations by language code."""

    vertalingen: dict[str, str]
    zelf_vertaald = True
    """``webapp.i18n.gettext`` passes a Tekst on as it is: it translates itself when shown."""

    def __new__(cls, nl: str, vertalingen: dict[str, str] | None = None) -> Tekst:
        obj = super().__new__(cls, nl)
        obj.vertalingen = dict(vertalingen or {})
        return obj

    @property
    def nl(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Tekst, (self.nl, self.vertalingen))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tekst):
            return self.nl == other.nl and self.vertalingen == other.vertalingen
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.lokaal()

    def __format__(self, spec: str) -> str:
        return format(self.lokaal(), spec)

    def __repr__(self) -> str:
        if not self.vertalingen:
            return f"Tekst({self.nl!r})"
        return f"Tekst({self.nl!r}, {self.vertalingen!r})"

    def in_taal(self, taal: str) -> str | None:
        """The text in this language, or None when there is no translation: the gemeente's
        own, or the catalogue's when the Dutch is one of the product's own default texts."""
        own = self.vertalingen.get(taal)
        if own is not None:
            return own
        catalogue = current_translations() if taal == get_locale() else translations(taal)
        found = catalogue.gettext(self.nl)
        if taal == SOURCE_LOCALE:
            return found
        return found if found != self.nl else None

    def catalogue_translation(self, taal: str) -> str | None:
        """The catalogue's translation of the Dutch text (a default text), if any."""
        found = translations(taal).gettext(self.nl)
        return found if found != self.nl else None

    def lokaal(self) -> str:
        """The plain text in the current language; Dutch when there is no translation."""
        found = self.in_taal(get_locale())
        return self.nl if found is None else found

    def __html__(self) -> str:
        found = self.in_taal(get_locale())
        if found is None:
            return f'<span lang="{SOURCE_LOCALE}">{escape(self.nl)}</span>'
        return str(escape(found))

    # -- pydantic --------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # As a field type (TekstVeld = Annotated[str, Tekst]) the handler gives the text's own
        # schema with the field's constraints (min_length, max_length): each language meets them.
        inner = core_schema.str_schema() if source is cls else handler(source)
        return core_schema.no_info_wrap_validator_function(
            _validate,
            inner,
            serialization=core_schema.plain_serializer_function_ser_schema(_serialise),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        text = handler(schema)
        return {
            "anyOf": [
                text,
                {
                    "type": "object",
                    "description": "De tekst per taal: nl (verplicht) en en (Engels).",
                    "properties": {taal: text for taal in TALEN},
                    "required": [SOURCE_LOCALE],
                    "additionalProperties": False,
                },
            ]
        }


def _validate(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Tekst:
    if isinstance(value, Tekst):
        return value
    if not isinstance(value, dict):
        return Tekst(handler(value))
    unknown = [str(k) for k in value if k not in TALEN]
    if unknown:
        raise PydanticCustomError(
            "tekst_taal",
            "onbekende taal {talen}; een tekst kan in: {bekend}",
            {"talen": ", ".join(repr(k) for k in unknown), "bekend": ", ".join(TALEN)},
        )
    if SOURCE_LOCALE not in value:
        raise PydanticCustomError(
            "tekst_nl", "de Nederlandse tekst (nl) ontbreekt; nl is verplicht, en is de vertaling"
        )
    nl = handler(value[SOURCE_LOCALE])
    vertalingen = {t: handler(value[t]) for t in VERTALINGEN if value.get(t) is not None}
    empty = [t for t, text in vertalingen.items() if not text.strip()]
    if empty:
        raise PydanticCustomError(
            "tekst_leeg",
            "de vertaling ({talen}) is leeg; laat de sleutel weg als er geen vertaling is",
            {"talen": ", ".join(empty)},
        )
    return Tekst(nl, vertalingen)


def _serialise(value: Any) -> Any:
    if isinstance(value, Tekst) and value.vertalingen:
        return {SOURCE_LOCALE: value.nl, **value.vertalingen}
    return value.nl if isinstance(value, Tekst) else value


def lokaal(text: str | None) -> str:
    """A text for the resident as plain text in the current language: a gemeente's
    :class:`Tekst` (Dutch when it has no translation), or a catalogue text (``_()``)."""
    if text is None:
        return ""
    if isinstance(text, Tekst):
        return text.lokaal()
    return current_translations().gettext(text)


def tonen(text: str | None) -> Markup | str:
    """For templates that build markup around a text: as ``{{ text }}`` would show it."""
    if text is None:
        return ""
    if isinstance(text, Tekst):
        return Markup(text.__html__())
    return current_translations().gettext(text)


TekstVeld = Annotated[str, Tekst]
"""The type of a resident text in a configuration model: plain Dutch or ``{nl: ..., en: ...}``,
a :class:`Tekst` once loaded (a default written with ``N_()`` stays a catalogue text)."""
