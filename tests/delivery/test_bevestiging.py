"""The confirmation e-mail to the resident, against a real SMTP server on 127.0.0.1: sent only
when the gemeente asks for it and the resident gave an address, and never with the BSN or the
answers. The reports are real: a resident walks the wizard and the store keeps what was sent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, complete_journey
from tests.servers import free_port
from tests.smtp import Received, Server, parts, smtp_server
from webapp.config.models import BevestigingMail, Gemeente
from webapp.delivery import DeliveryDeps, DeliveryStatus, Melding, melding_uit_opslag, targets
from webapp.delivery.bevestiging import Bevestiging, BevestigingOptions, adres, nodig
from webapp.storage.store import Store
from webapp.web.app import create_app

KEES = "999990019"  # married to Marieke, buys in Hillesluis
MARIEKE = "999990020"
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
AFZENDER = "noreply@rotterdam.example"
EXTRA = "Bewaar deze e-mail: u heeft het referentienummer nodig als u ons belt."
LINK = "https://www.rotterdam.example/verhuizen"


@dataclass
class World:
    met_adres: Melding
    """Kees reports for himself and Marieke, and gives test@example.org."""
    zonder_adres: Melding
    """The same, without an e-mail address (the contact step left empty)."""
    gemeente: Gemeente
    """Rotterdam as shipped: no confirmation e-mail."""
    store: Store

    @property
    def sends(self) -> Gemeente:
        """Rotterdam with the confirmation e-mail switched on."""
        mail = BevestigingMail(email=True, afzender=AFZENDER, tekst=EXTRA, link=LINK)
        return self.gemeente.model_copy(update={"bevestiging": mail})


def _walk(client: TestClient, **overrides: Any) -> Melding:
    services = client.app.state.services  # type: ignore[attr-defined]
    client.cookies.clear()
    before = {s.reference for s in services.store.submissions()}
    resident = Resident(client, "rotterdam")
    resident.login(KEES)
    gemeente = services.gemeenten["rotterdam"]
    complete_journey(resident, gemeente, TODAY, dict(HILLESLUIS), overrides=overrides)
    [submission] = [s for s in services.store.submissions() if s.reference not in before]
    assert submission.id is not None
    return melding_uit_opslag(submission, services.store.linked_requests(submission.id))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = create_app(make_settings(tmp_path_factory.mktemp("bevestiging")), today=lambda: TODAY)
    koper = {
        "meeverhuizers": ({"personen": [MARIEKE]}, None),
        "woonsituatie": ({"woonvorm": "koop"}, None),
    }
    with TestClient(app, base_url="http://testserver") as client:
        met = _walk(client, **koper)
        zonder = _walk(client, **koper, contact=({"email": "", "telefoon": ""}, None))
        services = app.state.services
        yield World(met, zonder, services.gemeenten["rotterdam"], services.store)


@pytest.fixture
def smtp() -> Iterator[Server]:
    with smtp_server() as server:
        yield server


def target(world: World, env: dict[str, str], gemeente: Gemeente | None = None) -> Bevestiging:
    chosen = gemeente or world.sends
    return Bevestiging.from_options(
        BevestigingOptions(),
        DeliveryDeps(world.store, env),
        gemeenten=lambda slug: chosen if slug == chosen.slug else None,
    )


def readable(got: Received) -> str:
    """Everything in the message a person or a server on the way could read."""
    text, html, attachments = parts(got.message)
    assert attachments == []
    headers = " ".join(f"{k}: {v}" for k, v in got.message.items())
    return " ".join([headers, text, html, got.raw.decode("utf-8", "replace")])


# -- when ----------------------------------------------------------------------------------------


def test_needed_when_the_gemeente_sends_them_and_the_resident_gave_an_address(
    world: World,
) -> None:
    assert adres(world.met_adres) == "test@example.org"
    assert adres(world.zonder_adres) is None
    assert nodig(world.sends, world.met_adres)
    assert not nodig(world.sends, world.zonder_adres)
    assert not nodig(world.gemeente, world.met_adres)  # as shipped: off


def test_no_address_no_mail(world: World, smtp: Server) -> None:
    result = target(world, smtp.env()).deliver(world.zonder_adres)
    assert result.status is DeliveryStatus.AFGELEVERD and result.kenmerk is None
    assert "geen e-mailadres" in result.detail
    assert smtp.mailbox.received == []


def test_no_mail_when_the_gemeente_sends_none(world: World, smtp: Server) -> None:
    result = target(world, smtp.env(), world.gemeente).deliver(world.met_adres)
    assert result.ok and result.kenmerk is None
    assert smtp.mailbox.received == []


# -- what ----------------------------------------------------------------------------------------


def test_the_mail_says_the_reference_date_what_next_and_whom_to_ask(
    world: World, smtp: Server
) -> None:
    melding = world.met_adres
    result = target(world, smtp.env()).deliver(melding)
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    [got] = smtp.mailbox.received
    assert got.rcpt_tos == ["test@example.org"] and got.mail_from == AFZENDER
    message = got.message
    assert result.kenmerk == message["Message-ID"]
    assert message["Message-ID"] == f"<{melding.reference}.bevestiging@rotterdam.example>"
    assert message["From"] == f"Gemeente Rotterdam <{AFZENDER}>"
    assert message["Subject"] == f"[Testomgeving] Uw verhuizing is doorgegeven: {melding.reference}"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html, _attachments = parts(message)
    for body in (text, html):
        assert melding.reference in body
        assert "2026 om" in body  # when it was sent, in words
        assert "Wat gebeurt er nu?" in body
        for regel in world.gemeente.na_melding:
            assert regel in body
        assert EXTRA in body and LINK in body
        assert world.gemeente.contact.telefoon in body
        assert "Dit is geen echte melding" in body
    assert f'<a href="{LINK}">' in html


def test_never_the_bsn_nor_the_answers(world: World, smtp: Server) -> None:
    melding = world.met_adres
    assert melding.aangever_bsn == KEES
    assert target(world, smtp.env()).deliver(melding).ok
    [got] = smtp.mailbox.received
    seen = readable(got)
    for personal in (KEES, MARIEKE, "Marieke", "Putsebocht", "3074RH", "0612345678"):
        assert personal not in seen, personal
    # The answers the resident confirmed are not in it, whatever they were.
    for row in melding.answers["samenvatting"]:
        if row["stap"] not in ("situatie", "contact"):
            assert row["antwoord"] not in seen, row


def test_the_same_message_id_on_every_attempt(world: World, smtp: Server) -> None:
    bevestiging = target(world, smtp.env())
    first = bevestiging.deliver(world.met_adres)
    again = bevestiging.deliver(world.met_adres)
    assert first.kenmerk == again.kenmerk is not None
    assert [got.message["Message-ID"] for got in smtp.mailbox.received] == [first.kenmerk] * 2


def test_a_real_report_says_nothing_of_a_test(world: World, smtp: Server) -> None:
    assert target(world, smtp.env()).deliver(replace(world.met_adres, is_test=False)).ok
    [got] = smtp.mailbox.received
    assert not got.message["Subject"].startswith("[")
    assert "Testomgeving" not in parts(got.message)[0]


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("451 4.2.1 <test@example.org> mailbox vol", DeliveryStatus.TIJDELIJK_MISLUKT),
        ("550 5.1.1 <test@example.org> bestaat niet", DeliveryStatus.MISLUKT),
    ],
)
def test_a_refused_address(world: World, smtp: Server, reply: str, status: DeliveryStatus) -> None:
    smtp.mailbox.rcpt_reply = reply
    result = target(world, smtp.env()).deliver(world.met_adres)
    assert result.status is status
    assert "test@example.org" not in result.detail and KEES not in result.detail


def test_a_mail_server_that_is_away_is_tried_again(world: World) -> None:
    bevestiging = target(world, {"VERHUIZEN_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"})
    assert bevestiging.deliver(world.met_adres).retry
    assert not bevestiging.health().ok


# -- configuration -------------------------------------------------------------------------------


def test_switched_on_it_needs_a_sender() -> None:
    assert BevestigingMail().email is False
    with pytest.raises(ValidationError, match="verplicht als email aan staat"):
        BevestigingMail(email=True)
    with pytest.raises(ValidationError, match="verwacht een e-mailadres"):
        BevestigingMail(email=True, afzender="Gemeente Rotterdam")
    with pytest.raises(ValidationError, match="https"):
        BevestigingMail(email=True, afzender=AFZENDER, link="http://www.rotterdam.example")
    assert BevestigingMail(afzender=AFZENDER).afzender == AFZENDER


def test_registered_without_options_of_its_own(world: World, smtp: Server) -> None:
    assert targets.parse_options({"soort": "bevestiging"}) == BevestigingOptions()
    with pytest.raises(ValidationError, match="Extra inputs"):
        targets.parse_options({"soort": "bevestiging", "aan": "x@example.org"})
    deps = DeliveryDeps(world.store, smtp.env())
    with pytest.raises(Exception, match="configuratie van de gemeenten ontbreekt"):
        targets.target_for(BevestigingOptions(), deps)


def test_the_commented_example_in_voorbeeld_yaml_is_valid() -> None:
    """The example a gemeente copies (``config/gemeenten/voorbeeld.yaml``) must keep working."""
    example = Path(__file__).resolve().parents[2] / "config" / "gemeenten" / "voorbeeld.yaml"
    lines = example.read_text(encoding="utf-8").splitlines()
    found: dict[str, Any] = {}
    for key in ("koppelingen", "aflevering", "bevestiging"):
        start = lines.index(f"# {key}:")
        block = [lines[start]]
        for line in lines[start + 1 :]:
            if not line.startswith("#   "):
                break
            block.append(line)
        found.update(yaml.safe_load("\n".join(line[2:] for line in block)))
    mail = BevestigingMail.model_validate(found["bevestiging"])
    assert mail.email and mail.afzender
    soorten = [targets.parse_options(entry).soort for entry in found["aflevering"]]
    assert soorten == ["vrijbrp", "map", "email"]
    from webapp.koppelingen import ROLES

    for role, (kinds, _setting) in ROLES.items():
        assert kinds.parse_options(found["koppelingen"][role]).soort != "test"


# -- language ------------------------------------------------------------------------------------


def test_the_mail_follows_the_language_the_resident_used(world: World, smtp: Server) -> None:
    melding = replace(world.met_adres, answers={**world.met_adres.answers, "taal": "en"})
    result = target(world, smtp.env()).deliver(melding)
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    [got] = smtp.mailbox.received
    message = got.message
    assert message["Subject"] == (
        f"[Test environment] Your move has been reported: {melding.reference}"
    )
    assert message["From"] == f"Municipality of Rotterdam <{AFZENDER}>"
    text, html, _attachments = parts(message)
    assert 'lang="en"' in html
    for body in (text, html):
        assert "What happens next?" in body and "Wat gebeurt er nu?" not in body
        assert "2026 at" in body
        for regel in world.gemeente.na_melding:
            assert regel.vertalingen["en"] in body  # type: ignore[attr-defined]
    # The gemeente's extra text has no English here: it is sent as it is, in Dutch.
    assert EXTRA in text


def test_a_report_without_a_language_gets_the_dutch_mail(world: World, smtp: Server) -> None:
    answers = {k: v for k, v in world.met_adres.answers.items() if k != "taal"}
    target(world, smtp.env()).deliver(replace(world.met_adres, answers=answers))
    [got] = smtp.mailbox.received
    assert got.message["Subject"].startswith("[Testomgeving] Uw verhuizing is doorgegeven")
