"""How the resident will live at the new address: rent, own, or live in with a hoofdbewoner."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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

VORMEN = ("huur", "koop", "inwonen")


class Woonvorm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    waarde: Literal["huur", "koop", "inwonen"]
    label: TekstVeld
    hint: TekstVeld | None = None


def _default_vormen() -> list[Woonvorm]:
    return [
        Woonvorm(
            waarde="huur",
            label=N_("Ik ga huren"),
            hint=N_("Ook als u een kamer huurt of onderhuurt."),
        ),
        Woonvorm(waarde="koop", label=N_("Ik heb de woning gekocht")),
        Woonvorm(
            waarde="inwonen",
            label=N_("Ik ga inwonen bij iemand die daar al woont"),
            hint=N_("Bijvoorbeeld bij familie of vrienden. Die persoon is de hoofdbewoner."),
        ),
    ]


class WoonsituatieConfig(StepConfig):
    type: Literal["woonsituatie"]
    titel: TekstVeld = N_("Hoe gaat u op het nieuwe adres wonen?")
    vormen: list[Woonvorm] = Field(default_factory=_default_vormen, min_length=1)


@registry.register("woonsituatie")
class Woonsituatie(StepType[WoonsituatieConfig]):
    Config = WoonsituatieConfig
    default_field = "woonvorm"
    one_question = True

    def fields(self, cfg: WoonsituatieConfig, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"woonvorm": frozenset(v.waarde for v in cfg.vormen)}

    def choices(self, cfg: WoonsituatieConfig, gemeente: Any) -> dict[str, str]:
        return {v.waarde: _(v.label) for v in cfg.vormen}

    def view(
        self, cfg: WoonsituatieConfig, ctx: StepContext, answer: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "opties": [
                v.model_copy(update={"label": _(v.label), "hint": _(v.hint) if v.hint else None})
                for v in cfg.vormen
            ]
        }

    def parse(self, cfg: WoonsituatieConfig, form: FormInput, ctx: StepContext) -> Outcome:
        raw = form.get("woonvorm")
        values = {"woonvorm": raw}
        if not raw:
            return Outcome(
                None,
                [FieldError("woonvorm", _("Kies hoe u op het nieuwe adres gaat wonen."))],
                values,
            )
        if raw not in {v.waarde for v in cfg.vormen}:
            return Outcome(
                None, [FieldError("woonvorm", _("Kies een van de getoonde mogelijkheden."))], values
            )
        return Outcome({"woonvorm": raw}, values=values)

    def summary(
        self, cfg: WoonsituatieConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        labels = {v.waarde: _(v.label) for v in cfg.vormen}
        return [
            SummaryRow(
                _("Woonsituatie"), labels.get(answer["woonvorm"], answer["woonvorm"]), "woonvorm"
            )
        ]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: WoonsituatieConfig, ex: Example) -> FormAnswer:
        vorm = cfg.vormen[0]
        return FormAnswer({"woonvorm": vorm.waarde}, description=vorm.waarde)

    def what_if_answer(
        self, cfg: WoonsituatieConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        options = [v.waarde for v in cfg.vormen]
        value = chosen.get(cfg.id)
        return {"woonvorm": value if value in options else options[0]}

    def scenario_answer(
        self, cfg: WoonsituatieConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        choice = reader.choice(cfg.vormen, raw)
        return None if choice is None else FormAnswer({"woonvorm": choice}, description=choice)
