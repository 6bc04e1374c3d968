"""E-mail against a real SMTP server on 127.0.0.1: the message as built, STARTTLS, implicit TLS,
login, and each way a server can refuse or fail, with the settings that name it."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.servers import free_port
from tests.smtp import (
    PASSWORD,
    USER,
    Certificate,
    parts,
    self_signed,
    silent_server,
    smtp_server,
)
from webapp import mail
from webapp.settings import SettingsError

REFERENCE = "VB-2026-ABCD-EFGH"
RESIDENT = "jan.jansen@example.org"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


def a_message(aan: str = RESIDENT, reply_to: str | None = None) -> EmailMessage:
    blokken: list[mail.Blok] = [
        mail.Kop("Uw verhuizing is doorgegeven"),
        mail.Alinea("Uw referentienummer is " + REFERENCE),
        mail.Tabel((("Nieuw adres", "Dorpsstraat 1\n9999 AA Voorbeeldstad"),)),
        mail.Lijst(("Wij verwerken uw melding <binnen> 5 werkdagen.",)),
        mail.Alinea("Meer over verhuizen:", link="https://www.voorbeeldstad.example/verhuizen"),
    ]
    return mail.bericht(
        afzender=Address("Gemeente Voorbeeldstad", addr_spec="noreply@voorbeeldstad.example"),
        aan=aan,
        onderwerp=f"Uw verhuizing is doorgegeven: {REFERENCE}",
        tekst=mail.als_tekst(blokken),
        html_tekst=mail.als_html(blokken, titel="Bevestiging", taal="nl"),
        message_id=mail.message_id(REFERENCE, "bevestiging", "noreply@voorbeeldstad.example"),
        bijlagen=[mail.Bijlage("ontvangstbewijs.pdf", "application/pdf", b"%PDF-1.7 test")],
        automatisch=True,
        reply_to=reply_to,
    )


def server_of(env: dict[str, str]) -> mail.SmtpServer:
    server = mail.smtp_from_env(env)
    assert server is not None
    return server


# -- the message -------------------------------------------------------------------------------


def test_a_message_arrives_with_text_html_attachment_and_its_id() -> None:
    with smtp_server() as smtp:
        mail.send(server_of(smtp.env()), a_message(reply_to="burgerzaken@voorbeeldstad.example"))
    [got] = smtp.mailbox.received
    assert got.mail_from == "noreply@voorbeeldstad.example"
    assert got.rcpt_tos == [RESIDENT]
    message = got.message
    assert message["Message-ID"] == f"<{REFERENCE}.bevestiging@voorbeeldstad.example>"
    assert message["Subject"] == f"Uw verhuizing is doorgegeven: {REFERENCE}"
    assert message["From"] == "Gemeente Voorbeeldstad <noreply@voorbeeldstad.example>"
    assert message["Reply-To"] == "burgerzaken@voorbeeldstad.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    text, html, attachments = parts(message)
    assert REFERENCE in text and REFERENCE in html
    assert "Nieuw adres: Dorpsstraat 1\n    9999 AA Voorbeeldstad" in text
    assert "- Wij verwerken uw melding <binnen> 5 werkdagen." in text
    assert "Meer over verhuizen: https://www.voorbeeldstad.example/verhuizen" in text
    assert '<html lang="nl">' in html and "<title>Bevestiging</title>" in html
    assert "&lt;binnen&gt;" in html and "<binnen>" not in html  # escaped
    assert '<a href="https://www.voorbeeldstad.example/verhuizen">' in html
    assert '<th scope="row"' in html
    assert attachments == [("ontvangstbewijs.pdf", "application/pdf", b"%PDF-1.7 test")]


def test_the_message_id_is_the_same_on_every_attempt_and_names_no_one() -> None:
    first = mail.message_id(REFERENCE, "bevestiging", "noreply@Voorbeeldstad.example")
    assert first == mail.message_id(REFERENCE, "bevestiging", "noreply@voorbeeldstad.example")
    assert first != mail.message_id(REFERENCE, "melding", "noreply@voorbeeldstad.example")
    assert first != mail.message_id("VB-2026-ABCD-EFGJ", "bevestiging", "x@voorbeeldstad.example")
    # A purpose that is an address is hashed: the header is logged by every server on the way.
    by_address = mail.message_id(REFERENCE, RESIDENT, "noreply@voorbeeldstad.example")
    assert "jansen" not in by_address and by_address.startswith(f"<{REFERENCE}.")
    assert by_address == mail.message_id(REFERENCE, RESIDENT, "noreply@voorbeeldstad.example")


# -- TLS and login -------------------------------------------------------------------------------


def test_starttls_with_login_verifies_the_certificate(certificate: Certificate) -> None:
    with smtp_server("starttls", certificate=certificate, login=True) as smtp:
        env = smtp.env(VERHUIZEN_SMTP_GEBRUIKER=USER, VERHUIZEN_SMTP_WACHTWOORD=PASSWORD)
        server = server_of(env)
        assert server.beveiliging == "starttls" and "wachtwoord" not in repr(server).lower()
        assert "bereikbaar" in mail.check(server)
        mail.send(server, a_message())
    assert len(smtp.mailbox.received) == 1
    assert smtp.mailbox.logins == [USER, USER]


def test_implicit_tls(certificate: Certificate) -> None:
    with smtp_server("tls", certificate=certificate) as smtp:
        server = server_of(smtp.env())
        assert server.beveiliging == "tls"
        mail.send(server, a_message())
    assert len(smtp.mailbox.received) == 1


def test_a_certificate_we_do_not_trust_is_refused(certificate: Certificate) -> None:
    with smtp_server("starttls", certificate=certificate) as smtp:
        env = smtp.env()
        del env["VERHUIZEN_SMTP_CA"]  # the system's CAs do not know this one
        with pytest.raises(mail.MailError, match="TLS-certificaat is niet geldig") as caught:
            mail.send(server_of(env), a_message())
    assert caught.value.tijdelijk
    assert smtp.mailbox.received == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it() -> None:
    with smtp_server() as smtp:
        env = smtp.env(VERHUIZEN_SMTP_URL=smtp.url.replace("smtp://", "smtp+starttls://"))
        with pytest.raises(mail.MailError, match=r"biedt niet wat nodig is \(STARTTLS") as caught:
            mail.send(server_of(env), a_message())
    assert not caught.value.tijdelijk
    assert smtp.mailbox.received == []


def test_a_wrong_password_is_refused_for_good(certificate: Certificate) -> None:
    with smtp_server("starttls", certificate=certificate, login=True) as smtp:
        env = smtp.env(VERHUIZEN_SMTP_GEBRUIKER=USER, VERHUIZEN_SMTP_WACHTWOORD="niet-dit")
        with pytest.raises(mail.MailError, match=r"weigert de login \(535") as caught:
            mail.send(server_of(env), a_message())
    assert not caught.value.tijdelijk
    assert "niet-dit" not in caught.value.detail


# -- refusals and failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "reply", "tijdelijk", "detail"),
    [
        (
            "rcpt",
            f"451 4.3.0 <{RESIDENT}> probeer het later",
            True,
            "weigert de ontvanger (451 4.3.0)",
        ),
        (
            "rcpt",
            f"550 5.1.1 <{RESIDENT}>: onbekende ontvanger",
            False,
            "weigert de ontvanger (550 5.1.1)",
        ),
        ("data", "452 4.3.1 Onvoldoende ruimte", True, "weigert het bericht (452 4.3.1)"),
        (
            "data",
            f"554 5.7.1 Bericht van {RESIDENT} geweigerd",
            False,
            "weigert het bericht (554 5.7.1)",
        ),
    ],
)
def test_a_refusal_is_temporary_for_4xx_and_final_for_5xx(
    where: str, reply: str, tijdelijk: bool, detail: str
) -> None:
    with smtp_server() as smtp:
        setattr(smtp.mailbox, f"{where}_reply", reply)
        with pytest.raises(mail.MailError) as caught:
            mail.send(server_of(smtp.env()), a_message())
    assert caught.value.tijdelijk is tijdelijk
    assert detail in caught.value.detail
    # The server's own words may echo an address: they stay out of the detail.
    assert RESIDENT not in caught.value.detail and "jansen" not in caught.value.detail
    assert smtp.mailbox.received == []


def test_a_closed_port_is_worth_another_try() -> None:
    port = free_port()
    server = server_of({"VERHUIZEN_SMTP_URL": f"smtp://127.0.0.1:{port}"})
    with pytest.raises(mail.MailError, match="weigert de verbinding") as caught:
        mail.send(server, a_message())
    assert caught.value.tijdelijk
    with pytest.raises(mail.MailError, match="weigert de verbinding"):
        mail.check(server)


def test_a_server_that_never_answers_times_out() -> None:
    with silent_server() as port:
        server = server_of(
            {"VERHUIZEN_SMTP_URL": f"smtp://127.0.0.1:{port}", "VERHUIZEN_SMTP_TIMEOUT": "0.3"}
        )
        with pytest.raises(mail.MailError, match="antwoordt niet op tijd") as caught:
            mail.send(server, a_message())
    assert caught.value.tijdelijk


# -- settings ------------------------------------------------------------------------------------


def test_the_url_names_how_to_connect(tmp_path: Path) -> None:
    assert mail.smtp_from_env({}) is None
    plain = server_of({"VERHUIZEN_SMTP_URL": "smtp://relay.internal"})
    assert (plain.host, plain.port, plain.beveiliging) == ("relay.internal", 25, "geen")
    starttls = server_of({"VERHUIZEN_SMTP_URL": "smtp+starttls://mail.example.nl"})
    assert (starttls.port, starttls.beveiliging) == (587, "starttls")
    tls = server_of({"VERHUIZEN_SMTP_URL": "smtps://mail.example.nl:2465"})
    assert (tls.port, tls.beveiliging, tls.timeout) == (2465, "tls", mail.DEFAULT_TIMEOUT)
    local = server_of(
        {
            "VERHUIZEN_SMTP_URL": "smtp://localhost:1025",
            "VERHUIZEN_SMTP_GEBRUIKER": "u",
            "VERHUIZEN_SMTP_WACHTWOORD": "p",
        }
    )
    assert local.gebruiker == "u" and local.describe() == "localhost:1025 (geen, met login)"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VERHUIZEN_SMTP_URL": "http://mail.example.nl"}, "VERHUIZEN_SMTP_URL: verwacht smtp://"),
        (
            {"VERHUIZEN_SMTP_URL": "smtps://u:p@mail.example.nl"},
            "geen gebruiker of wachtwoord in de URL",
        ),
        ({"VERHUIZEN_SMTP_URL": "smtps://mail.example.nl:99999"}, "poort"),
        ({"VERHUIZEN_SMTP_URL": "smtps://"}, "noemt geen host"),
        ({"VERHUIZEN_SMTP_URL": "smtps://mail.example.nl/pad"}, "alleen een host en een poort"),
        (
            {
                "VERHUIZEN_SMTP_URL": "smtp://mail.example.nl",
                "VERHUIZEN_SMTP_GEBRUIKER": "u",
                "VERHUIZEN_SMTP_WACHTWOORD": "p",
            },
            "niet onversleuteld",
        ),
        (
            {"VERHUIZEN_SMTP_URL": "smtps://mail.example.nl", "VERHUIZEN_SMTP_GEBRUIKER": "u"},
            "gebruiker en een wachtwoord",
        ),
        (
            {"VERHUIZEN_SMTP_URL": "smtps://mail.example.nl", "VERHUIZEN_SMTP_TIMEOUT": "nu"},
            "VERHUIZEN_SMTP_TIMEOUT",
        ),
        (
            {
                "VERHUIZEN_SMTP_URL": "smtps://mail.example.nl",
                "VERHUIZEN_SMTP_CA": "/niet/hier.pem",
            },
            "VERHUIZEN_SMTP_CA",
        ),
    ],
)
def test_wrong_smtp_settings_stop_the_start(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(mail.MailConfigError, match=message):
        mail.smtp_from_env(env)
    with pytest.raises(SettingsError, match=message):
        make_settings(tmp_path, **env)


def test_the_settings_carry_the_server(tmp_path: Path) -> None:
    assert make_settings(tmp_path).smtp is None
    settings = make_settings(tmp_path, VERHUIZEN_SMTP_URL="smtps://mail.example.nl")
    assert settings.smtp == mail.SmtpServer("mail.example.nl", 465, "tls")
