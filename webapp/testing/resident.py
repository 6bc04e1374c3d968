"""A resident in a real browser (Playwright): log in, see which step is on screen, answer it
with form fields, submit, and walk on until the end. The e2e tests, the accessibility
evidence crawler and the scenario runner walk with it; what each of them records or checks on
the way is an :class:`Observer` of the walk.

Playwright is a QA tool (``.[tools]``): it is imported only for type checking here, so the
module loads without it; a :class:`~playwright.sync_api.Page` is handed in by the caller.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from webapp.config.models import Gemeente
from webapp.i18n import _
from webapp.steps import registry
from webapp.steps.base import FormAnswer, StepType
from webapp.testing.testdata import ResidentData, resident_data

if TYPE_CHECKING:
    from playwright.sync_api import HttpCredentials, Locator, Page

MAX_STEPS = 40
STAGING_PASSWORD = "VERHUIZEN_STAGING_WACHTWOORD"


def tester_credentials() -> HttpCredentials | None:
    """HTTP credentials for a staging server (its pages and the test login ask for the staging
    password): from ``VERHUIZEN_STAGING_WACHTWOORD`` where the tools run, else none."""
    password = os.environ.get(STAGING_PASSWORD)
    if not password:
        return None
    return {"username": "tester", "password": password}


# One round trip each: these run several times per page.
_STEP_ID = """() => {
  const forms = document.querySelectorAll('form[data-step-id]');
  return forms.length === 1 ? forms[0].getAttribute('data-step-id') : null;
}"""
# How each named field of the step form is answered: its kind and, for choices, the values.
_FIELDS = """(form) => {
  const out = {};
  for (const el of form.querySelectorAll('input[name], select[name], textarea[name]')) {
    if (el.type === 'hidden') continue;
    const f = out[el.name] || (out[el.name] = {kind: el.type || el.tagName.toLowerCase(), values: []});
    if (el.type === 'radio' || el.type === 'checkbox') f.values.push(el.value);
  }
  return out;
}"""
PAGES = ("bevestiging", "einde", "verder", "opnieuw", "inloggen", "sessie-verlopen")


class WalkError(Exception):
    """The walk cannot go on; the message says where and shows the page text."""


@dataclass(frozen=True)
class Unplaced:
    """A part of an answer the page had no place for."""

    kind: str  # "veld", "keuze" or "bestand"
    name: str
    shown: str = ""
    """The value as a person would name it (a choice's label, a person's name)."""

    def __str__(self) -> str:
        if self.kind == "keuze":
            return f"de keuze {self.shown!r} staat niet op de pagina"
        if self.kind == "bestand":
            return f"het bestand voor {self.name!r} wordt niet gevraagd"
        return f"het veld {self.name!r} staat niet op de pagina"


class Observer:
    """Hooks into a walk. The defaults answer with the example and stop at any refusal."""

    def step(self, resident: BrowserResident, cfg: Any, number: int) -> FormAnswer | None:
        """The step ``cfg`` is on screen (the ``number``-th of this walk). Return the answer to
        give, or None for the step type's example."""
        return None

    def filled(
        self, resident: BrowserResident, cfg: Any, answer: FormAnswer, missing: list[Unplaced]
    ) -> None:
        """The answer is filled in (not sent yet); ``missing`` says what had no place."""
        if missing:
            raise WalkError(f"stap {cfg.id}: {'; '.join(map(str, missing))}")

    def refused(self, resident: BrowserResident, cfg: Any, answer: FormAnswer) -> bool:
        """The step came back with errors. Return True to end the walk here."""
        raise WalkError(f"stap {cfg.id} weigerde het antwoord:\n{resident.text()}")

    def answered(self, resident: BrowserResident, cfg: Any, answer: FormAnswer) -> None:
        """The answer was taken; the next page is on screen."""


