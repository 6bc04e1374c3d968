"""Personal data at rest: encrypted in every row, readable with old keys, unreadable without keys."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError

from webapp.storage.crypto import DecryptionError, EncryptionKeyError
from webapp.storage.db import current_revision, make_engine, migrate, reencrypt
from webapp.storage.store import Store, ToestemmingVraag

BSN = "999990007"
PARTNER_BSN = "999990019"
ANSWER = "Kerkstraat Tweehonderdtwaalf"  # an answer text that appears nowhere else
FILE = b"%PDF-1.7 huurcontract van Sanne de Vries"
FILE_NAME = "huurcontract-sanne-de-vries.pdf"
SIGNAL = "veel_bewoners_op_adres"
SECRETS = (BSN, PARTNER_BSN, ANSWER, "Tweehonderdtwaalf", FILE_NAME, SIGNAL, "Sanne de Vries")
TABLES = ("web_session", "draft", "upload", "submission", "linked_request", "toestemming")


def new_key() -> str:
    return Fernet.generate_key().decode()


def fill(store: Store) -> str:
    """One resident's everything: a session, answers, a file, a submission, a linked request,
    a consent request to a hoofdbewoner."""
    draft = store.open_draft("rotterdam", BSN, "v1")
    store.create_session("rotterdam", BSN, draft.id)
    store.save_answer(draft.id, "adres", {"straat": ANSWER, "partner": PARTNER_BSN})
    store.save_upload(draft.id, "huurcontract", FILE_NAME, "application/pdf", FILE)
    store.submit(
        draft.id,
        prefix="ROT",
        aangever_bsn=BSN,
        answers={"stappen": {"adres": {"straat": ANSWER}}, "partner": PARTNER_BSN},
        signalen=[SIGNAL],
        linked=[("huisvestingsvergunning", {"partner": PARTNER_BSN})],
        is_test=True,
        toestemming=ToestemmingVraag(
            hoofdbewoner_bsn=PARTNER_BSN,
            termijn=timedelta(days=14),
            details={"adres": ANSWER, "bsns": [BSN]},
        ),
    )
    return draft.id


def raw_cells(engine: Engine, tables: tuple[str, ...] = TABLES) -> list[object]:
    """Every cell of every table, read with plain SQL: what a stolen database shows."""
    cells: list[object] = []
    with engine.connect() as conn:
        for table in tables:
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                cells.extend(row)
    return cells


def assert_nothing_in_clear(cells: list[object]) -> None:
    for cell in cells:
        as_bytes = bytes(cell) if isinstance(cell, bytes | memoryview) else str(cell).encode()
        for secret in SECRETS:
            assert secret.encode() not in as_bytes, f"{secret!r} in clear in {cell!r}"
        assert FILE not in as_bytes and b"%PDF" not in as_bytes


def test_raw_rows_hold_no_bsn_no_answer_no_file(engine):
    store = Store(engine, "secret")
    draft_id = fill(store)
    cells = raw_cells(engine)
    assert len(cells) > 20
    assert_nothing_in_clear(cells)
    # ... while the store hands the values back as they went in.
    assert store.draft(draft_id).answers["adres"] == {"straat": ANSWER, "partner": PARTNER_BSN}
    assert store.upload_data(draft_id, "huurcontract") == FILE
    assert store.uploads(draft_id)["huurcontract"].bestandsnaam == FILE_NAME
    [submission] = store.submissions()
    assert submission.aangever_bsn == BSN and submission.signalen == [SIGNAL]
    assert submission.answers["stappen"]["adres"]["straat"] == ANSWER
    assert store.linked_requests(submission.id or 0)[0].details == {"partner": PARTNER_BSN}


def test_the_same_value_is_stored_differently_each_time(engine):
    store = Store(engine, "secret")
    first = store.open_draft("rotterdam", BSN, "v1")
    second = store.open_draft("utrecht", BSN, "v1")
    store.create_session("rotterdam", BSN, first.id)
    store.create_session("utrecht", BSN, second.id)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT bsn FROM web_session")).scalars().all()
    assert len(set(stored)) == 2  # random IVs: equal BSNs cannot be matched in a dump


def test_a_database_read_with_the_wrong_key_gives_nothing(engine):
    draft_id = fill(Store(engine, "secret"))
    wrong = make_engine(str(engine.url.render_as_string(hide_password=False)), keys=[new_key()])
    try:
        store = Store(wrong, "secret")
        with pytest.raises(DecryptionError) as raised:
            store.draft(draft_id)
        assert ANSWER not in str(raised.value) and BSN not in str(raised.value)
        with pytest.raises(DecryptionError):
            store.submissions()
        with pytest.raises(DecryptionError):
            store.upload_data(draft_id, "huurcontract")
    finally:
        wrong.dispose()


def test_a_dump_cannot_be_read_without_the_key(tmp_path):
    """A SQL dump of the SQLite file, restored elsewhere: ciphertext only, useless without keys."""
    key = new_key()
    engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}", keys=[key])
    migrate(engine)
    draft_id = fill(Store(engine, "secret"))
    engine.dispose()
    source = sqlite3.connect(tmp_path / "v.db")
    dump = "\n".join(source.iterdump())
    source.close()
    for secret in SECRETS:
        assert secret not in dump
    assert b"%PDF".hex().upper() not in dump.upper()  # BLOBs are dumped as X'..' hex
    restored = sqlite3.connect(tmp_path / "gestolen.db")
    restored.executescript(dump)
    restored.close()

    stolen = make_engine(f"sqlite:///{tmp_path / 'gestolen.db'}", keys=[new_key()])
    with pytest.raises(DecryptionError):
        Store(stolen, "secret").draft(draft_id)
    stolen.dispose()
    # The dump itself is complete: with the right key everything is there.
    owner = make_engine(f"sqlite:///{tmp_path / 'gestolen.db'}", keys=[key])
    assert Store(owner, "secret").upload_data(draft_id, "huurcontract") == FILE
    owner.dispose()


def test_old_keys_still_decrypt_and_rotation_moves_to_the_new_key(engine):
    url = engine.url.render_as_string(hide_password=False)
    old = new_key()
    with_old = make_engine(url, keys=[old])
    draft_id = fill(Store(with_old, "secret"))
    with_old.dispose()

    new = new_key()
    rotated = make_engine(url, keys=[new, old])  # the new key first, the old one still decrypts
    store = Store(rotated, "secret")
    assert store.draft(draft_id).answers["adres"]["straat"] == ANSWER
    assert store.upload_data(draft_id, "huurcontract") == FILE
    counts = reencrypt(rotated)
    assert counts == {t: 1 for t in TABLES}
    rotated.dispose()

    only_new = make_engine(url, keys=[new])
    store = Store(only_new, "secret")
    assert store.draft(draft_id).answers["adres"]["straat"] == ANSWER
    assert store.upload_data(draft_id, "huurcontract") == FILE
    assert store.uploads(draft_id)["huurcontract"].bestandsnaam == FILE_NAME
    assert store.submissions()[0].aangever_bsn == BSN
    assert store.linked_requests(store.submissions()[0].id or 0)[0].details
    only_new.dispose()

    only_old = make_engine(url, keys=[old])
    with pytest.raises(DecryptionError):
        Store(only_old, "secret").draft(draft_id)
    only_old.dispose()


def test_keys_are_required_and_checked(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    migrate(engine)
    store = Store(engine, "secret")
    with pytest.raises(StatementError) as raised:
        store.create_session("rotterdam", BSN, "d1")  # nothing goes in in clear
    assert isinstance(raised.value.orig, EncryptionKeyError)
    assert "VERHUIZEN_ENCRYPTION_KEYS" in str(raised.value)
    assert BSN not in str(raised.value)  # the engine hides SQL parameters
    assert raw_cells(engine) == []
    with pytest.raises(EncryptionKeyError, match="sleutel 2") as raised:
        Store(engine, "secret", keys=[new_key(), "niet-geheim-maar-ook-geen-sleutel"])
    assert "niet-geheim" not in str(raised.value)  # a key never appears in a message
    engine.dispose()


def test_the_migration_encrypts_rows_written_in_clear(empty):
    """A database of version 0001 with plaintext rows: 0002 encrypts them in place, and back."""
    migrate(empty, "0001")
    at = datetime(2026, 11, 27, 12, tzinfo=UTC)
    with empty.begin() as conn:
        insert = [
            (
                "INSERT INTO draft VALUES ('d1', 'rotterdam', 'hash', :answers, 'v1', :at, :at, "
                "'ROT-2026-AAAA-BBBB')",
                {"answers": json.dumps({"adres": {"straat": ANSWER}})},
            ),
            (
                "INSERT INTO web_session VALUES ('s1', 'rotterdam', :bsn, 'd1', 'c', :at, :at)",
                {"bsn": BSN},
            ),
            (
                "INSERT INTO upload (draft_id, document, bestandsnaam, content_type, grootte, "
                "data, created_at) VALUES ('d1', 'huurcontract', :name, 'application/pdf', "
                ":size, :data, :at)",
                {"name": FILE_NAME, "size": len(FILE), "data": FILE},
            ),
            (
                "INSERT INTO submission (reference, draft_id, gemeente, config_versie, "
                "aangever_bsn, answers, signalen, is_test, created_at) VALUES "
                "('ROT-2026-AAAA-BBBB', 'd1', 'rotterdam', 'v1', :bsn, :answers, :signalen, "
                "TRUE, :at)",
                {
                    "bsn": BSN,
                    "answers": json.dumps({"partner": PARTNER_BSN}),
                    "signalen": json.dumps([SIGNAL]),
                },
            ),
            (
                "INSERT INTO linked_request (submission_id, soort, details) "
                "SELECT id, 'huisvestingsvergunning', :details FROM submission",
                {"details": json.dumps({"partner": PARTNER_BSN})},
            ),
        ]
        for sql, values in insert:
            conn.execute(text(sql), {"at": at, **values})
    with pytest.raises(EncryptionKeyError):
        migrate(empty)  # existing rows and no keys: nothing is half done
    assert current_revision(empty) == "0001"
    assert BSN in [str(c) for c in raw_cells(empty, TABLES[:-1])]  # no toestemming in 0001

    key = new_key()
    migrate(empty, keys=[key])
    assert_nothing_in_clear(raw_cells(empty))
    store = Store(empty, "secret")
    assert store.draft("d1").answers == {"adres": {"straat": ANSWER}}
    assert store.upload_data("d1", "huurcontract") == FILE
    assert store.uploads("d1")["huurcontract"].bestandsnaam == FILE_NAME
    [submission] = store.submissions()
    assert (submission.aangever_bsn, submission.signalen) == (BSN, [SIGNAL])
    assert submission.answers == {"partner": PARTNER_BSN}
    assert store.linked_requests(submission.id or 0)[0].details == {"partner": PARTNER_BSN}
    # New rows next to the migrated ones, then back to 0001: everything in clear again.
    fill(Store(empty, "secret"))
    migrate(empty, "0001")
    assert current_revision(empty) == "0001"
    with empty.connect() as conn:
        assert set(conn.execute(text("SELECT aangever_bsn FROM submission")).scalars()) == {BSN}
        assert (
            bytes(conn.execute(text("SELECT data FROM upload WHERE id = 1")).scalar_one()) == FILE
        )
    migrate(empty, keys=[key])
    assert Store(empty, "secret").draft("d1").answers == {"adres": {"straat": ANSWER}}


def test_sleutels_roteren_command(monkeypatch, tmp_path, capsys):
    from webapp.cli import main

    url = f"sqlite:///{tmp_path / 'db' / 'v.db'}"
    old, new = new_key(), new_key()
    engine = make_engine(url, keys=[old])
    migrate(engine)
    draft_id = fill(Store(engine, "secret"))
    engine.dispose()
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VERHUIZEN_ENCRYPTION_KEYS", f"{new}, {old}")
    assert main(["sleutels-roteren"]) == 0
    assert "opnieuw versleuteld met de eerste sleutel: " in capsys.readouterr().out
    only_new = make_engine(url, keys=[new])
    assert Store(only_new, "secret").upload_data(draft_id, "huurcontract") == FILE
    only_new.dispose()
    monkeypatch.setenv("VERHUIZEN_ENCRYPTION_KEYS", new_key())  # a key that opens nothing
    assert main(["sleutels-roteren"]) == 1
    assert "met geen van de sleutels te openen" in capsys.readouterr().err
