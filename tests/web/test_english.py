"""English as the second language, through the ASGI app: the switch link, the choice kept for
the browser session, ``lang`` on the page and on untranslated gemeente texts, and Dutch for
everything the back office, the receipt and the stored summary get."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, GEMEENTEN, TODAY, make_settings
from tests.driver import Resident, complete_journey
from tests.web.test_journeys import free_address, resident_from_elsewhere
from webapp.storage.models import Submission
from webapp.web.app import create_app
from webapp.web.language import COOKIE, safe_return

HTML_LANG = re.compile(r'<html lang="([a-z]+)">')
SWITCH = re.compile(
    r'<a class="[^"]*page-header__language" href="([^"]+)" lang="([a-z]+)" hreflang="([a-z]+)">'
    r"([^<]+)</a>"
)


def lang_of(page: str) -> str:
    match = HTML_LANG.search(page)
    assert match, "no <html lang>"
    return match.group(1)


def switch_of(page: str) -> tuple[str, str, str, str]:
    found = SWITCH.findall(page)
    assert len(found) == 1, f"expected one language link, found {found}"
    href, lang, hreflang, name = found[0]
    return href.replace("&amp;", "&"), lang, hreflang, name


def dutch_fragments(page: str) -> list[str]:
    """Elements marked Dutch on an English page, apart from the link back to Dutch."""
    marked = re.findall(r'<[a-z]+[^>]* lang="nl"[^>]*>[^<]*', page)
    return [m for m in marked if "page-header__language" not in m]


def choose(client: TestClient, page: str) -> None:
    """Follow the page's language link like a browser without JavaScript."""
    href, *_rest = switch_of(page)
    response = client.get(href, follow_redirects=False)
    assert response.status_code == 303
    back = parse_qs(urlsplit(href).query)["terug"][0]
    assert response.headers["location"] == back


def test_the_link_switches_the_language_and_comes_back_to_the_same_page(client) -> None:
    start = client.get("/rotterdam/")
    assert lang_of(start.text) == "nl"
    href, lang, hreflang, name = switch_of(start.text)
    assert (lang, hreflang, name) == ("en", "en", "English")
    assert parse_qs(urlsplit(href).query) == {"naar": ["en"], "terug": ["/rotterdam/"]}

    choose(client, start.text)
    english = client.get("/rotterdam/")
    assert lang_of(english.text) == "en"
    assert "Report a move" in english.text and "Verhuizing doorgeven" not in english.text
    assert switch_of(english.text)[1:] == ("nl", "nl", "Nederlands")
    # The gemeente's own texts follow: its intro and help in English.
    assert "Are you moving to an address in Rotterdam" in english.text
    assert "Stuck? Call us on 14 010" in english.text
    assert dutch_fragments(english.text) == []

    # Kept for the browser session: another gemeente and the find-your-gemeente page too.
    assert lang_of(client.get("/utrecht/").text) == "en"
    assert lang_of(client.get("/").text) == "en"

    choose(client, english.text)  # and back to Dutch
    assert lang_of(client.get("/rotterdam/").text) == "nl"


