"""Engine creation (SQLite in WAL mode by default, PostgreSQL by URL), migrations and keys.

Migrations never race: :func:`migrate` runs them while holding the database's migration lock
(:func:`migration_lock`: a PostgreSQL advisory lock, or an exclusive file lock next to the
SQLite file). ``verhuizen serve`` migrates once before it starts the workers; each worker's
start-up then takes the lock in turn, finds the schema at head and does nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, table, text, update
from sqlalchemy import column as sql_column
from sqlmodel import SQLModel

from webapp.storage.crypto import (
    ENCRYPTED_TYPES,
    EncryptedBytes,
    cipher_for,
    use_keys,
)

MIGRATIONS = Path(__file__).parent / "migrations"
LOCK_WAIT_SECONDS = 600
"""How long a start-up waits for another process's migration before it gives up."""
# The advisory lock's number: any fixed 64-bit value that no other application on the server uses.
_PG_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"verhuizen:migraties").digest()[:8], "big", signed=True
)


class MigrationLockTimeout(RuntimeError):
    pass


def make_engine(
    url: str,
    *,
    keys: Sequence[str] | None = None,
    timeout: float = 30.0,
    pool_size: int = 8,
) -> Engine:
    """An engine for ``url``; ``keys`` bind the encryption keys to it (:func:`use_keys`).

    SQL parameters never appear in errors (``hide_parameters``): before encryption they are
    personal data in clear. ``timeout`` bounds connecting, waiting for a lock, a statement and
    waiting for a pooled connection, so a locked or frozen database gives a clear 503 instead
    of a hung worker. The pool holds ``pool_size`` connections (the web layer's thread count)
    and never more than twice that.
    """
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": timeout},
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=timeout,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL is safe against a crash of the application (a power cut may
            # lose the last commits, never corrupt the file) and spares an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.close()

    else:
        milliseconds = int(timeout * 1000)
        # No pre-ping: it costs a round trip per checkout. A connection that died (a database
        # restart) fails the request it serves with the 503 page, and SQLAlchemy then
        # invalidates the whole pool, so the next requests get new connections.
        engine = create_engine(
            url,
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=timeout,
            connect_args={
                "connect_timeout": max(1, int(timeout)),
                "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}",
            },
        )
    if keys:
        use_keys(engine, keys)
    return engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration (a worker or a cron job may go on)."""
    return current_revision(engine) == head_revision()


def _sqlite_lock_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None  # an in-memory database lives in one process: nothing to race with
    return Path(database).with_name(Path(database).name + ".migratie-lock")


@contextmanager
def _file_lock(path: Path, wait: float) -> Iterator[None]:
    with path.open("a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MigrationLockTimeout(
                        f"een ander proces migreert de database al meer dan {wait:.0f} s "
                        f"({path} is vergrendeld)"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def migration_lock(engine: Engine, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock; committed on a clean exit.

    PostgreSQL: a transaction-level advisory lock (released by the commit or rollback).
    SQLite: an exclusive ``flock`` on ``<database>.migratie-lock``; for the copy of tables in
    batch migrations the connection has foreign keys off, checked again before the commit.
    """
    lock_file = _sqlite_lock_file(engine)
    with _file_lock(lock_file, wait) if lock_file else _nothing(), engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Python's sqlite3 begins transactions only before INSERT/UPDATE/DELETE, so DDL
            # would commit on its own: hand transaction control to us, and BEGIN below, so a
            # migration that fails halfway leaves nothing behind (as on PostgreSQL).
            driver = connection.connection.driver_connection
            isolation = driver.isolation_level  # type: ignore[union-attr]
            driver.isolation_level = None  # type: ignore[union-attr]
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only outside a transaction
            connection.commit()  # ends SQLAlchemy's autobegin; nothing to commit yet
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SET LOCAL statement_timeout = 0"))
                    connection.execute(text(f"SET LOCAL lock_timeout = '{int(wait)}s'"))
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                    )
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migratie laat {len(broken)} verweesde rij(en) achter")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
                driver.isolation_level = isolation  # type: ignore[union-attr]


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def migrate(engine: Engine, revision: str = "head", *, keys: Sequence[str] | None = None) -> None:
    """Bring the schema to ``revision`` (up or down) with Alembic, under the migration lock.

    ``keys`` (the settings' encryption keys) are bound to the engine first: migrations that
    encrypt existing rows need them, and the store uses them afterwards.
    """
    if keys:
        use_keys(engine, keys)
    config = _config()
    script = ScriptDirectory.from_config(config)
    with migration_lock(engine) as connection:
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        if _is_downgrade(script, current, revision):
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def _is_downgrade(script: ScriptDirectory, current: str | None, target: str) -> bool:
    if current is None or target == "head":
        return False
    if target == "base":
        return True
    wanted = script.get_revision(target)
    if wanted is None or wanted.revision == current:
        return False
    return any(r.revision == wanted.revision for r in script.walk_revisions("base", current))


def reencrypt(engine: Engine, batch: int = 200) -> dict[str, int]:
    """Encrypt every stored personal value again with the first key (after adding a new one).

    Returns the number of rows per table. Run it after putting the new key first in
    ``VERHUIZEN_ENCRYPTION_KEYS`` and restarting the service (so it writes with the new key);
    afterwards the old key can go. Safe while the service runs, to repeat or to interrupt: a
    value is always readable with the new or the old key.
    """
    cipher = cipher_for(engine.dialect)
    counts: dict[str, int] = {}
    for model_table in SQLModel.metadata.sorted_tables:
        encrypted = [c for c in model_table.columns if isinstance(c.type, ENCRYPTED_TYPES)]
        if not encrypted:
            continue
        [key] = model_table.primary_key.columns
        raw = table(
            model_table.name,
            sql_column(key.name),
            *(sql_column(c.name, c.type.impl_instance) for c in encrypted),  # type: ignore[attr-defined]
        )
        with engine.connect() as connection:
            ids = [
                r[0] for r in connection.execute(select(raw.c[key.name]).order_by(raw.c[key.name]))
            ]
        step = 1 if any(isinstance(c.type, EncryptedBytes) for c in encrypted) else batch
        for start in range(0, len(ids), step):
            with engine.begin() as connection:
                rows = connection.execute(
                    select(raw).where(raw.c[key.name].in_(ids[start : start + step]))
                ).mappings()
                for row in list(rows):
                    values = {
                        c.name: (
                            cipher.rotate_bytes(row[c.name])
                            if isinstance(c.type, EncryptedBytes)
                            else cipher.rotate_text(row[c.name])
                        )
                        for c in encrypted
                        if row[c.name] is not None
                    }
                    # Only if unchanged since the read: a value the service wrote meanwhile
                    # already has the new key, and must not be overwritten by the old one.
                    unchanged = [raw.c[name] == row[name] for name in values]
                    connection.execute(
                        update(raw)
                        .where(raw.c[key.name] == row[key.name], *unchanged)
                        .values(**values)
                    )
        counts[model_table.name] = len(ids)
    return counts
