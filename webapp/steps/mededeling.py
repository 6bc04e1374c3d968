"""A notice: information only, shown when its condition holds ("a flat over 80 m2 needs at least
3 residents: contact us"). Nothing to answer; the resident reads it and goes on, or stops."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import Field

from webapp.i18n import _
from webapp.steps.base import (
    Example,
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

READ = "gelezen"
"""How a scenario file answers a notice."""


class MededelingConfig(StepConfig):
    type: Literal["mededeling"]
    titel: TekstVeld = Field(description="De kop van de mededeling (h1).")
    tekst: list[TekstVeld] = Field(
        min_length=1, description="De mededeling, een alinea per regel van de lijst."
    )
    waarschuwing: bool = Field(
        default=False,
        description="In een opvallend kader (een waarschuwing), niet als gewone tekst.",
    )
    link: str | None = Field(
        default=None,
        pattern=r"^https://\S+$",
        description="Een link bij de mededeling, bijv. naar een contactformulier.",
    )
    link_tekst: TekstVeld | None = Field(default=None, min_length=1)


@registry.register("mededeling")
class Mededeling(StepType[MededelingConfig]):
    Config = MededelingConfig
    default_field = "gelezen"

    def check(self, cfg: MededelingConfig, gemeente: Any) -> Iterable[tuple[tuple[Any, ...], str]]:
        if (cfg.link is None) != (cfg.link_tekst is None):
            yield (("link",), "geef link en link_tekst samen")

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {}  # nothing a condition could compare

    def button(self, cfg: MededelingConfig) -> str:
        return _("Verder")

    def view(
        self, cfg: MededelingConfig, ctx: StepContext, answer: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {"alineas": [_(t) for t in cfg.tekst]}

    def parse(self, cfg: MededelingConfig, form: FormInput, ctx: StepContext) -> Outcome:
        return Outcome({"gelezen": True})

    def summary(
        self, cfg: MededelingConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        return []  # nothing was answered, so nothing to check or change

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: MededelingConfig, ex: Example) -> FormAnswer:
        return FormAnswer(description=READ)

    def invalid_example(self, cfg: MededelingConfig, ex: Example) -> tuple[str, FormAnswer] | None:
        return None  # there is nothing to get wrong

    def what_if_answer(
        self, cfg: MededelingConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        return {"gelezen": True}

    def scenario_answer(
        self, cfg: MededelingConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        if raw != READ:
            reader.fail(f"een mededeling beantwoordt u met {READ!r}, niet {raw!r}")
            return None
        return FormAnswer(description=READ)
