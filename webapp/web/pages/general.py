"""Pages without a login: find your gemeente, the start page, health, statement, expiry."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from webapp import vinden
from webapp.i18n import _
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.web.visit import gemeente_of, page, path_for, see_other, services_of

log = logging.getLogger("verhuizen")


async def index(request: Request) -> Response:
    """Find your gemeente: the postcode and house number of the new address (a GET form: it
    changes nothing) lead to the gemeente that serves it; the list of gemeenten below it."""
    services = services_of(request)
    gemeenten = services.gemeenten
    register = vinden.register_for(services.verbindingen, gemeenten)
    context: dict[str, object] = {
        "gemeenten": gemeenten,
        "zoeken": register is not None,
        "values": {},
        "errors": {},
    }
    if register is None or not any(name in request.query_params for name in vinden.FIELDS):
        return page(request, "index.html", context)
    invoer = vinden.read(request.query_params)
    context["values"] = invoer.values
    if invoer.postcode is None or invoer.huisnummer is None:
        return page(request, "index.html", {**context, "errors": invoer.errors}, 422)
    await services.rate_limits.hit(request, "lookup")
    try:
        found = await services.registers(
            vinden.find, register, gemeenten, invoer.postcode, invoer.huisnummer
        )
    except RegisterOnbereikbaar as exc:
        log.warning(
            "address register unavailable",
            extra={"event": "register_unavailable", "error": str(exc)},
        )
        return page(request, "index.html", {**context, "onbereikbaar": True})
    if found is None:
        errors = {
            "postcode": _(
                "Wij kunnen dit adres niet vinden. Controleer de postcode en het huisnummer."
            )
        }
        return page(request, "index.html", {**context, "errors": errors}, 422)
    if found.gemeente is None:
        return page(request, "index.html", {**context, "elders": found.gemeentenaam})
    return see_other(path_for(request, "start", slug=found.gemeente.slug))


async def health(request: Request) -> Response:
    """Liveness: the process answers. Needs nothing else, so it answers while the database is
    down or busy (the load balancer must not restart a worker for that)."""
    return PlainTextResponse("ok")


async def ready(request: Request) -> Response:
    """Readiness: the database answers within its timeout. 503 while it does not."""
    services = services_of(request)
    try:
        await services.db(_ping, services.store.engine)
    except Exception as exc:
        log.warning("not ready", extra={"event": "not_ready", "error": type(exc).__name__})
        return PlainTextResponse("database niet bereikbaar", status_code=503)
    return PlainTextResponse("ok")


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


async def redirect_slash(request: Request) -> Response:
    gemeente = gemeente_of(request)
    return see_other(path_for(request, "start", slug=gemeente.slug))


async def start(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request, gemeente.slug)
    logged_in = (
        state.token is not None
        and await services.db(services.store.session, state.token, services.idle) is not None
    )
    return page(request, "start.html", {"gemeente": gemeente, "ingelogd": logged_in})


async def accessibility(request: Request) -> Response:
    return page(request, "toegankelijkheid.html", {"gemeente": gemeente_of(request)})


async def expired(request: Request) -> Response:
    return page(
        request,
        "sessie_verlopen.html",
        {
            "gemeente": gemeente_of(request),
            "minuten": services_of(request).settings.session_idle_minutes,
        },
    )
