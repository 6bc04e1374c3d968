"""Extra questions a gemeente adds: radio, checkbox, text or number, each with conditions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from webapp.i18n import _
from webapp.steps.base import (
    FieldError,
    FormInput,
    Outcome,
    StepConfig,
    StepContext,
    StepType,
    Stop,
    SummaryRow,
)
from webapp.steps.registry import registry


class StopTekst(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    titel: str
    tekst: str
    link: str | None = Field(
        default=None,
        description="Een URL, of 'emigratie' / 'eerste_inschrijving' voor de link uit links.",
    )
    link_tekst: str | None = None


class Optie(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    waarde: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    hint: str | None = None
    stop: StopTekst | None = Field(
        default=None, description="Deze keuze beëindigt de online melding."
    )


class VraagConfig(StepConfig):
    type: Literal["vraag"]
    titel: str
    invoer: Literal["radio", "checkbox", "tekst", "getal"]
    hint: str | None = None
    verplicht: bool = True
    opties: list[Optie] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    eenheid: str | None = Field(default=None, description="Bij een getal, bijv. 'euro per maand'.")
    max_lengte: int = Field(default=200, ge=1, le=2000)
    autocomplete: str | None = None


@registry.register("vraag")
class Vraag(StepType):
    Config = VraagConfig

    def fields(self, cfg: VraagConfig, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        if cfg.invoer in ("radio", "checkbox"):
            return {"waarde": frozenset(o.waarde for o in cfg.opties)}
        return {"waarde": None}

    def condition_values(self, cfg: VraagConfig, answer: Mapping[str, Any]) -> dict[str, Any]:
        return {"waarde": answer.get("waarde")}

    def check(self, cfg: VraagConfig, gemeente: Any) -> Iterable[tuple[tuple[Any, ...], str]]:
        if cfg.invoer in ("radio", "checkbox") and len(cfg.opties) < (
            2 if cfg.invoer == "radio" else 1
        ):
            yield ("opties",), "een keuzevraag heeft opties nodig (radio: minstens twee)"
        if cfg.invoer not in ("radio", "checkbox") and cfg.opties:
            yield ("opties",), "opties horen alleen bij invoer radio of checkbox"
        waarden = [o.waarde for o in cfg.opties]
        if len(set(waarden)) != len(waarden):
            yield ("opties",), "twee opties hebben dezelfde waarde"

    def question(self, cfg: VraagConfig, gemeente: Any) -> str:
        return cfg.titel

    def stop(self, cfg: VraagConfig, answer: Mapping[str, Any], gemeente: Any) -> Stop | None:
        for optie in cfg.opties:
            if optie.stop and optie.waarde == answer.get("waarde"):
                link = optie.stop.link
                if link in ("emigratie", "eerste_inschrijving"):
                    link = getattr(gemeente.links, link)
                return Stop(optie.stop.titel, optie.stop.tekst, link, optie.stop.link_tekst)
        return None

    def initial_values(
        self, cfg: VraagConfig, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {}
        value = answer.get("waarde")
        if cfg.invoer == "getal" and value is not None:
            value = str(value).replace(".", ",")
        return {"waarde": value}

    def parse(self, cfg: VraagConfig, form: FormInput, ctx: StepContext) -> Outcome:
        field = "waarde"
        if cfg.invoer == "checkbox":
            chosen = form.getlist(field)
            allowed = {o.waarde for o in cfg.opties}
            values: dict[str, Any] = {field: chosen}
            if any(c not in allowed for c in chosen):
                return Outcome(
                    None, [FieldError(field, _("Kies uit de getoonde mogelijkheden."))], values
                )
            if cfg.verplicht and not chosen:
                return Outcome(
                    None, [FieldError(field, _("Kies minstens één mogelijkheid."))], values
                )
            return Outcome(
                {field: [o.waarde for o in cfg.opties if o.waarde in chosen]}, values=values
            )
        raw = form.get(field)
        values = {field: raw}
        if cfg.invoer == "radio":
            if not raw:
                if cfg.verplicht:
                    return Outcome(None, [FieldError(field, _("Kies een antwoord."))], values)
                return Outcome({field: None}, values=values)
            if raw not in {o.waarde for o in cfg.opties}:
                return Outcome(
                    None, [FieldError(field, _("Kies een van de getoonde antwoorden."))], values
                )
            return Outcome({field: raw}, values=values)
        if not raw:
            if cfg.verplicht:
                return Outcome(None, [FieldError(field, _("Vul een antwoord in."))], values)
            return Outcome({field: None}, values=values)
        if cfg.invoer == "tekst":
            if len(raw) > cfg.max_lengte:
                return Outcome(
                    None,
                    [
                        FieldError(
                            field,
                            _("Gebruik ten hoogste %(aantal)s tekens.")
                            % {"aantal": cfg.max_lengte},
                        )
                    ],
                    values,
                )
            return Outcome({field: raw}, values=values)
        try:
            number = Decimal(
                raw.replace(" ", "").replace(".", "").replace(",", ".")
                if raw.count(",") == 1
                else raw.replace(" ", "")
            )
        except InvalidOperation:
            return Outcome(
                None, [FieldError(field, _("Vul een getal in, bijvoorbeeld 850."))], values
            )
        if not number.is_finite():
            return Outcome(
                None, [FieldError(field, _("Vul een getal in, bijvoorbeeld 850."))], values
            )
        if cfg.min is not None and number < Decimal(str(cfg.min)):
            return Outcome(
                None,
                [
                    FieldError(
                        field, _("Vul een getal in van %(min)s of meer.") % {"min": _fmt(cfg.min)}
                    )
                ],
                values,
            )
        if cfg.max is not None and number > Decimal(str(cfg.max)):
            return Outcome(
                None,
                [
                    FieldError(
                        field,
                        _("Vul een getal in van %(max)s of minder.") % {"max": _fmt(cfg.max)},
                    )
                ],
                values,
            )
        return Outcome({field: float(number)}, values=values)

    def summary(
        self, cfg: VraagConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        value = answer.get("waarde")
        labels = {o.waarde: o.label for o in cfg.opties}
        if value in (None, "", []):
            shown = _("Niet ingevuld")
        elif cfg.invoer == "checkbox":
            shown = ", ".join(labels.get(v, v) for v in value)
        elif cfg.invoer == "radio":
            shown = labels.get(value, value)
        elif cfg.invoer == "getal":
            shown = _fmt(value) + (f" {cfg.eenheid}" if cfg.eenheid else "")
        else:
            shown = str(value)
        return [SummaryRow(cfg.titel, shown, "waarde")]


def _fmt(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
