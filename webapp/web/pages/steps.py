"""The steps of the journey, the address lookup as you type, the stop page and confirmation."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from webapp import receipt
from webapp.delivery.opslag import melding_uit_opslag
from webapp.i18n import _
from webapp.steps.base import FieldError, StepContext
from webapp.steps.verhuisdatum import long_date
from webapp.web.submit import build_submission
from webapp.web.visit import (
    Visit,
    check_csrf,
    form_input,
    journey_for,
    load_visit,
    page,
    read_form,
    see_other,
    step_type_of,
)

BACK_TO_CHECK = "controleren"
"""The value of ``terug`` (query and hidden field): after this change, back to check answers."""


async def step(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    cfg = visit.step_config(request.path_params["step_id"])
    if visit.draft.submitted_reference:
        return see_other(visit.path("confirmation"))
    if request.method == "GET":
        if not visit.journey.may_visit(cfg.id):
            return see_other(visit.next_path())
        ctx = await visit.context(cfg.id)
        answer = visit.draft.answers.get(cfg.id)
        values = step_type_of(cfg).initial_values(cfg, answer, ctx)
        return await _step_page(request, visit, cfg, values, [], ctx)

    step_type = step_type_of(cfg)
    if step_type.multipart or step_type.checks_answers:
        # Counted before the body is read: a refused upload costs no parsing.
        await visit.services.rate_limits.hit(request, "upload" if step_type.multipart else "submit")
    form = await read_form(request, files=step_type.multipart)
    try:
        return await _post_step(request, visit, cfg, form)
    except LookupError:
        # The draft was submitted meanwhile (a second tab, a double click): the report is in.
        return see_other(visit.path("confirmation"))
    finally:
        await form.close()


async def _post_step(request: Request, visit: Visit, cfg: Any, form: FormData) -> Response:
    journey = visit.journey
    await check_csrf(form, visit.session.csrf)
    if not journey.may_visit(cfg.id):
        raise HTTPException(409)
    step_type = step_type_of(cfg)
    ctx = await visit.context(cfg.id)
    max_bytes = int(visit.gemeente.uploads.max_mb * 1024 * 1024)
    inputs = await form_input(form, max_bytes)
    # In a worker thread: checking an upload (parsing a PDF, a virus scan) takes CPU and time,
    # and other steps may ask a register.
    offload = visit.services.uploads if step_type.multipart else visit.services.registers
    outcome = await offload(step_type.parse, cfg, inputs, ctx)
    if not outcome.ok:
        return await _step_page(
            request, visit, cfg, outcome.values, outcome.errors, ctx, status=422
        )
    assert outcome.answer is not None
    if step_type.checks_answers:
        if not journey.is_ready_to_submit():
            return see_other(visit.next_path())
        await build_submission(visit, ctx)
        return see_other(visit.path("confirmation"))
    # The answer and its files in one transaction (a kill -9 in between would leave a file
    # that the answer does not name).
    files = [(u.field, u.filename, u.content_type, u.data) for u in outcome.uploads]
    services = visit.services
    await services.db(services.store.save_answer, visit.draft.id, cfg.id, outcome.answer, files)
    after = journey_for(visit.gemeente, {**visit.draft.answers, cfg.id: outcome.answer})
    if after.stopped is not None:
        return see_other(visit.path("stopped"))
    nxt = after.next_step()
    assert nxt is not None  # not stopped, so there is always a next step
    if form.get("terug") == BACK_TO_CHECK and after.is_ready_to_submit():
        nxt = visit.gemeente.stappen[-1]
    return see_other(visit.step_path(nxt))


async def _step_page(
    request: Request,
    visit: Visit,
    cfg: Any,
    values: dict[str, Any],
    errors: list[FieldError],
    ctx: StepContext,
    status: int = 200,
) -> HTMLResponse:
    step_type = step_type_of(cfg)
    journey = visit.journey
    n, total = journey.position(cfg.id)
    previous = journey.previous(cfg.id)
    summary = None
    late_notice = None
    if step_type.checks_answers:
        summary = _summary(visit, ctx)
        if journey.namespace_before(cfg.id).get("verhuizing.te_laat"):
            late_notice = _(visit.gemeente.datum.te_laat_tekst)
    answer = visit.draft.answers.get(cfg.id)
    # A step's view may ask a register (who lives at the address): not on the event loop.
    view = await visit.services.registers(step_type.view, cfg, ctx, answer)
    return page(
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
            "view": view,
            "n": n,
            "total": total,
            "previous_url": visit.step_path(previous) if previous else visit.path("start"),
            "action": visit.step_path(cfg),
            "lookup_url": visit.path("lookup", step_id=cfg.id) if step_type.enhanced else None,
            "csrf": visit.session.csrf,
            "terug": request.query_params.get("terug") == BACK_TO_CHECK,
            "terug_waarde": BACK_TO_CHECK,
            "summary": summary,
            "te_laat_melding": late_notice,
            "mededelingen": [
                {"alineas": [_(t) for t in m.tekst], "waarschuwing": m.waarschuwing}
                for m in cfg.mededelingen
                if m.als is None or ctx.evaluate(m.als)
            ],
            "ingelogd": True,
            "aangever": visit.aangever,
        },
        status,
    )


def _summary(visit: Visit, ctx: StepContext) -> list[dict[str, Any]]:
    rows = []
    answers = visit.journey.relevant_answers()
    for cfg in visit.journey.applicable():
        step_type = step_type_of(cfg)
        if step_type.checks_answers or cfg.id not in answers:
            continue
        for row in step_type.summary(cfg, answers[cfg.id], ctx):
            rows.append(
                {
                    "row": row,
                    "step": cfg,
                    "url": visit.step_path(cfg)
                    + f"?terug={BACK_TO_CHECK}"
                    + (f"#{row.field}" if row.field else ""),
                }
            )
    return rows


async def lookup(request: Request) -> Response:
    """htmx: a live check as the resident types (the address found), never the only way."""
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    cfg = visit.step_config(request.path_params["step_id"])
    step_type = step_type_of(cfg)
    if not step_type.enhanced or not visit.journey.may_visit(cfg.id):
        raise HTTPException(409)
    await visit.services.rate_limits.hit(request, "lookup")
    form = await read_form(request)
    await check_csrf(form, visit.session.csrf)
    inputs = await form_input(form, 0)
    ctx = await visit.context(cfg.id)
    message, ok = await visit.services.registers(step_type.live_lookup, cfg, inputs, ctx)
    return page(request, "fragments/adres_gevonden.html", {"melding": message, "gevonden": ok})


async def stopped(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    stop = visit.journey.stopped
    if stop is None:
        return see_other(visit.next_path())
    return page(
        request,
        "einde.html",
        {
            "gemeente": visit.gemeente,
            "stop": stop.stop,
            "ingelogd": True,
            "wijzig_url": visit.path("step", step_id=stop.step_id),
            "csrf": visit.session.csrf,
        },
    )


async def confirmation(request: Request) -> Response:
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    db, store = visit.services.db, visit.services.store
    submission = await db(store.submission_for_draft, visit.draft.id)
    if submission is None:
        return see_other(visit.next_path())
    requests = await db(store.linked_requests, submission.id or 0)
    consent = await db(store.toestemming_van, submission.id or 0)
    return page(
        request,
        "bevestiging.html",
        {
            "gemeente": visit.gemeente,
            "submission": submission,
            "aanvragen": requests,
            "toestemming": None
            if consent is None
            else {
                "status": consent.status,
                "termijn": long_date(consent.termijn.date()),
                "url": str(request.url_for("consent", slug=visit.gemeente.slug)),
            },
            "ingelogd": True,
            "csrf": visit.session.csrf,
        },
    )


async def receipt_pdf(request: Request) -> Response:
    """The receipt of the logged-in resident's own submitted report, as a PDF download."""
    visit = await load_visit(request)
    if isinstance(visit, Response):
        return visit
    db, store = visit.services.db, visit.services.store
    submission = await db(store.submission_for_draft, visit.draft.id)
    if submission is None:
        raise HTTPException(404)  # not sent (yet): there is nothing to give a receipt for
    # Counted with the uploads, whose threads it shares: a loop of downloads must not take them.
    await visit.services.rate_limits.hit(request, "upload")
    linked = await db(store.linked_requests, submission.id or 0)
    melding = melding_uit_opslag(submission, linked)
    # Rendering takes CPU: in the few threads that also check uploads, not in the event loop.
    pdf = await visit.services.uploads(receipt.ontvangstbewijs, visit.gemeente, melding)
    # No caching: SecurityHeaders sends Cache-Control: no-store on every page.
    disposition = f'attachment; filename="{receipt.bestandsnaam(melding)}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
