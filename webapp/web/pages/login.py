"""Logging in and out, welcome back, keeping the session alive.

Two kinds of login share these pages (:mod:`webapp.auth.contract`): our own page (the DigiD
test login posts its form back to ``login``), or a broker (DigiD through OpenID Connect):
``login`` sends the browser there with what the callback needs kept in a cookie of its own, and
the broker sends it back to ``login_callback``.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from webapp.auth import Betrouwbaarheidsniveau, LoginProvider, LoginRequest, LoginResult, Redirect
from webapp.config.models import Gemeente
from webapp.domain.household import mag_zelf_melden
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.web.cookies import new_nonce
from webapp.web.middleware import RETRY_AFTER_SECONDS
from webapp.web.visit import (
    Visit,
    check_csrf,
    gemeente_of,
    journey_for,
    load_visit,
    page,
    path_for,
    read_form,
    require_tester,
    see_other,
    services_of,
)

log = logging.getLogger("verhuizen")

CALLBACK_PARAMS = ("code", "state", "error", "iss")
"""What a broker's answer may carry that we read; anything else in the query is ignored."""

DOEL = "doel"
"""Why someone logs in, when it is not to report a move: ``toestemming`` (a hoofdbewoner who
consents). In the query of the login page, the test login's form and a broker's pending
login; anything else is ignored."""
DOELEN = ("toestemming",)


def _doel(value: object) -> str | None:
    return value if isinstance(value, str) and value in DOELEN else None


STARTED_OVER = "opnieuw"
"""The query parameter (value ``1``) on the first step after starting over: the message that
the answers are gone, shown on that one page view (a form posted from it goes to the bare
step URL). It says nothing about the resident."""


