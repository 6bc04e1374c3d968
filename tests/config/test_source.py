"""Configuration edits while the server runs: picked up, and an invalid edit keeps the last valid."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR
from webapp.config.loader import ConfigError
from webapp.config.source import ConfigSource


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "gemeenten"
    shutil.copytree(CONFIG_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    stat = path.stat()  # make the change visible even on coarse file-system clocks
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_an_edit_is_picked_up_on_the_next_call(config_dir):
    source = ConfigSource(config_dir, reload=True)
    assert source.current()["voorbeeld"].naam == "Voorbeeldstad"
    edit(config_dir / "voorbeeld.yaml", "naam: Voorbeeldstad", "naam: Proefstad")
    assert source.current()["voorbeeld"].naam == "Proefstad"
    assert source.error is None


def test_an_invalid_edit_keeps_the_last_valid_version_and_says_why(config_dir):
    source = ConfigSource(config_dir, reload=True)
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    assert source.current()["voorbeeld"].step("verhuisdatum").type == "verhuisdatum"
    assert source.error is not None
    [problem] = source.error.problems
    assert (
        problem.file.endswith("voorbeeld.yaml")
        and problem.line
        and "verhuisdatumm" in problem.message
    )
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatumm", "type: verhuisdatum")
    source.current()
    assert source.error is None


def test_a_new_file_adds_a_gemeente(config_dir):
    source = ConfigSource(config_dir, reload=True)
    shutil.copy(config_dir / "voorbeeld.yaml", config_dir / "proefstad.yaml")
    assert "proefstad" in source.current()


def test_production_does_not_reload(config_dir):
    source = ConfigSource(config_dir, reload=False)
    edit(config_dir / "voorbeeld.yaml", "naam: Voorbeeldstad", "naam: Proefstad")
    assert source.current()["voorbeeld"].naam == "Voorbeeldstad"


def test_an_invalid_start_fails(config_dir):
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    with pytest.raises(ConfigError):
        ConfigSource(config_dir, reload=True)


def test_the_running_app_shows_the_problem_and_keeps_serving(config_dir, tmp_path):
    from starlette.testclient import TestClient

    from tests.conftest import make_settings
    from webapp.web.app import create_app

    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config_dir))
    with TestClient(create_app(settings)) as client:
        assert "bevat fouten" not in client.get("/voorbeeld/").text
        edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
        page = client.get("/rotterdam/").text
        assert "De configuratie is gewijzigd maar bevat fouten" in page
        assert "voorbeeld.yaml:" in page and "verhuisdatumm" in page
        assert client.get("/voorbeeld/").status_code == 200  # the last valid version still runs
