"""Request handlers. Every state change is a POST with a CSRF token, answered by a redirect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from webapp import preview
from webapp.config.models import Gemeente
from webapp.domain.household import mag_zelf_melden
from webapp.flow.journey import Journey
from webapp.i18n import _
from webapp.registers.brp import Persoon
from webapp.steps import registry
from webapp.steps.base import FormInput, StepContext, Upload
from webapp.steps.nieuw_adres import NieuwAdres
from webapp.storage.models import Draft, WebSession
from webapp.web.cookies import new_nonce, same
from webapp.web.rendering import render
from webapp.web.submit import build_submission

if TYPE_CHECKING:
    from webapp.web.app import Services

MAX_FORM_FIELDS = 200


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def gemeente_of(request: Request) -> Gemeente:
    gemeente = services_of(request).gemeenten.get(request.path_params["slug"])
    if gemeente is None:
        raise HTTPException(404)
    return gemeente


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@dataclass
class Visit:
    """A logged-in resident's request: session, draft, person and journey."""

    services: Services
    gemeente: Gemeente
    session: WebSession
    draft: Draft
    aangever: Persoon
    journey: Journey

    @property
    def base(self) -> str:
        return f"/{self.gemeente.slug}"

    def context(self, step_id: str) -> StepContext:
        journey = self.journey
        return StepContext(
            gemeente=self.gemeente,
            aangever=self.aangever,
            brp=self.services.brp,
            adressen=self.services.adressen,
            today=self.services.today(),
            answers=journey.relevant_answers(),
            evaluate=lambda c: journey.evaluate_before(step_id, c) is True,
            uploads={
                doc: {"bestandsnaam": u.bestandsnaam, "grootte": u.grootte, "type": u.content_type}
                for doc, u in self.services.store.uploads(self.draft.id).items()
            },
        )

    def url_for_step(self, step: Any) -> str:
        return f"{self.base}/stap/{step.id}"

    def next_url(self) -> str:
        if self.draft.submitted_reference:
            return f"{self.base}/bevestiging"
        if self.journey.stopped is not None:
            return f"{self.base}/einde"
        return self.url_for_step(self.journey.next_step())


def journey_for(gemeente: Gemeente, answers: dict[str, Any]) -> Journey:
    return Journey(gemeente, answers, registry)


