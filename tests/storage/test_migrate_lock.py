"""Migrations run once: under a database lock, and by ``verhuizen serve`` before the workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.conftest import CONFIG_DIR
from tests.storage.conftest import KEY
from webapp import cli
from webapp.storage.db import current_revision, head_revision, make_engine, migration_lock
from webapp.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]

# The start-up of one worker process (webapp.web.asgi without uvicorn), at a given moment.
WORKER = """
import sys, time
from webapp.settings import Settings
from webapp.web.services import build_services
settings = Settings.from_env()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
services = build_services(settings)
services.store.open_draft("rotterdam", "999990007", "v1")
print("up", flush=True)
"""

MIGRATE = """
import sys
from webapp.storage.db import make_engine, migrate
print("waiting", flush=True)
migrate(make_engine(sys.argv[1]), keys=[sys.argv[2]])
print("migrated", flush=True)
"""


def env_for(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "VERHUIZEN_MODE": "development",
        "DATABASE_URL": url,
        "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
        "VERHUIZEN_CONFIG_DIR": str(CONFIG_DIR),
        "VERHUIZEN_SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        "VERHUIZEN_ENCRYPTION_KEYS": KEY,
    }


def test_workers_starting_together_on_a_fresh_database_all_come_up(empty, tmp_path):
    url = empty.url.render_as_string(hide_password=False)
    assert inspect(empty).get_table_names() == []
    start = time.time() + 4  # after every process has imported the app
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start)],
            cwd=ROOT,
            env=env_for(url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert out.strip() == "up"
    assert current_revision(empty) == head_revision()


def test_a_second_migration_waits_for_the_lock(empty, tmp_path):
    """While one process holds the lock, another start-up waits, then finds the work done."""
    url = empty.url.render_as_string(hide_password=False)
    with migration_lock(empty):
        other = subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url, KEY],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "waiting"
        time.sleep(1.5)
        assert other.poll() is None, other.communicate()
        assert "alembic_version" not in inspect(empty).get_table_names()
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert out.strip() == "migrated"
    assert current_revision(empty) == head_revision()


def test_serve_migrates_once_before_the_workers_start(monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db' / 'v.db'}"
    for name, value in env_for(url, tmp_path).items():
        monkeypatch.setenv(name, value)
    seen: dict[str, object] = {}

    def run(app: str, **options: object) -> None:
        engine = make_engine(url)
        seen["revision"] = current_revision(engine)
        seen["workers"] = options["workers"]
        engine.dispose()

    monkeypatch.setattr("uvicorn.run", run)
    assert cli.main(["serve", "--workers", "2"]) == 0
    assert seen == {"revision": head_revision(), "workers": 2}
    # The database works with the keys of the settings.
    engine = make_engine(url, keys=[KEY])
    assert Store(engine, "x").open_draft("rotterdam", "999990007", "v1").answers == {}
    engine.dispose()


def test_serve_stops_when_the_database_cannot_be_migrated(monkeypatch, tmp_path, capsys):
    (tmp_path / "db" / "v.db").mkdir(parents=True)  # a folder is no database
    for name, value in env_for(f"sqlite:///{tmp_path / 'db' / 'v.db'}", tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("uvicorn started"))
    assert cli.main(["serve"]) == 1
    assert "database niet bijgewerkt" in capsys.readouterr().err


def test_migrate_command_brings_the_database_to_head(monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'db' / 'v.db'}"
    for name, value in env_for(url, tmp_path).items():
        monkeypatch.setenv(name, value)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["migrate"]) == 0  # again: nothing to do
    assert "database bijgewerkt" in capsys.readouterr().out
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
