"""Find your gemeente on ``/`` (issue 10, item 4): the postcode and house number of the new
address lead to the gemeente that serves it; an address elsewhere, an unknown one, invalid input
and a register that is down each say so, with the list of gemeenten still below the form."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, GEMEENTEN, TODAY, make_settings
from tests.fakes.pdok import FakePdok
from tests.httpserver import serve_app
from webapp.logs import JsonFormatter
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

AMSTERDAM = {"postcode": "1073LS", "huisnummer": "100"}  # 0363: no shipped gemeente has it
UNKNOWN = {"postcode": "3083AB", "huisnummer": "13"}
NOT_FOUND = "Wij kunnen dit adres niet vinden. Controleer de postcode en het huisnummer."
DOWN = "Het adres kan nu niet worden gecontroleerd"


def find(client: TestClient, **params: str):
    return client.get("/", params=params, follow_redirects=False)


def assert_list_below(html: str, client: TestClient) -> None:
    """The form is there and so is every gemeente's link, after it."""
    form = html.index('<form method="get" action="/"')
    for slug in client.app.state.services.gemeenten:  # type: ignore[attr-defined]
        assert html.index(f'href="/{slug}/"') > form, slug


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_each_gemeente_is_found_from_one_of_its_addresses(client, slug):
    gemeente = client.app.state.services.gemeenten[slug]
    address = resident_data().free_address(gemeente)
    response = find(client, postcode=address["postcode"], huisnummer=str(address["huisnummer"]))
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == f"/{slug}/"


def test_the_postcode_as_people_type_it_and_a_number_with_letter_or_addition(client):
    # Two addresses at 9992EF 22 (additions 1 and 2): one gemeente, nothing more to ask.
    for huisnummer in ("22", "22-1", "22 2", "22A"):
        response = find(client, postcode=" 9992 ef ", huisnummer=huisnummer)
        assert response.headers.get("location") == "/voorbeeld/", huisnummer


def test_the_form_is_accessible_and_the_list_stays_below_it(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="nl">' in html
    assert '<label class="utrecht-form-label" for="postcode">Postcode</label>' in html
    assert '<label class="utrecht-form-label" for="huisnummer">Huisnummer</label>' in html
    assert 'autocomplete="postal-code"' in html
    assert 'inputmode="numeric"' in html
    assert "<h1" in html and "Of kies uw gemeente</h2>" in html
    assert "Er is een probleem" not in html
    assert_list_below(html, client)


def test_an_address_in_a_gemeente_that_does_not_use_the_service(client):
    gemeenten = client.app.state.services.gemeenten.values()
    assert all(g.gemeentecode != "0363" for g in gemeenten)
    response = find(client, **AMSTERDAM)
    assert response.status_code == 200
    assert (
        "Dit adres ligt in de gemeente Amsterdam. Die gemeente gebruikt deze dienst niet; geef "
        "uw verhuizing door via de website van gemeente Amsterdam." in response.text
    )
    assert 'value="1073LS"' in response.text and 'value="100"' in response.text
    assert_list_below(response.text, client)


def test_an_address_not_in_the_register(client):
    response = find(client, **UNKNOWN)
    assert response.status_code == 422
    html = response.text
    assert f'id="postcode-error"><span class="visually-hidden">Fout: </span>{NOT_FOUND}' in html
    assert f'href="#postcode">{NOT_FOUND}</a>' in html  # the error summary
    assert 'value="3083AB"' in html and 'value="13"' in html  # what was typed, kept
    assert "<title>Fout: " in html
    assert_list_below(html, client)


@pytest.mark.parametrize(
    ("postcode", "huisnummer", "field", "message"),
    [
        ("", "12", "postcode", "Vul de postcode in."),
        ("0123AB", "12", "postcode", "Een postcode begint nooit met een 0."),
        ("3062SS", "12", "postcode", "een postcode eindigt nooit op SA, SD of SS"),
        ("30623", "12", "postcode", "Vul een geldige postcode in, zoals 1234 AB."),
        ("3062LG", "", "huisnummer", "Vul het huisnummer in."),
        ("3062LG", "0", "huisnummer", "Een huisnummer is 1 of hoger."),
        ("3062LG", "123456", "huisnummer", "Een huisnummer is hooguit 99999."),
        ("3062LG", "twaalf", "huisnummer", "Vul een geldig huisnummer in, zoals 12."),
        ("3062LG", "12ABCDEFG", "huisnummer", "Vul een geldig huisnummer in, zoals 12."),
    ],
)
def test_invalid_input_says_so_next_to_the_field(client, postcode, huisnummer, field, message):
    response = find(client, postcode=postcode, huisnummer=huisnummer)
    assert response.status_code == 422
    html = response.text
    start = html.index(f'id="{field}-error">')
    assert message in html[start : html.index("</p>", start)]
    assert f'href="#{field}">' in html
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert f'value="{postcode}"' in html and f'value="{huisnummer}"' in html


def test_invalid_input_asks_no_register(client, monkeypatch):
    register = client.app.state.services.verbindingen.default("adressen")

    def refuse(*args, **kwargs):
        raise AssertionError("the register was asked")

    monkeypatch.setattr(register, "op_postcode_huisnummer", refuse)
    assert find(client, postcode="0123AB", huisnummer="12").status_code == 422


def test_the_lookup_is_rate_limited(tmp_path):
    settings = make_settings(tmp_path, VERHUIZEN_RATE_LIMITS="lookup=2/minute")
    with TestClient(create_app(settings, today=lambda: TODAY)) as client:
        assert find(client, **UNKNOWN).status_code == 422
        assert find(client, **AMSTERDAM).status_code == 200
        response = find(client, **AMSTERDAM)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_without_any_address_register_only_the_list(client, monkeypatch):
    services = client.app.state.services
    monkeypatch.setitem(services.verbindingen.defaults, "adressen", None)
    response = find(client, **AMSTERDAM)
    assert response.status_code == 200
    assert "<form" not in response.text and "Amsterdam" not in response.text
    assert "Kies de gemeente waar u gaat wonen." in response.text
    for slug in services.gemeenten:
        assert f'href="/{slug}/"' in response.text


# -- a gemeente's own register (PDOK over a real socket) when the settings name none --------------


@pytest.fixture(scope="module")
def pdok() -> Iterator[tuple[FakePdok, str]]:
    fake = FakePdok()
    with serve_app(fake.app) as url:
        yield fake, url


@pytest.fixture
def on_pdok(tmp_path: Path, pdok, monkeypatch) -> Iterator[tuple[TestClient, FakePdok]]:
    """Rotterdam names PDOK as its register, the settings name no default: ``/`` asks
    Rotterdam's."""
    fake, url = pdok
    fake.reset()
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    path = config / "rotterdam.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"\nkoppelingen:\n  adressen:\n    soort: pdok\n    url: {url}\n    timeout: 1\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config))
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app) as client:
        monkeypatch.setitem(app.state.services.verbindingen.defaults, "adressen", None)
        try:
            yield client, fake
        finally:
            fake.storing = None


