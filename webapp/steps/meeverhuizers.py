"""Who moves along: offered from the resident's household as the BRP knows it (Wet BRP rules)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from webapp.domain.household import Huisgenoot, huisgenoten
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
    WhatIfInput,
)
from webapp.steps.registry import registry
from webapp.steps.verhuisdatum import long_date
from webapp.tekst import TekstVeld


class MeeverhuizersConfig(StepConfig):
    type: Literal["meeverhuizers"]
    titel: TekstVeld = N_("Wie verhuizen er met u mee?")


@registry.register("meeverhuizers")
class Meeverhuizers(StepType[MeeverhuizersConfig]):
    Config = MeeverhuizersConfig
    default_field = "aantal"
    one_question = True

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"aantal": None}

    def condition_values(self, cfg: Any, answer: Mapping[str, Any]) -> dict[str, Any]:
        return {"aantal": len(answer.get("personen", []))}

    def provided_facts(self, cfg: Any, gemeente: Any) -> frozenset[str]:
        return frozenset({"huishouden.personen", "huishouden.kinderen", "huishouden.volwassenen"})

    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> dict[str, Any]:
        personen = answer.get("personen", [])
        kinderen = sum(1 for p in personen if p["grond"] in ("kind_onder_16", "kind_16_17"))
        return {
            "huishouden.personen": 1 + len(personen),
            "huishouden.kinderen": kinderen,
            "huishouden.volwassenen": 1 + len(personen) - kinderen,
        }

    def household(self, ctx: StepContext) -> list[Huisgenoot]:
        obj = ctx.aangever.adresseerbaar_object_identificatie
        if not obj:
            return []
        return huisgenoten(ctx.aangever, ctx.brp.bewoners(obj), ctx.today)

    def view(self, cfg: Any, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        members = self.household(ctx)
        return {
            "toegestaan": [
                {
                    "bsn": h.persoon.burgerservicenummer,
                    "naam": h.persoon.naam(),
                    "geboren": long_date(h.persoon.geboortedatum),
                    "reden": h.reden,
                }
                for h in members
                if h.grond is not None
            ],
            "niet_toegestaan": [
                {"naam": h.persoon.naam(), "reden": h.reden} for h in members if h.grond is None
            ],
        }

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {"personen": []}
        return {"personen": [p["bsn"] for p in answer.get("personen", [])]}

    def parse(self, cfg: Any, form: FormInput, ctx: StepContext) -> Outcome:
        chosen = form.getlist("personen")
        values = {"personen": chosen}
        allowed = {
            h.persoon.burgerservicenummer: h for h in self.household(ctx) if h.grond is not None
        }
        if any(bsn not in allowed for bsn in chosen):
            return Outcome(
                None,
                [
                    FieldError(
                        "personen", _("U kunt alleen de getoonde personen meenemen in uw melding.")
                    )
                ],
                values,
            )
        personen = [
            {
                "bsn": bsn,
                "naam": allowed[bsn].persoon.naam(),
                "geboortedatum": allowed[bsn].persoon.geboortedatum.isoformat(),
                "grond": str(allowed[bsn].grond),
            }
            for bsn in allowed
            if bsn in chosen
        ]
        return Outcome({"personen": personen}, values=values)

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        personen = answer.get("personen", [])
        shown = (
            "; ".join(
                _("%(naam)s (geboren %(datum)s)")
                % {"naam": p["naam"], "datum": long_date(date.fromisoformat(p["geboortedatum"]))}
                for p in personen
            )
            if personen
            else _("Niemand, ik verhuis alleen")
        )
        return [SummaryRow(_("Verhuizen mee"), shown, "personen")]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: Any, ex: Example) -> FormAnswer:
        return FormAnswer({"personen": ()}, description="niemand")  # moves alone

    def invalid_example(self, cfg: Any, ex: Example) -> tuple[str, FormAnswer] | None:
        return None  # choosing nobody is a valid answer: moving alone

    def what_if_inputs(self, cfg: Any, gemeente: Any) -> list[WhatIfInput]:
        return [WhatIfInput(cfg.id, "Aantal mensen dat meeverhuist", "getal")]

    def what_if_answer(
        self, cfg: Any, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        from webapp.steps.nieuw_adres import WHAT_IF_MAX_PEOPLE, count

        number = count(chosen.get(cfg.id), 0, WHAT_IF_MAX_PEOPLE)
        person = {"bsn": "", "naam": "", "geboortedatum": "", "grond": "partner"}
        return {"personen": [person] * number}

    def scenario_answer(self, cfg: Any, raw: Any, reader: ScenarioReader) -> FormAnswer | None:
        if not isinstance(raw, list):
            reader.fail("verwacht een lijst met namen of BSN's; [] als de inwoner alleen verhuist")
            return None
        chosen: dict[str, str] = {}  # BSN: name
        for i, item in enumerate(raw):
            persoon = reader.person(item, i)
            if persoon is not None:
                chosen[persoon.burgerservicenummer] = persoon.naam()
        return FormAnswer(
            {"personen": tuple(chosen)},
            description=", ".join(chosen.values()) or "niemand",
            labels=chosen,
        )
