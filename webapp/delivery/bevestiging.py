"""The ``bevestiging`` target: a confirmation e-mail to the resident who gave an e-mail address,
when their gemeente asks for one (``bevestiging.email: true`` in its configuration).

A target like the back-office ones, so the outbox sends it after the report is stored, retries
it when the mail server is away, and the resident never waits on SMTP. A gemeente does not
list it under ``aflevering``: the outbox queues it by itself for every report for which
:func:`nodig` holds.

What the mail says: the reference, when the report was sent, what happens next, a link and
the gemeente's contact details, plus the text the gemeente configures. Never the BSN, nor any
answer: an e-mail may be read on a shared device or forwarded, and the resident has the
receipt. Same Message-ID on every attempt (idempotency: see :mod:`webapp.delivery.email`).
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, ClassVar, Literal

import webapp.receipt as receipt
from webapp import mail
from webapp.delivery import inhoud
from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
)
from webapp.delivery.email import Gemeenten, gemeenten_of, send, server_health, smtp_server
from webapp.i18n import SOURCE_LOCALE, _, get_locale, use_locale
from webapp.tekst import TALEN, lokaal

if TYPE_CHECKING:
    from webapp.config.models import Gemeente

DOEL = "bevestiging"
"""The purpose in the Message-ID."""


class BevestigingOptions(DeliveryOptions):
    """De bevestiging per e-mail aan de inwoner. Niet onder aflevering zetten: zet
    bevestiging.email aan; de dienst stuurt hem dan zelf na elke melding met een e-mailadres."""

    soort: Literal["bevestiging"] = "bevestiging"


def adres(melding: Melding) -> str | None:
    """The e-mail address the resident gave (the ``contactgegevens`` step), if any."""
    return inhoud.contactgegevens(melding).email


def taal(melding: Melding) -> str:
    """The language the resident used when they sent the report (older reports: Dutch)."""
    chosen = melding.answers.get("taal")
    return chosen if chosen in TALEN else SOURCE_LOCALE


def nodig(gemeente: Gemeente, melding: Melding) -> bool:
    """Whether this report gets a confirmation e-mail: the gemeente sends them and the resident
    gave an address. The outbox asks this when it queues a stored report."""
    return gemeente.bevestiging.email and adres(melding) is not None


class Bevestiging:
    soort: ClassVar[str] = "bevestiging"

    def __init__(self, server: mail.SmtpServer, gemeenten: Gemeenten) -> None:
        self.server = server
        self.gemeenten = gemeenten

    @classmethod
    def from_options(
        cls, options: BevestigingOptions, deps: DeliveryDeps, *, gemeenten: Gemeenten | None = None
    ) -> Bevestiging:
        return cls(smtp_server(deps, cls.soort), gemeenten or gemeenten_of(deps, cls.soort))

    def deliver(self, melding: Melding) -> DeliveryResult:
        gemeente = self.gemeenten(melding.gemeente)
        if gemeente is None:
            return DeliveryResult.unknown_gemeente(melding)
        if not nodig(gemeente, melding):
            # Nothing to send, now or later: done, and said so.
            return DeliveryResult(
                melding.reference,
                DeliveryStatus.AFGELEVERD,
                detail="geen bevestiging: geen e-mailadres of de gemeente stuurt er geen",
            )
        with use_locale(taal(melding)):
            message = self.message(gemeente, melding)
        return send(self.server, message, melding.reference, "bevestiging verstuurd")

    def health(self) -> Health:
        return server_health(self.server)

    def message(self, gemeente: Gemeente, melding: Melding) -> EmailMessage:
        config = gemeente.bevestiging
        aan = adres(melding)
        if aan is None or config.afzender is None:
            raise ValueError("geen bevestiging zonder e-mailadres en afzender: vraag eerst nodig()")
        onderwerp = f"{_(config.onderwerp)}: {melding.reference}"
        if melding.is_test:
            onderwerp = f"[{_('Testomgeving')}] {onderwerp}"
        blokken = body(gemeente, melding)
        return mail.bericht(
            afzender=Address(f"{_('Gemeente')} {gemeente.naam}", addr_spec=config.afzender),
            aan=aan,
            onderwerp=onderwerp,
            tekst=mail.als_tekst(blokken),
            html_tekst=mail.als_html(blokken, titel=onderwerp, taal=get_locale()),
            message_id=mail.message_id(melding.reference, DOEL, config.afzender),
            reply_to=gemeente.contact.email,
            automatisch=True,
        )


def body(gemeente: Gemeente, melding: Melding) -> list[mail.Blok]:
    """The mail's text: what the confirmation page says, without any answer."""
    contact = gemeente.contact
    blokken: list[mail.Blok] = [mail.Kop(_("Uw verhuizing is doorgegeven"))]
    if melding.is_test:
        blokken.append(mail.Alinea(_("Testomgeving") + ": " + _("Dit is geen echte melding.")))
    blokken += [
        mail.Alinea(
            _("U heeft op %(moment)s uw verhuizing doorgegeven aan de gemeente %(naam)s.")
            % {"moment": receipt.verstuurd(melding), "naam": gemeente.naam}
        ),
        mail.Alinea(_("Uw referentienummer is") + " " + melding.reference),
        mail.Kop(_("Wat gebeurt er nu?"), 2),
        mail.Lijst(tuple(lokaal(regel) for regel in gemeente.na_melding)),
    ]
    if gemeente.bevestiging.tekst:
        blokken.append(mail.Alinea(lokaal(gemeente.bevestiging.tekst)))
    blokken += [
        mail.Alinea(_("Meer over verhuizen:"), link=gemeente.bevestiging.link or contact.website),
        mail.Kop(_("Vragen?"), 2),
        mail.Alinea(
            _("Noem uw referentienummer als u contact opneemt met de gemeente %(naam)s:")
            % {"naam": gemeente.naam}
        ),
    ]
    bereikbaar = [(_("Telefoon"), contact.telefoon)]
    if contact.email:
        bereikbaar.append((_("E-mail"), contact.email))
    blokken.append(mail.Tabel(tuple(bereikbaar)))
    return blokken
