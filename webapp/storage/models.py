"""Tables. The schema is created by the Alembic migrations next to this module, never by create_all.

Personal data is encrypted at rest (:mod:`webapp.storage.crypto`): BSNs, answers, signals,
linked requests and uploaded files (bytes and names). The columns that find a row stay in clear
and hold no personal data: ids, the keyed hash ``Draft.owner``, gemeente, dates, references.
"""

from __future__ import annotations

from datetime import datetime
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
