"""Extra questions a gemeente adds: radio, checkbox, text or number, each with conditions."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from webapp.i18n import _
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
    Stop,
    StoppingChoice,
    SummaryRow,
    WhatIfInput,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld, lokaal


class StopTekst(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    titel: TekstVeld
    tekst: TekstVeld
    link: str | None = Field(
        default=None,
        description="Een URL, of 'emigratie' / 'eerste_inschrijving' voor de link uit links.",
    )
    link_tekst: TekstVeld | None = None


class Optie(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    waarde: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: TekstVeld
    hint: TekstVeld | None = None
    stop: StopTekst | None = Field(
        default=None, description="Deze keuze beëindigt de online melding."
    )


class VraagConfig(StepConfig):
    type: Literal["vraag"]
    titel: TekstVeld
    invoer: Literal["radio", "checkbox", "tekst", "getal"]
    hint: TekstVeld | None = None
    verplicht: bool = True
    opties: list[Optie] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    eenheid: TekstVeld | None = Field(
        default=None, description="Bij een getal, bijv. 'euro per maand'."
    )
    max_lengte: int = Field(default=200, ge=1, le=2000)
    max_lengte_fout: TekstVeld | None = Field(
        default=None,
        min_length=1,
        description="Bij tekst: de foutmelding als het antwoord langer is dan max_lengte "
        "(leeg: 'Gebruik ten hoogste ... tekens.').",
    )
    patroon: str | None = Field(
        default=None,
        min_length=1,
        description="Bij tekst: een reguliere expressie waaraan het hele antwoord moet voldoen, "
        "bijv. ^[A-Z0-9]{1,3}-[A-Z0-9]{1,3}-[A-Z0-9]{1,3}$ voor een kenteken. Vraagt een "
        "voorbeeld.",
    )
    patroon_fout: TekstVeld | None = Field(
        default=None,
        min_length=1,
        description="Bij tekst: de foutmelding als het antwoord niet aan het patroon voldoet "
        "(leeg: 'Dit antwoord heeft niet de juiste vorm. Bijvoorbeeld: <voorbeeld>.').",
    )
    voorbeeld: str | None = Field(
        default=None,
        min_length=1,
        description="Bij tekst met een patroon: een antwoord dat eraan voldoet (in de standaard "
        "foutmelding en als testantwoord).",
    )
    hoofdletters: bool = Field(
        default=False,
        description="Bij tekst: het antwoord in hoofdletters, vóór de controle op het patroon "
        "(een kenteken mag dan ook als ab-12-cd).",
    )
    autocomplete: str | None = None

    @field_validator("patroon")
    @classmethod
    def _patroon(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"geen geldige reguliere expressie: {exc}") from None
        return value


@registry.register("vraag")
class Vraag(StepType[VraagConfig]):
    Config = VraagConfig
    one_question = True

    def fields(self, cfg: VraagConfig, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        if cfg.invoer in ("radio", "checkbox"):
            return {"waarde": frozenset(o.waarde for o in cfg.opties)}
        return {"waarde": None}

    def choices(self, cfg: VraagConfig, gemeente: Any) -> dict[str, str]:
        return {o.waarde: o.label for o in cfg.opties}

    def stopping_choices(self, cfg: VraagConfig) -> list[StoppingChoice]:
        if cfg.invoer != "radio":
            return []  # only a single answer can end the journey (see stop())
        return [
            StoppingChoice(o.waarde, o.label, o.stop.titel, FormAnswer({"waarde": o.waarde}))
            for o in cfg.opties
            if o.stop
        ]

    def condition_values(self, cfg: VraagConfig, answer: Mapping[str, Any]) -> dict[str, Any]:
        return {"waarde": answer.get("waarde")}

    def check(self, cfg: VraagConfig, gemeente: Any) -> Iterable[tuple[tuple[Any, ...], str]]:
        if cfg.invoer in ("radio", "checkbox") and len(cfg.opties) < (
            2 if cfg.invoer == "radio" else 1
        ):
            yield ("opties",), "een keuzevraag heeft opties nodig (radio: minstens twee)"
        if cfg.invoer not in ("radio", "checkbox") and cfg.opties:
            yield ("opties",), "opties horen alleen bij invoer radio of checkbox"
        if cfg.invoer != "radio" and any(o.stop for o in cfg.opties):
            yield (
                ("opties",),
                "een keuze die de melding beëindigt (stop) kan alleen bij invoer radio",
            )
        waarden = [o.waarde for o in cfg.opties]
        if len(set(waarden)) != len(waarden):
            yield ("opties",), "twee opties hebben dezelfde waarde"
        text_only = ("max_lengte_fout", "patroon", "patroon_fout", "voorbeeld", "hoofdletters")
        if cfg.invoer != "tekst":
            for key in text_only:
                if key in cfg.model_fields_set:
                    yield (key,), f"{key} hoort alleen bij invoer tekst"
            return
        if cfg.patroon_fout is not None and cfg.patroon is None:
            yield ("patroon_fout",), "patroon_fout hoort bij een patroon"
        if cfg.patroon is not None and cfg.voorbeeld is None:
            yield ("patroon",), "geef bij een patroon ook een voorbeeld dat eraan voldoet"
        if cfg.voorbeeld is not None:
            problem = _text_problem(cfg, cfg.voorbeeld)
            if problem is not None:
                yield ("voorbeeld",), f"het voorbeeld {cfg.voorbeeld!r} {problem}"

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
            text = _normalised(cfg, raw)
            # The length first: a gemeente's pattern never runs on an overlong answer.
            if len(text) > cfg.max_lengte:
                message = (
                    _(cfg.max_lengte_fout)
                    if cfg.max_lengte_fout
                    else _("Gebruik ten hoogste %(aantal)s tekens.") % {"aantal": cfg.max_lengte}
                )
                return Outcome(None, [FieldError(field, message)], values)
            if cfg.patroon and not re.fullmatch(cfg.patroon, text):
                if cfg.patroon_fout:
                    message = _(cfg.patroon_fout)
                elif cfg.voorbeeld:
                    message = _(
                        "Dit antwoord heeft niet de juiste vorm. Bijvoorbeeld: %(voorbeeld)s."
                    ) % {"voorbeeld": cfg.voorbeeld}
                else:
                    message = _("Dit antwoord heeft niet de juiste vorm.")
                return Outcome(None, [FieldError(field, message)], values)
            if cfg.patroon is None and not cfg.hoofdletters:
                text = raw  # as typed, as before
            return Outcome({field: text}, values=values)
        try:
            number = Decimal(_number_text(raw))
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
            shown = ", ".join(lokaal(labels.get(v, v)) for v in value)
        elif cfg.invoer == "radio":
            shown = labels.get(value, value)
        elif cfg.invoer == "getal":
            shown = _fmt(value) + (f" {cfg.eenheid}" if cfg.eenheid else "")
        else:
            shown = str(value)
        return [SummaryRow(cfg.titel, shown, "waarde")]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: VraagConfig, ex: Example) -> FormAnswer:
        if cfg.invoer == "radio":
            optie = next(o for o in cfg.opties if o.stop is None)
            return FormAnswer({"waarde": optie.waarde}, description=optie.label)
        if cfg.invoer == "checkbox":
            return FormAnswer({"waarde": (cfg.opties[0].waarde,)}, description=cfg.opties[0].label)
        if cfg.invoer == "getal":
            number = 750.0
            if cfg.min is not None and number < cfg.min:
                number = cfg.min
            if cfg.max is not None and number > cfg.max:
                number = cfg.max
            return FormAnswer({"waarde": _fmt(number).replace(".", "")}, description=_fmt(number))
        answer = cfg.voorbeeld or "Testantwoord"
        return FormAnswer({"waarde": answer}, description=answer)

    def invalid_example(self, cfg: VraagConfig, ex: Example) -> tuple[str, FormAnswer] | None:
        if cfg.invoer == "getal":
            return "met een ongeldig getal", FormAnswer({"waarde": "veel"}, description="veel")
        if not cfg.verplicht:
            return None
        return "leeg", FormAnswer()

    def what_if_inputs(self, cfg: VraagConfig, gemeente: Any) -> list[WhatIfInput]:
        if cfg.invoer == "getal":
            return [WhatIfInput(cfg.id, cfg.titel, "getal")]
        return super().what_if_inputs(cfg, gemeente)

    def what_if_answer(
        self, cfg: VraagConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        value = chosen.get(cfg.id)
        if cfg.invoer == "getal":
            try:
                number = float(str(value).replace(",", "."))
            except (TypeError, ValueError):
                return {"waarde": None}
            return {"waarde": number if math.isfinite(number) else None}
        if cfg.invoer == "tekst":
            return {"waarde": (cfg.voorbeeld or "Testantwoord") if cfg.verplicht else None}
        options = [o.waarde for o in cfg.opties]
        if value in options:
            pick = value
        else:
            pick = next((o.waarde for o in cfg.opties if not o.stop), options[0])
        return {"waarde": [pick] if cfg.invoer == "checkbox" else pick}

    def scenario_answer(
        self, cfg: VraagConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        if cfg.invoer == "checkbox":
            if not isinstance(raw, list):
                reader.fail("verwacht een lijst met keuzes, bijv. [ja]")
                return None
            picked = [reader.choice(cfg.opties, item, i) for i, item in enumerate(raw)]
            values = tuple(p for p in picked if p is not None)
            return FormAnswer(
                {"waarde": values}, description=", ".join(values) or "niets aangevinkt"
            )
        if isinstance(raw, list | dict):
            reader.fail("verwacht één antwoord (tekst of getal)")
            return None
        if cfg.invoer == "radio":
            choice = reader.choice(cfg.opties, raw)
            return None if choice is None else FormAnswer({"waarde": choice}, description=choice)
        text = "" if raw is None else scenario_text(raw)
        return FormAnswer({"waarde": text}, description=text)


def _number_text(raw: str) -> str:
    """A typed number as Decimal reads it: Dutch 1.228,07 and, when both separators are
    there and the point comes last, the English 1,228.07 (a resident who chose English)."""
    text = raw.replace(" ", "")
    if "," in text and "." in text and text.rfind(".") > text.rfind(","):
        return text.replace(",", "")
    if text.count(",") == 1:
        return text.replace(".", "").replace(",", ".")
    return text


def _normalised(cfg: VraagConfig, raw: str) -> str:
    """A text answer as it is checked and stored: trimmed, in capitals if so configured."""
    text = raw.strip()
    return text.upper() if cfg.hoofdletters else text


def _text_problem(cfg: VraagConfig, text: str) -> str | None:
    """Why ``text`` would be refused (for checking the configured example), or None."""
    text = _normalised(cfg, text)
    if len(text) > cfg.max_lengte:
        return f"is langer dan max_lengte ({cfg.max_lengte})"
    if cfg.patroon and not re.fullmatch(cfg.patroon, text):
        return "voldoet niet aan het patroon"
    return None


def scenario_text(value: Any) -> str:
    """A YAML scalar as the text a resident types (12.0 is "12")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
