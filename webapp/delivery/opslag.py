"""The ``opslag`` target: the report stays in our own database, where staff read it.

This is what the service does today. Delivering adds nothing: the store wrote the submission
once when the resident sent it (``Store.submit``), so ``deliver`` only confirms that the report
is there, which makes it idempotent by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Literal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
    Toestemming,
    ToestemmingStatus,
)
from webapp.storage.models import LinkedRequest, Submission, ToestemmingRow
from webapp.storage.store import Store


class OpslagOptions(DeliveryOptions):
    soort: Literal["opslag"] = "opslag"


class Opslag:
    soort: ClassVar[str] = "opslag"

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def from_options(cls, options: OpslagOptions, deps: DeliveryDeps) -> Opslag:
        return cls(deps.store)

    def deliver(self, melding: Melding) -> DeliveryResult:
        try:
            with Session(self.store.engine) as db:
                row = db.exec(
                    select(Submission).where(Submission.reference == melding.reference)
                ).first()
        except SQLAlchemyError as exc:
            return DeliveryResult.database_down(melding.reference, exc)
        if row is None:
            return DeliveryResult(
                melding.reference, DeliveryStatus.MISLUKT, detail="staat niet in de database"
            )
        if row.gemeente != melding.gemeente:
            return DeliveryResult(
                melding.reference,
                DeliveryStatus.MISLUKT,
                detail=f"hoort bij gemeente {row.gemeente!r}, niet bij {melding.gemeente!r}",
            )
        return DeliveryResult(
            melding.reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=row.reference,
            detail="bewaard in de database van de eDienst",
        )

    def health(self) -> Health:
        try:
            with self.store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return Health(False, f"database niet bereikbaar ({type(exc).__name__})")
        return Health(True, "database bereikbaar")


def melding_uit_opslag(
    submission: Submission,
    linked: Iterable[LinkedRequest],
    toestemming: ToestemmingRow | None = None,
) -> Melding:
    """The :class:`Melding` of a stored submission, its linked requests and its consent
    request as it stands now."""
    return Melding(
        reference=submission.reference,
        gemeente=submission.gemeente,
        config_versie=submission.config_versie,
        aangever_bsn=submission.aangever_bsn,
        answers=dict(submission.answers),
        signalen=tuple(submission.signalen),
        linked=tuple((r.soort, dict(r.details)) for r in linked),
        is_test=submission.is_test,
        created_at=submission.created_at,
        toestemming=None if toestemming is None else toestemming_uit_opslag(toestemming),
    )


def toestemming_uit_opslag(row: ToestemmingRow) -> Toestemming:
    return Toestemming(
        status=ToestemmingStatus(row.status),
        hoofdbewoner_bsn=row.hoofdbewoner_bsn,
        termijn=row.termijn,
        besloten_op=row.besloten_op,
        gever_bsn=row.gever_bsn,
    )