async def load_visit(request: Request) -> Visit | Response:
    """The logged-in visit, or the response to send instead (login, expiry, forged cookie)."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request)
    if state.forged:
        response = _page(
            request,
            "error.html",
            {
                "gemeente": gemeente,
                "titel": _("Uw sessie is ongeldig"),
                "tekst": _(
                    "Wij konden uw sessie niet controleren. Log opnieuw in; uw opgeslagen antwoorden zijn bewaard."
                ),
                "status": 400,
            },
            400,
        )
        services.cookies.clear(response, gemeente.slug)
        return response
    if state.token is None:
        return see_other(f"/{gemeente.slug}/inloggen")
    session = services.store.session(state.token, services.idle)
    if session is None or session.gemeente != gemeente.slug:
        expired: Response = see_other(f"/{gemeente.slug}/sessie-verlopen")
        services.cookies.clear(expired, gemeente.slug)
        return expired
    draft = services.store.draft(session.draft_id or "")
    aangever = services.brp.raadpleeg(session.bsn)
    if draft is None or aangever is None:
        raise HTTPException(400)
    return Visit(services, gemeente, session, draft, aangever, journey_for(gemeente, draft.answers))


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    services = services_of(request)
    return render(services.templates, template, {"request": request, **context}, status, block)


async def check_csrf(request: Request, form: FormData, expected: str | None) -> None:
    if not same(str(form.get("csrf", "")), expected):
        raise HTTPException(403)


async def read_form(request: Request) -> FormData:
    # Field size and count bounded; files are spooled by python-multipart and their size is
    # checked per document by the documenten step (the gemeente's limit).
    return await request.form(max_files=20, max_fields=MAX_FORM_FIELDS, max_part_size=1024 * 1024)


# -- pages -------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    return _page(request, "index.html", {"gemeenten": services_of(request).gemeenten})


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def redirect_slash(request: Request) -> Response:
    gemeente_of(request)
    return see_other(f"/{request.path_params['slug']}/")


async def start(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request)
    logged_in = (
        state.token is not None and services.store.session(state.token, services.idle) is not None
    )
    return _page(request, "start.html", {"gemeente": gemeente, "ingelogd": logged_in})


async def login(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request)
    nonce = state.nonce or new_nonce()
    csrf = services.cookies.anonymous_csrf(nonce)
    error = None
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        if state.nonce is None:
            raise HTTPException(403)
        await check_csrf(request, form, csrf)
        result = services.login.verify({k: str(v) for k, v in form.items()})
        if result.bsn is not None:
            return _after_login(request, gemeente, result.bsn)
        error, status = result.error, 422
    response = _page(
        request,
        "login.html",
        {
            "gemeente": gemeente,
            "csrf": csrf,
            "provider": services.login,
            "personen": services.login.choices(),
            "fout": error,
            "vandaag": services.today(),
        },
        status,
    )
    if state.nonce is None:
        services.cookies.set_anonymous(response, gemeente.slug, nonce)
    return response


def _after_login(request: Request, gemeente: Gemeente, bsn: str) -> Response:
    services = services_of(request)
    persoon = services.brp.raadpleeg(bsn)
    if persoon is None:
        raise HTTPException(400)
    today = services.today()
    if persoon.curatele or not mag_zelf_melden(persoon, today):
        reason = "curatele" if persoon.curatele else "minderjarig"
        return _page(request, "niet_online.html", {"gemeente": gemeente, "reden": reason}, 403)
    draft = services.store.open_draft(gemeente.slug, bsn, gemeente.versie)
    token, _session = services.store.create_session(gemeente.slug, bsn, draft.id)
    if draft.answers:
        target = f"/{gemeente.slug}/verder"  # welcome back: the answers were kept
    else:
        first = journey_for(gemeente, draft.answers).next_step()
        target = f"/{gemeente.slug}/stap/{first.id if first else gemeente.stappen[0].id}"
    response = see_other(target)
    services.cookies.set_session(response, gemeente.slug, token)
    return response


async def resume(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    return _page(
        request,
        "verder.html",
        {
            "gemeente": visit.gemeente,
            "verder_url": visit.next_url(),
            "csrf": visit.session.csrf,
            "ingelogd": True,
        },
    )


async def logout(request: Request) -> Response:
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request)
    form = await read_form(request)
    if state.token:
        session = services.store.session(state.token, services.idle)
        if session is not None:
            await check_csrf(request, form, session.csrf)
            services.store.end_session(state.token)
    response = _page(request, "uitgelogd.html", {"gemeente": gemeente})
    services.cookies.clear(response, gemeente.slug)
    return response


async def extend_session(request: Request) -> Response:
    """The timeout dialog's "Sessie verlengen": any authenticated request touches the session."""
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return Response(status_code=401)
    form = await read_form(request)
    await check_csrf(request, form, visit.session.csrf)
    return Response(status_code=204)


def _staging_only(request: Request) -> Services:
    services = services_of(request)
    if services.settings.is_production:
        raise HTTPException(404)
    return services


async def staging_submissions(request: Request) -> Response:
    """Staging: the test submissions of a gemeente, newest first."""
    services = _staging_only(request)
    gemeente = gemeente_of(request)
    rows = list(reversed(services.store.submissions(gemeente.slug)))
    return _page(request, "staging/meldingen.html", {"gemeente": gemeente, "meldingen": rows})


