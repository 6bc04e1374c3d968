"""The verhuizen command and the settings it reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR, make_settings
from webapp.cli import main
from webapp.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[1]


def test_check_config_passes_on_shipped_files(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path))
    assert main(["check-config", str(CONFIG_DIR)]) == 0
    out = capsys.readouterr().out
    assert "rotterdam: in orde" in out and "voorbeeld: in orde" in out


def test_check_config_fails_with_file_and_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path))
    bad = tmp_path / "kapot.yaml"
    bad.write_text(
        (CONFIG_DIR / "voorbeeld.yaml").read_text().replace("dagen_terug: 5", "dagen_terug: vijf")
    )
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "kapot.yaml:" in err and "datum.dagen_terug" in err and "geheel getal" in err


def test_check_config_as_a_real_command(tmp_path):
    bad = tmp_path / "kapot.yaml"
    bad.write_text("naam: Kapot\n")
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "check-config", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "", "VERHUIZEN_DATA_DIR": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 1
    assert (
        "kapot.yaml:1: (bestand): deze sleutel ontbreekt" in result.stderr
        or "ontbreekt" in result.stderr
    )


def test_production_refuses_the_test_login(tmp_path):
    with pytest.raises(SettingsError, match="DigiD-testlogin"):
        Settings.from_env(
            {
                "VERHUIZEN_MODE": "production",
                "VERHUIZEN_SECRET_KEY": "x" * 40,
                "VERHUIZEN_LOGIN": "digid-test",
            }
        )
    with pytest.raises(SettingsError, match="VERHUIZEN_SECRET_KEY"):
        Settings.from_env({"VERHUIZEN_MODE": "production", "VERHUIZEN_LOGIN": "oidc"})


def test_production_has_no_default_login_so_each_gemeente_names_its_own(tmp_path):
    from cryptography.fernet import Fernet

    from webapp.web.services import build_services

    settings = Settings.from_env(
        {
            "VERHUIZEN_MODE": "production",
            "VERHUIZEN_SECRET_KEY": "x" * 40,
            "VERHUIZEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "VERHUIZEN_DATA_DIR": str(tmp_path),
            "VERHUIZEN_CONFIG_DIR": str(ROOT / "config" / "gemeenten"),
        }
    )
    assert (settings.login, settings.brp, settings.adressen) == ("", "", "")
    with pytest.raises(SettingsError, match=r"koppelingen\.login ontbreekt"):
        build_services(settings)


def test_unknown_mode_is_refused():
    with pytest.raises(SettingsError, match="VERHUIZEN_MODE"):
        Settings.from_env({"VERHUIZEN_MODE": "test"})


def test_defaults_are_embedded_sqlite_and_a_kept_secret(tmp_path):
    first = make_settings(tmp_path, VERHUIZEN_SECRET_KEY="")
    again = make_settings(tmp_path, VERHUIZEN_SECRET_KEY="")
    assert first.database_url == f"sqlite:///{tmp_path / 'data' / 'verhuizen.db'}"
    assert first.secret_key == again.secret_key  # restart keeps sessions valid
    assert first.mode == "development"


def test_postgres_url_uses_psycopg(tmp_path):
    settings = make_settings(tmp_path, DATABASE_URL="postgresql://u@localhost/db")
    assert settings.database_url == "postgresql+psycopg://u@localhost/db"
