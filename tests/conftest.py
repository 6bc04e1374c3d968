"""Shared fixtures: an app on a fresh SQLite file per test, with a fixed 'today'."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

# The servers under test use the shipped test data (their environment drops VERHUIZEN_*), so
# the drivers in this process must too, whatever the shell says.
os.environ.pop("VERHUIZEN_TESTDATA_DIR", None)
from starlette.testclient import TestClient

from tests.driver import Resident
from webapp.settings import Settings
from webapp.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config" / "gemeenten"
TODAY = date(2026, 11, 27)
GEMEENTEN = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))


def make_settings(tmp_path: Path, **overrides: str) -> Settings:
    env = {
        "VERHUIZEN_MODE": "development",
        "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
        "VERHUIZEN_CONFIG_DIR": str(CONFIG_DIR),
        "VERHUIZEN_SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings):
    return create_app(settings, today=lambda: TODAY)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def resident(client: TestClient):
    def make(slug: str) -> Resident:
        return Resident(client, slug)

    return make