async def login(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    koppeling = services.koppeling(gemeente)
    provider = koppeling.login
    if provider.is_test:
        require_tester(request)
    state = services.cookies.read(request, gemeente.slug)
    nonce = state.nonce or new_nonce()
    csrf = services.cookies.anonymous_csrf(nonce)
    error = None
    status = 200
    doel = _doel(request.query_params.get(DOEL))
    if request.method == "POST":
        await services.rate_limits.hit(request, "login")
        form = await read_form(request)
        if state.nonce is None:
            raise HTTPException(403)
        await check_csrf(form, csrf)
        doel = _doel(form.get(DOEL))
        # A broker's callback exchanges the code over the network: not on the event loop.
        result = await services.registers(
            provider.callback, {k: str(v) for k, v in form.items() if k != DOEL}, {}
        )
        if result.bsn is not None:
            return await _logged_in(request, gemeente, result, koppeling.niveau, doel)
        error, status = result.error, 422
    elif not provider.is_test:
        # Each start may ask the broker for its discovery document.
        await services.rate_limits.hit(request, "login")
    wanted = LoginRequest(
        gemeente=gemeente.slug,
        callback_url=str(request.url_for("login_callback", slug=gemeente.slug)),
        minimum=koppeling.niveau,
    )
    try:
        start = await services.registers(provider.start, wanted)
    except RegisterOnbereikbaar as exc:
        return _broker_unavailable(request, gemeente, provider, exc)
    if isinstance(start, Redirect):
        if error is not None:  # a form posted to a broker's login: there is no such form
            return _failed(request, gemeente, provider, error, 400)
        away = see_other(start.url)
        pending = {**start.pending, DOEL: doel} if doel else start.pending
        services.cookies.set_pending(away, gemeente.slug, pending)
        return away
    response = page(
        request,
        "login.html",
        {
            "gemeente": gemeente,
            "csrf": csrf,
            "provider": provider,
            "personen": list(start.personen),
            "fout": error,
            "vandaag": services.today(),
            "doel": doel,
        },
        status,
    )
    if state.nonce is None:
        services.cookies.set_anonymous(response, gemeente.slug, nonce)
    return response


async def login_callback(request: Request) -> Response:
    """Where the broker sends the browser back: ``code`` and ``state``, or ``error``.

    The pending login is this browser's cookie; without it, or with another ``state``, the
    provider refuses before it looks at anything else. Whatever the outcome, the pending login
    is used up. The query is never logged (the request log names the route, not the URL)."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    koppeling = services.koppeling(gemeente)
    provider = koppeling.login
    if provider.is_test:
        raise HTTPException(404)  # the test login posts its own form to ``login``
    await services.rate_limits.hit(request, "login")
    params = {k: request.query_params[k] for k in CALLBACK_PARAMS if k in request.query_params}
    pending = services.cookies.read_pending(request, gemeente.slug) or {}
    response: Response
    try:
        result = await services.registers(provider.callback, params, pending)
    except RegisterOnbereikbaar as exc:
        response = _broker_unavailable(request, gemeente, provider, exc)
    else:
        if result.bsn is None:
            response = _failed(request, gemeente, provider, result.error or "", 400)
        else:
            doel = _doel(pending.get(DOEL))
            response = await _logged_in(request, gemeente, result, koppeling.niveau, doel)
    services.cookies.clear_pending(response, gemeente.slug)
    return response


async def _logged_in(
    request: Request,
    gemeente: Gemeente,
    result: LoginResult,
    minimum: Betrouwbaarheidsniveau,
    doel: str | None = None,
) -> Response:
    """A login that succeeded: at the level the gemeente asks, or a page that says how."""
    assert result.bsn is not None and result.level is not None
    if not result.voldoet_aan(minimum):
        log.info(
            "login below the level asked",
            extra={"event": "login_level_too_low", "level": result.level.value},
        )
        return page(
            request,
            "login_niveau.html",
            {"gemeente": gemeente, "niveau": result.level.value, "nodig": minimum.value},
            403,
        )
    if doel == "toestemming":
        return await _hoofdbewoner_logged_in(request, gemeente, result.bsn)
    return await _after_login(request, gemeente, result.bsn)


async def _hoofdbewoner_logged_in(request: Request, gemeente: Gemeente, bsn: str) -> Response:
    """A hoofdbewoner who logs in to consent: a session without a draft, so nothing of a move
    report of their own starts; whether they may consent is checked per request there."""
    services = services_of(request)
    token, _session = await services.db(services.store.create_session, gemeente.slug, bsn, None)
    response = see_other(path_for(request, "consent", slug=gemeente.slug))
    services.cookies.set_session(response, gemeente.slug, token)
    return response


def _failed(
    request: Request, gemeente: Gemeente, provider: LoginProvider, error: str, status: int
) -> Response:
    return page(
        request,
        "login.html",
        {"gemeente": gemeente, "provider": provider, "fout": error},
        status,
    )


def _broker_unavailable(
    request: Request, gemeente: Gemeente, provider: LoginProvider, exc: RegisterOnbereikbaar
) -> Response:
    # The message says which request of the broker failed and how; it holds no personal data.
    log.error(
        "login broker unavailable",
        extra={"event": "login_unavailable", "login": provider.name, "error": str(exc)},
    )
    response = page(
        request,
        "login.html",
        {"gemeente": gemeente, "provider": provider, "onbereikbaar": True, "fout": None},
        503,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _after_login(request: Request, gemeente: Gemeente, bsn: str) -> Response:
    services = services_of(request)
    persoon = await services.registers(services.koppeling(gemeente).brp.raadpleeg, bsn)
    if persoon is None:
        # Logged in at DigiD, but not in the BRP (an RNI registration, a broker that sends
        # another number): say so, instead of a bare error page.
        context = {"gemeente": gemeente, "reden": "onbekend"}
        return page(request, "niet_online.html", context, 403)
    today = services.today()
    if persoon.curatele or not mag_zelf_melden(persoon, today):
        reason = "curatele" if persoon.curatele else "minderjarig"
        return page(request, "niet_online.html", {"gemeente": gemeente, "reden": reason}, 403)
    draft = await services.db(services.store.open_draft, gemeente.slug, bsn, gemeente.versie)
    token, _session = await services.db(services.store.create_session, gemeente.slug, bsn, draft.id)
    if draft.answers:
        target = path_for(request, "resume", slug=gemeente.slug)  # welcome back: answers kept
    else:
        first = journey_for(gemeente, draft.answers).next_step() or gemeente.stappen[0]
        target = path_for(request, "step", slug=gemeente.slug, step_id=first.id)
    response = see_other(target)
    services.cookies.set_session(response, gemeente.slug, token)
    return response


async def resume(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    return page(
        request,
        "verder.html",
        {
            "gemeente": visit.gemeente,
            "verder_url": visit.next_path(),
            "csrf": visit.session.csrf,
            "ingelogd": True,
            "opnieuw": not visit.draft.submitted_reference,
        },
    )


async def start_over(request: Request) -> Response:
    """Start over ("Opnieuw beginnen"): throw away the unfinished report, begin afresh.

    GET asks "Weet u het zeker?" (a page of its own, so it works without JavaScript); the form
    there posts back here with the CSRF token, and the answers and uploaded files go in one
    transaction (:meth:`~webapp.storage.store.Store.clear_draft`). Then the first step, with
    a message that it happened. A submitted report is in: never thrown away, its confirmation
    page instead. Staging asks for the staging password here too, as for the test login (the
    scenario runner and the evidence crawler start over through these pages).
    """
    services = services_of(request)
    if not services.settings.is_production:
        require_tester(request)
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    if request.method == "GET":
        if visit.draft.submitted_reference:
            return see_other(visit.path("confirmation"))
        return page(
            request,
            "opnieuw.html",
            {
                "gemeente": visit.gemeente,
                "csrf": visit.session.csrf,
                "ingelogd": True,
                "terug_url": _back_from_start_over(visit, request.query_params.get("stap")),
            },
        )
    form = await read_form(request)
    await check_csrf(form, visit.session.csrf)
    if visit.draft.submitted_reference:
        return see_other(visit.path("confirmation"))
    try:
        await visit.services.db(
            visit.services.store.clear_draft, visit.draft.id, visit.gemeente.versie
        )
    except LookupError:  # submitted in the meantime (another tab)
        return see_other(visit.path("confirmation"))
    log.info("draft cleared", extra={"event": "start_over"})
    first = journey_for(visit.gemeente, {}).next_step() or visit.gemeente.stappen[0]
    return see_other(f"{visit.step_path(first)}?{STARTED_OVER}=1")


def _back_from_start_over(visit: Visit, step_id: str | None) -> str:
    """Where "Nee, ga terug" leads: the step the resident came from (``?stap=``, a step id,
    when the journey lets them see it), else where they left off."""
    if step_id is not None and visit.journey.may_visit(step_id):
        return visit.path("step", step_id=step_id)
    return visit.next_path()


async def logout(request: Request) -> Response:
    """POST: end our session, then the broker's (its end-session endpoint, which sends the
    browser back here, GET: the page that says so)."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    if request.method == "GET":
        return page(request, "uitgelogd.html", {"gemeente": gemeente})
    state = services.cookies.read(request, gemeente.slug)
    form = await read_form(request)
    ended = False
    if state.token:
        session = await services.db(services.store.session, state.token, services.idle)
        if session is not None:
            await check_csrf(form, session.csrf)
            await services.db(services.store.end_session, state.token)
            ended = True
    response: Response
    elsewhere = None
    if ended:
        provider = services.koppeling(gemeente).login
        back = str(request.url_for("logout", slug=gemeente.slug))
        # Nothing kept with the session: the broker's logout needs only our client_id.
        elsewhere = await services.registers(provider.logout, {}, back)
    if elsewhere is not None:
        # Not a 303: a redirect that follows a form post is held to the CSP's form-action
        # ('self'), so Chromium would refuse the broker. A refresh is a navigation of its own.
        response = page(
            request, "uitgelogd_makelaar.html", {"gemeente": gemeente, "url": elsewhere}
        )
        response.headers["Refresh"] = f"0; url={elsewhere}"
    else:
        response = page(request, "uitgelogd.html", {"gemeente": gemeente})
    services.cookies.clear(response, gemeente.slug)
    return response


async def extend_session(request: Request) -> Response:
    """The timeout dialog's "Sessie verlengen": any authenticated request touches the session
    (a resident's, or a hoofdbewoner's, which has no report)."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request, gemeente.slug)
    if state.token is None or state.forged:
        return Response(status_code=401)
    session = await services.db(services.store.session, state.token, services.idle)
    if session is None or session.gemeente != gemeente.slug:
        return Response(status_code=401)
    form = await read_form(request)
    await check_csrf(form, session.csrf)
    return Response(status_code=204)
