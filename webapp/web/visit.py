"""The parts every handler shares: the services, the gemeente, the logged-in visit, forms.

A :class:`Visit` is a logged-in resident's request: session, draft, person and journey.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from webapp.config.models import Gemeente
from webapp.flow.journey import Journey
from webapp.i18n import _
from webapp.koppelingen import Koppeling
from webapp.registers.brp import Persoon
from webapp.steps import registry
from webapp.steps.base import FormInput, StepContext, StepType, Upload
from webapp.storage.models import Draft, WebSession
from webapp.web.cookies import same
from webapp.web.rendering import render
from webapp.web.services import Services

MAX_FORM_FIELDS = 200


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def gemeente_of(request: Request) -> Gemeente:
    gemeente = services_of(request).gemeenten.get(request.path_params["slug"])
    if gemeente is None:
        raise HTTPException(404)
    return gemeente


def path_for(request: Request, name: str, **params: Any) -> str:
    """The path of a named route (``webapp.web.app`` names them)."""
    return str(request.app.url_path_for(name, **params))


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return render(services_of(request).templates, template, {"request": request, **context}, status)


def step_type_of(cfg: Any) -> StepType[Any]:
    return registry[cfg.type]


def journey_for(gemeente: Gemeente, answers: dict[str, Any]) -> Journey:
    return Journey(gemeente, answers, registry)


@dataclass
class Visit:
    """A logged-in resident's request: session, draft, person and journey."""

    request: Request
    services: Services
    gemeente: Gemeente
    session: WebSession
    draft: Draft
    aangever: Persoon
    journey: Journey
    koppeling: Koppeling

    def path(self, name: str, **params: Any) -> str:
        return path_for(self.request, name, slug=self.gemeente.slug, **params)

    def step_path(self, step: Any) -> str:
        return self.path("step", step_id=step.id)

    async def context(self, step_id: str) -> StepContext:
        journey = self.journey
        # Only a step that asks for documents shows or keeps what was uploaded: no query on
        # the other steps.
        uploads = (
            await self.services.db(self.services.store.uploads, self.draft.id)
            if step_type_of(self.step_config(step_id)).asks_documents
            else {}
        )
        return StepContext(
            gemeente=self.gemeente,
            aangever=self.aangever,
            brp=self.koppeling.brp,
            adressen=self.koppeling.adressen,
            today=self.services.today(),
            answers=journey.relevant_answers(),
            evaluate=lambda c: journey.evaluate_before(step_id, c) is True,
            uploads={
                doc: {"bestandsnaam": u.bestandsnaam, "grootte": u.grootte, "type": u.content_type}
                for doc, u in uploads.items()
            },
            scanner=self.services.scanner,
        )

    def next_path(self) -> str:
        if self.draft.submitted_reference:
            return self.path("confirmation")
        if self.journey.stopped is not None:
            return self.path("stopped")
        return self.step_path(self.journey.next_step())

    def step_config(self, step_id: str) -> Any:
        try:
            return self.gemeente.step(step_id)
        except KeyError:
            raise HTTPException(404) from None


async def load_visit(request: Request) -> Visit | Response:
    """The logged-in visit, or the response to send instead (login, expiry, forged cookie)."""
    services = services_of(request)
    gemeente = gemeente_of(request)
    state = services.cookies.read(request, gemeente.slug)
    if state.forged:
        response = page(
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
        return see_other(path_for(request, "login", slug=gemeente.slug))
    found = await services.db(services.store.visit, state.token, services.idle)
    if found is None or found[0].gemeente != gemeente.slug:
        expired: Response = see_other(path_for(request, "expired", slug=gemeente.slug))
        services.cookies.clear(expired, gemeente.slug)
        return expired
    session, draft = found
    if session.draft_id is None:  # a hoofdbewoner's session: consent only, no report
        return see_other(path_for(request, "consent", slug=gemeente.slug))
    koppeling = services.koppeling(gemeente)
    aangever = await services.registers(koppeling.brp.raadpleeg, session.bsn)
    if draft is None or aangever is None:
        raise HTTPException(400)
    journey = journey_for(gemeente, draft.answers)
    return Visit(request, services, gemeente, session, draft, aangever, journey, koppeling)


TESTER_REALM = 'Basic realm="Testomgeving", charset="UTF-8"'


def require_tester(request: Request) -> None:
    """Staging is not public: its pages and the test login ask for the staging password
    (HTTP Basic, any user name). Development without a password is open; production has
    neither the pages nor the test login."""
    password = services_of(request).settings.staging_password
    if password is None:
        return
    given = _basic_password(request.headers.get("authorization", ""))
    if given is None or not same(given, password):
        raise HTTPException(401, headers={"WWW-Authenticate": TESTER_REALM})


def _basic_password(header: str) -> str | None:
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64 (non-ASCII too), or not UTF-8
        return None
    return decoded.partition(":")[2] or None


async def check_csrf(form: FormData, expected: str | None) -> None:
    if not same(str(form.get("csrf", "")), expected):
        raise HTTPException(403)


async def read_form(request: Request, *, files: bool = False) -> FormData:
    # Field size and count bounded; files are spooled by python-multipart and their size is
    # checked per document by the documenten step (the gemeente's limit). Only the step route
    # takes files (and closes the form); any other form with a file part is a 400, so no
    # spooled file is left open.
    return await request.form(
        max_files=20 if files else 0, max_fields=MAX_FORM_FIELDS, max_part_size=1024 * 1024
    )


async def form_input(form: FormData, max_bytes: int) -> FormInput:
    """The form as step types see it; files read up to one byte past ``max_bytes``."""
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if not value.filename:
                continue
            # Read one byte past the limit: enough to know it is too big, without reading it all.
            data = await value.read(max_bytes + 1)
            files[key] = Upload(key, safe_filename(value.filename), value.content_type or "", data)
        else:
            values.setdefault(key, value)
            lists.setdefault(key, []).append(value)
    return FormInput(values, lists, files)


def safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200] or "bestand"
