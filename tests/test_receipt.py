"""The receipt: a tagged PDF of what the resident confirmed, downloaded from the confirmation
page by that resident only, rendered off the event loop and without a fetch from elsewhere."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.conftest import GEMEENTEN, TODAY
from tests.driver import Resident, complete_journey
from tests.httpserver import serve_app
from webapp import receipt
from webapp.storage.models import Submission
from webapp.testing.testdata import resident_data
from webapp.web.offload import Offload

KEES = "999990019"  # married to Marieke, buys in Hillesluis
MARIEKE = "999990020"
SANNE = "999990007"
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
KOPER = {
    "meeverhuizers": ({"personen": [MARIEKE]}, None),
    "woonsituatie": ({"woonvorm": "koop"}, None),
}


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as one space: the PDF wraps long answers."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def submit(resident: Resident, app: Any) -> Submission:
    resident.login(KEES)
    gemeente = app.state.services.gemeenten["rotterdam"]
    complete_journey(resident, gemeente, TODAY, dict(HILLESLUIS), overrides=dict(KOPER))
    [submission] = app.state.services.store.submissions()
    return submission


def receipt_link(page: str) -> str:
    match = re.search(r'<a [^>]*href="([^"]+)" download data-receipt>([^<]+)</a>', page)
    assert match, "the confirmation page has no receipt link"
    assert match.group(2) == "Download uw ontvangstbewijs (PDF)"
    return match.group(1)


@pytest.fixture
def kees(app: Any, resident: Callable[[str], Resident]) -> tuple[Resident, Submission]:
    r = resident("rotterdam")
    return r, submit(r, app)


def test_the_receipt_holds_the_reference_and_every_confirmed_answer(
    kees: tuple[Resident, Submission], client: TestClient
) -> None:
    r, submission = kees
    link = receipt_link(r.page)
    assert link == "/rotterdam/bevestiging.pdf"
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="ontvangstbewijs-{submission.reference}.pdf"'
    )
    assert response.headers["cache-control"] == "no-store"
    text = pdf_text(response.content)
    assert submission.reference in text
    assert "Gemeente Rotterdam" in text
    rows = submission.answers["samenvatting"]
    assert len(rows) >= 6
    for row in rows:
        assert words(row["vraag"]) in text, row
        assert words(row["antwoord"]) in text, row
    assert "Marieke Visser" in text  # moves along, as the check page showed
    for regel in r.client.app.state.services.gemeenten["rotterdam"].na_melding:  # type: ignore[attr-defined]
        assert words(regel) in text
    assert "14 010" in text  # contact
    assert "Testomgeving" in text  # a test report says so


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_every_configuration_gets_its_receipt(
    slug: str, app: Any, resident: Callable[[str], Resident]
) -> None:
    gemeente = app.state.services.gemeenten[slug]
    r = resident(slug)
    r.login(SANNE)
    complete_journey(r, gemeente, TODAY, resident_data().free_address(gemeente))
    [submission] = app.state.services.store.submissions()
    text = pdf_text(r.client.get(receipt_link(r.page)).content)
    assert submission.reference in text and f"Gemeente {gemeente.naam}" in text
    for row in submission.answers["samenvatting"]:
        assert words(row["antwoord"]) in text, row


def test_the_pdf_is_tagged_with_a_title_and_the_language(
    kees: tuple[Resident, Submission], client: TestClient
) -> None:
    _r, submission = kees
    reader = PdfReader(io.BytesIO(client.get("/rotterdam/bevestiging.pdf").content))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "nl"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None
    assert reader.metadata.title == f"Ontvangstbewijs verhuizing {submission.reference}"
    assert reader.metadata.author == "Gemeente Rotterdam"
    # The structure: a heading, and the answers as a table with header cells.
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/LI"} <= structure_types(reader)


def structure_types(reader: PdfReader) -> set[str]:
    """The types of the elements in the structure tree (what a screen reader is told)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return  # a marked-content id: a leaf
        if node.get("/S") is not None:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_no_bsn_where_the_check_page_showed_none(
    kees: tuple[Resident, Submission], client: TestClient
) -> None:
    _r, submission = kees
    shown = " ".join(
        f"{row['vraag']} {row['antwoord']}" for row in submission.answers["samenvatting"]
    )
    assert KEES not in shown and MARIEKE not in shown
    text = pdf_text(client.get("/rotterdam/bevestiging.pdf").content)
    assert KEES not in text and MARIEKE not in text


