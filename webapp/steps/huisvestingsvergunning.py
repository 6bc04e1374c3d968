"""The housing permit: triggered by configuration; give an existing one or apply with the move."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from webapp.i18n import N_, _
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
    titel: str = N_("Heeft u al een huisvestingsvergunning?")
    uitleg: str = Field(description="Waarom een vergunning nodig is, in gewone taal.")
    label_heb_al: str = N_("Ja, ik heb al een huisvestingsvergunning voor dit adres")
    label_aanvragen: str = N_("Nee, ik vraag de vergunning nu aan, samen met mijn verhuizing")
    aanvragen_hint: str | None = None
    nummer_label: str = N_("Nummer van uw huisvestingsvergunning")
    nummer_hint: str | None = N_("Dit staat op het besluit dat u van de gemeente kreeg.")
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
                ("heb_al", _(cfg.label_heb_al), None),
                ("aanvragen", _(cfg.label_aanvragen), cfg.aanvragen_hint),
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
                [FieldError("keuze", _("Kies of u al een huisvestingsvergunning heeft."))],
                values,
            )
        if keuze == "aanvragen":
            return Outcome({"keuze": keuze}, values=values)
        if not nummer:
            return Outcome(
                None,
                [FieldError("nummer", _("Vul het nummer van uw huisvestingsvergunning in."))],
                values,
            )
        if cfg.nummer_patroon and not re.fullmatch(cfg.nummer_patroon, nummer):
            message = (
                _("Dit nummer heeft niet de juiste vorm, bijvoorbeeld %(voorbeeld)s.")
                % {"voorbeeld": cfg.nummer_voorbeeld}
                if cfg.nummer_voorbeeld
                else _("Dit nummer heeft niet de juiste vorm.")
            )
            return Outcome(None, [FieldError("nummer", message)], values)
        return Outcome({"keuze": keuze, "nummer": nummer}, values=values)

    def summary(
        self, cfg: HuisvestingsvergunningConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        if answer["keuze"] == "heb_al":
            return [
                SummaryRow(
                    _("Huisvestingsvergunning"),
                    _("Heb ik al, nummer %(nummer)s") % {"nummer": answer["nummer"]},
                    "keuze",
                )
            ]
        return [
            SummaryRow(_("Huisvestingsvergunning"), _("Vraag ik aan met deze melding"), "keuze")
        ]
