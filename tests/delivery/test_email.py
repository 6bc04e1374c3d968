"""The ``email`` target against a real SMTP server on 127.0.0.1.

The reports are real stored submissions (:func:`tests.delivery.test_inhoud.stored_reports`):
the back office must get every answer the resident confirmed, the receipt and the files.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from tests.delivery.test_inhoud import (
    KEES,
    MARIEKE,
    SANNE,
    Reports,
    consent,
    stored_reports,
    with_hoofdbewoner,
)
from tests.driver import PDF
from tests.servers import free_port
from tests.smtp import Received, Server, parts, smtp_server
from webapp.delivery import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryStatus,
    Email,
    EmailOptions,
    Melding,
    targets,
)
from webapp.delivery.contract import ConsentTarget, ToestemmingStatus
from webapp.mail import smtp_from_env

AAN = "burgerzaken@rotterdam.example"
AFZENDER = "noreply@rotterdam.example"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    with stored_reports(tmp_path_factory.mktemp("email")) as found:
        yield found


@pytest.fixture
def smtp() -> Iterator[Server]:
    with smtp_server() as server:
        yield server


def target(reports: Reports, env: dict[str, str], **options: Any) -> Email:
    parsed = targets.parse_options({"soort": "email", "aan": AAN, "afzender": AFZENDER, **options})
    assert isinstance(parsed, EmailOptions)
    return Email.from_options(
        parsed, DeliveryDeps(reports.store, env), gemeenten=reports.gemeenten.get
    )


def delivered(smtp: Server) -> Received:
    [got] = smtp.mailbox.received
    return got


def everything(got: Received) -> str:
    """Every word of the message a person could read: headers, both bodies, the receipt."""
    text, html, attachments = parts(got.message)
    pdfs = [
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        for name, kind, data in attachments
        if name.startswith("ontvangstbewijs")
    ]
    headers = " ".join(f"{k}: {v}" for k, v in got.message.items())
    return " ".join([headers, text, html, *pdfs])


def test_a_report_becomes_one_message_with_every_answer_and_its_files(
    reports: Reports, smtp: Server
) -> None:
    melding = reports.koper
    result = target(reports, smtp.env()).deliver(melding)
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    got = delivered(smtp)
    assert got.rcpt_tos == [AAN] and got.mail_from == AFZENDER
    message = got.message
    assert result.kenmerk == message["Message-ID"]
    assert message["Message-ID"].startswith(f"<{melding.reference}.")
    assert message["Message-ID"].endswith("@rotterdam.example>")
    assert message["Subject"] == f"[TEST] Verhuismelding {melding.reference}"
    text, html, attachments = parts(message)
    for body in (text, html):
        assert melding.reference in body
        for row in melding.answers["samenvatting"]:
            assert row["vraag"] in body and row["antwoord"] in body, row
        # The back office needs the BSNs to register the move.
        assert KEES in body and MARIEKE in body
        assert "Marieke Visser" in body
        assert "Testmelding" in body
    assert "<table>" in html and '<html lang="nl">' in html
    names = [name for name, _kind, _data in attachments]
    assert names == [
        f"ontvangstbewijs-{melding.reference}.pdf",
        f"{melding.reference}-akte_van_levering.pdf",
    ]
    [(_n, kind, receipt), (_m, deed_kind, deed)] = attachments
    assert kind == "application/pdf" and receipt.startswith(b"%PDF-")
    assert melding.reference in PdfReader(io.BytesIO(receipt)).pages[0].extract_text()
    assert deed_kind == "application/pdf" and deed == PDF  # the file the resident uploaded
    assert "verstuurd via 127.0.0.1" in result.detail and KEES not in result.detail


def test_the_housing_permit_and_signals_are_in_the_message(reports: Reports, smtp: Server) -> None:
    melding = replace(
        reports.huurder,
        signalen=({"soort": "bewoning", "tekst": "5 bewoners op 40 m2: 8.0 m2 per persoon"},),
    )
    assert target(reports, smtp.env()).deliver(melding).ok
    text, _html, attachments = parts(delivered(smtp).message)
    assert "Ook aangevraagd\n---------------\n\n- een huisvestingsvergunning" in text
    assert "- 5 bewoners op 40 m2: 8.0 m2 per persoon" in text
    assert f"{melding.reference}-huurcontract.pdf" in [name for name, _k, _d in attachments]
    assert SANNE in text


def test_delivering_again_sends_the_same_message_id(reports: Reports, smtp: Server) -> None:
    email = target(reports, smtp.env())
    first = email.deliver(reports.koper)
    again = email.deliver(reports.koper)
    assert first.ok and again.ok and first.kenmerk == again.kenmerk
    ids = [got.message["Message-ID"] for got in smtp.mailbox.received]
    assert ids == [first.kenmerk, first.kenmerk]  # the receiving side can drop the repeat
    other = email.deliver(reports.huurder)
    assert other.kenmerk != first.kenmerk
    # Another mailbox of the same gemeente gets a message of its own.
    second = target(reports, smtp.env(), aan="vergunningen@rotterdam.example")
    assert second.deliver(reports.koper).kenmerk != first.kenmerk


def test_without_bsn_receipt_or_files_when_the_options_say_so(
    reports: Reports, smtp: Server
) -> None:
    email = target(reports, smtp.env(), bsn=False, ontvangstbewijs=False, bijlagen=False)
    assert email.deliver(reports.koper).ok
    got = delivered(smtp)
    text, html, attachments = parts(got.message)
    assert attachments == []
    assert KEES not in everything(got) and MARIEKE not in everything(got)
    assert reports.koper.reference in text and "Marieke Visser" in html  # the answers stay


def test_a_subject_of_the_gemeente_s_own(reports: Reports, smtp: Server) -> None:
    email = target(reports, smtp.env(), onderwerp="{gemeente}: verhuizing {referentie}")
    melding = replace(reports.koper, is_test=False)
    assert email.deliver(melding).ok
    assert delivered(smtp).message["Subject"] == f"Rotterdam: verhuizing {melding.reference}"


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (f"451 4.3.0 <{AAN}> probeer het later", DeliveryStatus.TIJDELIJK_MISLUKT, "451 4.3.0"),
        (f"550 5.1.1 <{AAN}> bestaat niet", DeliveryStatus.MISLUKT, "550 5.1.1"),
    ],
)
def test_a_refusal_is_temporary_for_4xx_and_final_for_5xx(
    reports: Reports, smtp: Server, reply: str, status: DeliveryStatus, code: str
) -> None:
    smtp.mailbox.rcpt_reply = reply
    result = target(reports, smtp.env()).deliver(reports.koper)
    assert result.status is status and result.kenmerk is None
    assert code in result.detail
    for personal in (AAN, KEES, MARIEKE, "Marieke"):
        assert personal not in result.detail


def test_a_mail_server_that_is_not_there(reports: Reports) -> None:
    email = target(reports, {"VERHUIZEN_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"})
    result = email.deliver(reports.koper)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and result.retry
    assert "weigert de verbinding" in result.detail
    health = email.health()
    assert not health.ok and "weigert de verbinding" in health.detail


def test_health_greets_the_server_and_sends_nothing(reports: Reports, smtp: Server) -> None:
    health = target(reports, smtp.env()).health()
    assert health.ok and "bereikbaar" in health.detail
    assert smtp.mailbox.received == []


def test_a_report_of_a_gemeente_not_configured(reports: Reports, smtp: Server) -> None:
    result = target(reports, smtp.env()).deliver(replace(reports.koper, gemeente="atlantis"))
    assert result.status is DeliveryStatus.MISLUKT and "atlantis" in result.detail
    assert smtp.mailbox.received == []


def test_a_file_the_report_names_but_the_store_lost(reports: Reports, smtp: Server) -> None:
    stappen = dict(reports.koper.answers["stappen"])
    stappen["documenten"] = {"bestanden": {"weg": {"bestandsnaam": "x.pdf"}}}
    lost: Melding = replace(reports.koper, answers={**reports.koper.answers, "stappen": stappen})
    result = target(reports, smtp.env()).deliver(lost)
    assert result.status is DeliveryStatus.MISLUKT and "'weg' ontbreekt" in result.detail
    assert smtp.mailbox.received == []


# -- configuration -----------------------------------------------------------------------------


def test_the_options_from_a_gemeente_configuration() -> None:
    assert {"email", "bevestiging"} <= set(targets.soorten())
    options = targets.parse_options({"soort": "email", "aan": AAN, "afzender": AFZENDER})
    assert options == EmailOptions(aan=AAN, afzender=AFZENDER)
    assert isinstance(options, EmailOptions)
    assert options.onderwerp == "Verhuismelding {referentie}"
    assert options.ontvangstbewijs and options.bijlagen and options.bsn


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"aan": "geen adres"}, "verwacht een e-mailadres"),
        ({"afzender": "Gemeente <noreply@rotterdam.example>"}, "verwacht een e-mailadres"),
        ({"onderwerp": "Verhuismelding"}, "noemt {referentie}"),
        ({"onderwerp": "Verhuizing {referentie}\nBcc: x@example.org"}, "één regel"),
        ({"wachtwoord": "x"}, "Extra inputs"),
    ],
)
def test_options_that_are_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        targets.parse_options({"soort": "email", "aan": AAN, "afzender": AFZENDER, **change})


def test_the_target_needs_a_mail_server_and_the_gemeenten(reports: Reports, smtp: Server) -> None:
    options = EmailOptions(aan=AAN, afzender=AFZENDER)
    with pytest.raises(DeliveryConfigError, match="VERHUIZEN_SMTP_URL is niet gezet"):
        Email.from_options(options, DeliveryDeps(reports.store), gemeenten=reports.gemeenten.get)
    with pytest.raises(DeliveryConfigError, match="VERHUIZEN_SMTP_URL: verwacht smtp://"):
        Email.from_options(
            options,
            DeliveryDeps(reports.store, {"VERHUIZEN_SMTP_URL": "http://x"}),
            gemeenten=reports.gemeenten.get,
        )
    with pytest.raises(DeliveryConfigError, match="configuratie van de gemeenten ontbreekt"):
        targets.target_for(options, DeliveryDeps(reports.store, smtp.env()))
    built = Email.from_options(
        options, DeliveryDeps(reports.store, smtp.env()), gemeenten=reports.gemeenten.get
    )
    assert built.server == smtp_from_env(smtp.env())


# -- the hoofdbewoner's consent ------------------------------------------------------------------

HOOFDBEWONER = "999990081"


def asking(reports: Reports, status: ToestemmingStatus | None, route: str = "online") -> Melding:
    """Sanne's report with Annelies chosen as the hoofdbewoner, the consent in ``status``."""
    toestemming = None if status is None else consent(status, HOOFDBEWONER)
    return with_hoofdbewoner(
        reports.huurder, route=route, bsn=HOOFDBEWONER, naam="A. Bakker", toestemming=toestemming
    )


