"""Fixtures of the storage tests: one PostgreSQL server for all of them, a migrated engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests._pg import postgres_available, postgres_unavailable_reason, start_postgres
from webapp.storage.db import make_engine, migrate

KEY = "2lSJdIcITa9hA2YxHxk1i6ZPQ1uUTvAfNAjLxEq1wEA="  # a Fernet key, for these tests only
needs_postgres = pytest.mark.skipif(
    not postgres_available(), reason=postgres_unavailable_reason() or ""
)
BOTH = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])]


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory) -> Iterator[str]:
    if not postgres_available():
        pytest.skip(postgres_unavailable_reason() or "no PostgreSQL")
    with start_postgres(tmp_path_factory.mktemp("pg")) as pg:
        yield pg.url


def reset(engine: Engine) -> None:
    """An empty database, whatever an earlier test left (with whatever keys)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def database_url(request: pytest.FixtureRequest, tmp_path: Path, name: str = "v.db") -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / name}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BOTH)
def engine(request, tmp_path: Path) -> Iterator[Engine]:
    """A database at head, on SQLite and on PostgreSQL, with the test key bound."""
    engine = make_engine(database_url(request, tmp_path), keys=[KEY])
    reset(engine)  # start from nothing even when the server is shared
    migrate(engine)
    yield engine
    reset(engine)  # tests may leave rows under other keys: no downgrade (tested on its own)
    engine.dispose()


@pytest.fixture(params=BOTH)
def empty(request, tmp_path: Path) -> Iterator[Engine]:
    """An empty database without keys, on SQLite and on PostgreSQL."""
    engine = make_engine(database_url(request, tmp_path))
    reset(engine)
    yield engine
    reset(engine)
    engine.dispose()
