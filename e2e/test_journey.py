"""A resident reports a move in a real browser, for every gemeente, with and without JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from e2e.helpers import GEMEENTEN, GERDA, JOHAN, RUUD, SANNE, STEFAN, Resident, gemeenten
from webapp.steps import registry

pytestmark = pytest.mark.e2e

# One person per JavaScript mode: an unfinished draft of one run never meets the other.
PERSON = {True: SANNE, False: GERDA}


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("slug", GEMEENTEN)
def test_complete_journey(slug, js, open_page):
    page, console = open_page(js=js)
    resident = Resident(page, slug)
    resident.login(PERSON[js])
    assert resident.step_id() == gemeenten()[slug].stappen[0].id

    reference = resident.complete_journey()

    visited_types = [registry[gemeenten()[slug].step(s).type] for s in resident.visited]
    assert visited_types[-1].checks_answers, resident.visited  # ended on check answers
    assert page.title() == f"Uw verhuizing is doorgegeven - Gemeente {gemeenten()[slug].naam}"
    assert reference in page.get_by_role("main").inner_text()
    assert console.errors == []


def test_address_lookup_as_you_type(open_page):
    page, console = open_page(js=True)
    resident = Resident(page, "rotterdam")
    resident.login(RUUD)
    resident.run_until("nieuw_adres")
    console.allow_status(422)  # the Amsterdam address is submitted on purpose
    step_url = page.url
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    # The lookup's live region (the page has a second, hidden one for the timeout dialog).
    status = page.locator("#adres-gevonden")
    expect(status).to_have_attribute("role", "status")

    page.get_by_label("Postcode").fill("3083 AB")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Huisletter").fill("A")
    page.keyboard.press("Tab")
    expect(status).to_contain_text("Grondelstraat 12A")
    expect(status).to_contain_text("Gevonden adres:")

    page.get_by_label("Postcode").fill("1073 LS")
    page.get_by_label("Huisnummer").fill("100")
    page.get_by_label("Huisletter").fill("")
    page.keyboard.press("Tab")
    expect(status).to_contain_text("gemeente Amsterdam")
    expect(status).not_to_contain_text("Gevonden adres:")

    assert page.url == step_url
    assert posts and all(url == f"{step_url}/adres" for url in posts), posts

    # Submitting the Amsterdam address is refused in the same words; the Rotterdam one goes on.
    resident.submit()
    assert page.title().startswith("Fout: ")
    expect(page.locator(".error-summary")).to_contain_text("gemeente Amsterdam")
    page.get_by_label("Postcode").fill("3083 AB")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Huisletter").fill("A")
    resident.submit()
    assert not page.title().startswith("Fout:"), resident.text()
    assert resident.step_id() == "meeverhuizers"
    assert console.errors == []


def test_error_summary_takes_focus(open_page):
    page, console = open_page(js=True)
    resident = Resident(page, "voorbeeld")
    resident.login(STEFAN)
    resident.run_until("verhuisdatum")
    console.allow_status(422)

    resident.submit()

    assert page.title().startswith("Fout: ")
    page.wait_for_function("document.activeElement.closest('.error-summary') !== null")
    link = page.locator(".error-summary a").first
    target = (link.get_attribute("href") or "").removeprefix("#")
    assert target and page.locator(f"[id='{target}']").count() == 1, target
    link.click()
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    assert console.errors == []


def test_back_button_shows_stored_answers(open_page):
    page, console = open_page(js=True)
    resident = Resident(page, "utrecht")
    resident.login(JOHAN)
    resident.run_until("verhuisdatum")
    verhuisdatum = resident.step_id()
    moving = date.today() + timedelta(days=7)
    resident.fill_date(moving)
    resident.submit()
    assert resident.form.get_attribute("data-step-type") == "nieuw_adres"

    response = page.go_back()

    assert resident.step_id() == verhuisdatum
    assert response is not None and response.status == 200, "page not fetched from the server"
    for label, value in (("Dag", moving.day), ("Maand", moving.month), ("Jaar", moving.year)):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_value(str(value))
        assert field.get_attribute("value") == str(value), f"{label} not rendered by the server"
    assert console.errors == []
