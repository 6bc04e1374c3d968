"""A resident in a real browser: log in, answer any step like a person would, reach the end."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from webapp.config.loader import load_dir
from webapp.config.models import Gemeente
from webapp.registers.brp import BestandsBrp

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config" / "gemeenten"
GEMEENTEN = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
TESTDATA = ROOT / "webapp" / "registers" / "testdata"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFERENCE = re.compile(r"[A-Z]{2,4}-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
MAX_STEPS = 30

# Adults without a household to report along (webapp/registers/testdata/README.md).
SANNE = "999990007"  # Sanne Bakker
GERDA = "999990238"  # Gerda Willems
RUUD = "999990032"  # Ruud van Dijk
STEFAN = "999990342"  # Stefan Verbeek
JOHAN = "999990329"  # Johan Vos (his wife lives elsewhere: nobody to report along)

# The free addresses of tests/web/test_scenarios.py (FREE); other gemeenten use free_address().
FREE = {
    "rotterdam": {"postcode": "3062LG", "huisnummer": 12},
    "utrecht": {"postcode": "3511NT", "huisnummer": 230},
    "den-haag": {"postcode": "2521XZ", "huisnummer": 300},
    "voorbeeld": {"postcode": "9992EF", "huisnummer": 22, "huisnummertoevoeging": "1"},
}


@cache
def gemeenten() -> dict[str, Gemeente]:
    return load_dir(CONFIG_DIR)


@cache
def brp() -> BestandsBrp:
    return BestandsBrp()


def naam(bsn: str) -> str:
    persoon = brp().raadpleeg(bsn)
    assert persoon is not None, f"no test person {bsn}"
    return persoon.naam()


def free_address(slug: str) -> dict[str, Any]:
    """An address in the gemeente where nobody is registered (as tests/web/test_journeys.py)."""
    if slug in FREE:
        return FREE[slug]
    code = gemeenten()[slug].gemeentecode
    docs = json.loads((TESTDATA / "adressen.json").read_text())["response"]["docs"]
    for doc in docs:
        if doc["gemeentecode"] == code and not brp().bewoners(doc["adresseerbaarobject_id"]):
            return doc
    raise AssertionError(f"no free test address in gemeente {code}")


def spaced(postcode: str) -> str:
    """Type a postcode the way people write it: 3083 AB."""
    return f"{postcode[:4]} {postcode[4:]}"


@dataclass
class Resident:
    page: Page
    slug: str
    files: Path
    today: date = field(default_factory=date.today)
    visited: list[str] = field(default_factory=list)

    @property
    def gemeente(self) -> Gemeente:
        return gemeenten()[self.slug]

    @property
    def form(self):
        return self.page.locator("form[data-step-type]")

    def step_id(self) -> str | None:
        if self.form.count() != 1:
            return None
        return self.form.get_attribute("data-step-id")

    def text(self) -> str:
        return self.page.locator("body").inner_text()[:1500]

    def submit(self, name: str = "Volgende stap") -> None:
        """Click the button and wait for the next document (the server answers every POST)."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()

    def login(self, bsn: str) -> None:
        self.page.goto(f"/{self.slug}/inloggen")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Inloggen met DigiD (test)")
        self.page.get_by_role("radio", name=re.compile(rf"^{re.escape(naam(bsn))} \(")).check()
        self.submit("Inloggen")
        if self.page.url.endswith("/verder"):  # an unfinished draft of an earlier run
            with self.page.expect_navigation():
                self.page.get_by_role("button", name="Ga verder waar u gebleven was").click()
        assert self.step_id(), f"no step after login at {self.page.url}:\n{self.text()}"

    def check_step_page(self) -> None:
        title = self.page.title()
        assert title.startswith("Stap "), title
        assert self.gemeente.naam in title, title
        assert self.page.locator("h1").count() == 1, f"not one h1 on {self.page.url}"

    # -- answering ------------------------------------------------------------------------

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

    def answer_default(self) -> None:
        """A valid answer for the step on screen, chosen from its type and configuration."""
        page, form = self.page, self.form
        kind = form.get_attribute("data-step-type")
        cfg = self.gemeente.step(self.step_id() or "")
        assert cfg.type == kind
        if kind == "vraag":
            if cfg.invoer == "radio":
                option = next(o for o in cfg.opties if o.stop is None)
                page.get_by_role("radio", name=option.label, exact=True).check()
            elif cfg.invoer == "checkbox":
                page.get_by_role("checkbox", name=cfg.opties[0].label, exact=True).check()
            else:
                question = page.get_by_role("heading", level=1).inner_text().strip()
                value = "750" if cfg.invoer == "getal" else "Testantwoord"
                form.get_by_label(question, exact=True).fill(value)
        elif kind == "verhuisdatum":
            self.fill_date(self.today + timedelta(days=7))
        elif kind == "nieuw_adres":
            self.fill_address(free_address(self.slug))
        elif kind == "meeverhuizers":
            pass  # moves alone
        elif kind == "woonsituatie":
            page.get_by_role("radio", name=cfg.vormen[0].label, exact=True).check()
        elif kind == "huisvestingsvergunning":
            page.get_by_role("radio", name=cfg.label_aanvragen, exact=True).check()
        elif kind == "documenten":
            required = form.locator("input[type=file][aria-required=true]")
            for i in range(required.count()):
                upload = required.nth(i)
                path = self.files / f"{upload.get_attribute('id')}.pdf"
                path.write_bytes(PDF)
                upload.set_input_files(path)
        elif kind == "contactgegevens":
            page.get_by_label("E-mailadres").fill("test@example.org")
            page.get_by_label("Telefoonnummer").fill("06 12345678")
        elif kind == "controleren":
            page.get_by_role("checkbox", name=cfg.verklaring, exact=True).check()
        else:
            raise AssertionError(f"no default answer for step type {kind!r}")
        self.submit(cfg.knop if kind == "controleren" else "Volgende stap")

    def complete_journey(self) -> str:
        """Answer every step until the confirmation page; return the reference shown."""
        for _ in range(MAX_STEPS):
            if self.page.url.endswith("/bevestiging"):
                break
            step_id = self.step_id()
            assert step_id, f"stuck at {self.page.url}:\n{self.text()}"
            self.check_step_page()
            self.visited.append(step_id)
            self.answer_default()
            assert not self.page.title().startswith("Fout:"), (
                f"step {step_id} refused the answer:\n{self.text()}"
            )
        else:
            raise AssertionError(f"no confirmation after {MAX_STEPS} steps: {self.visited}")
        page = self.page
        expect(page.get_by_role("heading", level=1)).to_have_text("Uw verhuizing is doorgegeven")
        reference = page.locator("[data-reference]").inner_text().strip()
        assert REFERENCE.fullmatch(reference), reference
        assert reference.startswith(f"{self.gemeente.referentie_prefix}-{self.today.year}-")
        return reference

    def run_until(self, kind: str) -> None:
        """Answer steps with defaults until a step of type ``kind`` is on screen."""
        for _ in range(MAX_STEPS):
            assert self.step_id(), f"stuck at {self.page.url}:\n{self.text()}"
            if self.form.get_attribute("data-step-type") == kind:
                return
            self.answer_default()
        raise AssertionError(f"no step of type {kind} within {MAX_STEPS} steps")
