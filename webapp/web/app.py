"""The Starlette application: one product, every gemeente at /<slug>/."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date
from functools import lru_cache
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount, Route

from webapp.delivery import outbox
from webapp.i18n import get_locale
from webapp.resources import STATIC
from webapp.settings import Settings
from webapp.web import language
from webapp.web.assets import HashedStaticFiles, hashed_name
from webapp.web.errors import http_error
from webapp.web.middleware import BodyLimit, RequestLog, SecurityHeaders, ServerErrors
from webapp.web.pages import general, login, staging, steps, toestemming
from webapp.web.services import build_services


def routes() -> list[BaseRoute]:
    """Every route with its name: handlers and templates make URLs from the names."""
    return [
        Route("/", general.index, name="index"),
        Route("/gezond", general.health, name="health"),
        Route("/gereed", general.ready, name="ready"),
        Route("/taal", language.choose, name="language"),
        Mount("/static", HashedStaticFiles(directory=STATIC), name="static"),
        Route("/{slug}/", general.start, name="start"),
        Route("/{slug}", general.redirect_slash, name="start_no_slash"),
        Route("/{slug}/inloggen", login.login, methods=["GET", "POST"], name="login"),
        Route("/{slug}/inloggen/terug", login.login_callback, name="login_callback"),
        Route("/{slug}/uitloggen", login.logout, methods=["GET", "POST"], name="logout"),
        Route("/{slug}/verder", login.resume, name="resume"),
        Route("/{slug}/opnieuw", login.start_over, methods=["GET", "POST"], name="start_over"),
        Route("/{slug}/stap/{step_id}", steps.step, methods=["GET", "POST"], name="step"),
        Route("/{slug}/stap/{step_id}/adres", steps.lookup, methods=["POST"], name="lookup"),
        Route("/{slug}/einde", steps.stopped, name="stopped"),
        Route("/{slug}/bevestiging", steps.confirmation, name="confirmation"),
        Route("/{slug}/toestemming", toestemming.consent, name="consent"),
        Route(
            "/{slug}/toestemming/{id}",
            toestemming.consent_request,
            methods=["GET", "POST"],
            name="consent_request",
        ),
        Route("/{slug}/bevestiging.pdf", steps.receipt_pdf, name="receipt"),
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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Submitted reports go out from a thread of this process (None: VERHUIZEN_BEZORGEN=0).
        bezorger = outbox.in_server(services.store, services.config.current, settings)
        try:
            yield
        finally:
            if bezorger is not None:
                await anyio.to_thread.run_sync(bezorger.stop)  # waits for a delivery in hand
            services.verbindingen.close()

    app = Starlette(
        lifespan=lifespan,
        routes=routes(),
        # Outermost first. The 500/503 pages are made inside the headers, unlike Starlette's
        # own ServerErrorMiddleware (outside all middleware), which never gets an exception here.
        middleware=[
            Middleware(RequestLog),
            # Pages and static files compressed (a first visit: 16 KB instead of 140 KB). The
            # cookies are SameSite=Lax, so another site cannot make the browser send the
            # requests with reflected input that a compression attack (BREACH) needs.
            Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
            Middleware(language.Language, secure=services.cookies.secure),
            Middleware(SecurityHeaders, hsts=settings.hsts),
            Middleware(ServerErrors),
            Middleware(BodyLimit, services=services),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.state.services = services
    idle = settings.session_idle_minutes * 60
    services.templates.globals.update(
        mode=settings.mode,
        config_error=lambda: services.config.error,
        session_idle_seconds=idle,
        # Warn two minutes ahead (A13), but leave at least 20 seconds when the idle time is short.
        session_warn_seconds=min(120, max(20, idle // 2)),
        path=_paths(app),
        # A static file by its content-hashed name (webapp.web.assets): cached for a year.
        asset=_assets(app, fixed=settings.mode != "development"),
        taal=get_locale,
        taal_link=language.switch_link,
    )
    return app


def _paths(app: Starlette) -> Callable[..., str]:
    """The templates' ``path(name, **params)``: a route's path, remembered (a page asks for
    the same few paths every time; finding one walks the routes)."""

    @lru_cache(maxsize=16384)
    def cached(name: str, params: frozenset[tuple[str, Any]]) -> str:
        return str(app.url_path_for(name, **dict(params)))

    def path(name: str, **params: Any) -> str:
        try:
            return cached(name, frozenset(params.items()))
        except TypeError:  # a value that cannot be a key: ask the routes
            return str(app.url_path_for(name, **params))

    return path


def _assets(app: Starlette, *, fixed: bool) -> Callable[[str], str]:
    """The templates' ``asset(name)``; ``fixed``: the static files do not change while the
    process runs (they ship with it), so each name's hash is computed once."""

    def asset(name: str) -> str:
        return str(app.url_path_for("static", path=hashed_name(STATIC, name)))

    return lru_cache(maxsize=256)(asset) if fixed else asset
