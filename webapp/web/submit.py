"""Turn a complete draft into its one submission, with linked requests and back-office signals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from webapp.delivery import outbox
from webapp.i18n import SOURCE_LOCALE, get_locale, use_locale
from webapp.steps import registry
from webapp.steps.base import StepContext
from webapp.storage.models import Submission
from webapp.storage.store import ToestemmingVraag
from webapp.web.visit import Visit


async def build_submission(visit: Visit, ctx: StepContext) -> Submission:
    journey = visit.journey
    answers = journey.relevant_answers()
    # The stored summary is what the back office, the receipt and the staging pages read:
    # Dutch, whatever language the resident chose. Their language is kept beside it, for the
    # confirmation e-mail to them.
    with use_locale(SOURCE_LOCALE):
        summary = [
            {"stap": cfg.id, "vraag": str(row.label), "antwoord": str(row.value)}
            for cfg in journey.applicable()
            if cfg.id in answers and not registry[cfg.type].checks_answers
            for row in registry[cfg.type].summary(cfg, answers[cfg.id], ctx)
        ]
    record: dict[str, Any] = {
        "stappen": {step_id: dict(answer) for step_id, answer in answers.items()},
        # The step type of each answer, so a back-office target reads the answers by type,
        # whatever id a gemeente gave its steps.
        "typen": {cfg.id: cfg.type for cfg in journey.applicable() if cfg.id in answers},
        # Where the resident lives now: a move within the gemeente or from another one
        # (vrijBRP intra or inter), as the BRP said when the report was sent.
        "aangever": {"gemeente_van_inschrijving": visit.aangever.gemeente_van_inschrijving},
        "samenvatting": summary,
        "taal": get_locale(),
    }
    linked = [
        (request.kind, request.data)
        for cfg in journey.applicable()
        if cfg.id in answers
        for request in registry[cfg.type].linked_requests(cfg, answers[cfg.id])
    ]
    return await visit.services.db(
        visit.services.store.submit,
        visit.draft.id,
        prefix=visit.gemeente.referentie_prefix,
        aangever_bsn=visit.aangever.burgerservicenummer,
        answers=record,
        signalen=signals(visit, answers),
        linked=linked,
        is_test=visit.services.settings.mode != "production",
        # Each target gets its outbox row with the submission; the runner delivers it later,
        # so the resident's confirmation never waits for a back office.
        deliveries=outbox.deliveries_for(visit.gemeente),
        toestemming=consent_request(visit, answers, ctx),
    )


def consent_request(
    visit: Visit, answers: Mapping[str, Any], ctx: StepContext
) -> ToestemmingVraag | None:
    """The hoofdbewoner's online consent this report asks, when the resident chose it, with
    where the hoofdbewoner decides (this server, as the resident reached it: for the e-mail
    that asks them)."""
    for cfg in visit.journey.applicable():
        if cfg.id not in answers:
            continue
        asked = registry[cfg.type].consent_request(cfg, answers[cfg.id], ctx)
        if asked is not None:
            url = str(visit.request.url_for("consent", slug=visit.gemeente.slug))
            return ToestemmingVraag(
                hoofdbewoner_bsn=asked.hoofdbewoner_bsn,
                termijn=timedelta(days=asked.termijn_dagen),
                details={**asked.details, "url": url},
            )
    return None


def signals(visit: Visit, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """What the back office should look at, never a block for the resident: an address the
    register could not check, and (Landelijke Aanpak Adreskwaliteit) floor area per person."""
    found = [
        {
            "soort": "adres_niet_gecontroleerd",
            "tekst": "Het adresregister gaf geen antwoord: het adres is niet gecontroleerd "
            "en staat zoals de inwoner het typte. Controleer het handmatig.",
        }
        for answer in answers.values()
        if isinstance(answer, Mapping) and answer.get("handmatig_controleren")
    ]
    return found + _occupancy(visit)


def _occupancy(visit: Visit) -> list[dict[str, Any]]:
    limit = visit.gemeente.signalen.min_m2_per_persoon
    if limit is None:
        return []
    namespace = visit.journey.namespace_before(visit.gemeente.stappen[-1].id)
    area = namespace.get("adres.oppervlakte")
    if not area:
        return []
    people = int(namespace.get("adres.bewoners", 0)) + int(namespace.get("huishouden.personen", 1))
    per_person = area / people
    if per_person >= limit:
        return []
    return [
        {
            "soort": "bewoning",
            "tekst": f"{people} bewoners op {area} m2: {per_person:.1f} m2 per persoon (grens {limit})",
        }
    ]
