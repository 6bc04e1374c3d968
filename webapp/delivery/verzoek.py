"""The ``toestemming_verzoek`` target: an e-mail to the hoofdbewoner that someone asks their
consent, when the gemeente's ``hoofdbewoner`` step asks for their address (``email: true``) and
the resident gave one.

Like the confirmation e-mail (:mod:`webapp.delivery.bevestiging`), the outbox queues it by
itself, so SMTP never holds up the resident, a mail server that is away is tried again, and the
Message-ID is the same on every attempt. What it says: that someone asked for their consent to a
move to their address, where to decide (with DigiD) and until when. Nothing else: no name, no
date, no address, no reference; whoever reads a forwarded mail learns nothing of the report.
"""

from __future__ import annotations

import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, ClassVar, Literal

from sqlalchemy.exc import SQLAlchemyError

from webapp import mail
from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
)
from webapp.delivery.email import Gemeenten, gemeenten_of, send, server_health, smtp_server
from webapp.i18n import _, get_locale
from webapp.steps import registry
from webapp.steps.verhuisdatum import long_date
from webapp.storage.store import Store

if TYPE_CHECKING:
    from webapp.config.models import Gemeente

DOEL = "toestemming-verzoek"
"""The purpose in the Message-ID."""


class VerzoekOptions(DeliveryOptions):
    """Het bericht aan de hoofdbewoner dat iemand om toestemming vraagt. Niet onder aflevering
    zetten: zet email: true in de stap hoofdbewoner; de dienst stuurt het dan zelf als de
    inwoner een e-mailadres van de hoofdbewoner gaf."""

    soort: Literal["toestemming_verzoek"] = "toestemming_verzoek"


def _opaque(reference: str) -> str:
    return hashlib.sha256(f"{DOEL}:{reference}".encode()).hexdigest()[:24]


def wanted(gemeente: Gemeente) -> bool:
    """Whether the gemeente asks for the hoofdbewoner's e-mail address anywhere."""
    return any(registry[s.type].consent_email(s) for s in gemeente.stappen)


class Verzoek:
    soort: ClassVar[str] = "toestemming_verzoek"

    def __init__(self, server: mail.SmtpServer, gemeenten: Gemeenten, store: Store) -> None:
        self.server = server
        self.gemeenten = gemeenten
        self.store = store

    @classmethod
    def from_options(cls, options: VerzoekOptions, deps: DeliveryDeps) -> Verzoek:
        return cls(smtp_server(deps, cls.soort), gemeenten_of(deps, cls.soort), deps.store)

    def deliver(self, melding: Melding) -> DeliveryResult:
        gemeente = self.gemeenten(melding.gemeente)
        if gemeente is None:
            return DeliveryResult.unknown_gemeente(melding)
        try:
            row = self.store.toestemming_met_referentie(melding.reference)
        except SQLAlchemyError as exc:
            return DeliveryResult.database_down(melding.reference, exc)
        aan = None if row is None else row.details.get("email")
        if (
            row is None
            or not aan
            or row.status != "gevraagd"
            or gemeente.bevestiging.afzender is None
        ):
            return DeliveryResult(
                melding.reference,
                DeliveryStatus.AFGELEVERD,
                detail="geen bericht aan de hoofdbewoner: geen e-mailadres of niets meer te vragen",
            )
        message = self.message(
            gemeente, melding, aan, str(row.details.get("url", "")), long_date(row.termijn.date())
        )
        return send(
            self.server, message, melding.reference, "verzoek aan de hoofdbewoner verstuurd"
        )

    def health(self) -> Health:
        return server_health(self.server)

    def message(
        self, gemeente: Gemeente, melding: Melding, aan: str, url: str, termijn: str
    ) -> EmailMessage:
        afzender = gemeente.bevestiging.afzender
        assert afzender is not None
        onderwerp = _("Iemand vraagt uw toestemming")
        if melding.is_test:
            onderwerp = f"[{_('Testomgeving')}] {onderwerp}"
        blokken: list[mail.Blok] = [
            mail.Kop(onderwerp),
            mail.Alinea(
                _(
                    "Iemand heeft bij de gemeente %(naam)s doorgegeven bij u te komen wonen, en "
                    "vraagt u als hoofdbewoner om toestemming."
                )
                % {"naam": gemeente.naam}
            ),
            mail.Alinea(
                _("Log in met DigiD om te zien wie het is en om te beslissen, uiterlijk %(datum)s:")
                % {"datum": termijn},
                link=url or gemeente.contact.website,
            ),
            mail.Alinea(
                _("Kent u dit verzoek niet? Dan hoeft u niets te doen. Vragen? Bel %(telefoon)s.")
                % {"telefoon": gemeente.contact.telefoon}
            ),
        ]
        return mail.bericht(
            afzender=Address(f"{_('Gemeente')} {gemeente.naam}", addr_spec=afzender),
            aan=aan,
            onderwerp=onderwerp,
            tekst=mail.als_tekst(blokken),
            html_tekst=mail.als_html(blokken, titel=onderwerp, taal=get_locale()),
            # Stable per report, as idempotency needs, without the reference in it.
            message_id=mail.message_id(_opaque(melding.reference), DOEL, afzender),
            reply_to=gemeente.contact.email,
            automatisch=True,
        )
