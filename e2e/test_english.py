"""One journey per gemeente in English in a real browser, with axe on every page.

The resident chooses "English" with the link in the page header (JavaScript on), logs in and
reports the move with the example answers. On every page: ``<html lang="en">``, no text left
in Dutch (nothing marked ``lang="nl"`` but the link back to Dutch), and no axe violation.
The ASGI tests (tests/web/test_english.py) cover the rest without a browser.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import GEMEENTEN, SANNE, Resident, StepPages, gemeenten
from webapp.evidence import axe
from webapp.i18n import use_locale
from webapp.testing.resident import BrowserResident

pytestmark = pytest.mark.e2e


def check_page(page: Page, where: str) -> None:
    assert page.locator("html").get_attribute("lang") == "en", where
    dutch = page.locator("[lang=nl]:not(.page-header__language)")
    assert dutch.count() == 0, f"{where}: left in Dutch: {dutch.all_inner_texts()}"
    violations = axe.run(page).violations
    assert not violations, f"{where}: axe: " + "; ".join(
        f"{v.id} ({', '.join(n.target for n in v.nodes)})" for v in violations
    )


class EnglishPages(StepPages):
    """The e2e checks of every step page, plus lang and axe."""

    def step(self, resident: BrowserResident, cfg: Any, number: int) -> None:
        super().step(resident, cfg, number)
        check_page(resident.page, f"step {cfg.id}")


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_an_english_journey_with_axe(slug, open_page):
    page, console = open_page(js=True)
    gemeente = gemeenten()[slug]
    with use_locale("en"):
        resident = Resident(page, slug)
        resident.goto("/")
        assert page.locator("html").get_attribute("lang") == "nl"
        link = page.get_by_role("link", name="English", exact=True)
        assert link.get_attribute("hreflang") == "en" and link.get_attribute("lang") == "en"
        with page.expect_navigation():
            link.click()
        assert page.url.endswith(f"/{slug}/")  # back on the same page
        expect(page.get_by_role("link", name="Nederlands", exact=True)).to_have_attribute(
            "lang", "nl"
        )
        check_page(page, "start")

        resident.login(SANNE)
        pages = EnglishPages()
        kind = resident.walk(pages)
        assert kind == "bevestiging", f"ended on {kind} after {pages.visited}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Your move has been reported")
        assert page.title() == f"Your move has been reported - Municipality of {gemeente.naam}"
        check_page(page, "confirmation")
    assert console.errors == []
