"""Personal data at rest: encrypt BSNs, answers, signals, linked requests and uploads.

The columns become text (binary for the file bytes) that hold Fernet tokens, and every existing
row is encrypted in place with the first key bound to the engine
(``migrate(engine, keys=...)``; :mod:`webapp.storage.crypto`). A database without rows needs no
keys. The downgrade decrypts again (it needs the keys too) and restores the old types.

Works on SQLite (batch mode: the table is copied; ``migrate`` switches foreign keys off for it)
and on PostgreSQL (``ALTER COLUMN ... TYPE ... USING``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from webapp.storage.crypto import Cipher, cipher_for

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, primary key, [(column, old type, kind)]); kind: text, json or bytes.
COLUMNS: list[tuple[str, str, list[tuple[str, sa.types.TypeEngine[Any], str]]]] = [
    ("web_session", "id", [("bsn", sa.String(9), "text")]),
    ("draft", "id", [("answers", sa.JSON(), "json")]),
    (
        "upload",
        "id",
        [("bestandsnaam", sa.String(255), "text"), ("data", sa.LargeBinary(), "bytes")],
    ),
    (
        "submission",
        "id",
        [
            ("aangever_bsn", sa.String(9), "text"),
            ("answers", sa.JSON(), "json"),
            ("signalen", sa.JSON(), "json"),
        ],
    ),
    ("linked_request", "id", [("details", sa.JSON(), "json")]),
]

CHUNK = 200


def _stored_type(kind: str) -> sa.types.TypeEngine[Any]:
    return sa.LargeBinary() if kind == "bytes" else sa.Text()


def _chunks(
    connection: sa.Connection, table: sa.TableClause, key: str, size: int
) -> Iterator[list[Any]]:
    ids = [row[0] for row in connection.execute(sa.select(table.c[key]).order_by(table.c[key]))]
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rewrite(convert: Callable[[Cipher, str, Any], Any]) -> None:
    """Read every personal value as stored and write ``convert(cipher, kind, value)`` back."""
    connection = op.get_bind()
    cipher: Cipher | None = None
    for name, key, columns in COLUMNS:
        table = sa.table(
            name,
            sa.column(key),
            *(sa.column(column, _stored_type(kind)) for column, _old, kind in columns),
        )
        size = 1 if name == "upload" else CHUNK  # uploads one by one: each may be megabytes
        for chunk in _chunks(connection, table, key, size):
            rows = connection.execute(sa.select(table).where(table.c[key].in_(chunk))).mappings()
            for row in list(rows):
                cipher = cipher or cipher_for(connection.dialect)
                values = {
                    column: convert(cipher, kind, row[column])
                    for column, _old, kind in columns
                    if row[column] is not None
                }
                connection.execute(
                    sa.update(table).where(table.c[key] == row[key]).values(**values)
                )


def _seal(cipher: Cipher, kind: str, value: Any) -> Any:
    if kind == "bytes":
        return cipher.seal_bytes(bytes(value))
    return cipher.seal_text(str(value))  # json: the stored JSON text as it is


def _open(cipher: Cipher, kind: str, value: Any) -> Any:
    if kind == "bytes":
        return cipher.open_bytes(bytes(value))
    return cipher.open_text(str(value))


def _alter(to_stored: bool) -> None:
    for name, _key, columns in COLUMNS:
        with op.batch_alter_table(name) as batch:
            for column, old, kind in columns:
                if kind == "bytes":
                    continue  # stays binary
                new, existing = (sa.Text(), old) if to_stored else (old, sa.Text())
                using = "text" if to_stored else ("json" if kind == "json" else None)
                batch.alter_column(
                    column,
                    type_=new,
                    existing_type=existing,
                    existing_nullable=False,
                    postgresql_using=f"{column}::{using}" if using else None,
                )


def _keys_if_needed() -> None:
    """Refuse before any change when there are rows to convert and no keys to do it with."""
    connection = op.get_bind()
    for name, _key, _columns in COLUMNS:
        if connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar():
            cipher_for(connection.dialect)  # raises EncryptionKeyError, naming the variable
            return


def upgrade() -> None:
    _keys_if_needed()
    _alter(to_stored=True)
    _rewrite(_seal)


def downgrade() -> None:
    _keys_if_needed()
    _rewrite(_open)
    _alter(to_stored=False)
