"""The moving date, inside the gemeente's window (art. 2.39 Wet BRP), with its late-report rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal

from babel.dates import format_date

from webapp.conditions import DATE_FACT
from webapp.i18n import N_, _, format_locale
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
    WhatIfInput,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld
from webapp.validators import DateError, WindowResult, parse_date_parts


def long_date(d: date) -> str:
    """A date written out in the current language: "5 maart 2026" in Dutch (Babel's CLDR data)."""
    return format_date(d, format="long", locale=format_locale())


class VerhuisdatumConfig(StepConfig):
    type: Literal["verhuisdatum"]
    titel: TekstVeld = N_("Wanneer verhuist u?")


@registry.register("verhuisdatum")
class Verhuisdatum(StepType[VerhuisdatumConfig]):
    Config = VerhuisdatumConfig
    default_field = "datum"
    one_question = True

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"datum": None, "te_laat": frozenset({"True", "False"})}

    def provided_facts(self, cfg: Any, gemeente: Any) -> frozenset[str]:
        return frozenset({"verhuizing.te_laat", DATE_FACT})

    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> dict[str, Any]:
        # The moving date as entered, also for a late report registered on today: a threshold
        # with geldig_vanaf is read on the day the resident starts living at the address.
        return {"verhuizing.te_laat": bool(answer.get("te_laat")), DATE_FACT: answer["datum"]}

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {}
        d = date.fromisoformat(answer["datum"])
        return {"dag": str(d.day), "maand": str(d.month), "jaar": str(d.year)}

    def view(self, cfg: Any, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        venster = ctx.gemeente.datum
        earliest = venster.venster.earliest(ctx.today)
        latest = venster.venster.latest(ctx.today)
        sentences = [_("De datum waarop u op het nieuwe adres gaat wonen.")]
        if venster.vooruit.amount:
            sentences.append(
                _("U kunt een datum kiezen tot %(termijn)s vooruit (uiterlijk %(datum)s).")
                % {"termijn": venster.vooruit.describe(), "datum": long_date(latest)}
            )
        else:
            sentences.append(_("U kunt geen datum na vandaag kiezen."))
        if venster.te_laat == "weigeren":
            sentences.append(
                _("U kunt online een datum kiezen vanaf %(datum)s.")
                % {"datum": long_date(earliest)}
            )
        elif venster.terug.amount:
            sentences.append(
                _(
                    "Ligt de datum meer dan %(termijn)s terug (vóór %(datum)s), dan leest u "
                    "wat er gebeurt."
                )
                % {"termijn": venster.terug.describe(), "datum": long_date(earliest)}
            )
        else:
            sentences.append(_("Ligt de datum vóór vandaag, dan leest u wat er gebeurt."))
        sentences.append(
            # TRANSLATORS: an example of what to type in the fields dag, maand and jaar.
            _("Bijvoorbeeld: %(dag)s %(maand)s %(jaar)s.")
            % {"dag": latest.day, "maand": latest.month, "jaar": latest.year}
        )
        return {"hint": " ".join(sentences), "boete_tekst": ctx.gemeente.boete_tekst}

    def parse(self, cfg: Any, form: FormInput, ctx: StepContext) -> Outcome:
        values = {k: form.get(k) for k in ("dag", "maand", "jaar")}
        try:
            moving = parse_date_parts(values["dag"], values["maand"], values["jaar"])
        except DateError as exc:
            return Outcome(None, [FieldError(exc.part, exc.message)], values)
        venster = ctx.gemeente.datum
        result = venster.venster.check(moving, ctx.today)
        if result is WindowResult.TOO_EARLY:
            return Outcome(None, [FieldError("dag", too_early_message(venster, ctx))], values)
        late = result is WindowResult.TOO_LATE
        if late and venster.te_laat == "weigeren":
            return Outcome(None, [FieldError("dag", refused_late_message(venster, ctx))], values)
        answer = {"datum": moving.isoformat(), "te_laat": late}
        if late:
            answer["geregistreerde_datum"] = ctx.today.isoformat()
        return Outcome(answer, values=values)

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        shown = long_date(date.fromisoformat(answer["datum"]))
        if answer.get("te_laat"):
            shown = _(
                "%(datum)s (te laat doorgegeven; als verhuisdatum geldt %(geregistreerd)s)"
            ) % {
                "datum": shown,
                "geregistreerd": long_date(date.fromisoformat(answer["geregistreerde_datum"])),
            }
        return [SummaryRow(_("Verhuisdatum"), shown, "dag")]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: Any, ex: Example) -> FormAnswer:
        latest = ex.gemeente.datum.venster.latest(ex.today)
        return date_answer(min(ex.today + timedelta(days=EXAMPLE_DAYS_AHEAD), latest))

    def what_if_inputs(self, cfg: Any, gemeente: Any) -> list[WhatIfInput]:
        return [
            WhatIfInput(cfg.id, "De melding is te laat", "keuze", (("nee", "Nee"), ("ja", "Ja")))
        ]

    def what_if_answer(
        self, cfg: Any, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        return {"datum": today.isoformat(), "te_laat": chosen.get(cfg.id) == "ja"}

    def scenario_answer(self, cfg: Any, raw: Any, reader: ScenarioReader) -> FormAnswer | None:
        day = reader.date(raw)
        if day is None:
            return None
        answer = date_answer(day)
        if isinstance(raw, str):
            answer = FormAnswer(answer.fields, description=f"{day.isoformat()} ({raw})")
        return answer


def too_early_message(venster: Any, ctx: StepContext) -> str:
    """The error for a date after the window: the gemeente's text, or one from the window."""
    if venster.te_vroeg_tekst:
        return str(_(venster.te_vroeg_tekst))
    if not venster.vooruit.amount:
        return _(
            "U kunt uw verhuizing niet van tevoren doorgeven. Kies de datum van vandaag of "
            "eerder, of geef uw verhuizing door op of na de verhuisdatum."
        )
    return _(
        "U kunt uw verhuizing hooguit %(termijn)s van tevoren doorgeven. "
        "Kies een datum tot en met %(datum)s, of geef uw verhuizing later door."
    ) % {
        "termijn": venster.vooruit.describe(),
        "datum": long_date(venster.venster.latest(ctx.today)),
    }


def refused_late_message(venster: Any, ctx: StepContext) -> str:
    """The error for a date before the window when the gemeente refuses a late report."""
    if venster.te_laat_weigeren_tekst:
        return str(_(venster.te_laat_weigeren_tekst))
    telefoon = ctx.gemeente.contact.telefoon
    if not venster.terug.amount:
        return _(
            "Een verhuisdatum in het verleden kunt u niet online doorgeven. Neem contact op "
            "met de gemeente: %(telefoon)s."
        ) % {"telefoon": telefoon}
    return _(
        "U kunt een verhuizing online doorgeven tot %(termijn)s na de verhuisdatum (vanaf "
        "%(datum)s). Neem contact op met de gemeente: %(telefoon)s."
    ) % {
        "termijn": venster.terug.describe(),
        "datum": long_date(venster.venster.earliest(ctx.today)),
        "telefoon": telefoon,
    }


EXAMPLE_DAYS_AHEAD = 7
"""The example moving date: a week ahead, or the window's last day when that is sooner."""


def date_answer(day: date) -> FormAnswer:
    """A date typed into the three fields dag, maand and jaar."""
    return FormAnswer(
        {"dag": str(day.day), "maand": str(day.month), "jaar": str(day.year)},
        description=day.isoformat(),
    )
