"""Tables. The schema is created by the Alembic migrations next to this module, never by create_all.

Personal data is encrypted at rest (:mod:`webapp.storage.crypto`): BSNs, answers, signals,
linked requests and uploaded files (bytes and names). The columns that find a row stay in clear
and hold no personal data: ids, the keyed hash ``Draft.owner``, gemeente, dates, references, and
the whole of the outbox (:class:`OutboxRow`: which target, its state, the target's own id and
operator text).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from webapp.storage.crypto import EncryptedBytes, EncryptedJSON, EncryptedText


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)
    """sha256 of the token in the cookie: a leaked table does not give working cookies."""
    gemeente: str = Field(max_length=64)
    bsn: str = Field(sa_column=Column(EncryptedText, nullable=False))
    draft_id: str | None = Field(default=None, max_length=32)
    csrf: str = Field(max_length=64)
    created_at: datetime
    last_seen: datetime = Field(index=True)


class Draft(SQLModel, table=True):
    __tablename__ = "draft"

    id: str = Field(primary_key=True, max_length=32)
    gemeente: str = Field(max_length=64, index=True)
    owner: str = Field(max_length=64, index=True)
    """Keyed hash of the resident's BSN, to find their unfinished report after a new login."""
    answers: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(EncryptedJSON, nullable=False)
    )
    config_versie: str = Field(max_length=64)
    created_at: datetime
    updated_at: datetime
    submitted_reference: str | None = Field(default=None, max_length=32)


class UploadRow(SQLModel, table=True):
    __tablename__ = "upload"
    __table_args__ = (UniqueConstraint("draft_id", "document"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: str = Field(foreign_key="draft.id", max_length=32, index=True)
    document: str = Field(max_length=64)
    bestandsnaam: str = Field(sa_column=Column(EncryptedText, nullable=False))
    content_type: str = Field(max_length=64)
    grootte: int
    data: bytes = Field(sa_column=Column(EncryptedBytes, nullable=False))
    created_at: datetime


class Submission(SQLModel, table=True):
    __tablename__ = "submission"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=32, unique=True)
    draft_id: str = Field(foreign_key="draft.id", max_length=32, unique=True)
    gemeente: str = Field(max_length=64, index=True)
    config_versie: str = Field(max_length=64)
    aangever_bsn: str = Field(sa_column=Column(EncryptedText, nullable=False))
    answers: dict[str, Any] = Field(sa_column=Column(EncryptedJSON, nullable=False))
    signalen: list[Any] = Field(
        default_factory=list, sa_column=Column(EncryptedJSON, nullable=False)
    )
    is_test: bool = False
    created_at: datetime


class LinkedRequest(SQLModel, table=True):
    """A request submitted together with the move, e.g. a huisvestingsvergunning application."""

    __tablename__ = "linked_request"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    soort: str = Field(max_length=64)
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(EncryptedJSON, nullable=False)
    )


class OutboxStatus(StrEnum):
    WACHTEND = "wachtend"
    """Due at ``next_attempt_at`` (at once when new)."""
    BEZIG = "bezig"
    """Claimed by a runner until ``claimed_until``; an expired claim is due again."""
    AFGELEVERD = "afgeleverd"
    """The target has the report; ``kenmerk`` is its id."""
    MISLUKT = "mislukt"
    """Refused, or still failing after the last attempt: an operator looks."""
    AFGEHANDELD = "afgehandeld"
    """An operator handled it by hand (``verhuizen bezorging --afgehandeld``)."""


AFGEROND = (OutboxStatus.AFGELEVERD, OutboxStatus.AFGEHANDELD)
"""The states after which nothing more happens to a row."""


TAAK_MELDING = "melding"
TAAK_TOESTEMMING = "toestemming"


class OutboxRow(SQLModel, table=True):
    """The outbox: one row per submission and delivery target (the gemeente's ``aflevering``
    entry at ``target_index``), written in the transaction of the submission and worked off by
    ``webapp.delivery.outbox``. Holds no personal data, so nothing in it is encrypted."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("submission_id", "target_index", "taak"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    reference: str = Field(max_length=32, index=True)
    gemeente: str = Field(max_length=64)
    target_index: int
    """The position of the target in the gemeente's ``aflevering`` list; negative for a target
    the service adds itself (``webapp.delivery.outbox.BEVESTIGING``)."""
    soort: str = Field(max_length=64)
    taak: str = Field(default="melding", max_length=16)
    """What the row delivers: the report (:data:`TAAK_MELDING`), or the outcome of the
    hoofdbewoner's online consent (:data:`TAAK_TOESTEMMING`), added when that is known."""
    options_hash: str = Field(max_length=64)
    """sha256 of the target's options when the report was sent: shows a changed configuration."""
    status: str = Field(default=OutboxStatus.WACHTEND, max_length=16, index=True)
    attempts: int = 0
    """Attempts in this round; counted when a runner claims the row, so a delivery that kills
    its process still counts."""
    round_started_at: datetime
    """When this round of attempts began (the submission, or an operator's ``--opnieuw``): the
    age after which a row that keeps failing is given up counts from here."""
    next_attempt_at: datetime = Field(index=True)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = None
    kenmerk: str | None = Field(default=None, max_length=1000)
    detail: str = Field(default="", max_length=2000)
    """Operator text from the target (``DeliveryResult.detail``) or the runner; never personal
    data."""
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None = None
    """When it became afgeleverd or afgehandeld: retention counts from the last of these."""


class ToestemmingRow(SQLModel, table=True):
    """The hoofdbewoner's online consent to a move in with them, one per submission that asks
    it (the ``hoofdbewoner`` step, route online). The hoofdbewoner finds it after their own
    login by ``hoofdbewoner``, a keyed hash of gemeente and BSN, like ``Draft.owner``; what
    they are shown (who moves in, from which date, to which address) is in ``details``."""

    __tablename__ = "toestemming"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", unique=True)
    reference: str = Field(max_length=32, index=True)
    gemeente: str = Field(max_length=64)
    hoofdbewoner: str = Field(max_length=64, index=True)
    hoofdbewoner_bsn: str = Field(sa_column=Column(EncryptedText, nullable=False))
    details: dict[str, Any] = Field(sa_column=Column(EncryptedJSON, nullable=False))
    status: str = Field(default="gevraagd", max_length=16, index=True)
    """A :class:`webapp.delivery.contract.ToestemmingStatus` value."""
    termijn: datetime = Field(index=True)
    created_at: datetime
    besloten_op: datetime | None = None
    gever_bsn: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
