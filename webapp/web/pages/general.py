"""Pages without a login: the list of gemeenten, the start page, health, statement, expiry."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from webapp.web.visit import gemeente_of, page, path_for, see_other, services_of


async def index(request: Request) -> Response:
    return page(request, "index.html", {"gemeenten": services_of(request).gemeenten})


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def redirect_slash(request: Request) -> Response:
    gemeente = gemeente_of(request)
    return see_other(path_for(request, "start", slug=gemeente.slug))


async def start(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request, gemeente.slug)
    logged_in = (
        state.token is not None and services.store.session(state.token, services.idle) is not None
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
