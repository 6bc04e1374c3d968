"""The new address: typed parts, looked up in the address register, inside this gemeente."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from webapp.conditions import AREAS_FACT
from webapp.i18n import N_, _
from webapp.registers.adressen import Adres
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.steps.base import (
    Example,
    FieldError,
    FormAnswer,
    FormInput,
    Getypt,
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
from webapp.validators import (
    ValidationError,
    normalise_huisletter,
    normalise_postcode,
    normalise_toevoeging,
    parse_huisnummer,
)

PARTS = ("postcode", "huisnummer", "huisletter", "toevoeging")
log = logging.getLogger("verhuizen.steps")


class AdresAntwoord(BaseModel):
    """The answer of a ``nieuw_adres`` step in a scenario file, typed as a resident would."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    postcode: Getypt
    huisnummer: Getypt
    huisletter: Getypt | None = None
    toevoeging: Getypt | None = None


class NieuwAdresConfig(StepConfig):
    type: Literal["nieuw_adres"]
    titel: TekstVeld = N_("Wat is uw nieuwe adres?")


@registry.register("nieuw_adres")
class NieuwAdres(StepType[NieuwAdresConfig]):
    Config = NieuwAdresConfig
    enhanced = True
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
            {
                AREAS_FACT,
                "adres.wijkcode",
                "adres.buurtcode",
                "adres.oppervlakte",
                "adres.bewoners",
                "adres.gebruiksdoelen",
            }
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
            # BAG's uses of the building ("woonfunctie", "logiesfunctie", ...): e.g. a notice
            # when the address is not a dwelling.
            "adres.gebruiksdoelen": list(a.get("gebruiksdoelen") or ()),
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
        try:
            found = ctx.adressen.zoek(
                parsed["postcode"], parsed["huisnummer"], parsed["huisletter"], parsed["toevoeging"]
            )
            at_number = (
                []
                if found
                else ctx.adressen.op_postcode_huisnummer(parsed["postcode"], parsed["huisnummer"])
            )
        except RegisterOnbereikbaar as exc:
            log.warning(
                "address register unavailable",
                extra={"event": "register_unavailable", "error": str(exc)},
            )
            if ctx.gemeente.koppelingen.adres_storing == "doorgaan":
                return unchecked(parsed, ctx.gemeente), []
            return None, [FieldError("postcode", _(UNAVAILABLE))]
        if not found:
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
        if not adres.adresseerbaarobject_id:
            # Not checked (the register is down and the gemeente goes on): nobody to count at
            # an address we cannot identify; the back office checks it by hand.
            answer = {
                "adres": {**asdict(adres), "weergavenaam": adres.weergavenaam},
                "bewoners": 0,
                "handmatig_controleren": True,
            }
            return Outcome(answer, values=values)
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
        answer = {
            "adres": {**asdict(adres), "weergavenaam": adres.weergavenaam},
            "bewoners": ctx.brp.aantal_bewoners(adres.adresseerbaarobject_id),
        }
        return Outcome(answer, values=values)

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        return [SummaryRow(_("Nieuw adres"), answer["adres"]["weergavenaam"], "postcode")]

    def live_lookup(self, cfg: Any, form: FormInput, ctx: StepContext) -> tuple[str | None, bool]:
        """As the resident types (htmx): the message to show, and whether it is a found address."""
        if not (form.get("postcode") and form.get("huisnummer")):
            return None, False
        found, errors = self.lookup(form, ctx)
        if found is not None and not found.adresseerbaarobject_id:
            return _(UNAVAILABLE_GO_ON), False
        if found is not None:
            if found.gemeentecode != ctx.gemeente.gemeentecode:
                return other_gemeente_message(found), False
            return found.weergavenaam, True
        return (errors[0].message if errors else None), False

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: Any, ex: Example) -> FormAnswer:
        return address_answer(ex.address)

    def what_if_inputs(self, cfg: Any, gemeente: Any) -> list[WhatIfInput]:
        inputs = []
        areas = tuple((key, g.naam) for key, g in gemeente.gebieden.items())
        if areas:
            inputs.append(
                WhatIfInput(f"{cfg.id}__gebieden", "Het nieuwe adres ligt in", "vinkjes", areas)
            )
        inputs.append(
            WhatIfInput(
                f"{cfg.id}__oppervlakte", "Woonoppervlakte van het nieuwe adres (m2)", "getal"
            )
        )
        inputs.append(
            WhatIfInput(f"{cfg.id}__bewoners", "Mensen die daar al staan ingeschreven", "getal")
        )
        return inputs

    def what_if_answer(
        self, cfg: Any, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        areas = chosen.get(f"{cfg.id}__gebieden") or []
        area_m2 = count(chosen.get(f"{cfg.id}__oppervlakte"), 0, WHAT_IF_MAX_M2) or None
        return {
            "adres": _address_in(gemeente, areas, area_m2),
            "bewoners": count(chosen.get(f"{cfg.id}__bewoners"), 0, WHAT_IF_MAX_PEOPLE),
        }

    def scenario_answer(self, cfg: Any, raw: Any, reader: ScenarioReader) -> FormAnswer | None:
        typed = reader.model(AdresAntwoord, raw)
        if typed is None:
            return None
        parts = {name: getattr(typed, name) or "" for name in PARTS}
        return FormAnswer(parts, description=" ".join(p for p in parts.values() if p))


UNAVAILABLE = N_(
    "Het adres kan nu niet worden gecontroleerd. Probeer het over een paar minuten opnieuw; uw antwoorden zijn bewaard."
)
UNAVAILABLE_GO_ON = N_(
    "Het adres kan nu niet worden gecontroleerd. U kunt doorgaan: de gemeente controleert het adres later zelf."
)


def unchecked(parsed: Mapping[str, Any], gemeente: Any) -> Adres:
    """The address as the resident typed it, when the register cannot say: assumed to lie in
    this gemeente, without a street, identification, wijk or floor area."""
    return Adres(
        nummeraanduiding_id="",
        adresseerbaarobject_id="",
        straatnaam="",
        huisnummer=parsed["huisnummer"],
        huisletter=parsed["huisletter"],
        huisnummertoevoeging=parsed["toevoeging"],
        postcode=parsed["postcode"],
        woonplaatsnaam="",
        gemeentenaam=gemeente.naam,
        gemeentecode=gemeente.gemeentecode,
        wijkcode=None,
        wijknaam=None,
        buurtcode=None,
        buurtnaam=None,
        oppervlakte=None,
        gebruiksdoelen=(),
    )


WHAT_IF_MAX_M2 = 100_000
WHAT_IF_MAX_PEOPLE = 50
"""Bounds of the preview's numbers: beyond them nothing changes, and the work stays small."""


def count(raw: Any, default: int, limit: int) -> int:
    """A whole number from an untrusted form value, between 0 and ``limit``."""
    try:
        number = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return default
    if not math.isfinite(number):
        return default
    return min(limit, max(0, int(number)))


def address_answer(address: Mapping[str, Any]) -> FormAnswer:
    """An address from the test data (Locatieserver field names) as a resident types it."""
    postcode = str(address["postcode"]).replace(" ", "").upper()
    fields = {
        "postcode": f"{postcode[:4]} {postcode[4:]}",
        "huisnummer": str(address["huisnummer"]),
        "huisletter": address.get("huisletter") or "",
        "toevoeging": address.get("huisnummertoevoeging") or "",
    }
    return FormAnswer(fields, description=" ".join(v for v in fields.values() if v))


def _address_in(gemeente: Any, areas: list[str], area_m2: int | None) -> dict[str, Any]:
    """A made-up address that matches the chosen areas by their own definitions."""
    address: dict[str, Any] = {
        "postcode": "0000ZZ",
        "straatnaam": "",
        "huisnummer": 1,
        "woonplaatsnaam": gemeente.naam,
        "wijkcode": None,
        "buurtcode": None,
        "oppervlakte": area_m2,
    }
    for key in areas:
        area = gemeente.gebieden.get(key)
        if area is None:
            continue
        if area.buurtcodes:
            address["buurtcode"] = area.buurtcodes[0]
        elif area.wijkcodes:
            address["wijkcode"] = area.wijkcodes[0]
        elif area.postcodes:
            address["postcode"] = area.postcodes[0].van
        elif area.straten:
            address["straatnaam"] = area.straten[0].naam
            if area.straten[0].postcodes:
                address["postcode"] = area.straten[0].postcodes[0].van
    return address


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
