"""The e-mail to the hoofdbewoner that someone asks their consent, against a real SMTP server
on 127.0.0.1: sent only when the gemeente asks for the address (``email: true`` in the
``hoofdbewoner`` step) and the resident gave one, and it says nothing of the report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, TODAY, make_settings
from tests.driver import Resident, address_form, complete_journey, run_until
from tests.smtp import Server, parts, smtp_server
from tests.web.test_journeys import resident_from_elsewhere
from webapp.delivery.outbox import TOESTEMMING_VERZOEK, Runner
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

MOLENWEG = address_form("9991 CD", "15")
MARTIJN = "999990251"  # registered at Molenweg 15
AFZENDER = "noreply@voorbeeldstad.example"
HOOFDBEWONER_MAIL = "martijn@example.org"


@pytest.fixture
def smtp() -> Iterator[Server]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(tmp_path: Path, smtp: Server):
    config = tmp_path / "config"
    config.mkdir()
    text = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
    text = text.replace("    papier: true\n", "    papier: true\n    email: true\n", 1)
    text += f"\nbevestiging:\n  afzender: {AFZENDER}\n"
    (config / "voorbeeld.yaml").write_text(text, encoding="utf-8")
    settings = make_settings(
        tmp_path,
        VERHUIZEN_CONFIG_DIR=str(config),
        VERHUIZEN_BEZORGEN="0",  # this test runs the outbox itself
        **smtp.env(),
    )
    return create_app(settings, today=lambda: TODAY)


def report(app, hoofdbewoner: dict[str, str]) -> str:
    with TestClient(app, base_url="http://testserver") as client:
        g = app.state.services.gemeenten["voorbeeld"]
        r = Resident(client, "voorbeeld")
        r.login(resident_from_elsewhere(g.gemeentecode))
        free = resident_data().free_address(g)
        run_until(r, g, "woonsituatie", TODAY, free, {"adres": MOLENWEG})
        r.answer({"woonvorm": "inwonen"})
        assert 'type="email"' in r.page and "E-mailadres van de hoofdbewoner" in r.text()
        r.answer({**hoofdbewoner, "email": "geen-adres"})
        assert r.status == 422
        assert r.errors() == ["Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."]
        complete_journey(
            r,
            g,
            TODAY,
            free,
            overrides={"adres": (MOLENWEG, None), "hoofdbewoner": (hoofdbewoner, None)},
        )
        [submission] = app.state.services.store.submissions("voorbeeld")
        return submission.reference


def test_the_hoofdbewoner_hears_that_someone_asks(app, smtp: Server):
    reference = report(
        app, {"hoofdbewoner": MARTIJN, "wijze": "online", "email": HOOFDBEWONER_MAIL}
    )
    store = app.state.services.store
    Runner(store, lambda: app.state.services.gemeenten, env=smtp.env()).run_until_idle()
    [got] = smtp.mailbox.received
    assert got.rcpt_tos == [HOOFDBEWONER_MAIL] and got.mail_from == AFZENDER
    text, html, attachments = parts(got.message)
    assert attachments == []
    assert "Iemand vraagt uw toestemming" in got.message["Subject"]
    assert "http://testserver/voorbeeld/toestemming" in text
    # Nothing of the report: not who, not where, not when, not the reference.
    everything = " ".join([text, html, str(got.message.items()), got.raw.decode()])
    for private in (reference, "Molenweg", "9991", MARTIJN, "Kok"):
        assert private not in everything
    [row] = [
        r for r in store.deliveries(reference=reference) if r.target_index == TOESTEMMING_VERZOEK
    ]
    assert row.status == "afgeleverd" and row.kenmerk == got.message["Message-ID"].strip()


def test_no_address_no_mail(app, smtp: Server):
    reference = report(app, {"hoofdbewoner": MARTIJN, "wijze": "online"})
    store = app.state.services.store
    Runner(store, lambda: app.state.services.gemeenten, env=smtp.env()).run_until_idle()
    assert smtp.mailbox.received == []
    [row] = [
        r for r in store.deliveries(reference=reference) if r.target_index == TOESTEMMING_VERZOEK
    ]
    assert row.status == "afgeleverd" and "geen e-mailadres" in row.detail
