"""The flow preview for gemeente administrators: every step, its condition in plain Dutch, the
documents it asks for, a diagram of the paths, and a "what if" run of the flow engine.

Pure: it reads a gemeente configuration and the step registry, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from webapp.conditions import Alle, Antwoord, Conditie, EenVan, Feit, Gebied, Gedateerd, Niet
from webapp.config.models import Gemeente
from webapp.flow.journey import Journey
from webapp.steps.base import WhatIfInput
from webapp.steps.registry import Registry

__all__ = ["WhatIfInput", "condition_text", "diagram", "steps", "what_if", "what_if_inputs"]

FACTS = {
    "huishouden.personen": "het aantal mensen dat verhuist (met de melder)",
    "huishouden.kinderen": "het aantal kinderen dat meeverhuist",
    "huishouden.volwassenen": "het aantal volwassenen dat verhuist",
    "adres.bewoners": "het aantal mensen dat al op het nieuwe adres staat ingeschreven",
    "adres.oppervlakte": "de woonoppervlakte van het nieuwe adres (m2)",
    "adres.m2_per_persoon": "de woonoppervlakte per persoon na de verhuizing (m2)",
    "adres.bewoners_na_verhuizing": "het aantal bewoners van het nieuwe adres na de verhuizing",
    "adres.gebruiksdoelen": "de gebruiksdoelen van het nieuwe adres (BAG), bijv. woonfunctie",
    "adres.wijkcode": "de wijkcode van het nieuwe adres",
    "adres.buurtcode": "de buurtcode van het nieuwe adres",
    "verhuizing.te_laat": "de melding is te laat",
    "verhuizing.datum": "de verhuisdatum",
}
OPERATORS = {
    "is_": "is",
    "is_niet": "is niet",
    "in_": "is een van",
    "bevat": "bevat",
    "kleiner_dan": "is kleiner dan",
    "ten_hoogste": "is ten hoogste",
    "groter_dan": "is groter dan",
    "ten_minste": "is ten minste",
}


def condition_text(condition: Conditie, gemeente: Gemeente, registry: Registry) -> str:
    """A condition as a sentence an administrator can check against the policy."""
    if isinstance(condition, Alle):
        return " en ".join(_wrap(c, gemeente, registry) for c in condition.alle)
    if isinstance(condition, EenVan):
        return " of ".join(_wrap(c, gemeente, registry) for c in condition.een_van)
    if isinstance(condition, Niet):
        return f"niet: {_wrap(condition.niet, gemeente, registry)}"
    if isinstance(condition, Gebied):
        area = gemeente.gebieden[condition.gebied].naam
        return f"het nieuwe adres ligt in “{area}”"
    name, value = condition.operator()
    if isinstance(condition, Feit):
        subject = FACTS.get(condition.feit, condition.feit)
        labels: dict[str, str] = {}
    else:
        assert isinstance(condition, Antwoord)
        step_id, _sep, field_name = condition.antwoord.partition(".")
        cfg = gemeente.step(step_id)
        question = registry[cfg.type].question(cfg, gemeente)
        subject = f"het antwoord op “{question}”" + (f" ({field_name})" if field_name else "")
        labels = registry[cfg.type].choices(cfg, gemeente)
    if name == "ingevuld":
        return f"{subject} is {'ingevuld' if value else 'niet ingevuld'}"
    if isinstance(value, Gedateerd):
        dated = ", ".join(
            f"“{_number(e.waarde)}” vanaf {e.geldig_vanaf.isoformat()}" for e in value.root
        )
        return f"{subject} {OPERATORS[name]} {dated} (op de verhuisdatum)"
    values = value if isinstance(value, list) else [value]
    shown = " of ".join(f"“{labels.get(str(v), _number(v))}”" for v in values)
    return f"{subject} {OPERATORS[name]} {shown}"


def _wrap(condition: Conditie, gemeente: Gemeente, registry: Registry) -> str:
    text = condition_text(condition, gemeente, registry)
    return f"({text})" if isinstance(condition, (Alle, EenVan)) else text


def _number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if isinstance(value, float):
        return str(int(value))
    return str(value)


@dataclass
class PreviewStep:
    number: int
    id: str
    type: str
    question: str
    condition: str | None
    documents: list[tuple[str, str | None]] = field(default_factory=list)
    stops: list[tuple[str, str]] = field(default_factory=list)
    """(option label, stop title) for choices that end the online journey."""


def steps(gemeente: Gemeente, registry: Registry) -> list[PreviewStep]:
    result = []
    for number, cfg in enumerate(gemeente.stappen, 1):
        step_type = registry[cfg.type]
        item = PreviewStep(
            number=number,
            id=cfg.id,
            type=cfg.type,
            question=step_type.question(cfg, gemeente),
            condition=condition_text(cfg.als, gemeente, registry) if cfg.als else None,
            stops=[(c.label, c.titel) for c in step_type.stopping_choices(cfg)],
        )
        for doc in step_type.documents(cfg, gemeente):
            when = condition_text(doc.als, gemeente, registry) if doc.als else None
            item.documents.append(
                (doc.titel + ("" if doc.verplicht else " (niet verplicht)"), when)
            )
        result.append(item)
    return result


# -- the diagram ---------------------------------------------------------------------------

BOX_W, BOX_H, GAP, INDENT, WIDTH = 300, 44, 26, 60, 420


def diagram(items: list[PreviewStep]) -> str:
    """A server-rendered SVG: steps top to bottom; conditional steps indented with a dashed
    border (they can be skipped). Presentation attributes only: no inline styles (CSP)."""
    height = len(items) * (BOX_H + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="stroom-titel stroom-uitleg" class="flow-diagram">',
        '<title id="stroom-titel">Stroomschema van de stappen</title>',
        '<desc id="stroom-uitleg">Elke stap staat onder de vorige. Stappen met een voorwaarde staan '
        "ingesprongen met een gestreepte rand: die kunnen worden overgeslagen. De lijst hierboven "
        "geeft dezelfde informatie als tekst.</desc>",
    ]
    for i, item in enumerate(items):
        y = GAP + i * (BOX_H + GAP)
        x = INDENT if item.condition else 10
        dash = ' stroke-dasharray="6 4"' if item.condition else ""
        if i:
            parts.append(
                f'<line x1="{10 + BOX_W / 2}" y1="{y - GAP}" x2="{10 + BOX_W / 2}" y2="{y}" stroke="#555" stroke-width="2"/>'
            )
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#ffffff" stroke="#1a1a1a" stroke-width="2"{dash}/>'
        )
        label = escape(f"{item.number}. {item.question}")
        if len(label) > 44:
            label = label[:43] + "…"
        parts.append(
            f'<text x="{x + 12}" y="{y + 27}" font-size="14" fill="#1a1a1a">{label}</text>'
        )
        if item.stops:
            parts.append(
                f'<text x="{x + BOX_W + 8}" y="{y + 27}" font-size="12" fill="#1a1a1a">→ einde</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


# -- what if -------------------------------------------------------------------------------


def what_if_inputs(gemeente: Gemeente, registry: Registry) -> list[WhatIfInput]:
    return [i for cfg in gemeente.stappen for i in registry[cfg.type].what_if_inputs(cfg, gemeente)]


def what_if(
    gemeente: Gemeente, registry: Registry, chosen: Mapping[str, Any], today: date
) -> tuple[list[Any], Any]:
    """Answer every step from the form (or neutrally) and return the path and any stop."""
    answers = {
        cfg.id: registry[cfg.type].what_if_answer(cfg, gemeente, chosen, today)
        for cfg in gemeente.stappen
        if not registry[cfg.type].checks_answers
    }
    journey = Journey(gemeente, answers, registry)
    return journey.applicable(), journey.stopped
