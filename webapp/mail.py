"""E-mail: a message with a plain text body, an HTML alternative and attachments, sent over SMTP.

The SMTP server comes from the environment (``VERHUIZEN_SMTP_URL`` and friends, read by
:func:`smtp_from_env`; the settings check it at start): ``smtp://host:25`` (no TLS: only for
a relay on the same machine or network), ``smtp+starttls://host:587`` or ``smtps://host:465``.
TLS always verifies the server's certificate, against the system's CAs or
``VERHUIZEN_SMTP_CA``.

A message's ``Message-ID`` is derived from the report's reference and the message's purpose
(:func:`message_id`), so sending the same message again after a lost answer gives the same id:
SMTP cannot look up what it delivered, but the receiving side can tell a repeat.

Sending blocks (a socket with a timeout): call it outside the event loop. It raises
:class:`MailError` with a detail for the operator; never the server's own reply text, which
may echo an address.
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

DEFAULT_TIMEOUT = 10.0

Beveiliging = Literal["geen", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Beveiliging, int]] = {
    "smtp": ("geen", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class MailConfigError(ValueError):
    """The SMTP settings are incomplete or contradict each other."""


class MailError(Exception):
    """A message was not sent. ``tijdelijk``: may succeed later (the server is unreachable,
    too slow, or answered 4xx); else the server refused it for good (5xx). ``detail`` names
    the kind of problem and the reply codes, never an address."""

    def __init__(self, detail: str, *, tijdelijk: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.tijdelijk = tijdelijk


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    beveiliging: Beveiliging
    gebruiker: str | None = None
    wachtwoord: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    """Seconds for connecting and for each reply."""
    ca_bestand: Path | None = None
    """CA certificates (PEM) to verify the server with instead of the system's."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        gebruiker: str | None = None,
        wachtwoord: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ca_bestand: Path | None = None,
    ) -> SmtpServer:
        parts = urlsplit(url.strip())
        if parts.scheme not in _SCHEMES:
            raise MailConfigError(
                f"verwacht smtp://, smtp+starttls:// of smtps://, niet {parts.scheme or url!r}://"
            )
        if parts.password is not None or parts.username is not None:
            raise MailConfigError(
                "geen gebruiker of wachtwoord in de URL: gebruik VERHUIZEN_SMTP_GEBRUIKER en "
                "VERHUIZEN_SMTP_WACHTWOORD"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise MailConfigError(
                "de URL heeft alleen een host en een poort, bijv. smtps://host:465"
            )
        try:
            port = parts.port
        except ValueError:
            raise MailConfigError("de poort is geen getal van 1 tot 65535") from None
        host = unquote(parts.hostname or "")
        if not host:
            raise MailConfigError(
                "de URL noemt geen host, bijv. smtp+starttls://mail.example.nl:587"
            )
        beveiliging, default_port = _SCHEMES[parts.scheme]
        if not 0 < timeout <= 300:
            raise MailConfigError("de time-out is een aantal seconden, groter dan 0")
        if bool(gebruiker) != bool(wachtwoord):
            raise MailConfigError("geef een gebruiker en een wachtwoord, of geen van beide")
        if wachtwoord and beveiliging == "geen" and host not in _LOOPBACK:
            raise MailConfigError(
                "een wachtwoord gaat niet onversleuteld over het netwerk: gebruik "
                "smtp+starttls:// of smtps://"
            )
        if ca_bestand is not None and not ca_bestand.is_file():
            raise MailConfigError(f"het CA-bestand {ca_bestand} bestaat niet")
        return cls(
            host=host,
            port=port or default_port,
            beveiliging=beveiliging,
            gebruiker=gebruiker or None,
            wachtwoord=wachtwoord or None,
            timeout=timeout,
            ca_bestand=ca_bestand,
        )

    def describe(self) -> str:
        """For the operator: where and how, without the credentials."""
        login = ", met login" if self.gebruiker else ""
        return f"{self.host}:{self.port} ({self.beveiliging}{login})"


def smtp_from_env(env: Mapping[str, str]) -> SmtpServer | None:
    """The SMTP server the environment names; None when ``VERHUIZEN_SMTP_URL`` is not set.
    Raises :class:`MailConfigError` naming the variable that is wrong."""
    url = (env.get("VERHUIZEN_SMTP_URL") or "").strip()
    if not url:
        return None
    try:
        timeout = float(env.get("VERHUIZEN_SMTP_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 300:
        raise MailConfigError("VERHUIZEN_SMTP_TIMEOUT is een aantal seconden, groter dan 0")
    ca = (env.get("VERHUIZEN_SMTP_CA") or "").strip()
    if ca and not Path(ca).is_file():
        raise MailConfigError(f"VERHUIZEN_SMTP_CA: het bestand {ca} bestaat niet")
    try:
        return SmtpServer.from_url(
            url,
            gebruiker=env.get("VERHUIZEN_SMTP_GEBRUIKER") or None,
            wachtwoord=env.get("VERHUIZEN_SMTP_WACHTWOORD") or None,
            timeout=timeout,
            ca_bestand=Path(ca) if ca else None,
        )
    except MailConfigError as exc:
        raise MailConfigError(f"VERHUIZEN_SMTP_URL: {exc}") from None


def is_address(value: str) -> bool:
    """A plain address as an option may give it (``noreply@gemeente.nl``), without a name."""
    return bool(_ADDRESS.match(value))


def message_id(reference: str, doel: str, afzender: str) -> str:
    """The same id for the same message on every attempt: the report's reference, the
    purpose (``melding``, ``bevestiging``) and the sender's domain. A ``doel`` that is not a
    plain word (an address, say) is hashed, so no personal data ends up in a header that
    every server on the way logs."""
    domain = afzender.rpartition("@")[2].strip().lower() or "verhuizen.invalid"
    if not re.fullmatch(r"[a-z0-9-]{1,40}", doel):
        doel = hashlib.sha256(doel.encode()).hexdigest()[:16]
    return f"<{reference}.{doel}@{domain}>"


@dataclass(frozen=True)
class Bijlage:
    bestandsnaam: str
    content_type: str
    data: bytes


def bericht(
    *,
    afzender: Address,
    aan: str,
    onderwerp: str,
    tekst: str,
    html_tekst: str,
    message_id: str,
    bijlagen: Sequence[Bijlage] = (),
    reply_to: str | None = None,
    automatisch: bool = False,
) -> EmailMessage:
    """A message with a text body and its HTML alternative, then the attachments.
    ``automatisch``: says so (RFC 3834), so that out-of-office replies stay away."""
    message = EmailMessage(policy=SMTP)
    message["From"] = afzender
    message["To"] = aan
    message["Subject"] = onderwerp
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    if reply_to:
        message["Reply-To"] = reply_to
    if automatisch:
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(tekst)
    message.add_alternative(html_tekst, subtype="html")
    for bijlage in bijlagen:
        maintype, _sep, subtype = bijlage.content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            bijlage.data, maintype=maintype, subtype=subtype, filename=bijlage.bestandsnaam
        )
    return message


# -- sending -----------------------------------------------------------------------------------


def _context(server: SmtpServer) -> ssl.SSLContext:
    cafile = str(server.ca_bestand) if server.ca_bestand else None
    return ssl.create_default_context(cafile=cafile)


def _open(server: SmtpServer) -> smtplib.SMTP:
    if server.beveiliging == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=_context(server)
        )
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        smtp.ehlo()
        if server.beveiliging == "starttls":
            # Refused when the server does not offer it: never fall back to plain text.
            smtp.starttls(context=_context(server))
            smtp.ehlo()
        if server.gebruiker and server.wachtwoord:
            smtp.login(server.gebruiker, server.wachtwoord)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _code(code: int, reply: bytes | str | None) -> str:
    """The reply code with its enhanced status code (RFC 3463), the rest of the reply left out."""
    raw = reply.encode() if isinstance(reply, str) else (reply or b"")
    match = _ENHANCED.match(raw)
    return f"{code} {match.group(1).decode()}" if match else str(code)


def _by_code(what: str, code: int, reply: bytes | str | None) -> MailError:
    return MailError(f"{what} ({_code(code, reply)})", tijdelijk=not 500 <= code < 600)


def _translate(server: SmtpServer, exc: smtplib.SMTPException | OSError) -> MailError:
    """What smtplib, ssl and the socket raised, as a :class:`MailError`."""
    where = f"SMTP-server {server.host}:{server.port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values()) or [(550, b"")]
        error = _by_code(f"{where} weigert de ontvanger", *replies[0])
        error.tijdelijk = all(400 <= code < 500 for code, _reply in replies)
        return error
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _by_code(f"{where} weigert de login", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(f"{where} weigert de afzender", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(f"{where} weigert het bericht", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(f"{where} antwoordt met een fout", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # STARTTLS or AUTH not offered: a setting to fix, not a moment to wait for.
        return MailError(
            f"{where} biedt niet wat nodig is (STARTTLS, login of SMTPUTF8)", tijdelijk=False
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib reports a reply that did not come in time as a lost connection.
        if "timed out" in str(exc):
            return MailError(f"{where} antwoordt niet op tijd", tijdelijk=True)
        return MailError(f"{where} verbrak de verbinding", tijdelijk=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        # A certificate that does not fit may be renewed: worth another try later.
        return MailError(f"{where}: het TLS-certificaat is niet geldig", tijdelijk=True)
    if isinstance(exc, ssl.SSLError):
        return MailError(f"{where}: TLS mislukt ({exc.reason or 'onbekend'})", tijdelijk=True)
    if isinstance(exc, TimeoutError):
        return MailError(f"{where} antwoordt niet op tijd", tijdelijk=True)
    if isinstance(exc, ConnectionRefusedError):
        return MailError(f"{where} weigert de verbinding", tijdelijk=True)
    if isinstance(exc, OSError):
        return MailError(f"{where} niet bereikbaar ({type(exc).__name__})", tijdelijk=True)
    return MailError(f"{where}: SMTP-fout ({type(exc).__name__})", tijdelijk=True)


def send(server: SmtpServer, message: EmailMessage) -> None:
    """Hand the message to the server; raises :class:`MailError` when it was not taken."""
    try:
        smtp = _open(server)
        try:
            refused = smtp.send_message(message)
        finally:
            _close(smtp)
    except (smtplib.SMTPException, OSError) as exc:
        raise _translate(server, exc) from None
    if refused:  # some recipients taken, others not: not what was asked
        codes = [code for code, _reply in refused.values()]
        raise MailError(
            f"SMTP-server {server.host}:{server.port} weigert een ontvanger ({codes[0]})",
            tijdelijk=all(400 <= c < 500 for c in codes),
        )


def check(server: SmtpServer) -> str:
    """Connect, greet, log in and say goodbye, sending nothing; what was checked, or
    :class:`MailError`."""
    try:
        smtp = _open(server)
        try:
            code, reply = smtp.noop()
        finally:
            _close(smtp)
    except (smtplib.SMTPException, OSError) as exc:
        raise _translate(server, exc) from None
    if code != 250:
        raise _by_code(
            f"SMTP-server {server.host}:{server.port} antwoordt met een fout", code, reply
        )
    return f"SMTP-server {server.describe()} bereikbaar"


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


# -- the body --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kop:
    tekst: str
    niveau: int = 1


@dataclass(frozen=True)
class Alinea:
    tekst: str
    link: str | None = None
    """A URL shown after the text (text) or as a link on it (HTML)."""


@dataclass(frozen=True)
class Lijst:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Tabel:
    rijen: tuple[tuple[str, str], ...]
    """(label, value); a value may span lines."""


Blok = Kop | Alinea | Lijst | Tabel


def als_tekst(blokken: Iterable[Blok]) -> str:
    """The plain text body: the same blocks as the HTML one, so both say the same."""
    parts: list[str] = []
    for blok in blokken:
        if isinstance(blok, Kop):
            parts.append(blok.tekst + "\n" + ("=" if blok.niveau == 1 else "-") * len(blok.tekst))
        elif isinstance(blok, Alinea):
            parts.append(f"{blok.tekst} {blok.link}" if blok.link else blok.tekst)
        elif isinstance(blok, Lijst):
            parts.append("\n".join(f"- {item}" for item in blok.items))
        else:
            parts.append(
                "\n".join(
                    f"{label}: " + value.replace("\n", "\n    ") for label, value in blok.rijen
                )
            )
    return "\n\n".join(parts) + "\n"


def als_html(blokken: Iterable[Blok], *, titel: str, taal: str) -> str:
    e = html.escape
    parts: list[str] = []
    for blok in blokken:
        if isinstance(blok, Kop):
            level = min(max(blok.niveau, 1), 3)
            parts.append(f"<h{level}>{e(blok.tekst)}</h{level}>")
        elif isinstance(blok, Alinea):
            if blok.link:
                parts.append(f'<p>{e(blok.tekst)} <a href="{e(blok.link)}">{e(blok.link)}</a></p>')
            else:
                parts.append(f"<p>{e(blok.tekst)}</p>")
        elif isinstance(blok, Lijst):
            items = "".join(f"<li>{e(item)}</li>" for item in blok.items)
            parts.append(f"<ul>{items}</ul>")
        else:
            rows = "".join(
                f'<tr><th scope="row" style="text-align:left;vertical-align:top;'
                f'padding:4px 16px 4px 0">{e(label)}</th>'
                f'<td style="white-space:pre-line;padding:4px 0">{e(value)}</td></tr>'
                for label, value in blok.rijen
            )
            parts.append(f"<table>{rows}</table>")
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{e(taal)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(titel)}</title>\n</head>\n"
        f'<body style="font-family:sans-serif;line-height:1.5">\n{body}\n</body>\n</html>\n'
    )
