"""The throwaway PostgreSQL server from tests/_pg.py starts and answers queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests._pg import postgres_available, postgres_unavailable_reason, start_postgres


@pytest.mark.postgres
@pytest.mark.skipif(not postgres_available(), reason=postgres_unavailable_reason() or "")
def test_server_starts_and_answers_select_1(tmp_path: Path) -> None:
    with start_postgres(tmp_path) as pg:
        assert pg.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        assert pg.url.endswith("/verhuizen")
        engine = create_engine(pg.url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
                assert conn.execute(text("SELECT current_database()")).scalar_one() == "verhuizen"
        finally:
            engine.dispose()
