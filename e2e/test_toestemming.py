"""The hoofdbewoner consents online, in a real browser, with axe on each new page: Julia
Hendriks moves into a room at Adelaarstraat 36, Utrecht, and chooses Bram Dekker, who lives
there, as hoofdbewoner; Bram logs in in a browser of his own and gives his consent.

The ASGI tests (tests/web/test_toestemming.py) prove the rules; this test shows the pages work
in Chromium, keyboard-operable, and without axe violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import Resident, naam
from webapp.evidence import axe
from webapp.steps.base import FormAnswer

pytestmark = pytest.mark.e2e

JULIA = "999990172"
BRAM = "999990196"
KAMER = {"postcode": "3514CD", "huisnummer": "36", "huisletter": "", "toevoeging": ""}


def no_axe_violations(page: Page, where: str) -> None:
    found = axe.run(page)
    assert found.violations == [], (where, [(v.id, v.help) for v in found.violations])


def test_the_hoofdbewoner_consents_online(open_page):
    page, console = open_page(js=True)
    julia = Resident(page, "utrecht")
    julia.login(JULIA)
    julia.walk(until="adres")
    julia.answer(FormAnswer(KAMER))
    julia.walk(until="woonsituatie")
    julia.answer(FormAnswer({"woonvorm": "inwonen"}))
    assert julia.step_id() == "hoofdbewoner"
    no_axe_violations(page, "hoofdbewoner")
    console.allow_status(422)
    julia.submit()  # nothing chosen: the error, next to the field and in the summary
    expect(page.locator(".error-summary")).to_be_focused()
    no_axe_violations(page, "hoofdbewoner met fout")
    page.get_by_role("radio", name="B. Dekker", exact=True).check()
    julia.submit()
    assert julia.walk() == "bevestiging"
    expect(page.locator("[data-consent=gevraagd]")).to_contain_text("wacht op de toestemming")
    no_axe_violations(page, "bevestiging, wacht op toestemming")

    bram_page, bram_console = open_page(js=True)
    bram = Resident(bram_page, "utrecht")
    bram.goto("/toestemming")
    no_axe_violations(bram_page, "toestemming, inloggen")
    bram_page.get_by_role("button", name="Inloggen met DigiD").click()
    bram_page.get_by_role("radio", name=re.compile(rf"^{re.escape(naam(BRAM))} \(")).check()
    bram.click("Inloggen")
    if bram_page.title().startswith("Toestemming geven als hoofdbewoner"):
        # More than one request for him on this server (a scenario run asked one before):
        # the list, newest last.
        no_axe_violations(bram_page, "toestemming, verzoeken")
        with bram_page.expect_navigation():
            bram_page.get_by_role("main").get_by_role("link").last.click()
    expect(bram_page.get_by_role("heading", level=1)).to_have_text("Geeft u toestemming?")
    expect(bram_page.get_by_role("main")).to_contain_text("Julia Hendriks wil vanaf")
    no_axe_violations(bram_page, "toestemming, beslissen")
    bram_console.allow_status(422)
    bram.click("Beslissing versturen")
    assert bram_page.title().startswith("Fout: ")
    no_axe_violations(bram_page, "toestemming, beslissen met fout")
    # By keyboard: focus the choice and pick it with the space bar.
    bram_page.get_by_role("radio", name="Ja, ik geef toestemming").focus()
    bram_page.keyboard.press("Space")
    bram.click("Beslissing versturen")
    expect(bram_page.get_by_role("heading", level=1)).to_have_text("Uw beslissing is doorgegeven")
    no_axe_violations(bram_page, "toestemming, gegeven")

    page.reload()
    expect(page.locator("[data-consent=gegeven]")).to_be_visible()
    assert console.errors == [] and bram_console.errors == []