@dataclass
class BrowserResident:
    page: Page
    base_url: str
    gemeente: Gemeente
    today: date = field(default_factory=date.today)
    data: ResidentData = field(default_factory=resident_data)
    started_over: bool = False
    """Whether the last login found an unfinished report of this person and threw it away."""

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    # -- where we are ------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}/{self.gemeente.slug}{path}"

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))

    @property
    def form(self) -> Locator:
        return self.page.locator("form[data-step-id]")

    def step_id(self) -> str | None:
        step_id = self.page.evaluate(_STEP_ID)
        return str(step_id) if step_id is not None else None

    def step_config(self) -> Any:
        step_id = self.step_id()
        if step_id is None:
            raise WalkError(f"geen stap op {self.page.url}:\n{self.text()}")
        try:
            return self.gemeente.step(step_id)
        except KeyError:
            raise WalkError(
                f"de server toont stap {step_id!r}, die niet in de configuratie staat"
            ) from None

    def kind(self) -> str:
        """ "stap", or the last part of the path for the pages after and around the steps."""
        if self.step_id() is not None:
            return "stap"
        last = urlsplit(self.page.url).path.rstrip("/").rsplit("/", 1)[-1]
        return last if last in PAGES else "pagina"

    def text(self, limit: int = 1500) -> str:
        return self.page.locator("body").inner_text()[:limit]

    def has_errors(self) -> bool:
        return self.page.title().startswith(_("Fout:")) or (
            self.page.locator("[aria-invalid=true]").count() > 0
        )

    # -- logging in --------------------------------------------------------------------------

    def login(self, bsn: str, *, start_over: bool = True) -> None:
        """Log in on the DigiD test page. An unfinished report of an earlier run is thrown
        away (``start_over``: a staging action, so a tester's own draft of this test person
        on the same server goes too), or taken up where it was left."""
        self.open_login()
        if not self.choose_person(bsn):
            raise WalkError(f"testpersoon {bsn} staat niet op de inlogpagina")
        self.after_login(start_over=start_over)

    def open_login(self) -> None:
        self.goto("/inloggen")

    def choose_person(self, bsn: str) -> bool:
        """On the test login page: pick the person and log in; False when not offered."""
        person = self.page.locator(f'input[name="bsn"][value="{bsn}"]')
        if person.count() != 1:
            return False
        person.check()
        self.click(_("Inloggen"))
        return True

    def after_login(self, *, start_over: bool = True) -> None:
        """On "Welkom terug": start over, or go on where the earlier report was left."""
        self.started_over = False
        if self.kind() == "verder":
            if start_over:
                self.start_over()
            else:
                self.click(_("Ga verder waar u gebleven was"))

    def start_over(self) -> None:
        """Follow "Opnieuw beginnen" (a link on "Welkom terug" and on every step) and confirm
        it on the page that asks; the first step follows, with the answers and files gone."""
        self.follow(_("Opnieuw beginnen"))
        if self.kind() != "opnieuw":
            raise WalkError(f"geen vraag 'Weet u het zeker?' op {self.page.url}:\n{self.text()}")
        self.click(_("Ja, opnieuw beginnen"))
        self.started_over = True

    def follow(self, name: str) -> None:
        """Follow the one link with this name; wait for the next page."""
        name = str(name)  # a gemeente text (webapp.tekst) as the resident reads it
        target = self.page.get_by_role("link", name=name, exact=True)
        if target.count() != 1:
            raise WalkError(
                f"{target.count()} links {name!r} op {self.page.url} "
                f"({self.page.title()!r}):\n{self.text(600)}"
            )
        with self.page.expect_navigation():
            target.click()

    def click(self, name: str) -> None:
        """Click the one button (or button-like link) with this name; wait for the next page."""
        name = str(name)  # a gemeente text (webapp.tekst) as the resident reads it
        target = self.page.get_by_role("button", name=name, exact=True)
        if target.count() != 1:
            raise WalkError(
                f"{target.count()} knoppen {name!r} op {self.page.url} "
                f"({self.page.title()!r}):\n{self.text(600)}"
            )
        with self.page.expect_navigation():
            target.click()

    # -- answering ---------------------------------------------------------------------------

    def step_type(self, cfg: Any) -> StepType[Any]:
        return registry[cfg.type]

    def example(self, cfg: Any) -> FormAnswer:
        return self.step_type(cfg).example(
            cfg, self.data.example_context(self.gemeente, self.today)
        )

    def fill(self, answer: FormAnswer) -> list[Unplaced]:
        """Put the answer's fields into the step form, as a person would; say what had no
        place on the page (a field or a choice that is not there)."""
        from playwright.sync_api import FilePayload

        form = self.form
        present: dict[str, Any] = form.evaluate(_FIELDS)
        missing: list[Unplaced] = []
        for name, value in answer.fields.items():
            found = present.get(name)
            if found is None:
                # Nothing to choose and nothing chosen (e.g. nobody to take along) is no problem.
                if value and not answer.superset:
                    missing.append(Unplaced("veld", name))
                continue
            if found["kind"] in ("radio", "checkbox"):
                wanted = [value] if isinstance(value, str) else list(value)
                wanted = [v for v in wanted if v]
                for v in wanted:
                    if v not in found["values"]:
                        missing.append(Unplaced("keuze", name, answer.labels.get(v, v)))
                for v in found["values"]:
                    option = form.locator(f'input[name="{name}"][value="{v}"]')
                    if found["kind"] == "checkbox":
                        option.set_checked(v in wanted)
                    elif v in wanted:
                        option.check()
            else:
                text = value if isinstance(value, str) else ", ".join(value)
                form.locator(f'[name="{name}"]').fill(text)
        for name, part in answer.files.items():
            found = present.get(name)
            if found is None or found["kind"] != "file":
                if not answer.superset:
                    missing.append(Unplaced("bestand", name))
                continue
            form.locator(f'input[type=file][name="{name}"]').set_input_files(
                FilePayload(name=part.filename, mimeType=part.content_type, buffer=part.data)
            )
        return missing

    def submit(self) -> None:
        """Send the step form with its button and wait for the server's answer."""
        with self.page.expect_navigation():
            self.form.locator("button[type=submit]").last.click()

    def answer(self, answer: FormAnswer | None = None) -> list[Unplaced]:
        """Fill in (the example when no answer is given) and send the step on screen."""
        cfg = self.step_config()
        missing = self.fill(answer if answer is not None else self.example(cfg))
        self.submit()
        return missing

    # -- walking -----------------------------------------------------------------------------

    def walk(
        self,
        observer: Observer | None = None,
        *,
        until: str | None = None,
        max_steps: int = MAX_STEPS,
    ) -> str:
        """Answer each step on screen until the journey ends (or step ``until`` is on screen);
        return the kind of page it ends on: "bevestiging", "einde", "stap", ...

        Answers come from the observer, else the step type's example. An observer may also answer a step itself: when the step is no longer on screen after
        ``Observer.step``, the walk goes on from the page it left.
        """
        observer = observer or Observer()
        seen: list[str] = []
        for _attempt in range(max_steps):
            kind = self.kind()
            if kind != "stap":
                return kind
            cfg = self.step_config()
            if cfg.id == until:
                return kind
            if cfg.id in seen:
                raise WalkError(f"stap {cfg.id} kwam twee keer: {seen}")
            seen.append(cfg.id)
            answer = observer.step(self, cfg, len(seen))
            if self.step_id() != cfg.id:
                continue  # the observer answered the step itself (and the server took it)
            if answer is None:
                answer = self.example(cfg)
            observer.filled(self, cfg, answer, self.fill(answer))
            self.submit()
            if self.step_id() == cfg.id and self.has_errors():
                if observer.refused(self, cfg, answer):
                    return "stap"
                continue
            observer.answered(self, cfg, answer)
        raise WalkError(f"geen einde na {max_steps} stappen: {seen}")


REFERENCE = re.compile(r"\b[A-Z]{2,4}-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
