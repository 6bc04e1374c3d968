"""The settings that choose the registers and the test data, and where the product finds its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from webapp.registers.factory import bestands_brp
from webapp.resources import DEFAULT_CONFIG_DIR, DEFAULT_TESTDATA_DIR
from webapp.settings import Settings, SettingsError

SECRET = "x" * 40


def test_defaults_work_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"VERHUIZEN_SECRET_KEY": SECRET})
    assert settings.config_dir == DEFAULT_CONFIG_DIR
    assert settings.config_dir.is_absolute()
    assert (settings.config_dir / "voorbeeld.yaml").is_file()
    assert settings.testdata_dir == DEFAULT_TESTDATA_DIR
    assert (settings.brp, settings.adressen) == ("test", "test")
    assert bestands_brp(settings).raadpleeg("999990007") is not None


def test_the_environment_chooses_folders_and_kinds(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        VERHUIZEN_TESTDATA_DIR=str(tmp_path / "td"),
        VERHUIZEN_BRP="haal-centraal",
        VERHUIZEN_ADRESSEN="pdok",
    )
    assert settings.testdata_dir == tmp_path / "td"
    assert (settings.brp, settings.adressen) == ("haal-centraal", "pdok")
    # Empty means unset, as for the other variables with a default.
    empty = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR="", VERHUIZEN_BRP="")
    assert (empty.testdata_dir, empty.brp) == (DEFAULT_TESTDATA_DIR, "test")
    assert make_settings(tmp_path, VERHUIZEN_CONFIG_DIR="").config_dir == DEFAULT_CONFIG_DIR


def test_settings_built_directly_get_the_new_fields_by_default(tmp_path: Path) -> None:
    settings = Settings(
        mode="development",
        database_url="sqlite://",
        data_dir=tmp_path,
        config_dir=DEFAULT_CONFIG_DIR,
        secret_key=SECRET,
        session_idle_minutes=15,
        login="digid-test",
        secure_cookies=False,
    )
    assert (settings.testdata_dir, settings.brp, settings.adressen) == (
        DEFAULT_TESTDATA_DIR,
        "test",
        "test",
    )


@pytest.mark.parametrize("variable", ["VERHUIZEN_BRP", "VERHUIZEN_ADRESSEN"])
def test_production_refuses_the_test_registers(variable: str) -> None:
    env = {
        "VERHUIZEN_MODE": "production",
        "VERHUIZEN_SECRET_KEY": SECRET,
        "VERHUIZEN_LOGIN": "oidc",
        "VERHUIZEN_BRP": "haal-centraal",
        "VERHUIZEN_ADRESSEN": "pdok",
        "VERHUIZEN_ENCRYPTION_KEYS": "k" * 44,
    }
    assert Settings.from_env(env).is_production
    with pytest.raises(SettingsError, match=rf"testgegevens mogen niet in production \({variable}"):
        Settings.from_env({**env, variable: "test"})
    del env[variable]  # no default in production: each gemeente names its own register
    assert getattr(Settings.from_env(env), variable.removeprefix("VERHUIZEN_").lower()) == ""
