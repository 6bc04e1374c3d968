"""A resident driving the wizard through the ASGI app, as a browser without JavaScript would."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from starlette.testclient import TestClient

from webapp.steps import registry
from webapp.steps.base import Example
from webapp.steps.verhuisdatum import date_answer
from webapp.uploads import MINIMAL_PDF, MINIMAL_PNG

PDF = MINIMAL_PDF  # real files: the upload check parses them
PNG = MINIMAL_PNG


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "page has no CSRF token"
    return match.group(1)


def step_id_of(page: str) -> str | None:
    match = re.search(r'data-step-id="([^"]+)"', page)
    return match.group(1) if match else None


def field_errors(page: str) -> list[str]:
    """Inline error messages, without the hidden 'Fout:' prefix."""
    found = re.findall(
        r'<p class="utrecht-form-field-error-message utrecht-form-field__error-message" id="[^"]+">'
        r'<span class="visually-hidden">Fout: </span>(.*?)</p>',
        page,
        re.S,
    )
    return [html.unescape(m).strip() for m in found]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@dataclass
class Resident:
    client: TestClient
    slug: str
    page: str = ""
    status: int = 0
    url: str = ""
    history: list[str] = field(default_factory=list)

    def _record(self, response: Any) -> Any:
        self.page, self.status, self.url = response.text, response.status_code, str(response.url)
        sid = step_id_of(self.page)
        if sid and (not self.history or self.history[-1] != sid):
            self.history.append(sid)
        return response

    def get(self, path: str) -> Any:
        return self._record(
            self.client.get(path if path.startswith("/") else f"/{self.slug}/{path}")
        )

    def login(self, bsn: str) -> Any:
        self.get(f"/{self.slug}/inloggen")
        response = self._record(
            self.client.post(
                f"/{self.slug}/inloggen", data={"csrf": csrf_of(self.page), "bsn": bsn}
            )
        )
        if "/verder" in self.url:
            link = re.search(
                r'<a class="utrecht-button-link utrecht-button-link--html-a '
                r'utrecht-button-link--primary-action" href="([^"]+)"',
                self.page,
            )
            assert link
            self.get(link.group(1))
        return response

    @property
    def step(self) -> str | None:
        return step_id_of(self.page)

    def answer(
        self,
        data: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        step = self.step
        assert step, f"not on a step page: {self.url}\n{text_of(self.page)[:500]}"
        action = re.search(r'<form method="post" action="([^"]+)"', self.page)
        assert action
        payload = {"csrf": csrf_of(self.page), **(data or {})}
        if 'name="terug" value="controleren"' in self.page:
            payload["terug"] = "controleren"
        return self._record(self.client.post(action.group(1), data=payload, files=files or None))

    def errors(self) -> list[str]:
        return field_errors(self.page)

    def text(self) -> str:
        return text_of(self.page)


def moving_date(today: date, days: int = 7) -> dict[str, str]:
    fields = date_answer(today + timedelta(days=days)).fields
    return {k: v for k, v in fields.items() if isinstance(v, str)}


def default_answer(
    resident: Resident, cfg: Any, today: date, address: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The step type's example answer, as the (data, files) the test client posts."""
    gemeente = resident.client.app.state.services.gemeenten[resident.slug]
    answer = registry[cfg.type].example(cfg, Example(gemeente, today, address))
    files = {name: (f.filename, f.data, f.content_type) for name, f in answer.files.items()}
    return answer.post_data(), files or None


def complete_journey(
    resident: Resident,
    gemeente: Any,
    today: date,
    address: dict[str, Any],
    overrides: dict[str, Any] | None = None,
) -> Any:
    """Answer every step with a valid answer (or an override per step id) until confirmation."""
    overrides = overrides or {}
    for _ in range(40):
        if resident.url.endswith("/bevestiging"):
            return resident
        step_id = resident.step
        assert step_id, f"stuck at {resident.url}: {resident.text()[:400]}"
        cfg = gemeente.step(step_id)
        data, files = default_answer(resident, cfg, today, address)
        if step_id in overrides:
            data, files = overrides[step_id]
        before = resident.url
        resident.answer(data, files)
        assert resident.status < 400, f"step {step_id}: {resident.status} {resident.errors()}"
        assert resident.url != before or resident.url.endswith("/bevestiging"), (
            f"step {step_id} did not advance: {resident.errors()}"
        )
    raise AssertionError("journey did not end within 40 steps")


def run_until(
    resident: Resident,
    gemeente: Any,
    stop_at: str,
    today: date,
    address: dict[str, Any],
    overrides: dict[str, Any] | None = None,
) -> Resident:
    """Answer steps (defaults or overrides) until the resident stands on step ``stop_at``."""
    overrides = overrides or {}
    for _ in range(40):
        step_id = resident.step
        assert step_id, f"stuck at {resident.url}: {resident.text()[:400]}"
        if step_id == stop_at:
            return resident
        cfg = gemeente.step(step_id)
        data, files = overrides.get(step_id) or default_answer(resident, cfg, today, address)
        resident.answer(data, files)
        assert resident.status < 400, f"step {step_id}: {resident.status} {resident.errors()}"
    raise AssertionError(f"never reached step {stop_at}")


def address_form(
    postcode: str, huisnummer: str, huisletter: str = "", toevoeging: str = ""
) -> tuple[dict[str, str], None]:
    return {
        "postcode": postcode,
        "huisnummer": huisnummer,
        "huisletter": huisletter,
        "toevoeging": toevoeging,
    }, None