def test_the_message_shows_where_the_consent_stands(reports: Reports, smtp: Server) -> None:
    email = target(reports, smtp.env())
    assert email.deliver(asking(reports, ToestemmingStatus.GEVRAAGD)).ok
    assert email.deliver(asking(reports, None, route="papier")).ok
    assert email.deliver(reports.huurder).ok
    online, paper, none = (parts(got.message) for got in smtp.mailbox.received)
    text, html, _attachments = online
    assert "Toestemming hoofdbewoner\n------------------------" in text
    for body in (text, html):
        assert "online: in afwachting (termijn tot 15 januari 2027)" in body
        assert "A. Bakker" in body and HOOFDBEWONER in body
    assert "met een getekende verklaring (bij de bijlagen)" in paper[0]
    assert "Toestemming hoofdbewoner" not in none[0] + none[1]


def test_the_hoofdbewoners_bsn_only_where_the_options_allow_it(
    reports: Reports, smtp: Server
) -> None:
    email = target(reports, smtp.env(), bsn=False)
    assert email.deliver(asking(reports, ToestemmingStatus.GEVRAAGD)).ok
    result = email.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN))
    assert result.ok
    report, outcome = smtp.mailbox.received
    for got in (report, outcome):
        assert "A. Bakker" in everything(got) and HOOFDBEWONER not in everything(got)
    assert HOOFDBEWONER not in result.detail and "A. Bakker" not in result.detail


