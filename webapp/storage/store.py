"""The store: the only place that talks to the database. The web layer calls these methods.

Personal data goes in and comes out in clear; the columns encrypt it at rest with the keys bound
to the engine (:mod:`webapp.storage.crypto`). Retention: :meth:`Store.opschonen`. Delivery: the
outbox rows a submission is written with, claimed and settled by ``webapp.delivery.outbox``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, Table, and_, delete, func, or_, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from webapp.options import Options
from webapp.storage.crypto import use_keys
from webapp.storage.models import (
    AFGEROND,
    TAAK_MELDING,
    TAAK_TOESTEMMING,
    Draft,
    LinkedRequest,
    OutboxRow,
    OutboxStatus,
    Submission,
    ToestemmingRow,
    UploadRow,
    WebSession,
)

TOUCH_EVERY = timedelta(minutes=1)
"""How often a session's ``last_seen`` is written at most (:meth:`Store.visit`)."""

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def new_reference(prefix: str, year: int) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{year}-{body[:4]}-{body[4:]}"


def options_hash(options: Options) -> str:
    """A fingerprint of a delivery target's options: the same options give the same hash."""
    canonical = json.dumps(options.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def utc(at: datetime) -> datetime:
    """``at`` as an aware UTC time: SQLite gives back naive ones (the store writes UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True)
class StoredUpload:
    document: str
    bestandsnaam: str
    content_type: str
    grootte: int


@dataclass(frozen=True)
class ToestemmingVraag:
    """What a submission asks of its hoofdbewoner (online consent): stored with it."""

    hoofdbewoner_bsn: str
    termijn: timedelta
    details: dict[str, Any]
    """What the hoofdbewoner is shown and what the check needs: ``personen`` (names of who
    moves in), ``bsns`` (their BSNs: nobody consents for themselves), ``datum`` (ISO),
    ``adres`` (one line), ``adres_id`` (the BAG adresseerbaar object), optionally ``email``."""


@dataclass(frozen=True)
class Bewaartermijn:
    """How long one gemeente keeps personal data (from its configuration, ``bewaren``)."""

    concept: timedelta
    """An unsent draft (answers and files), counted from its last change."""
    na_aflevering: timedelta | None
    """A submission with its files and linked requests, counted from its delivery to every
    target (:meth:`Store.opschonen`); None: kept."""


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

    def create_session(
        self, gemeente: str, bsn: str, draft_id: str | None
    ) -> tuple[str, WebSession]:
        """Returns the cookie token and the session; only the token's hash is stored. Without
        ``draft_id``: a hoofdbewoner's session, for their consent only (``/<slug>/toestemming``)."""
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

    def visit(self, token: str, idle: timedelta) -> tuple[WebSession, Draft | None] | None:
        """The live session for a token with its draft (None for a hoofdbewoner's session), in
        one query on one connection: what every page of a logged-in resident needs first.

        ``last_seen`` is written only when it is older than :data:`TOUCH_EVERY` (or a quarter
        of ``idle``, if that is shorter), not on every request: a session may so end up to
        that much before ``idle`` after the last page. The timeout dialog's "Sessie
        verlengen" touches it for certain (:meth:`session`)."""
        # In SQL Core, not the ORM: this runs on every page, and building the two rows by hand
        # costs a third of what the ORM's identity map and events do.
        sessions, drafts = _table(WebSession), _table(Draft)
        query = (
            sql_select(sessions, drafts)
            .outerjoin(drafts, drafts.c.id == sessions.c.draft_id)
            .where(sessions.c.id == _hash(token))
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).first()
            if found is None:
                return None
            values = found._mapping
            row = WebSession(**{c.name: values[c] for c in sessions.columns})
            draft = (
                Draft(**{c.name: values[c] for c in drafts.columns})
                if values[drafts.c.id] is not None
                else None
            )
            at = self.clock()
            if utc(at) - utc(row.last_seen) > idle:
                connection.execute(delete(sessions).where(sessions.c.id == row.id))
                connection.commit()
                return None
            if utc(at) - utc(row.last_seen) >= min(TOUCH_EVERY, idle / 4):
                connection.execute(
                    update(sessions).where(sessions.c.id == row.id).values(last_seen=at)
                )
                connection.commit()
                row.last_seen = at
            return row, draft

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

    def clear_draft(self, draft_id: str, config_versie: str | None = None) -> None:
        """Forget an unfinished draft's answers and files (start over); a submitted one stays.

        One transaction: the answers and every file of the draft go together, so no file is
        left behind that no answer names. The draft is emptied only while it is unsubmitted
        (a condition of the UPDATE itself, so a submission at the same moment either comes
        first and this refuses, or waits for it). ``config_versie``: the configuration the new
        start follows.
        """
        values: dict[str, Any] = {"answers": {}, "updated_at": self.clock()}
        if config_versie is not None:
            values["config_versie"] = config_versie
        with Session(self.engine) as db:
            emptied = db.connection().execute(
                update(Draft)
                .where(col(Draft.id) == draft_id, col(Draft.submitted_reference).is_(None))
                .values(**values)
            )
            if emptied.rowcount != 1:
                db.rollback()
                raise LookupError("draft is gone or already submitted")
            db.execute(delete(UploadRow).where(col(UploadRow.draft_id) == draft_id))
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
        deliveries: Sequence[tuple[int, Options]] = (),
        toestemming: ToestemmingVraag | None = None,
    ) -> Submission:
        """Write the submission once; a second call for the same draft returns the first.

        ``deliveries``: the report's delivery targets as (index, options), the index being the
        target's place in the gemeente's ``aflevering`` list, or a negative one for a target
        the service adds itself (``webapp.delivery.outbox.deliveries_for``). Each gets its
        outbox row in the same transaction, due at once, so a report is never stored without
        its deliveries and the resident never waits for a back office.
        """
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
                for index, options in deliveries:
                    db.add(_outbox_row(submission, index, options, TAAK_MELDING, at))
                if toestemming is not None:
                    db.add(
                        ToestemmingRow(
                            submission_id=submission.id,
                            reference=submission.reference,
                            gemeente=submission.gemeente,
                            hoofdbewoner=self.owner_key(
                                submission.gemeente, toestemming.hoofdbewoner_bsn
                            ),
                            hoofdbewoner_bsn=toestemming.hoofdbewoner_bsn,
                            details=toestemming.details,
                            termijn=at + toestemming.termijn,
                            created_at=at,
                        )
                    )
                draft.submitted_reference = submission.reference
                draft.updated_at = at
                db.add(draft)
                db.commit()
                db.refresh(submission)
                return submission
        raise RuntimeError("could not draw a unique reference")

    def submission(self, submission_id: int) -> Submission | None:
        with Session(self.engine) as db:
            return db.get(Submission, submission_id)

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

    # -- the hoofdbewoner's consent --------------------------------------------------

    def toestemming_van(self, submission_id: int) -> ToestemmingRow | None:
        """The consent request of a submission, in whatever state; None when it asks none."""
        with Session(self.engine) as db:
            return db.exec(
                select(ToestemmingRow).where(ToestemmingRow.submission_id == submission_id)
            ).first()

    def toestemming_met_referentie(self, reference: str) -> ToestemmingRow | None:
        with Session(self.engine) as db:
            return db.exec(
                select(ToestemmingRow).where(ToestemmingRow.reference == reference)
            ).first()

    def open_toestemmingen(self, gemeente: str, bsn: str) -> list[ToestemmingRow]:
        """The requests waiting for this person as hoofdbewoner, oldest first: still
        ``gevraagd`` and before their deadline."""
        at = self.clock()
        with Session(self.engine) as db:
            return list(
                db.exec(
                    select(ToestemmingRow)
                    .where(
                        ToestemmingRow.gemeente == gemeente,
                        ToestemmingRow.hoofdbewoner == self.owner_key(gemeente, bsn),
                        ToestemmingRow.status == "gevraagd",
                        col(ToestemmingRow.termijn) > at,
                    )
                    .order_by(col(ToestemmingRow.id))
                ).all()
            )

    def beslis_toestemming(
        self,
        row_id: int,
        *,
        gemeente: str,
        gever_bsn: str,
        gegeven: bool,
        deliveries: Sequence[tuple[int, Options]],
    ) -> ToestemmingRow | None:
        """Record the hoofdbewoner's decision, with the time and their BSN, and add the outbox
        rows that tell the back office (``deliveries``: the targets that hear consent). Only
        while it is open and only by the hoofdbewoner it was asked of: None otherwise (decided
        already, in another tab, or past its deadline), and nothing changes."""
        at = self.clock()
        status = "gegeven" if gegeven else "geweigerd"
        with Session(self.engine) as db:
            changed = db.connection().execute(
                update(ToestemmingRow)
                .where(
                    col(ToestemmingRow.id) == row_id,
                    col(ToestemmingRow.gemeente) == gemeente,
                    col(ToestemmingRow.hoofdbewoner) == self.owner_key(gemeente, gever_bsn),
                    col(ToestemmingRow.status) == "gevraagd",
                    col(ToestemmingRow.termijn) > at,
                )
                .values(status=status, besloten_op=at, gever_bsn=gever_bsn)
            )
            if changed.rowcount != 1:
                db.rollback()
                return None
            row = db.get(ToestemmingRow, row_id)
            assert row is not None
            self._consent_rows(db, row, deliveries, at)
            db.commit()
            db.refresh(row)
            return row

    def verloop_toestemmingen(
        self, deliveries: Callable[[str], Sequence[tuple[int, Options]] | None]
    ) -> list[str]:
        """Close the requests whose deadline passed without a decision (``verlopen``: the
        report goes on as "no consent received") and add the outbox rows that tell the back
        office; ``deliveries(gemeente)`` gives its targets that hear consent (None: the
        gemeente is not configured, its requests wait). The references closed."""
        at = self.clock()
        closed: list[str] = []
        with Session(self.engine) as db:
            due = db.exec(
                select(ToestemmingRow)
                .where(ToestemmingRow.status == "gevraagd", col(ToestemmingRow.termijn) <= at)
                .order_by(col(ToestemmingRow.id))
                .limit(500)
            ).all()
            for row in due:
                targets = deliveries(row.gemeente)
                if targets is None:
                    continue
                changed = db.connection().execute(
                    update(ToestemmingRow)
                    .where(
                        col(ToestemmingRow.id) == row.id, col(ToestemmingRow.status) == "gevraagd"
                    )
                    .values(status="verlopen")
                )
                if changed.rowcount == 1:
                    self._consent_rows(db, row, targets, at)
                    closed.append(row.reference)
            db.commit()
        return closed

    @staticmethod
    def _consent_rows(
        db: Session, row: ToestemmingRow, deliveries: Sequence[tuple[int, Options]], at: datetime
    ) -> None:
        submission = db.get(Submission, row.submission_id)
        assert submission is not None
        for index, options in deliveries:
            db.add(_outbox_row(submission, index, options, TAAK_TOESTEMMING, at))

    # -- the outbox --------------------------------------------------------------------

    def _due(self, at: datetime) -> ColumnElement[bool]:
        """Waiting and due, or claimed by a runner whose lease has run out (it died)."""
        return and_(
            col(OutboxRow.status).in_([OutboxStatus.WACHTEND, OutboxStatus.BEZIG]),
            col(OutboxRow.next_attempt_at) <= at,
            or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < at),
        )

    def claim_deliveries(self, worker: str, lease: timedelta, limit: int = 10) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows for ``worker`` until ``lease`` from now, in one short
        transaction, and count an attempt for each. Two runners never claim the same row:
        PostgreSQL skips rows another transaction has locked (``FOR UPDATE SKIP LOCKED``);
        SQLite, which has one writer at a time, claims each row with an UPDATE that checks
        again that it is due, and takes only the rows that UPDATE changed."""
        at = self.clock()
        claim = {
            "status": OutboxStatus.BEZIG,
            "claimed_by": worker,
            "claimed_until": at + lease,
            "attempts": col(OutboxRow.attempts) + 1,
            "updated_at": at,
        }
        due = select(OutboxRow.id).where(self._due(at))
        due = due.order_by(col(OutboxRow.next_attempt_at), col(OutboxRow.id)).limit(limit)
        with Session(self.engine) as db:
            claimed: list[int] = []
            if self.engine.dialect.name == "postgresql":
                claimed = [i for i in db.exec(due.with_for_update(skip_locked=True)).all() if i]
                if claimed:
                    db.connection().execute(
                        update(OutboxRow).where(col(OutboxRow.id).in_(claimed)).values(**claim)
                    )
            else:
                for row_id in db.exec(due).all():
                    result = db.connection().execute(
                        update(OutboxRow)
                        .where(col(OutboxRow.id) == row_id, self._due(at))
                        .values(**claim)
                    )
                    if result.rowcount == 1 and row_id is not None:
                        claimed.append(row_id)
            db.commit()
            if not claimed:
                return []
            query = select(OutboxRow).where(col(OutboxRow.id).in_(claimed))
            return list(db.exec(query.order_by(col(OutboxRow.id))).all())

    def renew_claim(self, row_id: int, worker: str, lease: timedelta) -> bool:
        """Extend a claim while its delivery runs; False when the claim is no longer ours."""
        at = self.clock()
        with Session(self.engine) as db:
            result = db.connection().execute(
                update(OutboxRow)
                .where(*self._ours(row_id, worker))
                .values(claimed_until=at + lease)
            )
            db.commit()
            return result.rowcount == 1

    @staticmethod
    def _ours(row_id: int, worker: str) -> tuple[ColumnElement[bool], ...]:
        return (
            col(OutboxRow.id) == row_id,
            col(OutboxRow.claimed_by) == worker,
            col(OutboxRow.status) == OutboxStatus.BEZIG,
        )

    def settle_delivery(
        self,
        row_id: int,
        worker: str,
        status: OutboxStatus,
        *,
        detail: str,
        kenmerk: str | None = None,
        next_attempt_at: datetime | None = None,
        uncount: bool = False,
    ) -> bool:
        """Record the outcome of a claimed row and release it. Only the claim's holder may:
        False when the lease ran out and another runner took the row over (its outcome counts;
        the targets are idempotent, so both found the same), or an operator handled it.
        ``uncount``: no delivery was tried (the configuration lacks the target)."""
        at = self.clock()
        values: dict[str, Any] = {
            "status": status,
            "claimed_by": None,
            "claimed_until": None,
            "detail": detail[:2000],
            "updated_at": at,
        }
        if kenmerk is not None:
            values["kenmerk"] = kenmerk[:1000]
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if status in AFGEROND:
            values["done_at"] = at
        if uncount:
            values["attempts"] = col(OutboxRow.attempts) - 1
        with Session(self.engine) as db:
            result = db.connection().execute(
                update(OutboxRow).where(*self._ours(row_id, worker)).values(**values)
            )
            db.commit()
            return result.rowcount == 1

    def deliveries(
        self, *, reference: str | None = None, open_only: bool = False
    ) -> list[OutboxRow]:
        """Outbox rows in order of submission and target; ``open_only``: not yet afgeleverd
        or afgehandeld."""
        query = select(OutboxRow)
        if reference is not None:
            query = query.where(OutboxRow.reference == reference)
        if open_only:
            query = query.where(col(OutboxRow.status).not_in(AFGEROND))
        query = query.order_by(col(OutboxRow.id))
        with Session(self.engine) as db:
            return list(db.exec(query).all())

    def retry_delivery(self, reference: str, target_index: int | None = None) -> int:
        """Make the report's undelivered rows due now with a fresh round of attempts (a
        ``mislukt`` one too); a row that a live runner holds is left to it. The number made
        due."""
        at = self.clock()
        where: list[ColumnElement[bool]] = [
            col(OutboxRow.reference) == reference,
            or_(
                col(OutboxRow.status).in_([OutboxStatus.WACHTEND, OutboxStatus.MISLUKT]),
                and_(
                    col(OutboxRow.status) == OutboxStatus.BEZIG,
                    or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < at),
                ),
            ),
        ]
        if target_index is not None:
            where.append(col(OutboxRow.target_index) == target_index)
        return self._update_outbox(
            where,
            status=OutboxStatus.WACHTEND,
            attempts=0,
            round_started_at=at,
            next_attempt_at=at,
            claimed_by=None,
            claimed_until=None,
            updated_at=at,
        )

    def accept_delivery_options(self, row_id: int, options_hash: str) -> int:
        """The operator accepts the target's current options for this row (its configuration
        changed since the report); 1 when the row was changed."""
        where = [col(OutboxRow.id) == row_id]
        return self._update_outbox(where, options_hash=options_hash, updated_at=self.clock())

    def _update_outbox(self, where: list[ColumnElement[bool]], **values: Any) -> int:
        """One operator's change to outbox rows, in a transaction of its own; rows changed."""
        with Session(self.engine) as db:
            result = db.connection().execute(update(OutboxRow).where(*where).values(**values))
            db.commit()
            return int(result.rowcount)

    def mark_delivery_handled(self, reference: str, target_index: int | None = None) -> int:
        """An operator delivered the report by hand: its rows that are not afgeleverd become
        ``afgehandeld`` (a runner that holds one finds its claim gone). The number marked."""
        at = self.clock()
        where: list[ColumnElement[bool]] = [
            col(OutboxRow.reference) == reference,
            col(OutboxRow.status).not_in(AFGEROND),
        ]
        if target_index is not None:
            where.append(col(OutboxRow.target_index) == target_index)
        return self._update_outbox(
            where,
            status=OutboxStatus.AFGEHANDELD,
            claimed_by=None,
            claimed_until=None,
            done_at=at,
            updated_at=at,
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
          requests, outbox rows, consent request, their draft, its files and its sessions.
          Delivered means every outbox row is ``afgeleverd`` or ``afgehandeld``, counted from
          the last of them, and no consent request still open; a submission without rows (its
          gemeente delivers nowhere: the report stays in this database) counts as delivered
          when it was submitted. A submitted draft is deleted only with its submission, whose
          foreign key needs it.
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
                cutoff = at - bewaren.na_aflevering
                of_it = col(OutboxRow.submission_id) == col(Submission.id)
                undelivered = select(OutboxRow.id).where(
                    of_it,
                    or_(
                        col(OutboxRow.status).not_in(AFGEROND),
                        col(OutboxRow.done_at).is_(None),
                        col(OutboxRow.done_at) >= cutoff,
                    ),
                )
                # An open consent request still leads to a delivery: keep the report for it.
                asking = select(ToestemmingRow.id).where(
                    col(ToestemmingRow.submission_id) == col(Submission.id),
                    ToestemmingRow.status == "gevraagd",
                )
                for submission_id, draft_id in db.exec(
                    select(Submission.id, Submission.draft_id).where(
                        Submission.gemeente == gemeente,
                        col(Submission.created_at) < cutoff,
                        ~undelivered.exists(),
                        ~asking.exists(),
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
                db.execute(delete(OutboxRow).where(col(OutboxRow.submission_id).in_(numbers)))
                db.execute(
                    delete(ToestemmingRow).where(col(ToestemmingRow.submission_id).in_(numbers))
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


def _outbox_row(
    submission: Submission, index: int, options: Options, taak: str, at: datetime
) -> OutboxRow:
    """A new outbox row of ``submission`` for the target at ``index``, due at once."""
    assert submission.id is not None
    return OutboxRow(
        submission_id=submission.id,
        reference=submission.reference,
        gemeente=submission.gemeente,
        target_index=index,
        soort=options.soort,
        taak=taak,
        options_hash=options_hash(options),
        round_started_at=at,
        next_attempt_at=at,
        created_at=at,
        updated_at=at,
    )


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _chunks(ids: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    """Lists of ids short enough for an IN (...) on every database."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _count(db: Session, model: type[Any], where: Any) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(where)).one())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
