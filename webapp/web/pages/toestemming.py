"""The hoofdbewoner's online consent: ``/<slug>/toestemming``.

A resident who moves in with someone chose them as hoofdbewoner (the ``hoofdbewoner`` step);
the report waits for their decision. The hoofdbewoner logs in with DigiD here (a session of its
own, without a move report), sees only what they must judge (who moves in, from which date, to
which address) and approves or declines before the deadline. Each decision is checked against
the BRP at that moment: registered at that address, adult, not one of those who move in; it is
recorded with the time and their BSN, and the back office hears of it through the outbox.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from webapp.config.models import Gemeente
from webapp.delivery import outbox
from webapp.i18n import _
from webapp.registers.brp import Persoon
from webapp.steps.hoofdbewoner import may_consent
from webapp.steps.verhuisdatum import long_date
from webapp.storage.models import ToestemmingRow, WebSession
from webapp.web.visit import (
    check_csrf,
    gemeente_of,
    page,
    path_for,
    read_form,
    see_other,
    services_of,
)

log = logging.getLogger("verhuizen")

TEMPLATE = "toestemming.html"
BESLISSINGEN = {"ja": True, "nee": False}


async def _session(request: Request, gemeente: Gemeente) -> WebSession | None:
    services = services_of(request)
    state = services.cookies.read(request, gemeente.slug)
    if state.token is None or state.forged:
        return None
    session = await services.db(services.store.session, state.token, services.idle)
    if session is None or session.gemeente != gemeente.slug:
        return None
    return session


def _shown(row: ToestemmingRow) -> dict[str, Any]:
    """What the hoofdbewoner sees of a request: who, from when, where, until when."""
    details = row.details
    return {
        "id": row.id,
        "personen": list(details.get("personen", [])),
        "datum": long_date(date.fromisoformat(details["datum"])) if details.get("datum") else "",
        "adres": details.get("adres", ""),
        "termijn": long_date(row.termijn.date()),
    }


def _allowed(row: ToestemmingRow, persoon: Persoon | None, today: date) -> bool:
    details = row.details
    return persoon is not None and may_consent(
        persoon, str(details.get("adres_id", "")), set(details.get("bsns", [])), today
    )


async def consent(request: Request) -> Response:
    """GET: the requests waiting for the logged-in hoofdbewoner, or how to log in."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    session = await _session(request, gemeente)
    if session is None:
        login = path_for(request, "login", slug=gemeente.slug) + "?doel=toestemming"
        return page(request, TEMPLATE, {"gemeente": gemeente, "inloggen": login})
    rows = await services.db(services.store.open_toestemmingen, gemeente.slug, session.bsn)
    if len(rows) == 1:
        return see_other(path_for(request, "consent_request", slug=gemeente.slug, id=rows[0].id))
    return page(
        request,
        TEMPLATE,
        {
            "gemeente": gemeente,
            "verzoeken": [_shown(r) for r in rows],
            "ingelogd": True,
            "csrf": session.csrf,
        },
    )


async def consent_request(request: Request) -> Response:
    """GET: one request with the form; POST: the decision."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    session = await _session(request, gemeente)
    if session is None:
        return see_other(path_for(request, "consent", slug=gemeente.slug))
    try:
        row_id = int(request.path_params["id"])
    except ValueError:
        raise HTTPException(404) from None
    rows = await services.db(services.store.open_toestemmingen, gemeente.slug, session.bsn)
    row = next((r for r in rows if r.id == row_id), None)
    context: dict[str, Any] = {"gemeente": gemeente, "ingelogd": True, "csrf": session.csrf}
    if row is None:
        # Decided already, past its deadline, or not theirs: the same answer for each.
        return page(request, TEMPLATE, {**context, "niet_open": True}, 404)
    persoon = await services.registers(services.koppeling(gemeente).brp.raadpleeg, session.bsn)
    if not _allowed(row, persoon, services.today()):
        log.info("consent refused: not a hoofdbewoner", extra={"event": "consent_not_allowed"})
        return page(request, TEMPLATE, {**context, "niet_toegestaan": True}, 403)
    context["verzoek"] = _shown(row)
    if request.method == "GET":
        return page(request, TEMPLATE, context)
    form = await read_form(request)
    await check_csrf(form, session.csrf)
    choice = str(form.get("beslissing", ""))
    if choice not in BESLISSINGEN:
        message = _("Kies of u toestemming geeft.")
        return page(request, TEMPLATE, {**context, "fout": message, "waarde": choice}, 422)
    decided = await services.db(
        services.store.beslis_toestemming,
        row_id,
        gemeente=gemeente.slug,
        gever_bsn=session.bsn,
        gegeven=BESLISSINGEN[choice],
        deliveries=outbox.consent_deliveries_for(gemeente),
    )
    if decided is None:  # decided in another tab, or the deadline passed meanwhile
        return page(request, TEMPLATE, {**context, "verzoek": None, "niet_open": True}, 409)
    log.info(
        "consent decided",
        extra={
            "event": "consent_decided",
            "reference": decided.reference,
            "status": decided.status,
        },
    )
    return page(request, TEMPLATE, {**context, "verzoek": None, "besloten": decided.status})