@pytest.mark.parametrize(
    ("status", "uitkomst", "tekst"),
    [
        (
            ToestemmingStatus.GEGEVEN,
            "gegeven",
            "gegeven op 4 januari 2027 door de hoofdbewoner",
        ),
        (
            ToestemmingStatus.GEWEIGERD,
            "geweigerd",
            "geweigerd op 4 januari 2027 door de hoofdbewoner",
        ),
        (
            ToestemmingStatus.VERLOPEN,
            "niet ontvangen binnen de termijn",
            "niet ontvangen binnen de termijn (tot 15 januari 2027)",
        ),
    ],
)
def test_the_outcome_follows_in_one_message_of_its_own(
    reports: Reports, smtp: Server, status: ToestemmingStatus, uitkomst: str, tekst: str
) -> None:
    email = target(reports, smtp.env())
    melding = asking(reports, status)
    first = email.deliver(asking(reports, ToestemmingStatus.GEVRAAGD))
    result = email.deliver_consent(melding)
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    assert "toestemming verstuurd via 127.0.0.1" in result.detail
    _report, got = smtp.mailbox.received
    message = got.message
    assert got.rcpt_tos == [AAN] and got.mail_from == AFZENDER
    assert message["Subject"] == (
        f"[TEST] Toestemming hoofdbewoner bij verhuismelding {melding.reference}: {uitkomst}"
    )
    assert result.kenmerk == message["Message-ID"] != first.kenmerk
    assert message["Message-ID"].startswith(f"<{melding.reference}.")
    assert message["In-Reply-To"] == message["References"] == first.kenmerk
    text, html, attachments = parts(message)
    assert attachments == []
    for body in (text, html):
        assert tekst in body and melding.reference in body and "A. Bakker" in body
        assert HOOFDBEWONER in body  # the bsn option is on by default
    # Sent again (an answer lost after the server took it): the same Message-ID.
    again = email.deliver_consent(melding)
    assert again.ok and again.kenmerk == result.kenmerk
    assert [g.message["Message-ID"] for g in smtp.mailbox.received][1:] == [result.kenmerk] * 2


def test_no_outcome_message_without_a_decision(reports: Reports, smtp: Server) -> None:
    email = target(reports, smtp.env())
    for melding in (asking(reports, ToestemmingStatus.GEVRAAGD), reports.huurder):
        assert email.deliver_consent(melding).status is DeliveryStatus.MISLUKT
    assert smtp.mailbox.received == []
    assert isinstance(email, ConsentTarget) and targets.hears_consent("email")


def test_a_refused_outcome_message_is_tried_again(reports: Reports, smtp: Server) -> None:
    smtp.mailbox.data_reply = "451 4.3.0 Probeer later"
    email = target(reports, smtp.env())
    result = email.deliver_consent(asking(reports, ToestemmingStatus.GEWEIGERD))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and "451" in result.detail
    assert HOOFDBEWONER not in result.detail and AAN not in result.detail
    smtp.mailbox.data_reply = None
    assert email.deliver_consent(asking(reports, ToestemmingStatus.GEWEIGERD)).ok
