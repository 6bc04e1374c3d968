"""The store: the only place that talks to the database. The web layer calls these methods."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from webapp.storage.models import Draft, LinkedRequest, Submission, UploadRow, WebSession

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


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


class Store:
    def __init__(self, engine: Engine, secret: str, clock: Callable[[], datetime] = now) -> None:
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

    def purge_sessions(self, idle: timedelta) -> int:
        with Session(self.engine) as db:
            result = db.execute(
                delete(WebSession).where(col(WebSession.last_seen) < self.clock() - idle)
            )
            db.commit()
            return int(getattr(result, "rowcount", 0) or 0)

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

    def save_answer(self, draft_id: str, step_id: str, answer: dict[str, Any]) -> None:
        with Session(self.engine) as db:
            draft = db.get(Draft, draft_id)
            if draft is None or draft.submitted_reference is not None:
                raise LookupError("draft is gone or already submitted")
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
            db.commit()

    def uploads(self, draft_id: str) -> dict[str, StoredUpload]:
        with Session(self.engine) as db:
            rows = db.exec(select(UploadRow).where(UploadRow.draft_id == draft_id)).all()
            return {
                r.document: StoredUpload(r.document, r.bestandsnaam, r.content_type, r.grootte)
                for r in rows
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


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
