"""The Starlette application: one product, every gemeente at /<slug>/."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.i18n import N_, _
from webapp.resources import STATIC
from webapp.settings import Settings
from webapp.web.pages import general, login, staging, steps
from webapp.web.rendering import render
from webapp.web.services import Services, build_services

log = logging.getLogger("verhuizen")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def routes() -> list[BaseRoute]:
    """Every route with its name: handlers and templates make URLs from the names."""
    return [
        Route("/", general.index, name="index"),
        Route("/gezond", general.health, name="health"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/{slug}/", general.start, name="start"),
        Route("/{slug}", general.redirect_slash, name="start_no_slash"),
        Route("/{slug}/inloggen", login.login, methods=["GET", "POST"], name="login"),
        Route("/{slug}/uitloggen", login.logout, methods=["POST"], name="logout"),
        Route("/{slug}/verder", login.resume, name="resume"),
        Route("/{slug}/opnieuw", login.start_over, methods=["POST"], name="start_over"),
        Route("/{slug}/stap/{step_id}", steps.step, methods=["GET", "POST"], name="step"),
        Route("/{slug}/stap/{step_id}/adres", steps.lookup, methods=["POST"], name="lookup"),
        Route("/{slug}/einde", steps.stopped, name="stopped"),
        Route("/{slug}/bevestiging", steps.confirmation, name="confirmation"),
        Route("/{slug}/sessie-verlopen", general.expired, name="expired"),
        Route(
            "/{slug}/sessie/verlengen",
            login.extend_session,
            methods=["POST"],
            name="extend_session",
        ),
        Route("/{slug}/toegankelijkheid", general.accessibility, name="accessibility"),
        Route("/{slug}/staging/meldingen", staging.submissions, name="staging_submissions"),
        Route("/{slug}/staging/stroom", staging.flow_preview, name="flow_preview"),
        Route(
            "/{slug}/staging/meldingen/{reference}",
            staging.submission,
            name="staging_submission",
        ),
    ]


def create_app(settings: Settings, *, today: Callable[[], date] = date.today) -> Starlette:
    services = build_services(settings, today=today)
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.services = services
    idle = settings.session_idle_minutes * 60
    services.templates.globals.update(
        mode=settings.mode,
        config_error=lambda: services.config.error,
        session_idle_seconds=idle,
        # Warn two minutes ahead (A13), but leave at least 20 seconds when the idle time is short.
        session_warn_seconds=min(120, max(20, idle // 2)),
        path=lambda name, **params: str(app.url_path_for(name, **params)),
    )
    return app


class SecurityHeaders:
    """Strict CSP and no caching of pages: personal data stays out of the history cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(
                    [
                        (b"content-security-policy", CSP.encode()),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"),
                        (b"x-frame-options", b"DENY"),
                    ]
                )
                if not is_static:
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, wrapped)


# Marked for the catalogue here, translated per request in _http_error.
_STATUS_TEXT = {
    400: (
        N_("Dit verzoek klopt niet"),
        N_(
            "Het formulier of de link is niet geldig. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    403: (
        N_("Geen toegang"),
        N_(
            "Het formulier is verlopen of niet via deze website verstuurd. Ga terug, laad de pagina opnieuw en probeer het nog eens. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    404: (
        N_("Pagina niet gevonden"),
        N_("Deze pagina bestaat niet. Controleer het adres of ga naar de startpagina."),
    ),
    405: (N_("Dit verzoek klopt niet"), N_("Deze pagina kan dit verzoek niet verwerken.")),
    409: (
        N_("Deze stap hoort niet bij uw melding"),
        N_(
            "De stap die u wilde versturen past niet bij uw eerdere antwoorden. Uw opgeslagen antwoorden zijn niet veranderd."
        ),
    ),
    413: (
        N_("Bestand te groot"),
        N_("Wat u verstuurde is te groot. Kies een kleiner bestand."),
    ),
}
_OTHER_STATUS_TEXT = (N_("Er ging iets mis"), N_("Probeer het later nog eens."))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    title, text = _STATUS_TEXT.get(status, _OTHER_STATUS_TEXT)
    return _error_page(request, status, _(title), _(text))


async def _server_error(request: Request, exc: Exception) -> Response:
    # Log the type and place only: messages and locals can hold personal data.
    log.error(
        "unhandled %s at %s %s",
        type(exc).__name__,
        request.method,
        request.url.path.split("/")[1:2],
    )
    return _error_page(
        request,
        500,
        _("Er ging iets mis"),
        _("Probeer het later nog eens. Uw opgeslagen antwoorden zijn bewaard."),
    )


def _error_page(request: Request, status: int, title: str, text: str) -> Response:
    services: Services = request.app.state.services
    slug = request.path_params.get("slug")
    gemeente = services.gemeenten.get(slug) if slug else None
    try:
        return render(
            services.templates,
            "error.html",
            {"gemeente": gemeente, "titel": title, "tekst": text, "status": status},
            status,
        )
    except Exception:  # never fail while reporting a failure
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
