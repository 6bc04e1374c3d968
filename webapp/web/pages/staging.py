"""Development and staging only: test submissions as stored, and the flow preview."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from webapp import preview
from webapp.steps import registry
from webapp.web.services import Services
from webapp.web.visit import gemeente_of, page, require_tester, services_of


def _staging_only(request: Request) -> Services:
    services = services_of(request)
    if services.settings.is_production:
        raise HTTPException(404)
    require_tester(request)
    return services


async def submissions(request: Request) -> Response:
    """Staging: the test submissions of a gemeente, newest first."""
    services = _staging_only(request)
    gemeente = gemeente_of(request)
    rows = list(reversed(await services.db(services.store.submissions, gemeente.slug)))
    return page(request, "staging/meldingen.html", {"gemeente": gemeente, "meldingen": rows})


async def submission(request: Request) -> Response:
    """Staging: one submission exactly as it is stored, with its linked requests."""
    services = _staging_only(request)
    gemeente = gemeente_of(request)
    reference = request.path_params["reference"]
    stored_rows = await services.db(services.store.submissions, gemeente.slug)
    found = [s for s in stored_rows if s.reference == reference]
    if not found:
        raise HTTPException(404)
    melding = found[0]
    linked = await services.db(services.store.linked_requests, melding.id or 0)
    consent = await services.db(services.store.toestemming_van, melding.id or 0)
    deliveries = await services.db(services.store.deliveries, reference=melding.reference)
    stored = {
        "submission": melding.model_dump(mode="json"),
        "linked_requests": [r.model_dump(mode="json") for r in linked],
        "toestemming": None if consent is None else consent.model_dump(mode="json"),
    }
    return page(
        request,
        "staging/melding.html",
        {
            "gemeente": gemeente,
            "melding": melding,
            "toestemming": consent,
            "afleveringen": deliveries,
            "opgeslagen": json.dumps(stored, indent=2, ensure_ascii=False, sort_keys=True),
        },
    )


async def flow_preview(request: Request) -> Response:
    """Staging: the whole flow of a gemeente, and the path for answers chosen in a form."""
    services = _staging_only(request)
    gemeente = gemeente_of(request)
    inputs = preview.what_if_inputs(gemeente, registry)
    chosen: dict[str, Any] = {}
    for item in inputs:
        if item.kind == "vinkjes":
            chosen[item.name] = request.query_params.getlist(item.name)
        elif request.query_params.get(item.name):
            chosen[item.name] = request.query_params.get(item.name)
    path, stop = preview.what_if(gemeente, registry, chosen, services.today())
    items = preview.steps(gemeente, registry)
    return page(
        request,
        "staging/stroom.html",
        {
            "gemeente": gemeente,
            "stappen": items,
            "diagram": Markup(preview.diagram(items)),
            "invoer": inputs,
            "gekozen": chosen,
            "pad": [registry[s.type].question(s, gemeente) for s in path],
            "einde": stop.stop if stop else None,
            "vraag_gesteld": bool(request.query_params),
        },
    )
