"""Who the hoofdbewoner is, when the resident moves in with someone (inwoning), and how they consent.

The BRP says who is registered at the new address; the resident chooses the hoofdbewoner among the
adults there (not themselves, nor anyone moving with them). With route ``online`` the report is
stored with a consent request: the hoofdbewoner logs in at ``/<slug>/toestemming`` and approves
or declines before the deadline (``termijn_dagen``). With route ``papier`` the resident uploads a
signed statement in the ``documenten`` step (a document with ``als: {antwoord: <id>.route, is:
papier}``): when the hoofdbewoner is not registered there yet, and, with ``papier: true``, when
the resident prefers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import Field

from webapp.i18n import N_, _
from webapp.registers.brp import Persoon
from webapp.steps.base import (
    ConsentRequest,
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
from webapp.validators import ValidationError, normalise_email

ONLINE = "online"
PAPIER = "papier"
NIET_INGESCHREVEN = "niet_ingeschreven"
"""The choice "the hoofdbewoner is not registered there (yet)": the paper route."""

VOLWASSEN = 18


class HoofdbewonerConfig(StepConfig):
    type: Literal["hoofdbewoner"]
    titel: TekstVeld = N_("Wie is de hoofdbewoner?")
    papier: bool = Field(
        default=True,
        description="De inwoner mag ook kiezen voor een getekende verklaring (upload) als de "
        "hoofdbewoner op het adres staat ingeschreven; false: dan alleen online toestemming.",
    )
    termijn_dagen: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Dagen dat de hoofdbewoner heeft om online te beslissen; daarna gaat de "
        "melding door als 'geen toestemming ontvangen'.",
    )
    email: bool = Field(
        default=False,
        description="Vraag (niet verplicht) het e-mailadres van de hoofdbewoner, voor een "
        "bericht dat iemand om toestemming vraagt (nodig: VERHUIZEN_SMTP_URL en "
        "bevestiging.afzender).",
    )


def _answer_of_type(ctx: StepContext, soort: str) -> Mapping[str, Any] | None:
    for cfg in ctx.gemeente.stappen:
        if cfg.type == soort and cfg.id in ctx.answers:
            answer: Mapping[str, Any] = ctx.answers[cfg.id]
            return answer
    return None


def new_address_id(ctx: StepContext) -> str | None:
    """The BAG adresseerbaar object of the new address, when the register identified it."""
    answer = _answer_of_type(ctx, "nieuw_adres")
    if not answer:
        return None
    found = answer["adres"].get("adresseerbaarobject_id")
    return str(found) if found else None


def movers(ctx: StepContext) -> set[str]:
    """The BSNs of who moves: the resident and whoever they report for."""
    answer = _answer_of_type(ctx, "meeverhuizers") or {}
    return {ctx.aangever.burgerservicenummer} | {
        str(p["bsn"]) for p in answer.get("personen", []) if p.get("bsn")
    }


def short_name(persoon: Persoon) -> str:
    """Initials and surname ("J.P. de Vries"): enough to recognise the hoofdbewoner, no more."""
    initials = "".join(f"{part[0]}." for part in persoon.voornamen.split() if part)
    return " ".join(p for p in (initials, persoon.voorvoegsel, persoon.geslachtsnaam) if p)


def may_consent(persoon: Persoon, address_id: str, moving: set[str], today: date) -> bool:
    """Registered at the address, adult, and not one of those who move in."""
    return (
        persoon.adresseerbaar_object_identificatie == address_id
        and persoon.leeftijd(today) >= VOLWASSEN
        and not persoon.curatele
        and persoon.burgerservicenummer not in moving
    )


@registry.register("hoofdbewoner")
class Hoofdbewoner(StepType[HoofdbewonerConfig]):
    Config = HoofdbewonerConfig
    default_field = "route"

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"route": frozenset({ONLINE, PAPIER})}

    def choices(self, cfg: HoofdbewonerConfig, gemeente: Any) -> dict[str, str]:
        return {ONLINE: _("Online toestemming"), PAPIER: _("Getekende verklaring (upload)")}

    def check(
        self, cfg: HoofdbewonerConfig, gemeente: Any
    ) -> Iterable[tuple[tuple[Any, ...], str]]:
        if not any(s.type == "nieuw_adres" for s in gemeente.stappen):
            yield ((), "een stap van type hoofdbewoner vraagt een stap van type nieuw_adres ervoor")
        if cfg.email and not gemeente.bevestiging.afzender:
            yield (("email",), "email: true vraagt een afzender in bevestiging.afzender")

    def candidates(self, ctx: StepContext) -> list[Persoon]:
        """Who may consent: the adults registered at the new address, not moving themselves."""
        address_id = new_address_id(ctx)
        if address_id is None:
            return []
        moving = movers(ctx)
        found = [
            p for p in ctx.brp.bewoners(address_id) if may_consent(p, address_id, moving, ctx.today)
        ]
        return sorted(found, key=lambda p: (p.geslachtsnaam, p.burgerservicenummer))

    def view(
        self, cfg: HoofdbewonerConfig, ctx: StepContext, answer: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "personen": [
                {"waarde": p.burgerservicenummer, "naam": short_name(p)}
                for p in self.candidates(ctx)
            ],
            "niet_ingeschreven": NIET_INGESCHREVEN,
            "termijn_dagen": cfg.termijn_dagen,
        }

    def initial_values(
        self, cfg: HoofdbewonerConfig, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        if not answer:
            return {}
        return {
            "hoofdbewoner": answer.get("hoofdbewoner_bsn") or NIET_INGESCHREVEN,
            "wijze": answer["route"],
            "email": answer.get("email", ""),
        }

    def parse(self, cfg: HoofdbewonerConfig, form: FormInput, ctx: StepContext) -> Outcome:
        chosen = form.get("hoofdbewoner")
        wijze = form.get("wijze")
        email = form.get("email").strip()
        values = {"hoofdbewoner": chosen, "wijze": wijze, "email": email}
        if not chosen:
            message = _("Kies wie de hoofdbewoner is, of dat de hoofdbewoner hier niet bij staat.")
            return Outcome(None, [FieldError("hoofdbewoner", message)], values)
        if chosen == NIET_INGESCHREVEN:
            return Outcome({"route": PAPIER}, values=values)
        persons = {p.burgerservicenummer: p for p in self.candidates(ctx)}
        persoon = persons.get(chosen)
        if persoon is None:
            message = _("Kies een van de getoonde personen.")
            return Outcome(None, [FieldError("hoofdbewoner", message)], values)
        errors: list[FieldError] = []
        route = ONLINE
        if cfg.papier:
            if wijze not in (ONLINE, PAPIER):
                errors.append(FieldError("wijze", _("Kies hoe de hoofdbewoner toestemming geeft.")))
            else:
                route = wijze
        if cfg.email and route == ONLINE and email:
            try:
                email = normalise_email(email)
            except ValidationError as exc:
                errors.append(FieldError("email", exc.message))
        if errors:
            return Outcome(None, errors, values)
        answer: dict[str, Any] = {
            "route": route,
            "hoofdbewoner_bsn": persoon.burgerservicenummer,
            "hoofdbewoner_naam": short_name(persoon),
        }
        if cfg.email and route == ONLINE and email:
            answer["email"] = email
        return Outcome(answer, values=values)

    def summary(
        self, cfg: HoofdbewonerConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        naam = answer.get("hoofdbewoner_naam") or _("Staat (nog) niet ingeschreven op het adres")
        if answer["route"] == ONLINE:
            how = _("Online, na uw melding (binnen %(dagen)s dagen)") % {"dagen": cfg.termijn_dagen}
        else:
            how = _("Met een getekende verklaring, die u uploadt")
        rows = [
            SummaryRow(_("Hoofdbewoner"), naam, "hoofdbewoner"),
            SummaryRow(_("Toestemming"), how, "wijze" if cfg.papier else "hoofdbewoner"),
        ]
        if answer.get("email"):
            rows.append(SummaryRow(_("E-mailadres hoofdbewoner"), answer["email"], "email"))
        return rows

    # -- the submission --------------------------------------------------------------------

    def consent_request(
        self, cfg: HoofdbewonerConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> ConsentRequest | None:
        """With route online: what the hoofdbewoner will be shown (who moves in, from which
        date, to which address) and what the check needs (the address, who moves), nothing
        more of the report."""
        if answer.get("route") != ONLINE or not answer.get("hoofdbewoner_bsn"):
            return None
        adres = (_answer_of_type(ctx, "nieuw_adres") or {}).get("adres") or {}
        datum = _answer_of_type(ctx, "verhuisdatum") or {}
        mee = _answer_of_type(ctx, "meeverhuizers") or {}
        personen = [(ctx.aangever.burgerservicenummer, ctx.aangever.naam())]
        personen += [(str(p["bsn"]), str(p["naam"])) for p in mee.get("personen", [])]
        details: dict[str, Any] = {
            "personen": [naam for _bsn, naam in personen],
            "bsns": [bsn for bsn, _naam in personen],
            "datum": datum.get("geregistreerde_datum") or datum.get("datum"),
            "adres": adres.get("weergavenaam", ""),
            "adres_id": adres.get("adresseerbaarobject_id", ""),
        }
        if answer.get("email"):
            details["email"] = answer["email"]
        return ConsentRequest(str(answer["hoofdbewoner_bsn"]), cfg.termijn_dagen, details)

    def consent_email(self, cfg: HoofdbewonerConfig) -> bool:
        return cfg.email

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: HoofdbewonerConfig, ex: Example) -> FormAnswer:
        # An example knows no BRP: "not registered there" is valid at every address.
        return FormAnswer({"hoofdbewoner": NIET_INGESCHREVEN}, description="niet ingeschreven")

    def what_if_answer(
        self, cfg: HoofdbewonerConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        value = chosen.get(cfg.id)
        return {"route": value if value in (ONLINE, PAPIER) else ONLINE}

    def scenario_answer(
        self, cfg: HoofdbewonerConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        """``niet ingeschreven``, or a mapping ``{persoon: <naam of BSN>, wijze: online |
        papier}`` (wijze only where the step offers paper; default online)."""
        if raw in (NIET_INGESCHREVEN, "niet ingeschreven"):
            return FormAnswer({"hoofdbewoner": NIET_INGESCHREVEN}, description="niet ingeschreven")
        if not isinstance(raw, Mapping) or "persoon" not in raw:
            reader.fail("verwacht 'niet ingeschreven' of {persoon: <naam of BSN>, wijze: online}")
            return None
        persoon = reader.person(raw["persoon"], "persoon")
        if persoon is None:
            return None
        wijze = raw.get("wijze", ONLINE)
        if wijze not in (ONLINE, PAPIER):
            reader.fail("wijze is online of papier", "wijze")
            return None
        fields: dict[str, str] = {"hoofdbewoner": persoon.burgerservicenummer}
        if cfg.papier:
            fields["wijze"] = wijze
        if raw.get("email"):
            fields["email"] = str(raw["email"])
        return FormAnswer(
            fields,
            description=f"{short_name(persoon)}, {wijze}",
            labels={persoon.burgerservicenummer: short_name(persoon)},
        )
