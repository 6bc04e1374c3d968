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


def test_an_edit_is_picked_up_on_the_next_check(config_dir):
    source = ConfigSource(config_dir, reload=True)
    assert source.current()["voorbeeld"].naam == "Voorbeeldstad"
    edit(config_dir / "voorbeeld.yaml", "naam: Voorbeeldstad", "naam: Proefstad")
    assert source.refresh()
    assert source.current()["voorbeeld"].naam == "Proefstad"
    assert source.error is None
    assert not source.refresh()  # nothing changed since


def test_a_request_starts_a_check_in_the_background_and_does_not_wait(config_dir):
    clock = [0.0]
    source = ConfigSource(config_dir, reload=True, clock=lambda: clock[0])
    edit(config_dir / "voorbeeld.yaml", "naam: Voorbeeldstad", "naam: Proefstad")
    scans = source.scans
    for _ in range(100):  # within the second: not even a look at the folder
        assert source.current()["voorbeeld"].naam == "Voorbeeldstad"
    assert source.scans == scans
    clock[0] = 1.0
    source.current()
    source.wait(10)
    assert source.scans == scans + 1
    assert source.current()["voorbeeld"].naam == "Proefstad"


def test_an_invalid_edit_keeps_the_last_valid_version_and_says_why(config_dir):
    source = ConfigSource(config_dir, reload=True)
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    source.refresh()
    assert source.current()["voorbeeld"].step("verhuisdatum").type == "verhuisdatum"
    assert source.error is not None
    [problem] = source.error.problems
    assert (
        problem.file.endswith("voorbeeld.yaml")
        and problem.line
        and "verhuisdatumm" in problem.message
    )
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatumm", "type: verhuisdatum")
    source.refresh()
    assert source.error is None


def test_an_invalid_file_keeps_its_last_version_while_the_others_change(config_dir):
    source = ConfigSource(config_dir, reload=True)
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    edit(config_dir / "utrecht.yaml", "naam: Utrecht", "naam: Utrecht (proef)")
    source.refresh()
    assert source.current()["utrecht"].naam == "Utrecht (proef)"
    assert source.current()["voorbeeld"].step("verhuisdatum").type == "verhuisdatum"
    assert source.error is not None
    assert {p.file.rsplit("/", 1)[-1] for p in source.error.problems} == {"voorbeeld.yaml"}


def test_a_removed_file_removes_its_gemeente(config_dir):
    source = ConfigSource(config_dir, reload=True)
    (config_dir / "utrecht.yaml").unlink()
    source.refresh()
    assert "utrecht" not in source.current() and "voorbeeld" in source.current()
    assert source.error is None


def test_a_new_file_adds_a_gemeente(config_dir):
    source = ConfigSource(config_dir, reload=True)
    shutil.copy(config_dir / "voorbeeld.yaml", config_dir / "proefstad.yaml")
    source.refresh()
    assert "proefstad" in source.current()


def test_production_does_not_reload(config_dir):
    source = ConfigSource(config_dir, reload=False, interval=0)
    scans = source.scans
    edit(config_dir / "voorbeeld.yaml", "naam: Voorbeeldstad", "naam: Proefstad")
    assert source.current()["voorbeeld"].naam == "Voorbeeldstad"
    source.wait(10)
    assert source.scans == scans


def test_an_invalid_start_fails(config_dir):
    edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
    with pytest.raises(ConfigError):
        ConfigSource(config_dir, reload=True)


def test_the_running_app_shows_the_problem_and_keeps_serving(config_dir, tmp_path):
    from starlette.testclient import TestClient

    from tests.conftest import make_settings
    from webapp.web.app import create_app

    settings = make_settings(tmp_path, VERHUIZEN_CONFIG_DIR=str(config_dir))
    app = create_app(settings)
    source = app.state.services.config
    source.interval = 0  # every request may start a check
    with TestClient(app) as client:
        assert "bevat fouten" not in client.get("/voorbeeld/").text
        source.wait(10)
        edit(config_dir / "voorbeeld.yaml", "type: verhuisdatum", "type: verhuisdatumm")
        client.get("/rotterdam/")  # starts the check that finds the edit
        source.wait(10)
        page = client.get("/rotterdam/").text
        assert "De configuratie is gewijzigd maar bevat fouten" in page
        assert "voorbeeld.yaml:" in page and "verhuisdatumm" in page
        assert client.get("/voorbeeld/").status_code == 200  # the last valid version still runs
