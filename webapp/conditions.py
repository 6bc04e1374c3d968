"""Conditions as data: a small declarative language over earlier answers and derived facts.

A condition is written in a gemeente's YAML file, for example::

    als:
      alle:
        - antwoord: woonsituatie
          is: huur
        - gebied: hvv

It is never evaluated as code. Evaluation is three-valued: ``None`` means "not known yet"
(the answer it needs has not been given), which the flow engine uses to decide whether the
number of steps can be shown reliably.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    field_validator,
    model_validator,
)

Namespace = Mapping[str, Any]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alle(_Node):
    """All sub-conditions hold (and)."""

    alle: list[Conditie] = Field(min_length=1)


class EenVan(_Node):
    """At least one sub-condition holds (or)."""

    een_van: list[Conditie] = Field(min_length=1)


class Niet(_Node):
    """The sub-condition does not hold."""

    niet: Conditie


_Scalar = str | int | float | bool

DATE_FACT = "verhuizing.datum"
"""The moving date (ISO), the date on which a threshold with ``geldig_vanaf`` is read."""


class GeldigVanaf(_Node):
    """One value of a threshold and the first day it holds."""

    geldig_vanaf: date
    waarde: float


class Gedateerd(RootModel[list[GeldigVanaf]]):
    """A threshold that changes on dates, e.g. a rent ceiling that is raised each 1 January::

        ten_hoogste:
          - {geldig_vanaf: 2025-01-01, waarde: 1184.82}
          - {geldig_vanaf: 2026-01-01, waarde: 1228.07}

    Each value holds from its ``geldig_vanaf`` until the next one; the first also holds before
    its date. So next year's value is configured ahead and takes effect by itself.

    The date that counts is the moving date (``verhuizing.datum``), not the day of the report:
    a permit or a rule is about living at the address from that date on, so a move on
    2 January reported in December meets the rule of the new year, and the same answers always
    give the same outcome, whenever the report is made, previewed or re-read in the back office.
    """

    model_config = ConfigDict(frozen=True)
    root: list[GeldigVanaf] = Field(min_length=1)

    @field_validator("root")
    @classmethod
    def _oplopend(cls, values: list[GeldigVanaf]) -> list[GeldigVanaf]:
        for earlier, later in pairwise(values):
            if later.geldig_vanaf <= earlier.geldig_vanaf:
                raise ValueError(
                    "de data van geldig_vanaf moeten oplopen; "
                    f"{later.geldig_vanaf.isoformat()} komt na {earlier.geldig_vanaf.isoformat()}"
                )
        return values

    def op(self, day: date) -> float:
        """The value that holds on ``day``."""
        current = self.root[0].waarde
        for entry in self.root:
            if entry.geldig_vanaf <= day:
                current = entry.waarde
        return current

    def __str__(self) -> str:
        return ", ".join(f"{e.waarde:g} vanaf {e.geldig_vanaf.isoformat()}" for e in self.root)


def _threshold_kind(value: Any) -> str:
    return "gedateerd" if isinstance(value, (list, Gedateerd)) else "getal"


# A number, or a list of dated values; told apart by their shape, so that a mistake in a list
# is reported once, not also as "not a number".
_Threshold = Annotated[
    Annotated[float, Tag("getal")] | Annotated[Gedateerd, Tag("gedateerd")],
    Discriminator(_threshold_kind),
]


class _Comparison(_Node):
    is_: _Scalar | None = Field(default=None, alias="is")
    is_niet: _Scalar | None = None
    in_: list[_Scalar] | None = Field(default=None, alias="in")
    bevat: _Scalar | None = None
    ingevuld: bool | None = None
    kleiner_dan: _Threshold | None = None
    ten_hoogste: _Threshold | None = None
    groter_dan: _Threshold | None = None
    ten_minste: _Threshold | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_operator(self) -> _Comparison:
        given = [name for name in _OPERATORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "geef precies één vergelijking: is, is_niet, in, bevat, ingevuld, "
                "kleiner_dan, ten_hoogste, groter_dan of ten_minste"
            )
        return self

    def operator(self) -> tuple[str, Any]:
        for name in _OPERATORS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise AssertionError("validated to have one operator")

    def dated(self) -> bool:
        """Whether the threshold changes on dates (it needs the moving date)."""
        return isinstance(self.operator()[1], Gedateerd)

    def compare(self, value: Any, on: date | None = None) -> bool | None:
        """Compare ``value``; ``on`` is the date a dated threshold is read on (None: unknown)."""
        name, expected = self.operator()
        if isinstance(expected, Gedateerd):
            if on is None:
                return None
            expected = expected.op(on)
        if name == "ingevuld":
            filled = value not in (None, "", [], {})
            return filled is expected
        if value is None:
            return None
        if name == "is_":
            return bool(_same(value, expected))
        if name == "is_niet":
            return not _same(value, expected)
        if name == "in_":
            return any(_same(value, item) for item in expected)
        if name == "bevat":
            return isinstance(value, (list, tuple, set, frozenset)) and any(
                _same(item, expected) for item in value
            )
        number = _as_number(value)
        if number is None:
            return False
        if name == "kleiner_dan":
            return bool(number < expected)
        if name == "ten_hoogste":
            return bool(number <= expected)
        if name == "groter_dan":
            return bool(number > expected)
        return bool(number >= expected)  # ten_minste


_OPERATORS = (
    "is_",
    "is_niet",
    "in_",
    "bevat",
    "ingevuld",
    "kleiner_dan",
    "ten_hoogste",
    "groter_dan",
    "ten_minste",
)


class Antwoord(_Comparison):
    """Compares an earlier answer: ``stap`` (its main field) or ``stap.veld``."""

    antwoord: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


class Feit(_Comparison):
    """Compares a fact derived from earlier answers, e.g. ``huishouden.personen``."""

    feit: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Gebied(_Node):
    """The new address lies in one of the gemeente's configured areas."""

    gebied: str


