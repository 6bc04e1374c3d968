"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd in a thread of the test
process): our client talks to it over a real socket, with STARTTLS or implicit TLS on a
self-signed certificate made here, and it can refuse a recipient or the message with any reply."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.servers import free_port

USER = "verhuizen"
PASSWORD = "smtp-wachtwoord-voor-tests"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Mailbox:
    """The server's handler: keeps every message; ``rcpt_reply`` or ``data_reply`` (e.g.
    ``"451 4.3.0 Probeer later"``) refuses the recipient or the message instead."""

    received: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None
    data_reply: str | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        raw = bytes(envelope.content)
        message = message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        return "250 2.0.0 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        # handled=False: the server answers 535 itself (True would leave the client waiting).
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def self_signed(folder: Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost, its own CA: a client that trusts it by
    ``VERHUIZEN_SMTP_CA`` verifies the server as it would a real one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificate(folder / "smtp.pem", folder / "smtp.key")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@dataclass
class Server:
    mailbox: Mailbox
    port: int
    url: str
    """As ``VERHUIZEN_SMTP_URL`` names it."""
    ca: Path | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {"VERHUIZEN_SMTP_URL": self.url, "VERHUIZEN_SMTP_TIMEOUT": "5"}
        if self.ca is not None:
            env["VERHUIZEN_SMTP_CA"] = str(self.ca)
        return {**env, **extra}


@contextmanager
def smtp_server(
    tls: Literal["geen", "starttls", "tls"] = "geen",
    *,
    certificate: Certificate | None = None,
    login: bool = False,
) -> Iterator[Server]:
    """An SMTP server until the block ends. ``starttls`` and ``tls`` need ``certificate``;
    ``login``: AUTH is offered (after STARTTLS) and required."""
    import ssl

    mailbox = Mailbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    context = None
    if tls != "geen":
        assert certificate is not None, "TLS needs a certificate"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate.cert, certificate.key)
    if tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    if login:
        kwargs.update(authenticator=mailbox.authenticate, auth_required=True)
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if tls == "tls" else None,
        server_hostname="localhost",
        **kwargs,
    )
    controller.start()
    scheme = {"geen": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[tls]
    try:
        yield Server(
            mailbox,
            port,
            f"{scheme}://127.0.0.1:{port}",
            certificate.cert if certificate and tls != "geen" else None,
        )
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that takes the connection and never says a word (a hung mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()


def parts(message: EmailMessage) -> tuple[str, str, list[tuple[str, str, bytes]]]:
    """The text body, the HTML body and the attachments (file name, type, bytes)."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    attachments = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_content()
        attachments.append((part.get_filename() or "", part.get_content_type(), bytes(data)))

    def lines(part: Any) -> str:
        return str(part.get_content()).replace("\r\n", "\n")

    return lines(text), lines(html), attachments
