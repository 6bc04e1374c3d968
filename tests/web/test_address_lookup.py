"""The htmx address lookup: a fragment for the status region, never the only way, CSRF-protected."""

from __future__ import annotations

from tests.conftest import TODAY
from tests.driver import csrf_of, run_until

SANNE = "999990007"
KRALINGEN = {"postcode": "3062LG", "huisnummer": 12}


def on_address_step(resident, app):
    r = resident("rotterdam")
    r.login(SANNE)
    return run_until(r, app.state.services.gemeenten["rotterdam"], "adres", TODAY, KRALINGEN)


def lookup(client, r, **fields):
    data = {
        "csrf": csrf_of(r.page),
        "postcode": "",
        "huisnummer": "",
        "huisletter": "",
        "toevoeging": "",
        **fields,
    }
    return client.post("/rotterdam/stap/adres/adres", data=data, headers={"HX-Request": "true"})


def test_found_address_is_shown(resident, app, client):
    r = on_address_step(resident, app)
    assert (
        'id="adres-gevonden" role="status"' in r.page
    )  # the live region exists, empty, on first render
    response = lookup(client, r, postcode="3083 ab", huisnummer="12", huisletter="a")
    assert response.status_code == 200
    assert "Grondelstraat 12A, 3083AB Rotterdam" in response.text
    assert "<html" not in response.text  # a fragment, not a page


def test_other_gemeente_and_unknown_address(resident, app, client):
    r = on_address_step(resident, app)
    assert "gemeente Amsterdam" in lookup(client, r, postcode="1073LS", huisnummer="100").text
    assert "niet vinden" in lookup(client, r, postcode="3083AB", huisnummer="13").text
    assert lookup(client, r, postcode="3083AB").text.strip() == ""  # nothing to say yet


def test_lookup_saves_nothing_and_needs_csrf(resident, app, client):
    r = on_address_step(resident, app)
    lookup(client, r, postcode="3083AB", huisnummer="12", huisletter="A")
    r.get("/rotterdam/stap/adres")
    assert 'value="3083' not in r.page  # the lookup did not store an answer
    response = client.post(
        "/rotterdam/stap/adres/adres", data={"postcode": "3083AB", "huisnummer": "12"}
    )
    assert response.status_code == 403


def test_lookup_only_on_an_address_step(resident, app, client):
    r = on_address_step(resident, app)
    response = client.post("/rotterdam/stap/verhuisdatum/adres", data={"csrf": csrf_of(r.page)})
    assert response.status_code == 409
