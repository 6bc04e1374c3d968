"""The housing permit: triggered by configuration; give an existing one or apply with the move."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from webapp.steps.base import (
    FieldError,
    FormInput,
    Outcome,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
)
from webapp.steps.registry import registry

KEUZES = ("heb_al", "aanvragen")


class HuisvestingsvergunningConfig(StepConfig):
    type: Literal["huisvestingsvergunning"]
    titel: str = "Heeft u al een huisvestingsvergunning?"
    uitleg: str = Field(description="Waarom een vergunning nodig is, in gewone taal.")
    label_heb_al: str = "Ja, ik heb al een huisvestingsvergunning voor dit adres"
    label_aanvragen: str = "Nee, ik vraag de vergunning nu aan, samen met mijn verhuizing"
    aanvragen_hint: str | None = None
    nummer_label: str = "Nummer van uw huisvestingsvergunning"
    nummer_hint: str | None = "Dit staat op het besluit dat u van de gemeente kreeg."
    nummer_patroon: str | None = Field(
        default=None, description="Reguliere expressie voor het nummer."
    )
    nummer_voorbeeld: str | None = None

    def model_post_init(self, __context: Any) -> None:
        if self.nummer_patroon:
            re.compile(self.nummer_patroon)


@registry.register("huisvestingsvergunning")
class Huisvestingsvergunning(StepType):
    Config = HuisvestingsvergunningConfig
    default_field = "keuze"

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"keuze": frozenset(KEUZES)}

    def check(
        self, cfg: HuisvestingsvergunningConfig, gemeente: Any
    ) -> Iterable[tuple[tuple[Any, ...], str]]:
        if cfg.als is None:
            yield (
                ("als",),
                "een huisvestingsvergunning-stap heeft een voorwaarde nodig (wanneer is de vergunning verplicht?)",
            )

    def view(
        self, cfg: HuisvestingsvergunningConfig, ctx: StepContext, answer: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "keuzes": [
                ("heb_al", cfg.label_heb_al, None),
                ("aanvragen", cfg.label_aanvragen, cfg.aanvragen_hint),
            ]
        }

    def parse(
        self, cfg: HuisvestingsvergunningConfig, form: FormInput, ctx: StepContext
    ) -> Outcome:
        keuze = form.get("keuze")
        nummer = form.get("nummer").upper()
        values = {"keuze": keuze, "nummer": form.get("nummer")}
        if keuze not in KEUZES:
            return Outcome(
                None,
                [FieldError("keuze", "Kies of u al een huisvestingsvergunning heeft.")],
                values,
            )
        if keuze == "aanvragen":
            return Outcome({"keuze": keuze}, values=values)
        if not nummer:
            return Outcome(
                None,
                [FieldError("nummer", "Vul het nummer van uw huisvestingsvergunning in.")],
                values,
            )
        if cfg.nummer_patroon and not re.fullmatch(cfg.nummer_patroon, nummer):
            example = f", bijvoorbeeld {cfg.nummer_voorbeeld}" if cfg.nummer_voorbeeld else ""
            return Outcome(
                None,
                [FieldError("nummer", f"Dit nummer heeft niet de juiste vorm{example}.")],
                values,
            )
        return Outcome({"keuze": keuze, "nummer": nummer}, values=values)

    def summary(
        self, cfg: HuisvestingsvergunningConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        if answer["keuze"] == "heb_al":
            return [
                SummaryRow(
                    "Huisvestingsvergunning", f"Heb ik al, nummer {answer['nummer']}", "keuze"
                )
            ]
        return [SummaryRow("Huisvestingsvergunning", "Vraag ik aan met deze melding", "keuze")]
