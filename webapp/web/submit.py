"""Turn a complete draft into its one submission, with linked requests and back-office signals."""

from __future__ import annotations

from typing import Any

from webapp.steps import registry
from webapp.steps.base import StepContext
from webapp.storage.models import Submission
from webapp.web.visit import Visit


async def build_submission(visit: Visit, ctx: StepContext) -> Submission:
    journey = visit.journey
    answers = journey.relevant_answers()
    record: dict[str, Any] = {
        "stappen": {step_id: dict(answer) for step_id, answer in answers.items()},
        "samenvatting": [
            {"stap": cfg.id, "vraag": row.label, "antwoord": row.value}
            for cfg in journey.applicable()
            if cfg.id in answers and not registry[cfg.type].checks_answers
            for row in registry[cfg.type].summary(cfg, answers[cfg.id], ctx)
        ],
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
    )


def signals(visit: Visit, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Landelijke Aanpak Adreskwaliteit: floor area per registered person, never a block."""
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