async def staging_submission(request: Request) -> Response:
    """Staging: one submission exactly as it is stored, with its linked requests."""
    services = _staging_only(request)
    gemeente = gemeente_of(request)
    reference = request.path_params["reference"]
    found = [s for s in services.store.submissions(gemeente.slug) if s.reference == reference]
    if not found:
        raise HTTPException(404)
    submission = found[0]
    stored = {
        "submission": submission.model_dump(mode="json"),
        "linked_requests": [
            r.model_dump(mode="json") for r in services.store.linked_requests(submission.id or 0)
        ],
    }
    return _page(
        request,
        "staging/melding.html",
        {
            "gemeente": gemeente,
            "melding": submission,
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
    return _page(
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


async def accessibility(request: Request) -> Response:
    return _page(request, "toegankelijkheid.html", {"gemeente": gemeente_of(request)})


async def expired(request: Request) -> Response:
    return _page(
        request,
        "sessie_verlopen.html",
        {
            "gemeente": gemeente_of(request),
            "minuten": services_of(request).settings.session_idle_minutes,
        },
    )


def _step_config(visit: Visit, step_id: str) -> Any:
    try:
        return visit.gemeente.step(step_id)
    except KeyError:
        raise HTTPException(404) from None


async def step(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    step_id = request.path_params["step_id"]
    cfg = _step_config(visit, step_id)
    if visit.draft.submitted_reference:
        return see_other(f"{visit.base}/bevestiging")
    journey = visit.journey
    if request.method == "GET":
        if not journey.may_visit(step_id):
            return see_other(visit.next_url())
        step_type = registry[cfg.type]
        ctx = visit.context(step_id)
        answer = visit.draft.answers.get(step_id)
        return _step_page(request, visit, cfg, step_type.initial_values(cfg, answer, ctx), [], ctx)

    form = await read_form(request)
    try:
        return await _post_step(request, visit, cfg, form)
    finally:
        await form.close()


async def _post_step(request: Request, visit: Visit, cfg: Any, form: FormData) -> Response:
    step_id = cfg.id
    journey = visit.journey
    await check_csrf(request, form, visit.session.csrf)
    if not journey.may_visit(step_id):
        raise HTTPException(409)
    step_type = registry[cfg.type]
    ctx = visit.context(step_id)
    outcome = step_type.parse(
        cfg, await _form_input(form, int(visit.gemeente.uploads.max_mb * 1024 * 1024)), ctx
    )
    if not outcome.ok:
        return _step_page(request, visit, cfg, outcome.values, outcome.errors, ctx, status=422)
    assert outcome.answer is not None
    if cfg.type == "controleren":
        if not journey.is_ready_to_submit():
            return see_other(visit.next_url())
        build_submission(visit, ctx)
        return see_other(f"{visit.base}/bevestiging")
    for upload in outcome.uploads:
        visit.services.store.save_upload(
            visit.draft.id, upload.field, upload.filename, upload.content_type, upload.data
        )
    visit.services.store.save_answer(visit.draft.id, step_id, outcome.answer)
    answers = {**visit.draft.answers, step_id: outcome.answer}
    after = journey_for(visit.gemeente, answers)
    if after.stopped is not None:
        return see_other(f"{visit.base}/einde")
    nxt = after.next_step()
    assert nxt is not None  # not stopped, so there is always a next step
    if form.get("terug") == "controleren" and after.is_ready_to_submit():
        nxt = visit.gemeente.stappen[-1]
    return see_other(f"{visit.base}/stap/{nxt.id}")


def _step_page(
    request: Request,
    visit: Visit,
    cfg: Any,
    values: dict[str, Any],
    errors: list[Any],
    ctx: StepContext,
    status: int = 200,
) -> HTMLResponse:
    step_type = registry[cfg.type]
    journey = visit.journey
    n, total = journey.position(cfg.id)
    previous = journey.previous(cfg.id)
    summary = None
    late_notice = None
    if cfg.type == "controleren":
        summary = _summary(visit, ctx)
        if journey.namespace_before(cfg.id).get("verhuizing.te_laat"):
            late_notice = _(visit.gemeente.datum.te_laat_tekst)
    answer = visit.draft.answers.get(cfg.id)
    return _page(
        request,
        "step.html",
        {
            "gemeente": visit.gemeente,
            "step": cfg,
            "step_type": step_type,
            "question": step_type.question(cfg, visit.gemeente),
            "values": values,
            "errors": {e.field: e.message for e in errors},
            "error_list": errors,
            "view": step_type.view(cfg, ctx, answer),
            "n": n,
            "total": total,
            "previous_url": f"{visit.base}/stap/{previous.id}" if previous else f"{visit.base}/",
            "action": f"{visit.base}/stap/{cfg.id}",
            "csrf": visit.session.csrf,
            "terug": request.query_params.get("terug") == "controleren",
            "summary": summary,
            "te_laat_melding": late_notice,
            "ingelogd": True,
            "aangever": visit.aangever,
        },
        status,
    )


def _summary(visit: Visit, ctx: StepContext) -> list[dict[str, Any]]:
    rows = []
    answers = visit.journey.relevant_answers()
    for cfg in visit.journey.applicable():
        if cfg.type == "controleren" or cfg.id not in answers:
            continue
        for row in registry[cfg.type].summary(cfg, answers[cfg.id], ctx):
            rows.append(
                {
                    "row": row,
                    "step": cfg,
                    "url": f"{visit.base}/stap/{cfg.id}?terug=controleren"
                    + (f"#{row.field}" if row.field else ""),
                }
            )
    return rows


async def _form_input(form: FormData, max_bytes: int) -> FormInput:
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if not value.filename:
                continue
            # Read one byte past the limit: enough to know it is too big, without reading it all.
            data = await value.read(max_bytes + 1)
            files[key] = Upload(key, _safe_filename(value.filename), value.content_type or "", data)
        else:
            values.setdefault(key, value)
            lists.setdefault(key, []).append(value)
    return FormInput(values, lists, files)


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200] or "bestand"


async def address_lookup(request: Request) -> Response:
    """htmx: show the street and woonplaats found as the resident types (never the only way)."""
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    step_id = request.path_params["step_id"]
    cfg = _step_config(visit, step_id)
    if cfg.type != "nieuw_adres" or not visit.journey.may_visit(step_id):
        raise HTTPException(409)
    form = await read_form(request)
    await check_csrf(request, form, visit.session.csrf)
    step_type = registry[cfg.type]
    assert isinstance(step_type, NieuwAdres)
    inputs = await _form_input(form, 0)
    found, errors = (
        (None, [])
        if not (inputs.get("postcode") and inputs.get("huisnummer"))
        else step_type.lookup(inputs, visit.context(step_id))
    )
    message, ok = None, False
    if found is not None:
        if found.gemeentecode != visit.gemeente.gemeentecode:
            from webapp.steps.nieuw_adres import other_gemeente_message

            message = other_gemeente_message(found)
        else:
            message, ok = found.weergavenaam, True
    elif errors:
        message = errors[0].message
    return _page(request, "fragments/adres_gevonden.html", {"melding": message, "gevonden": ok})


async def stopped(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    stop = visit.journey.stopped
    if stop is None:
        return see_other(visit.next_url())
    return _page(
        request,
        "einde.html",
        {
            "gemeente": visit.gemeente,
            "stop": stop.stop,
            "ingelogd": True,
            "wijzig_url": f"{visit.base}/stap/{stop.step_id}",
            "csrf": visit.session.csrf,
        },
    )


async def confirmation(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    submission = visit.services.store.submission_for_draft(visit.draft.id)
    if submission is None:
        return see_other(visit.next_url())
    requests = visit.services.store.linked_requests(submission.id or 0)
    return _page(
        request,
        "bevestiging.html",
        {
            "gemeente": visit.gemeente,
            "submission": submission,
            "aanvragen": requests,
            "ingelogd": True,
            "csrf": visit.session.csrf,
        },
    )
