"""The store: the only place that talks to the database. The web layer calls these methods.

Personal data goes in and comes out in clear; the columns encrypt it at rest with the keys bound
to the engine (:mod:`webapp.storage.crypto`). Retention: :meth:`Store.opschonen`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webapp.storage.crypto import use_keys
from webapp.storage.models import Draft, LinkedRequest, Submission, UploadRow, WebSession

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def new_reference(prefix: str, year: int) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{year}-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class StoredUpload:
    document: str
    bestandsnaam: str
    content_type: str
    grootte: int


@dataclass(frozen=True)
class Bewaartermijn:
    """How long one gemeente keeps personal data (from its configuration, ``bewaren``)."""

    concept: timedelta
    """An unsent draft (answers and files), counted from its last change."""
    na_aflevering: timedelta | None
    """A submission with its files and linked requests, counted from delivery; None: kept
    (nothing delivers reports to a back office yet, so this database holds the only copy)."""


@dataclass(frozen=True)
class Opgeschoond:
    """What :meth:`Store.opschonen` deleted (or, in a dry run, would delete)."""

    sessies: int = 0
    concepten: int = 0
    meldingen: int = 0
    bestanden: int = 0
    gekoppelde_aanvragen: int = 0


class Store:
    def __init__(
        self,
        engine: Engine,
        secret: str,
        clock: Callable[[], datetime] = now,
        *,
        keys: Sequence[str] | None = None,
    ) -> None:
        """``keys``: the encryption keys, newest first. Without them the engine's keys are used
        (bound by ``make_engine(url, keys=...)`` or ``migrate(engine, keys=...)``); with none
        bound, reading or writing personal data raises ``EncryptionKeyError``."""
        if keys:
            use_keys(engine, keys)
        self.engine = engine
        self._secret = secret.encode()
        self.clock = clock

    def owner_key(self, gemeente: str, bsn: str) -> str:
        return hmac.new(self._secret, f"{gemeente}:{bsn}".encode(), hashlib.sha256).hexdigest()

    # -- sessions ----------------------------------------------------------------------

    def create_session(self, gemeente: str, bsn: str, draft_id: str) -> tuple[str, WebSession]:
        """Returns the cookie token and the session; only the token's hash is stored."""
        token = secrets.token_urlsafe(32)
        at = self.clock()
        row = WebSession(
            id=_hash(token),
            gemeente=gemeente,
            bsn=bsn,
            draft_id=draft_id,
            csrf=secrets.token_urlsafe(32),
            created_at=at,
            last_seen=at,
        )
        with Session(self.engine) as db:
            db.add(row)
            db.commit()
            db.refresh(row)
        return token, row

    def session(self, token: str, idle: timedelta) -> WebSession | None:
        """The live session for a token, touched; None when unknown or idle too long."""
        with Session(self.engine) as db:
            row = db.get(WebSession, _hash(token))
            if row is None:
                return None
            at = self.clock()
            if at - row.last_seen > idle:
                db.delete(row)
                db.commit()
                return None
            row.last_seen = at
            db.add(row)
            db.commit()
            db.refresh(row)
            return row

    def end_session(self, token: str) -> None:
        with Session(self.engine) as db:
            db.execute(delete(WebSession).where(col(WebSession.id) == _hash(token)))
            db.commit()

    # -- drafts ------------------------------------------------------------------------

    def open_draft(self, gemeente: str, bsn: str, config_versie: str) -> Draft:
        """The resident's unfinished report for this gemeente, or a new one."""
        owner = self.owner_key(gemeente, bsn)
        with Session(self.engine) as db:
            existing = db.exec(
                select(Draft)
                .where(Draft.gemeente == gemeente, Draft.owner == owner)
                .where(col(Draft.submitted_reference).is_(None))
                .order_by(col(Draft.updated_at).desc())
            ).first()
            if existing is not None:
                return existing
            at = self.clock()
            draft = Draft(
                id=secrets.token_hex(16),
                gemeente=gemeente,
                owner=owner,
                answers={},
                config_versie=config_versie,
                created_at=at,
                updated_at=at,
            )
            db.add(draft)
            db.commit()
            db.refresh(draft)
            return draft

    def draft(self, draft_id: str) -> Draft | None:
        with Session(self.engine) as db:
            return db.get(Draft, draft_id)

    def save_answer(
        self,
        draft_id: str,
        step_id: str,
        answer: dict[str, Any],
        uploads: Sequence[tuple[str, str, str, bytes]] = (),
    ) -> None:
        """Store a step's answer with its files (document, file name, type, bytes) in one
        transaction: a crash (kill -9) leaves both or neither, never a file the answer does
        not name. A submitted draft is not changed."""
        with Session(self.engine) as db:
            draft = db.get(Draft, draft_id)
            if draft is None or draft.submitted_reference is not None:
                raise LookupError("draft is gone or already submitted")
            for document, bestandsnaam, content_type, data in uploads:
                self._put_upload(db, draft_id, document, bestandsnaam, content_type, data)
            draft.answers = {**draft.answers, step_id: answer}
            draft.updated_at = self.clock()
            db.add(draft)
            db.commit()

    def clear_draft(self, draft_id: str) -> None:
        """Forget an unfinished draft's answers and files (start over); a submitted one stays."""
        with Session(self.engine) as db:
            draft = db.get(Draft, draft_id)
            if draft is None or draft.submitted_reference is not None:
                raise LookupError("draft is gone or already submitted")
            db.execute(delete(UploadRow).where(col(UploadRow.draft_id) == draft_id))
            draft.answers = {}
            draft.updated_at = self.clock()
            db.add(draft)
            db.commit()

    def save_upload(
        self, draft_id: str, document: str, bestandsnaam: str, content_type: str, data: bytes
    ) -> None:
        with Session(self.engine) as db:
            self._put_upload(db, draft_id, document, bestandsnaam, content_type, data)
            db.commit()

    def _put_upload(
        self,
        db: Session,
        draft_id: str,
        document: str,
        bestandsnaam: str,
        content_type: str,
        data: bytes,
    ) -> None:
        db.execute(
            delete(UploadRow).where(
                col(UploadRow.draft_id) == draft_id, col(UploadRow.document) == document
            )
        )
        db.add(
            UploadRow(
                draft_id=draft_id,
                document=document,
                bestandsnaam=bestandsnaam[:255],
                content_type=content_type,
                grootte=len(data),
                data=data,
                created_at=self.clock(),
            )
        )

    def uploads(self, draft_id: str) -> dict[str, StoredUpload]:
        """What is stored for the draft, without the files' bytes (asked on every step)."""
        with Session(self.engine) as db:
            rows = db.exec(
                select(
                    UploadRow.document,
                    UploadRow.bestandsnaam,
                    UploadRow.content_type,
                    UploadRow.grootte,
                ).where(UploadRow.draft_id == draft_id)
            ).all()
            return {
                document: StoredUpload(document, bestandsnaam, content_type, grootte)
                for document, bestandsnaam, content_type, grootte in rows
            }

    def upload_data(self, draft_id: str, document: str) -> bytes | None:
        with Session(self.engine) as db:
            row = db.exec(
                select(UploadRow).where(
                    UploadRow.draft_id == draft_id, UploadRow.document == document
                )
            ).first()
            return row.data if row else None

    # -- submissions -------------------------------------------------------------------

    def submit(
        self,
        draft_id: str,
        *,
        prefix: str,
        aangever_bsn: str,
        answers: dict[str, Any],
        signalen: list[Any],
        linked: list[tuple[str, dict[str, Any]]],
        is_test: bool,
    ) -> Submission:
        """Write the submission once; a second call for the same draft returns the first."""
        existing = self.submission_for_draft(draft_id)
        if existing is not None:
            return existing
        for _attempt in range(5):
            with Session(self.engine) as db:
                draft = db.get(Draft, draft_id)
                if draft is None:
                    raise LookupError("draft is gone")
                at = self.clock()
                submission = Submission(
                    reference=new_reference(prefix, at.year),
                    draft_id=draft_id,
                    gemeente=draft.gemeente,
                    config_versie=draft.config_versie,
                    aangever_bsn=aangever_bsn,
                    answers=answers,
                    signalen=signalen,
                    is_test=is_test,
                    created_at=at,
                )
                db.add(submission)
                try:
                    db.flush()
                except IntegrityError:
                    db.rollback()
                    existing = self.submission_for_draft(draft_id)
                    if existing is not None:
                        return existing
                    continue  # reference collision: draw again
                assert submission.id is not None
                for soort, details in linked:
                    db.add(LinkedRequest(submission_id=submission.id, soort=soort, details=details))
                draft.submitted_reference = submission.reference
                draft.updated_at = at
                db.add(draft)
                db.commit()
                db.refresh(submission)
                return submission
        raise RuntimeError("could not draw a unique reference")

    def submission_for_draft(self, draft_id: str) -> Submission | None:
        with Session(self.engine) as db:
            return db.exec(select(Submission).where(Submission.draft_id == draft_id)).first()

    def submissions(self, gemeente: str | None = None) -> list[Submission]:
        with Session(self.engine) as db:
            query = select(Submission).order_by(col(Submission.id))
            if gemeente:
                query = query.where(Submission.gemeente == gemeente)
            return list(db.exec(query).all())

    def linked_requests(self, submission_id: int) -> list[LinkedRequest]:
        with Session(self.engine) as db:
            return list(
                db.exec(
                    select(LinkedRequest).where(LinkedRequest.submission_id == submission_id)
                ).all()
            )

    # -- retention ---------------------------------------------------------------------

    def opschonen(
        self,
        termijn: Callable[[str], Bewaartermijn | None],
        idle: timedelta,
        *,
        droog: bool = False,
    ) -> Opgeschoond:
        """Delete what is past its retention, in one transaction; ``droog``: only count.

        Idempotent (a second run finds nothing), so a cron job may run it as often as it likes:

        - sessions idle for longer than ``idle``;
        - drafts without a submission, unchanged for ``termijn(gemeente).concept`` and not in
          use by a live session, with their files;
        - submissions ``termijn(gemeente).na_aflevering`` after delivery, with their linked
          requests, their draft, its files and its sessions. There is no delivery to a back office
          yet (``webapp.delivery``: the report stays in this database), so today delivery is the
          moment of submission, ``Submission.created_at``; count from the delivery time once
          there is one. A submitted draft is deleted only with its submission, whose foreign key
          needs it.
        """
        at = self.clock()
        live = at - idle
        with Session(self.engine) as db:
            gemeenten = set(db.exec(select(Draft.gemeente).distinct()).all())
            gemeenten |= set(db.exec(select(Submission.gemeente).distinct()).all())
            drafts: list[str] = []
            submissions: list[int] = []
            for gemeente in sorted(gemeenten):
                bewaren = termijn(gemeente)
                if bewaren is None:
                    continue  # not configured (any more): nothing of it is deleted
                in_use = select(WebSession.id).where(
                    col(WebSession.draft_id) == col(Draft.id), col(WebSession.last_seen) >= live
                )
                sent = select(Submission.id).where(col(Submission.draft_id) == col(Draft.id))
                drafts += db.exec(
                    select(Draft.id).where(
                        Draft.gemeente == gemeente,
                        col(Draft.updated_at) < at - bewaren.concept,
                        ~in_use.exists(),
                        ~sent.exists(),
                    )
                ).all()
                if bewaren.na_aflevering is None:
                    continue
                for submission_id, draft_id in db.exec(
                    select(Submission.id, Submission.draft_id).where(
                        Submission.gemeente == gemeente,
                        col(Submission.created_at) < at - bewaren.na_aflevering,
                    )
                ).all():
                    assert submission_id is not None
                    submissions.append(submission_id)
                    drafts.append(draft_id)
            sessions = set(
                db.exec(select(WebSession.id).where(col(WebSession.last_seen) < live)).all()
            )
            for part in _chunks(drafts):
                sessions |= set(
                    db.exec(select(WebSession.id).where(col(WebSession.draft_id).in_(part))).all()
                )
            counted = Opgeschoond(
                sessies=len(sessions),
                concepten=len(drafts) - len(submissions),
                meldingen=len(submissions),
                bestanden=sum(
                    _count(db, UploadRow, col(UploadRow.draft_id).in_(part))
                    for part in _chunks(drafts)
                ),
                gekoppelde_aanvragen=sum(
                    _count(db, LinkedRequest, col(LinkedRequest.submission_id).in_(numbers))
                    for numbers in _chunks(submissions)
                ),
            )
            if droog:
                return counted
            for numbers in _chunks(submissions):
                db.execute(
                    delete(LinkedRequest).where(col(LinkedRequest.submission_id).in_(numbers))
                )
            for part in _chunks(drafts):
                db.execute(delete(UploadRow).where(col(UploadRow.draft_id).in_(part)))
            for part in _chunks(list(sessions)):
                db.execute(delete(WebSession).where(col(WebSession.id).in_(part)))
            for numbers in _chunks(submissions):
                db.execute(delete(Submission).where(col(Submission.id).in_(numbers)))
            for part in _chunks(drafts):
                db.execute(delete(Draft).where(col(Draft.id).in_(part)))
            db.commit()
            return counted


def _chunks(ids: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    """Lists of ids short enough for an IN (...) on every database."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _count(db: Session, model: type[Any], where: Any) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(where)).one())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