_KINDS = ("alle", "een_van", "niet", "antwoord", "feit", "gebied")


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((k for k in _KINDS if k in value), None)
    if isinstance(value, _Node):
        return next((k for k in _KINDS if hasattr(value, k)), None)
    return None


Conditie = Annotated[
    Annotated[Alle, Tag("alle")]
    | Annotated[EenVan, Tag("een_van")]
    | Annotated[Niet, Tag("niet")]
    | Annotated[Antwoord, Tag("antwoord")]
    | Annotated[Feit, Tag("feit")]
    | Annotated[Gebied, Tag("gebied")],
    Discriminator(
        _kind,
        custom_error_type="conditie",
        custom_error_message=(
            "een voorwaarde begint met alle, een_van, niet, antwoord, feit of gebied"
        ),
    ),
]

Alle.model_rebuild()
EenVan.model_rebuild()
Niet.model_rebuild()

AREAS_FACT = "adres.gebieden"


def answer_key(reference: str, default_field: Mapping[str, str]) -> str:
    """Turn ``stap`` or ``stap.veld`` into the namespace key ``stap.veld``."""
    if "." in reference:
        return reference
    return f"{reference}.{default_field.get(reference, 'waarde')}"


def evaluate(
    condition: Conditie, namespace: Namespace, default_field: Mapping[str, str]
) -> bool | None:
    """Evaluate with three-valued logic: True, False, or None when not yet known."""
    if isinstance(condition, Alle):
        results = [evaluate(c, namespace, default_field) for c in condition.alle]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if isinstance(condition, EenVan):
        results = [evaluate(c, namespace, default_field) for c in condition.een_van]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if isinstance(condition, Niet):
        inner = evaluate(condition.niet, namespace, default_field)
        return None if inner is None else not inner
    if isinstance(condition, Antwoord):
        key = answer_key(condition.antwoord, default_field)
        if key not in namespace:
            return None
        return condition.compare(namespace[key], _moving_date(namespace))
    if isinstance(condition, Feit):
        if condition.feit not in namespace:
            return None
        return condition.compare(namespace[condition.feit], _moving_date(namespace))
    if isinstance(condition, Gebied):
        if AREAS_FACT not in namespace:
            return None
        return condition.gebied in namespace[AREAS_FACT]
    raise TypeError(f"unknown condition node {type(condition).__name__}")


def _moving_date(namespace: Namespace) -> date | None:
    value = namespace.get(DATE_FACT)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    na, nb = _as_number(a), _as_number(b)
    if na is not None and nb is not None:
        return na == nb
    return bool(a == b)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None
    return None