def test_the_choice_is_a_session_cookie_without_personal_data(client) -> None:
    response = client.get("/taal?naar=en&terug=/rotterdam/", follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=en;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # ends with the session


def test_a_new_browser_starts_in_dutch_whatever_it_accepts(client) -> None:
    page = client.get("/rotterdam/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert lang_of(page.text) == "nl"


@pytest.mark.parametrize(
    "terug",
    [
        "https://example.org/",
        "//example.org/",
        "/\\example.org",
        "javascript:alert(1)",
        "/rotterdam/../../etc",
        "",
        "rotterdam/",
        "/rotterdam/?postcode=3083AB",
    ],
)
def test_the_way_back_is_a_path_on_this_site_only(client, terug: str) -> None:
    response = client.get("/taal", params={"naar": "en", "terug": terug}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_safe_return_keeps_a_local_path() -> None:
    assert safe_return("/den-haag/stap/verhuisdatum") == "/den-haag/stap/verhuisdatum"
    assert safe_return(None) == "/"


def test_an_unknown_language_is_a_clear_400_page(client) -> None:
    response = client.get("/taal?naar=de&terug=/rotterdam/", follow_redirects=False)
    assert response.status_code == 400
    assert "Dit verzoek klopt niet" in response.text
    assert "set-cookie" not in response.headers


def test_the_language_link_never_carries_the_query(client) -> None:
    page = client.get("/?postcode=3083AB&huisnummer=x")  # refused: the page is shown again
    assert page.status_code == 422
    href, *_rest = switch_of(page.text)
    assert "3083" not in href and parse_qs(urlsplit(href).query)["terug"] == ["/"]


def test_error_pages_follow_the_language(client) -> None:
    client.get("/taal?naar=en&terug=/")
    missing = client.get("/geen-gemeente/")
    assert missing.status_code == 404
    assert lang_of(missing.text) == "en" and "Page not found" in missing.text


def test_staging_pages_stay_dutch_without_a_language_link(client) -> None:
    client.get("/taal?naar=en&terug=/")
    page = client.get("/rotterdam/staging/meldingen")
    assert page.status_code == 200
    assert lang_of(page.text) == "nl" and "Testmeldingen" in page.text
    assert SWITCH.search(page.text) is None


class Recording(Resident):
    """The test driver, keeping every page it saw."""

    def __init__(self, client: TestClient, slug: str) -> None:
        super().__init__(client, slug)
        self.pages: list[tuple[str, str]] = []

    def _record(self, response):  # type: ignore[no-untyped-def]
        result = super()._record(response)
        self.pages.append((self.url, self.page))
        return result


def stored(app) -> list[Submission]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(Submission)).all())


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_an_english_journey_for_every_gemeente(slug, app, client) -> None:
    gemeente = app.state.services.gemeenten[slug]
    resident = Recording(client, slug)
    resident.get(f"/{slug}/")
    choose(client, resident.page)
    resident.pages.clear()  # the start page before the choice was Dutch
    resident.login(resident_from_elsewhere(gemeente.gemeentecode))
    complete_journey(resident, gemeente, TODAY, free_address(gemeente))

    assert "Your move has been reported" in resident.page
    for url, page in resident.pages:
        assert lang_of(page) == "en", url
        assert dutch_fragments(page) == [], f"{url}: untranslated texts"
        assert "Volgende stap" not in page, url
    step_pages = [page for url, page in resident.pages if "/stap/" in url]
    assert step_pages and all("Next step" in p or "Report a move" in p for p in step_pages)
    check = next(p for url, p in resident.pages if url.endswith("/stap/controleren"))
    assert "Check your answers" in check and "Moving date" in check

    # What is stored, and so what the back office and the receipt read, is Dutch.
    [submission] = stored(app)
    questions = [row["vraag"] for row in submission.answers["samenvatting"]]
    assert "Verhuisdatum" in questions and "Moving date" not in questions
    assert submission.answers["taal"] == "en"


def test_the_receipt_stays_dutch_when_the_resident_chose_english(app, client) -> None:
    gemeente = app.state.services.gemeenten["voorbeeld"]
    resident = Resident(client, "voorbeeld")
    client.get("/taal?naar=en&terug=/voorbeeld/")
    resident.login(resident_from_elsewhere(gemeente.gemeentecode))
    complete_journey(resident, gemeente, TODAY, free_address(gemeente))
    pdf = client.get("/voorbeeld/bevestiging.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "Ontvangstbewijs" in text and "Verhuisdatum" in text
    assert "Receipt" not in text and "Moving date" not in text


@pytest.fixture
def without_english_help(tmp_path: Path) -> Path:
    """The shipped configuration, with Rotterdam's help text in Dutch only."""
    folder = tmp_path / "gemeenten"
    shutil.copytree(CONFIG_DIR, folder)
    path = folder / "rotterdam.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("hulp:\n")
    end = text.index("boete_tekst:")
    path.write_text(
        text[:start] + "hulp: Komt u er niet uit? Bel ons.\n" + text[end:], encoding="utf-8"
    )
    return folder


def test_a_text_without_english_is_shown_in_dutch_marked_as_dutch(
    without_english_help: Path, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(without_english_help))
    with TestClient(create_app(settings, today=lambda: TODAY)) as client:
        client.get("/taal?naar=en&terug=/")
        page = client.get("/rotterdam/").text
        client.get("/taal?naar=nl&terug=/")
        dutch = client.get("/rotterdam/").text
    marked = '<p class="utrecht-paragraph"><span lang="nl">Komt u er niet uit? Bel ons.</span></p>'
    assert marked in page
    assert lang_of(page) == "en"
    # In Dutch the same text needs no mark.
    assert '<p class="utrecht-paragraph">Komt u er niet uit? Bel ons.</p>' in dutch