def test_only_the_resident_who_sent_it_gets_it(app: Any, kees: tuple[Resident, Submission]) -> None:
    _r, submission = kees
    with TestClient(app, base_url="http://testserver") as other:
        anonymous = other.get("/rotterdam/bevestiging.pdf", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/rotterdam/inloggen"
        sanne = Resident(other, "rotterdam")
        sanne.login(SANNE)
        refused = other.get("/rotterdam/bevestiging.pdf")
        assert refused.status_code == 404
        assert submission.reference not in refused.text


def test_no_receipt_before_the_report_is_sent(resident: Callable[[str], Resident]) -> None:
    r = resident("rotterdam")
    r.login(KEES)
    response = r.client.get("/rotterdam/bevestiging.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_rendering_runs_in_a_worker_thread(app: Any, kees: tuple[Resident, Submission]) -> None:
    services = app.state.services
    ran: list[tuple[str, bool]] = []

    class Watched(Offload):
        async def __call__(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
            loop_thread = threading.get_ident()

            def run() -> Any:
                ran.append((fn.__name__, threading.get_ident() != loop_thread))
                return fn(*args, **kwargs)

            return await super().__call__(run)

    services.uploads = Watched(services.uploads.threads)
    response = kees[0].client.get("/rotterdam/bevestiging.pdf")
    assert response.status_code == 200
    assert ("ontvangstbewijs", True) in ran


def test_the_renderer_fetches_nothing_from_elsewhere(tmp_path: Any) -> None:
    asked: list[str] = []

    async def anything(request: Any) -> PlainTextResponse:
        asked.append(request.url.path)
        return PlainTextResponse("body { color: red }")

    outside = Starlette(routes=[Route("/{path:path}", anything)])
    secret = tmp_path / "geheim.css"
    secret.write_text("body { color: red }")
    with serve_app(outside) as base:
        source = f"""<!doctype html><html lang="nl"><head><title>t</title>
<link rel="stylesheet" href="{base}/stijl.css">
<link rel="stylesheet" href="{secret.as_uri()}">
<link rel="stylesheet" href="../../etc/passwd">
<link rel="stylesheet" href="ontvangstbewijs.css">
<style>@import url("{base}/import.css");
@font-face {{ font-family: X; src: url("{base}/font.woff2") }}</style></head>
<body><p>Tekst</p><img src="{base}/beeld.png" alt="beeld"></body></html>"""
        refused: list[str] = []
        pdf = receipt.render_pdf(source, refused=refused)
    assert pdf.startswith(b"%PDF-")
    assert "Tekst" in pdf_text(pdf)
    assert asked == []
    assert {f"{base}/stijl.css", f"{base}/import.css", f"{base}/beeld.png"} <= set(refused)
    assert secret.as_uri() in refused
    assert not any(url.endswith("ontvangstbewijs.css") for url in refused)  # our own: read


def test_own_files_are_those_in_the_pdf_folder() -> None:
    own = receipt.PDF_TEMPLATES / "ontvangstbewijs.css"
    assert receipt.is_own_file(own.as_uri())
    assert not receipt.is_own_file((receipt.PDF_TEMPLATES / "../bevestiging.html").as_uri())
    assert not receipt.is_own_file((receipt.PDF_TEMPLATES / "nergens.css").as_uri())
    assert not receipt.is_own_file("file://elders" + own.as_posix())
    assert not receipt.is_own_file("https://example.org/ontvangstbewijs.css")
    assert not receipt.is_own_file("data:text/css,body{}")
