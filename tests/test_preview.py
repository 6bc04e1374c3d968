"""The flow preview: conditions in plain Dutch, the diagram, and the what-if path."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from tests.conftest import CONFIG_DIR
from webapp import preview
from webapp.config.loader import load_dir
from webapp.steps import registry

GEMEENTEN = load_dir(CONFIG_DIR)
TODAY = date(2026, 11, 27)


def questions(path):
    return [s.id for s in path]


def test_conditions_read_as_plain_dutch():
    rotterdam = {s.id: s for s in preview.steps(GEMEENTEN["rotterdam"], registry)}
    text = rotterdam["vergunning"].condition
    assert text == (
        "het antwoord op “Hoe gaat u op het nieuwe adres wonen?” is “Ik ga huren” en het nieuwe adres "
        "ligt in “Gebieden waar u een huisvestingsvergunning nodig heeft (Rotterdamwet)”"
    )
    assert rotterdam["situatie"].condition is None
    assert [label for label, _ in rotterdam["situatie"].stops] == [
        "Ik ga in het buitenland wonen",
        "Ik kom uit het buitenland in Rotterdam wonen",
    ]
    documents = dict(rotterdam["documenten"].documents)
    assert (
        documents["Akte van levering"]
        == "het antwoord op “Hoe gaat u op het nieuwe adres wonen?” is “Ik heb de woning gekocht”"
    )
    utrecht = {s.id: s for s in preview.steps(GEMEENTEN["utrecht"], registry)}
    assert (
        "is ten hoogste “1.184,82” vanaf 2025-01-01, “1.228,07” vanaf 2026-01-01 (op de verhuisdatum)"
        in utrecht["vergunning"].condition
    )
    assert (
        "het aantal mensen dat al op het nieuwe adres staat ingeschreven is groter dan “0”"
        in utrecht["hoofdbewoner"].condition
    )
    assert (
        dict(utrecht["documenten"].documents)["Toestemming van de hoofdbewoner"]
        == "het antwoord op “Wie is de hoofdbewoner?” (route) is “Getekende verklaring (upload)”"
    )


def test_diagram_is_valid_svg_with_text_alternative():
    for gemeente in GEMEENTEN.values():
        items = preview.steps(gemeente, registry)
        svg = ElementTree.fromstring(preview.diagram(items))
        ns = "{http://www.w3.org/2000/svg}"
        assert svg.get("role") == "img"
        assert svg.find(f"{ns}title") is not None and svg.find(f"{ns}desc") is not None
        assert len(svg.findall(f"{ns}rect")) == len(gemeente.stappen)
        assert "style" not in preview.diagram(items)  # CSP: no inline styles


def test_what_if_paths_for_rotterdam():
    rotterdam = GEMEENTEN["rotterdam"]
    path, stop = preview.what_if(
        rotterdam, registry, {"woonsituatie": "huur", "adres__gebieden": ["hvv"]}, TODAY
    )
    assert stop is None
    assert "vergunning" in questions(path) and questions(path)[-1] == "controleren"
    path, _ = preview.what_if(
        rotterdam, registry, {"woonsituatie": "koop", "adres__gebieden": ["hvv"]}, TODAY
    )
    assert "vergunning" not in questions(path)
    path, _ = preview.what_if(rotterdam, registry, {"woonsituatie": "inwonen"}, TODAY)
    assert "hoofdbewoner_huurt" in questions(path)
    path, stop = preview.what_if(rotterdam, registry, {"situatie": "emigratie"}, TODAY)
    assert questions(path) == ["situatie"] and stop is not None


def test_what_if_uses_numbers_for_den_haag_rent():
    den_haag = GEMEENTEN["den-haag"]
    low, _ = preview.what_if(
        den_haag, registry, {"woonsituatie": "huur", "huurprijs": "1000"}, TODAY
    )
    high, _ = preview.what_if(
        den_haag, registry, {"woonsituatie": "huur", "huurprijs": "1500"}, TODAY
    )
    assert "vergunning" in questions(low) and "vergunning" not in questions(high)


def test_preview_page_in_development(client):
    response = client.get("/rotterdam/staging/stroom?woonsituatie=huur&adres__gebieden=hvv")
    assert response.status_code == 200
    assert "Alleen als het antwoord op" in response.text
    assert "<svg" in response.text
    assert (
        "Deze inwoner krijgt" in response.text
        and "Heeft u al een huisvestingsvergunning?" in response.text
    )
