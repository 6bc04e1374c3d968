"""The housing permit: triggered by configuration; give an existing one or apply with the move."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from webapp.i18n import N_, _
from webapp.steps.base import (
    Example,
    FieldError,
    FormAnswer,
    FormInput,
    Getypt,
    LinkedRequest,
    Outcome,
    ScenarioReader,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld

KEUZES = ("heb_al", "aanvragen")


class VergunningAlAanwezig(BaseModel):
    """A ``huisvestingsvergunning`` step answered in a scenario file with a permit already held."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heb_al: Getypt = Field(description="Het nummer van de vergunning, bijv. HVV-2026-012345.")


class HuisvestingsvergunningConfig(StepConfig):
    type: Literal["huisvestingsvergunning"]
    titel: TekstVeld = N_("Heeft u al een huisvestingsvergunning?")
    uitleg: TekstVeld = Field(description="Waarom een vergunning nodig is, in gewone taal.")
    label_heb_al: TekstVeld = N_("Ja, ik heb al een huisvestingsvergunning voor dit adres")
    label_aanvragen: TekstVeld = N_("Nee, ik vraag de vergunning nu aan, samen met mijn verhuizing")
    aanvragen_hint: TekstVeld | None = None
    nummer_label: TekstVeld = N_("Nummer van uw huisvestingsvergunning")
    nummer_hint: TekstVeld | None = N_("Dit staat op het besluit dat u van de gemeente kreeg.")
    nummer_patroon: str | None = Field(
        default=None, description="Reguliere expressie voor het nummer."
    )
    nummer_voorbeeld: str | None = None

    def model_post_init(self, __context: Any) -> None:
        if self.nummer_patroon:
            re.compile(self.nummer_patroon)


@registry.register("huisvestingsvergunning")
class Huisvestingsvergunning(StepType[HuisvestingsvergunningConfig]):
    Config = HuisvestingsvergunningConfig
    default_field = "keuze"
    one_question = True

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"keuze": frozenset(KEUZES)}

    def choices(self, cfg: HuisvestingsvergunningConfig, gemeente: Any) -> dict[str, str]:
        return {"heb_al": _(cfg.label_heb_al), "aanvragen": _(cfg.label_aanvragen)}

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

    def linked_requests(
        self, cfg: HuisvestingsvergunningConfig, answer: Mapping[str, Any]
    ) -> list[LinkedRequest]:
        if answer.get("keuze") == "aanvragen":
            return [LinkedRequest("huisvestingsvergunning", {"stap": cfg.id})]
        return []

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: HuisvestingsvergunningConfig, ex: Example) -> FormAnswer:
        return FormAnswer({"keuze": "aanvragen"}, description="aanvragen")

    def what_if_answer(
        self,
        cfg: HuisvestingsvergunningConfig,
        gemeente: Any,
        chosen: Mapping[str, Any],
        today: date,
    ) -> dict[str, Any]:
        value = chosen.get(cfg.id)
        return {"keuze": value if value in KEUZES else "aanvragen", "nummer": ""}

    def scenario_answer(
        self, cfg: HuisvestingsvergunningConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        if raw == "aanvragen":
            return FormAnswer({"keuze": "aanvragen", "nummer": ""}, description="aanvragen")
        if isinstance(raw, dict) and "heb_al" in raw:
            held = reader.model(VergunningAlAanwezig, raw)
            if held is None:
                return None
            return FormAnswer(
                {"keuze": "heb_al", "nummer": held.heb_al}, description=f"heb_al {held.heb_al}"
            )
        reader.fail(f"onbekende keuze {raw!r}; verwacht 'aanvragen' of {{heb_al: <nummer>}}")
        return None
