"""Check answers: every answer with a change link, and the declaration the resident ticks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from webapp.i18n import N_, _
from webapp.steps.base import (
    Example,
    FieldError,
    FormAnswer,
    FormInput,
    Outcome,
    ScenarioReader,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld


class ControlerenConfig(StepConfig):
    type: Literal["controleren"]
    titel: TekstVeld = N_("Controleer uw antwoorden")
    verklaring: TekstVeld = N_(
        "Ik verklaar dat ik deze gegevens naar waarheid heb ingevuld en dat de personen die ik "
        "meeneem in mijn melding met mij naar dit adres verhuizen."
    )
    knop: TekstVeld = N_("Verhuizing doorgeven")


@registry.register("controleren")
class Controleren(StepType[ControlerenConfig]):
    Config = ControlerenConfig
    default_field = "akkoord"
    checks_answers = True

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {}

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        return {}

    def button(self, cfg: ControlerenConfig) -> str:
        return _(cfg.knop)

    def parse(self, cfg: ControlerenConfig, form: FormInput, ctx: StepContext) -> Outcome:
        if form.get("akkoord") != "ja":
            return Outcome(
                None,
                [
                    FieldError(
                        "akkoord", _("Vink aan dat u de verklaring heeft gelezen en dat die klopt.")
                    )
                ],
                {},
            )
        return Outcome({"akkoord": True})

    def summary(
        self, cfg: ControlerenConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        return []

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: ControlerenConfig, ex: Example) -> FormAnswer:
        return FormAnswer({"akkoord": ("ja",)}, description="akkoord")

    def what_if_answer(
        self, cfg: ControlerenConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        return {"akkoord": True}

    def scenario_answer(
        self, cfg: ControlerenConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        if raw not in ("akkoord", True):
            reader.fail("verwacht 'akkoord' (of laat het antwoord weg: dan wordt akkoord gegeven)")
        return FormAnswer({"akkoord": ("ja",)}, description="akkoord")
