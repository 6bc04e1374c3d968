"""Retention in the store: what ``Store.opschonen`` deletes when, with a clock the test turns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from webapp.storage.store import Bewaartermijn, Opgeschoond, Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
TERMIJNEN = {
    "rotterdam": Bewaartermijn(concept=timedelta(days=30), na_aflevering=timedelta(days=30)),
    "utrecht": Bewaartermijn(concept=timedelta(days=10), na_aflevering=timedelta(days=60)),
}
PDF = b"%PDF-1.7 test"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def days_later(self, days: float) -> None:
        self.at = T0 + timedelta(days=days)


def termijn(gemeente: str) -> Bewaartermijn:
    return TERMIJNEN[gemeente]


def submit(store: Store, draft_id: str, bsn: str) -> int:
    submission = store.submit(
        draft_id,
        prefix="VH",
        aangever_bsn=bsn,
        answers={"stappen": {}},
        signalen=[],
        linked=[("huisvestingsvergunning", {"stap": "vergunning"})],
        is_test=True,
    )
    assert submission.id is not None
    return submission.id


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("web_session", "draft", "upload", "submission", "linked_request")
        }


def test_retention_per_gemeente_with_a_clock(engine):
    clock = Clock(T0)
    store = Store(engine, "secret", clock)
    unsent_rdam = store.open_draft("rotterdam", "999990007", "v1")
    store.save_answer(unsent_rdam.id, "verhuisdatum", {"datum": "2026-11-20"})
    store.save_upload(unsent_rdam.id, "huurcontract", "a.pdf", "application/pdf", PDF)
    store.create_session("rotterdam", "999990007", unsent_rdam.id)
    sent_rdam = store.open_draft("rotterdam", "999990019", "v1")
    store.save_upload(sent_rdam.id, "huurcontract", "b.pdf", "application/pdf", PDF)
    submit(store, sent_rdam.id, "999990019")
    unsent_utr = store.open_draft("utrecht", "999990007", "v1")
    store.save_upload(unsent_utr.id, "huurcontract", "c.pdf", "application/pdf", PDF)
    sent_utr = store.open_draft("utrecht", "999990019", "v1")
    submit(store, sent_utr.id, "999990019")
    before = counts(engine)
    assert before == {
        "web_session": 1,
        "draft": 4,
        "upload": 3,
        "submission": 2,
        "linked_request": 2,
    }

    # Day 20: the session has long expired; Utrecht keeps unsent drafts 10 days.
    clock.days_later(20)
    expected = Opgeschoond(sessies=1, concepten=1, bestanden=1)
    assert store.opschonen(termijn, IDLE, droog=True) == expected
    assert counts(engine) == before  # a dry run deletes nothing
    assert store.opschonen(termijn, IDLE) == expected
    assert store.opschonen(termijn, IDLE) == Opgeschoond()  # idempotent
    assert store.draft(unsent_utr.id) is None and store.uploads(unsent_utr.id) == {}
    # A submitted draft is older than Utrecht's 10 days too, but its submission needs it.
    assert store.draft(sent_utr.id) is not None
    assert store.submission_for_draft(sent_utr.id) is not None

    # Day 31: Rotterdam's unsent draft and its submission (30 days after delivery) go.
    clock.days_later(31)
    assert store.opschonen(termijn, IDLE) == Opgeschoond(
        concepten=1, meldingen=1, bestanden=2, gekoppelde_aanvragen=1
    )
    assert store.draft(unsent_rdam.id) is None and store.draft(sent_rdam.id) is None
    assert store.submission_for_draft(sent_rdam.id) is None
    assert [s.gemeente for s in store.submissions()] == ["utrecht"]

    # Day 61: Utrecht's submission, with its draft and linked request.
    clock.days_later(61)
    assert store.opschonen(termijn, IDLE) == Opgeschoond(
        concepten=0, meldingen=1, gekoppelde_aanvragen=1
    )
    assert counts(engine) == dict.fromkeys(before, 0)


def test_activity_and_a_live_session_keep_a_draft(engine):
    clock = Clock(T0)
    store = Store(engine, "secret", clock)
    worked_on = store.open_draft("rotterdam", "999990007", "v1")
    in_use = store.open_draft("rotterdam", "999990019", "v1")
    clock.days_later(25)
    store.save_answer(worked_on.id, "verhuisdatum", {"datum": "2026-12-01"})  # a change
    clock.days_later(40)
    token, _session = store.create_session("rotterdam", "999990019", in_use.id)  # logged in now
    assert store.opschonen(termijn, IDLE) == Opgeschoond()
    assert store.draft(worked_on.id) is not None and store.draft(in_use.id) is not None

    clock.days_later(56)  # 31 days after the change; the session ended long ago
    assert store.opschonen(termijn, IDLE) == Opgeschoond(sessies=1, concepten=2)
    assert store.session(token, IDLE) is None


def test_sessions_of_a_deleted_submission_go_with_it(engine):
    clock = Clock(T0)
    store = Store(engine, "secret", clock)
    draft = store.open_draft("rotterdam", "999990007", "v1")
    submit(store, draft.id, "999990007")
    clock.days_later(31)
    token, _ = store.create_session("rotterdam", "999990007", draft.id)  # on the confirmation
    assert store.opschonen(termijn, IDLE) == Opgeschoond(
        sessies=1, meldingen=1, gekoppelde_aanvragen=1
    )
    assert store.session(token, IDLE) is None
