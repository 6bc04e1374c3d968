"""The ``email`` target: each report as an e-mail to a back-office mailbox, with every answer in
the body and, as attachments, the receipt (PDF) and the files the resident sent.

Idempotency: SMTP cannot look up what it took before, so this target cannot find an earlier
delivery the way the API targets do. What it can do: the ``Message-ID`` is derived from the
reference and the mailbox (:func:`webapp.mail.message_id`) and is the same on every attempt,
so the receiving side (a mail filter, a case system that reads the mailbox) can drop a repeat.
The outbox calls ``deliver`` again only when it did not record success, so a second message
comes only from an answer lost after the server took the first one (a timeout, a crash in
between), and then it carries the same Message-ID.

Results: the server took it: AFGELEVERD, ``kenmerk`` the Message-ID; unreachable, too slow or a
4xx reply: TIJDELIJK_MISLUKT; a 5xx reply: MISLUKT. The detail names the reply code, never an
address or an answer.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, field_validator
from sqlalchemy.exc import SQLAlchemyError

import webapp.receipt as receipt
from webapp import mail
from webapp.delivery import inhoud
from webapp.delivery.contract import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
    Toestemming,
    ToestemmingStatus,
)
from webapp.i18n import _
from webapp.storage.store import Store

if TYPE_CHECKING:
    from webapp.config.models import Gemeente

Gemeenten = Callable[[str], "Gemeente | None"]
"""The configuration of a gemeente by its slug (``Melding.gemeente``); None when unknown."""

REFERENTIE = "{referentie}"


def _address(value: str) -> str:
    if not mail.is_address(value):
        raise ValueError(f"verwacht een e-mailadres als burgerzaken@voorbeeld.nl, niet {value!r}")
    return value


class EmailOptions(DeliveryOptions):
    soort: Literal["email"] = "email"
    aan: str = Field(description="Het adres van de backoffice, bijv. burgerzaken@voorbeeld.nl.")
    afzender: str = Field(description="Het afzenderadres, bijv. noreply@voorbeeld.nl.")
    onderwerp: str = Field(
        default="Verhuismelding {referentie}",
        min_length=1,
        max_length=200,
        description="Het onderwerp; {referentie} wordt het referentienummer (verplicht), "
        "{gemeente} de naam van de gemeente. Zet er geen persoonsgegevens in.",
    )
    ontvangstbewijs: bool = Field(
        default=True, description="Het ontvangstbewijs (PDF) als bijlage meesturen."
    )
    bijlagen: bool = Field(
        default=True, description="De bestanden die de inwoner uploadde als bijlagen meesturen."
    )
    bsn: bool = Field(
        default=True,
        description="Het BSN van de aangever en van wie meeverhuist in het bericht zetten; de "
        "backoffice heeft ze nodig om de verhuizing te verwerken. Uit: alleen het "
        "referentienummer en de antwoorden.",
    )

    _addresses = field_validator("aan", "afzender")(_address)

    @field_validator("onderwerp")
    @classmethod
    def _subject(cls, value: str) -> str:
        if REFERENTIE not in value:
            raise ValueError("het onderwerp noemt {referentie}, zodat elke melding te vinden is")
        if "\n" in value or "\r" in value:
            raise ValueError("het onderwerp is één regel")
        return value


def smtp_server(deps: DeliveryDeps, soort: str) -> mail.SmtpServer:
    """The SMTP server the environment names; a configuration error when there is none."""
    try:
        server = mail.smtp_from_env(deps.env)
    except mail.MailConfigError as exc:
        raise DeliveryConfigError(f"aflevering {soort}: {exc}") from None
    if server is None:
        raise DeliveryConfigError(f"aflevering {soort}: VERHUIZEN_SMTP_URL is niet gezet")
    return server


def send(
    server: mail.SmtpServer, message: EmailMessage, reference: str, what: str
) -> DeliveryResult:
    """Send one message; the outcome as a delivery result (a Message-ID as the kenmerk)."""
    try:
        mail.send(server, message)
    except mail.MailError as exc:
        status = DeliveryStatus.TIJDELIJK_MISLUKT if exc.tijdelijk else DeliveryStatus.MISLUKT
        return DeliveryResult(reference, status, detail=exc.detail)
    return DeliveryResult(
        reference,
        DeliveryStatus.AFGELEVERD,
        kenmerk=str(message["Message-ID"]),
        detail=f"{what} via {server.describe()}",
    )


def server_health(server: mail.SmtpServer) -> Health:
    try:
        return Health(True, mail.check(server))
    except mail.MailError as exc:
        return Health(False, exc.detail)


def gemeenten_of(deps: DeliveryDeps, soort: str) -> Gemeenten:
    """How a target finds the configuration of a report's gemeente (its name, contact, texts).

    Read from ``deps.gemeenten`` where the dependencies carry it."""
    found = deps.gemeenten
    if found is None:
        raise DeliveryConfigError(
            f"aflevering {soort}: de configuratie van de gemeenten ontbreekt (DeliveryDeps.gemeenten)"
        )
    return found


def _extension(content_type: str) -> str:
    known = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    return known.get(content_type) or mimetypes.guess_extension(content_type) or ""


class Email:
    soort: ClassVar[str] = "email"

    def __init__(
        self,
        options: EmailOptions,
        store: Store,
        server: mail.SmtpServer,
        gemeenten: Gemeenten,
    ) -> None:
        self.options = options
        self.store = store
        self.server = server
        self.gemeenten = gemeenten

    @classmethod
    def from_options(
        cls, options: EmailOptions, deps: DeliveryDeps, *, gemeenten: Gemeenten | None = None
    ) -> Email:
        return cls(
            options,
            deps.store,
            smtp_server(deps, cls.soort),
            gemeenten or gemeenten_of(deps, cls.soort),
        )

    def message_id(self, melding: Melding) -> str:
        # The mailbox is part of the purpose: two e-mail targets of one gemeente send two
        # messages, each with an id of its own.
        return mail.message_id(
            melding.reference, f"melding-{self.options.aan.lower()}", self.options.afzender
        )

    def deliver(self, melding: Melding) -> DeliveryResult:
        gemeente = self.gemeenten(melding.gemeente)
        if gemeente is None:
            return DeliveryResult.unknown_gemeente(melding)
        try:
            message = self.message(gemeente, melding)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(melding.reference, DeliveryStatus.MISLUKT, detail=str(exc))
        except SQLAlchemyError as exc:
            return DeliveryResult.database_down(melding.reference, exc)
        return send(self.server, message, melding.reference, "verstuurd")

    def health(self) -> Health:
        return server_health(self.server)

    # -- the hoofdbewoner's consent ------------------------------------------------------

    def consent_message_id(self, melding: Melding) -> str:
        return mail.message_id(
            melding.reference, f"toestemming-{self.options.aan.lower()}", self.options.afzender
        )

    def deliver_consent(self, melding: Melding) -> DeliveryResult:
        """One follow-up message with the outcome, its Message-ID derived from the reference
        like the report's (so a repeat can be dropped), in reply to the report's message."""
        gemeente = self.gemeenten(melding.gemeente)
        if gemeente is None:
            return DeliveryResult.unknown_gemeente(melding)
        toestemming = melding.toestemming
        if toestemming is None or not toestemming.status.besloten:
            return DeliveryResult(
                melding.reference, DeliveryStatus.MISLUKT, detail="de melding heeft geen beslissing"
            )
        try:
            message = self.consent_message(gemeente, melding, toestemming)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(melding.reference, DeliveryStatus.MISLUKT, detail=str(exc))
        return send(self.server, message, melding.reference, "toestemming verstuurd")

    def consent_message(
        self, gemeente: Gemeente, melding: Melding, toestemming: Toestemming
    ) -> EmailMessage:
        uitkomst = inhoud.toestemming_uitkomst(toestemming)
        onderwerp = f"Toestemming hoofdbewoner bij verhuismelding {melding.reference}: {uitkomst}"
        if melding.is_test:
            onderwerp = "[TEST] " + onderwerp
        blokken: list[mail.Blok] = [
            mail.Kop(f"Toestemming hoofdbewoner bij verhuismelding {melding.reference}")
        ]
        if melding.is_test:
            blokken.append(
                mail.Alinea("Testmelding uit de testomgeving: niet verwerken in de BRP.")
            )
        blokken.append(mail.Alinea(_VERVOLG[toestemming.status]))
        rijen: list[tuple[str, str]] = [
            ("Referentienummer", melding.reference),
            ("Gemeente", gemeente.naam),
            ("Toestemming", inhoud.toestemming_tekst(toestemming)),
            ("Termijn", f"tot {inhoud.lange_datum(toestemming.termijn)}"),
        ]
        rijen += self._hoofdbewoner_rijen(melding, toestemming.hoofdbewoner_bsn)
        blokken.append(mail.Tabel(tuple(rijen)))
        message = mail.bericht(
            afzender=Address("eDienst Verhuizen", addr_spec=self.options.afzender),
            aan=self.options.aan,
            onderwerp=onderwerp,
            tekst=mail.als_tekst(blokken),
            html_tekst=mail.als_html(blokken, titel=onderwerp, taal="nl"),
            message_id=self.consent_message_id(melding),
        )
        # A reply to the report's own message, so a mail client shows them together.
        message["In-Reply-To"] = message["References"] = self.message_id(melding)
        return message

    def _hoofdbewoner_rijen(self, melding: Melding, bsn: str | None) -> list[tuple[str, str]]:
        """The hoofdbewoner by name, and by BSN where the options allow BSNs."""
        gekozen = inhoud.hoofdbewoner(melding)
        rijen: list[tuple[str, str]] = []
        if gekozen is not None and gekozen.naam:
            rijen.append(("Hoofdbewoner", gekozen.naam))
        bsn = bsn or (gekozen.bsn if gekozen else None)
        if self.options.bsn and bsn:
            rijen.append(("BSN hoofdbewoner", bsn))
        return rijen

    # -- the message -----------------------------------------------------------------------

    def message(self, gemeente: Gemeente, melding: Melding) -> EmailMessage:
        o = self.options
        onderwerp = o.onderwerp.replace("{gemeente}", gemeente.naam).replace(
            REFERENTIE, melding.reference
        )
        if melding.is_test:
            onderwerp = "[TEST] " + onderwerp
        bijlagen = self.bijlagen(gemeente, melding)
        blokken = self.body(gemeente, melding, [b.bestandsnaam for b in bijlagen])
        titel = _("Verhuismelding %(referentie)s") % {"referentie": melding.reference}
        return mail.bericht(
            afzender=Address(_("eDienst Verhuizen"), addr_spec=o.afzender),
            aan=o.aan,
            onderwerp=onderwerp,
            tekst=mail.als_tekst(blokken),
            html_tekst=mail.als_html(blokken, titel=titel, taal="nl"),
            message_id=self.message_id(melding),
            bijlagen=bijlagen,
        )

    def bijlagen(self, gemeente: Gemeente, melding: Melding) -> list[mail.Bijlage]:
        """The receipt and the resident's files, named by the reference and the document
        (the names the resident gave their files may hold personal data)."""
        found: list[mail.Bijlage] = []
        if self.options.ontvangstbewijs:
            pdf = receipt.ontvangstbewijs(gemeente, melding)
            found.append(mail.Bijlage(receipt.bestandsnaam(melding), "application/pdf", pdf))
        if self.options.bijlagen:
            for f in inhoud.bijlagen(self.store, melding):
                name = f"{melding.reference}-{f.document}{_extension(f.content_type)}"
                found.append(mail.Bijlage(name, f.content_type, f.data))
        return found

    def body(self, gemeente: Gemeente, melding: Melding, bestanden: list[str]) -> list[mail.Blok]:
        """Everything the back office needs to handle the report without opening another
        system: the answers as the resident confirmed them, and the BSNs where the options
        ask for them."""
        blokken: list[mail.Blok] = [
            mail.Kop(_("Verhuismelding %(referentie)s") % {"referentie": melding.reference})
        ]
        if melding.is_test:
            blokken.append(
                mail.Alinea(_("Testmelding uit de testomgeving: niet verwerken in de BRP."))
            )
        kern: list[tuple[str, str]] = [
            (_("Referentienummer"), melding.reference),
            (_("Verstuurd op"), receipt.verstuurd(melding)),
            (_("Gemeente"), gemeente.naam),
            (_("Versie van de configuratie"), melding.config_versie),
        ]
        if self.options.bsn:
            kern.append((_("BSN aangever"), melding.aangever_bsn))
        blokken.append(mail.Tabel(tuple(kern)))
        blokken += [mail.Kop(_("Antwoorden"), 2), mail.Tabel(tuple(receipt.rijen(melding)))]
        if self.options.bsn:
            mee = inhoud.meeverhuizers(melding)
            if mee:
                blokken += [
                    mail.Kop(_("Wie verhuizen mee"), 2),
                    mail.Tabel(tuple((p.naam, _("BSN %(bsn)s") % {"bsn": p.bsn}) for p in mee)),
                ]
        stand = inhoud.toestemming_stand(melding)
        if stand is not None:
            # For the back office, so Dutch whatever language the resident used.
            bsn = melding.toestemming.hoofdbewoner_bsn if melding.toestemming else None
            rijen = [*self._hoofdbewoner_rijen(melding, bsn), ("Toestemming", stand)]
            blokken += [mail.Kop("Toestemming hoofdbewoner", 2), mail.Tabel(tuple(rijen))]
        aanvragen = receipt.aanvragen(melding)
        if aanvragen:
            blokken += [mail.Kop(_("Ook aangevraagd"), 2), mail.Lijst(tuple(aanvragen))]
        signalen = [_signaal(s) for s in melding.signalen]
        if signalen:
            blokken += [mail.Kop(_("Signalen"), 2), mail.Lijst(tuple(signalen))]
        if bestanden:
            blokken += [mail.Kop(_("Bijlagen"), 2), mail.Lijst(tuple(bestanden))]
        return blokken


_VERVOLG = {
    ToestemmingStatus.GEVRAAGD: "De hoofdbewoner heeft nog niet beslist.",
    ToestemmingStatus.GEGEVEN: "De hoofdbewoner heeft online toestemming gegeven voor de "
    "inwoning. De verhuizing kan verder worden verwerkt.",
    ToestemmingStatus.GEWEIGERD: "De hoofdbewoner heeft de toestemming voor de inwoning "
    "geweigerd. Beoordeel de verhuismelding opnieuw.",
    ToestemmingStatus.VERLOPEN: "De hoofdbewoner heeft niet binnen de termijn beslist. Behandel "
    "de verhuismelding als 'geen toestemming ontvangen'.",
}
"""What the outcome asks of the back office (in Dutch, whatever the resident's language)."""


def _signaal(signaal: Any) -> str:
    if isinstance(signaal, dict):
        return str(signaal.get("tekst") or signaal.get("soort") or signaal)
    return str(signaal)