def test_without_a_default_the_first_gemeente_register_is_asked(on_pdok):
    client, fake = on_pdok
    utrecht = resident_data().free_address(client.app.state.services.gemeenten["utrecht"])
    response = find(client, postcode=utrecht["postcode"], huisnummer=str(utrecht["huisnummer"]))
    assert response.headers.get("location") == "/utrecht/"
    assert fake.verzoeken, "the PDOK double was asked"
    assert not fake.problemen


@pytest.mark.parametrize("storing", ["503", "kapotte-json"])
def test_a_register_that_is_down_leaves_the_list_usable(on_pdok, storing, caplog):
    client, fake = on_pdok
    fake.storing = storing
    with caplog.at_level(logging.WARNING, logger="verhuizen"):
        response = find(client, postcode="3062 LG", huisnummer="12")
    down = [r for r in caplog.records if getattr(r, "event", "") == "register_unavailable"]
    assert down, "the operator learns the register is down"
    assert not any("3062" in str(vars(r)) for r in down)
    assert response.status_code == 200
    html = response.text
    assert DOWN in html
    assert 'value="3062 LG"' in html and 'value="12"' in html
    assert_list_below(html, client)
    assert fake.verzoeken


# -- the logs ---------------------------------------------------------------------------------


def test_the_query_string_is_not_logged(client):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    # The test client's own HTTP log has the URL; the server sets those loggers to WARNING
    # (webapp.logs.configure), so they are no part of what it writes.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root, ours = logging.getLogger(), logging.getLogger("verhuizen")
    old = root.level, ours.level, ours.propagate
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    ours.propagate = True
    try:
        find(client, postcode="3062LG", huisnummer="12")
        find(client, **AMSTERDAM)
        find(client, **UNKNOWN)
        find(client, postcode="0123AB", huisnummer="77777")
    finally:
        root.removeHandler(handler)
        root.setLevel(old[0])
        ours.setLevel(old[1])
        ours.propagate = old[2]
    logged = out.getvalue()
    assert logged.count('"event": "request"') >= 4, logged  # the requests were logged
    for value in ("3062", "1073", "3083", "0123", "77777", "postcode", "huisnummer"):
        assert value not in logged, value
