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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

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


class _Comparison(_Node):
    is_: _Scalar | None = Field(default=None, alias="is")
    is_niet: _Scalar | None = None
    in_: list[_Scalar] | None = Field(default=None, alias="in")
    bevat: _Scalar | None = None
    ingevuld: bool | None = None
    kleiner_dan: float | None = None
    ten_hoogste: float | None = None
    groter_dan: float | None = None
    ten_minste: float | None = None

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

    def compare(self, value: Any) -> bool | None:
        name, expected = self.operator()
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
        return condition.compare(namespace[key])
    if isinstance(condition, Feit):
        if condition.feit not in namespace:
            return None
        return condition.compare(namespace[condition.feit])
    if isinstance(condition, Gebied):
        if AREAS_FACT not in namespace:
            return None
        return condition.gebied in namespace[AREAS_FACT]
    raise TypeError(f"unknown condition node {type(condition).__name__}")


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
