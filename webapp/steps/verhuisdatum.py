"""The moving date, inside the gemeente's window (art. 2.39 Wet BRP), with its late-report rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

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
from webapp.validators import DateError, DateWindow, WindowResult, parse_date_parts

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


class VerhuisdatumConfig(StepConfig):
    type: Literal["verhuisdatum"]
    titel: str = "Wanneer verhuist u?"


@registry.register("verhuisdatum")
class Verhuisdatum(StepType):
    Config = VerhuisdatumConfig
    default_field = "datum"

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"datum": None, "te_laat": frozenset({"True", "False"})}

    def provided_facts(self, cfg: Any, gemeente: Any) -> frozenset[str]:
        return frozenset({"verhuizing.te_laat"})

    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> dict[str, Any]:
        return {"verhuizing.te_laat": bool(answer.get("te_laat"))}

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {}
        d = date.fromisoformat(answer["datum"])
        return {"dag": str(d.day), "maand": str(d.month), "jaar": str(d.year)}

    def view(self, cfg: Any, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        venster = ctx.gemeente.datum
        earliest = ctx.today - timedelta(days=venster.dagen_terug)
        latest = ctx.today + timedelta(days=venster.dagen_vooruit)
        return {
            "hint": (
                f"De datum waarop u op het nieuwe adres gaat wonen. U kunt een datum kiezen "
                f"tot {venster.dagen_vooruit} dagen vooruit (uiterlijk {dutch_date(latest)})."
                + (
                    f" Ligt de datum meer dan {venster.dagen_terug} dagen terug "
                    f"(vóór {dutch_date(earliest)}), dan leest u wat er gebeurt."
                    if venster.te_laat == "accepteren"
                    else ""
                )
                + " Bijvoorbeeld: "
                + f"{latest.day} {latest.month} {latest.year}."
            ),
            "boete_tekst": ctx.gemeente.boete_tekst,
        }

    def parse(self, cfg: Any, form: FormInput, ctx: StepContext) -> Outcome:
        values = {k: form.get(k) for k in ("dag", "maand", "jaar")}
        try:
            moving = parse_date_parts(values["dag"], values["maand"], values["jaar"])
        except DateError as exc:
            return Outcome(None, [FieldError(exc.part, exc.message)], values)
        venster = ctx.gemeente.datum
        result = DateWindow(venster.dagen_terug, venster.dagen_vooruit).check(moving, ctx.today)
        if result is WindowResult.TOO_EARLY:
            latest = ctx.today + timedelta(days=venster.dagen_vooruit)
            message = venster.te_vroeg_tekst or (
                f"U kunt uw verhuizing hooguit {venster.dagen_vooruit} dagen van tevoren doorgeven. "
                f"Kies een datum tot en met {dutch_date(latest)}, of geef uw verhuizing later door."
            )
            return Outcome(None, [FieldError("dag", message)], values)
        late = result is WindowResult.TOO_LATE
        if late and venster.te_laat == "weigeren":
            earliest = ctx.today - timedelta(days=venster.dagen_terug)
            message = (
                f"U kunt een verhuizing online doorgeven tot {venster.dagen_terug} dagen na de "
                f"verhuisdatum (vanaf {dutch_date(earliest)}). Neem contact op met de gemeente: "
                f"{ctx.gemeente.contact.telefoon}."
            )
            return Outcome(None, [FieldError("dag", message)], values)
        answer = {"datum": moving.isoformat(), "te_laat": late}
        if late:
            answer["geregistreerde_datum"] = ctx.today.isoformat()
        return Outcome(answer, values=values)

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        shown = dutch_date(date.fromisoformat(answer["datum"]))
        if answer.get("te_laat"):
            registered = dutch_date(date.fromisoformat(answer["geregistreerde_datum"]))
            shown += f" (te laat doorgegeven; als verhuisdatum geldt {registered})"
        return [SummaryRow("Verhuisdatum", shown, "dag")]
