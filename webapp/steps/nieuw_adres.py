"""The new address: typed parts, looked up in the address register, inside this gemeente."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Literal

from webapp.conditions import AREAS_FACT
from webapp.i18n import N_, _
from webapp.registers.adressen import Adres
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
from webapp.validators import (
    ValidationError,
    normalise_huisletter,
    normalise_postcode,
    normalise_toevoeging,
    parse_huisnummer,
)

PARTS = ("postcode", "huisnummer", "huisletter", "toevoeging")


class NieuwAdresConfig(StepConfig):
    type: Literal["nieuw_adres"]
    titel: str = N_("Wat is uw nieuwe adres?")


@registry.register("nieuw_adres")
class NieuwAdres(StepType):
    Config = NieuwAdresConfig
    default_field = "postcode"

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"postcode": None, "huisnummer": None, "woonplaats": None}

    def condition_values(self, cfg: Any, answer: Mapping[str, Any]) -> dict[str, Any]:
        a = answer["adres"]
        return {
            "postcode": a["postcode"],
            "huisnummer": a["huisnummer"],
            "woonplaats": a["woonplaatsnaam"],
        }

    def provided_facts(self, cfg: Any, gemeente: Any) -> frozenset[str]:
        return frozenset(
            {AREAS_FACT, "adres.wijkcode", "adres.buurtcode", "adres.oppervlakte", "adres.bewoners"}
        )

    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> dict[str, Any]:
        a = answer["adres"]
        return {
            AREAS_FACT: gemeente.gebieden_van(
                wijkcode=a.get("wijkcode"),
                buurtcode=a.get("buurtcode"),
                postcode=a["postcode"],
                straat=a["straatnaam"],
            ),
            "adres.wijkcode": a.get("wijkcode"),
            "adres.buurtcode": a.get("buurtcode"),
            "adres.oppervlakte": a.get("oppervlakte"),
            "adres.bewoners": answer.get("bewoners", 0),
        }

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {}
        a = answer["adres"]
        postcode = a["postcode"]
        return {
            "postcode": f"{postcode[:4]} {postcode[4:]}",
            "huisnummer": str(a["huisnummer"]),
            "huisletter": a.get("huisletter") or "",
            "toevoeging": a.get("huisnummertoevoeging") or "",
        }

    def view(self, cfg: Any, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"gevonden": answer["adres"]["weergavenaam"] if answer else None}

    def lookup(self, form: FormInput, ctx: StepContext) -> tuple[Adres | None, list[FieldError]]:
        """Validate the parts and find the address; errors name the field they belong to."""
        errors: list[FieldError] = []
        parsed: dict[str, Any] = {}
        for part, parse in (
            ("postcode", normalise_postcode),
            ("huisnummer", parse_huisnummer),
            ("huisletter", normalise_huisletter),
            ("toevoeging", normalise_toevoeging),
        ):
            try:
                parsed[part] = parse(form.get(part))
            except ValidationError as exc:
                errors.append(FieldError(part, exc.message))
        if errors:
            return None, errors
        found = ctx.adressen.zoek(
            parsed["postcode"], parsed["huisnummer"], parsed["huisletter"], parsed["toevoeging"]
        )
        if not found:
            at_number = ctx.adressen.op_postcode_huisnummer(
                parsed["postcode"], parsed["huisnummer"]
            )
            if at_number:
                options = ", ".join(_number(a) for a in at_number)
                return None, [
                    FieldError(
                        "huisletter",
                        _(
                            "Dit huisnummer heeft een andere huisletter of toevoeging. Op dit nummer bestaan: %(adressen)s."
                        )
                        % {"adressen": options},
                    )
                ]
            return None, [
                FieldError(
                    "postcode",
                    _(
                        "Wij kunnen dit adres niet vinden. Controleer de postcode en het huisnummer."
                    ),
                )
            ]
        if len(found) > 1:
            options = ", ".join(_number(a) for a in found)
            return None, [
                FieldError(
                    "huisletter",
                    _(
                        "Op dit huisnummer zijn meerdere adressen: %(adressen)s. Vul de huisletter of toevoeging in."
                    )
                    % {"adressen": options},
                )
            ]
        return found[0], []

    def parse(self, cfg: Any, form: FormInput, ctx: StepContext) -> Outcome:
        values = {part: form.get(part) for part in PARTS}
        adres, errors = self.lookup(form, ctx)
        if adres is None:
            return Outcome(None, errors, values)
        if adres.gemeentecode != ctx.gemeente.gemeentecode:
            return Outcome(None, [FieldError("postcode", other_gemeente_message(adres))], values)
        if ctx.aangever.adresseerbaar_object_identificatie == adres.adresseerbaarobject_id:
            return Outcome(
                None,
                [
                    FieldError(
                        "postcode",
                        _(
                            "Dit is het adres waar u nu al staat ingeschreven. Vul uw nieuwe adres in."
                        ),
                    )
                ],
                values,
            )
        bewoners = ctx.brp.bewoners(adres.adresseerbaarobject_id)
        answer = {
            "adres": {**asdict(adres), "weergavenaam": adres.weergavenaam},
            "bewoners": len(bewoners),
        }
        return Outcome(answer, values=values)

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        return [SummaryRow(_("Nieuw adres"), answer["adres"]["weergavenaam"], "postcode")]


def other_gemeente_message(adres: Adres) -> str:
    return _(
        "Dit adres ligt in de gemeente %(gemeente)s. Een verhuizing geeft u door aan de "
        "gemeente van uw nieuwe adres: doe dit bij de gemeente %(gemeente)s."
    ) % {"gemeente": adres.gemeentenaam}


def _number(a: Adres) -> str:
    text = f"{a.huisnummer}{a.huisletter or ''}"
    if a.huisnummertoevoeging:
        text += f"-{a.huisnummertoevoeging}"
    return text
