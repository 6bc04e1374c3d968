"""A resident in a real browser for the e2e tests: the shared driver
(:class:`webapp.testing.resident.BrowserResident`), plus the label-based filling that the tests
about labels use, and checks on every step page of a journey.

The texts it looks for go through the catalogue (``_``): a test that runs in English sets the
language in this process too (``webapp.i18n.use_locale``) and the same checks hold."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from webapp.config.loader import load_dir
from webapp.config.models import Gemeente
from webapp.i18n import gettext as _
from webapp.steps.base import FormAnswer
from webapp.tekst import lokaal
from webapp.testing.resident import REFERENCE, BrowserResident, Observer, Unplaced
from webapp.testing.testdata import resident_data

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config" / "gemeenten"
GEMEENTEN = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))

# Adults without a household to report along (webapp/registers/testdata/README.md).
SANNE = "999990007"  # Sanne Bakker
GERDA = "999990238"  # Gerda Willems
RUUD = "999990032"  # Ruud van Dijk
STEFAN = "999990342"  # Stefan Verbeek
JOHAN = "999990329"  # Johan Vos (his wife lives elsewhere: nobody to report along)


@cache
def gemeenten() -> dict[str, Gemeente]:
    return load_dir(CONFIG_DIR)


def spaced(postcode: str) -> str:
    """Type a postcode the way people write it: 3083 AB."""
    return f"{postcode[:4]} {postcode[4:]}"


class StepPages(Observer):
    """Checks every step page of the walk as a person sees it and records the steps visited:
    the title, one h1, the step type on the form, and every field the answer fills reachable
    by its label (a choice by the label the configuration gives it)."""

    def __init__(self) -> None:
        self.visited: list[str] = []

    def step(self, resident: BrowserResident, cfg: Any, number: int) -> None:
        page = resident.page
        title = page.title()
        assert title.startswith(_("Stap %(n)s").split("%")[0]), title
        assert resident.gemeente.naam in title, title
        assert page.locator("h1").count() == 1, f"not one h1 on {page.url}"
        assert resident.form.get_attribute("data-step-type") == cfg.type
        self.visited.append(cfg.id)
        return None

    def filled(
        self, resident: BrowserResident, cfg: Any, answer: FormAnswer, missing: list[Unplaced]
    ) -> None:
        super().filled(resident, cfg, answer, missing)
        form = resident.form
        labels = resident.step_type(cfg).choices(cfg, resident.gemeente)
        for name in [*answer.fields, *answer.files]:
            for field in form.locator(f'[name="{name}"]').all():
                kind = field.get_attribute("type") or ""
                label = field.evaluate("e => e.labels.length ? e.labels[0].innerText.trim() : ''")
                assert label, f"step {cfg.id}: field {name!r} has no label"
                if kind in ("radio", "checkbox"):
                    if not field.is_checked():
                        continue
                    value = field.get_attribute("value") or ""
                    shown = lokaal(labels.get(value, label))
                    expect(form.get_by_role(kind, name=shown, exact=True)).to_be_checked()  # type: ignore[arg-type]
                elif kind == "file":
                    expect(form.get_by_label(label, exact=True)).to_have_attribute("name", name)
                else:
                    expect(form.get_by_label(label, exact=True)).to_have_value(field.input_value())


class Resident(BrowserResident):
    """The e2e resident: the shared driver, on the server under test (relative URLs)."""

    def __init__(self, page: Page, slug: str, today: date | None = None) -> None:
        super().__init__(page, "", gemeenten()[slug], today or date.today())
        self.visited: list[str] = []

    def login(self, bsn: str, *, start_over: bool = True) -> None:
        """Log in by the person's name on the test login page, as a tester would."""
        self.goto("/inloggen")
        expect(self.page.get_by_role("heading", level=1)).to_have_text(
            _("Inloggen met DigiD (test)")
        )
        self.page.get_by_role("radio", name=re.compile(rf"^{re.escape(naam(bsn))} \(")).check()
        self.click(_("Inloggen"))  # by the button's name, as a tester would
        self.after_login(start_over=start_over)
        assert self.step_id(), f"no step after login at {self.page.url}:\n{self.text()}"

    def complete_journey(self) -> str:
        """Answer every step with its example until the confirmation; return the reference."""
        pages = StepPages()
        kind = self.walk(pages)
        self.visited = pages.visited
        assert kind == "bevestiging", f"ended on {kind} after {self.visited}:\n{self.text()}"
        expect(self.page.get_by_role("heading", level=1)).to_have_text(
            _("Uw verhuizing is doorgegeven")
        )
        reference = self.page.locator("[data-reference]").inner_text().strip()
        assert REFERENCE.fullmatch(reference), reference
        assert reference.startswith(f"{self.gemeente.referentie_prefix}-{self.today.year}-")
        return reference

    def run_until(self, kind: str) -> None:
        """Answer steps with their examples until a step of type ``kind`` is on screen."""
        until = next(s.id for s in self.gemeente.stappen if s.type == kind)
        assert self.walk(until=until) == "stap", f"no step of type {kind}: {self.page.url}"
        assert self.step_id() == until

    def submit(self) -> None:
        """Click the step's button by its name, as a person would ("Volgende stap", or the
        check-answers step's own), and wait for the next page."""
        cfg = self.step_config()
        self.click(self.step_type(cfg).button(cfg))

    # -- label-based filling, for the tests about what a person sees -------------------------

    def fill_date(self, day: date) -> None:
        self.page.get_by_label("Dag", exact=True).fill(str(day.day))
        self.page.get_by_label("Maand", exact=True).fill(str(day.month))
        self.page.get_by_label("Jaar", exact=True).fill(str(day.year))

    def fill_address(self, address: dict[str, Any]) -> None:
        page = self.page
        page.get_by_label("Postcode").fill(spaced(address["postcode"]))
        page.get_by_label("Huisnummer").fill(str(address["huisnummer"]))
        page.get_by_label("Huisletter").fill(address.get("huisletter") or "")
        page.get_by_label("Toevoeging").fill(address.get("huisnummertoevoeging") or "")


def naam(bsn: str) -> str:
    return resident_data().name(bsn)
