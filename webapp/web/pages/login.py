"""Logging in and out, welcome back, keeping the session alive."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from webapp.auth import LoginRequest, Redirect
from webapp.config.models import Gemeente
from webapp.domain.household import mag_zelf_melden
from webapp.web.cookies import new_nonce
from webapp.web.visit import (
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
    if request.method == "POST":
        await services.rate_limits.hit(request, "login")
        form = await read_form(request)
        if state.nonce is None:
            raise HTTPException(403)
        await check_csrf(form, csrf)
        # A broker's callback exchanges the code over the network: not on the event loop.
        result = await services.registers(
            provider.callback, {k: str(v) for k, v in form.items()}, {}
        )
        if result.bsn is not None:
            return await _after_login(request, gemeente, result.bsn)
        error, status = result.error, 422
    start = provider.start(
        LoginRequest(
            gemeente=gemeente.slug,
            callback_url=str(request.url_for("login", slug=gemeente.slug)),
            minimum=koppeling.niveau,
        )
    )
    if isinstance(start, Redirect):
        # A login elsewhere (DigiD through an OpenID Connect broker): keeping start.pending
        # for the callback comes with the first such provider (issue 9).
        raise HTTPException(501)
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
        },
        status,
    )
    if state.nonce is None:
        services.cookies.set_anonymous(response, gemeente.slug, nonce)
    return response


async def _after_login(request: Request, gemeente: Gemeente, bsn: str) -> Response:
    services = services_of(request)
    persoon = await services.registers(services.koppeling(gemeente).brp.raadpleeg, bsn)
    if persoon is None:
        raise HTTPException(400)
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
            "opnieuw": not visit.services.settings.is_production
            and not visit.draft.submitted_reference,
        },
    )


async def start_over(request: Request) -> Response:
    """Development and staging: throw away a test person's unfinished report, start afresh.

    For testers and the test drivers; a resident's own "Opnieuw beginnen" (with a confirmation
    step) is a later issue.
    """
    if services_of(request).settings.is_production:
        raise HTTPException(404)
    require_tester(request)
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    form = await read_form(request)
    await check_csrf(form, visit.session.csrf)
    if visit.draft.submitted_reference:
        return see_other(visit.path("confirmation"))
    try:
        await visit.services.db(visit.services.store.clear_draft, visit.draft.id)
    except LookupError:  # submitted in the meantime (another tab)
        return see_other(visit.path("confirmation"))
    first = journey_for(visit.gemeente, {}).next_step() or visit.gemeente.stappen[0]
    return see_other(visit.step_path(first))


async def logout(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request, gemeente.slug)
    form = await read_form(request)
    if state.token:
        session = await services.db(services.store.session, state.token, services.idle)
        if session is not None:
            await check_csrf(form, session.csrf)
            await services.db(services.store.end_session, state.token)
    response = page(request, "uitgelogd.html", {"gemeente": gemeente})
    services.cookies.clear(response, gemeente.slug)
    return response


async def extend_session(request: Request) -> Response:
    """The timeout dialog's "Sessie verlengen": any authenticated request touches the session."""
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return Response(status_code=401)
    form = await read_form(request)
    await check_csrf(form, visit.session.csrf)
    return Response(status_code=204)
