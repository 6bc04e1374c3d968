"""Settings for running in front of residents: keys, the staging password, HSTS, the database."""

from __future__ import annotations

import pytest

from webapp.settings import Settings, SettingsError

SECRET = "s" * 40
PRODUCTION = {
    "VERHUIZEN_MODE": "production",
    "VERHUIZEN_SECRET_KEY": SECRET,
    "VERHUIZEN_LOGIN": "oidc",
    "VERHUIZEN_BRP": "haal-centraal",
    "VERHUIZEN_ADRESSEN": "pdok",
    "VERHUIZEN_ENCRYPTION_KEYS": "nieuw" + "k" * 39 + ", oud" + "k" * 40,
}


def test_production_needs_encryption_keys_and_keeps_their_order():
    settings = Settings.from_env(PRODUCTION)
    assert settings.encryption_keys == ("nieuw" + "k" * 39, "oud" + "k" * 40)
    with pytest.raises(SettingsError, match="VERHUIZEN_ENCRYPTION_KEYS is verplicht"):
        Settings.from_env({**PRODUCTION, "VERHUIZEN_ENCRYPTION_KEYS": " , "})


def test_development_generates_a_key_once_and_keeps_it(tmp_path):
    env = {"VERHUIZEN_DATA_DIR": str(tmp_path), "VERHUIZEN_SECRET_KEY": SECRET}
    first = Settings.from_env(env).encryption_keys
    assert len(first) == 1 and len(first[0]) == 44  # a Fernet key
    assert Settings.from_env(env).encryption_keys == first
    assert (tmp_path / "encryption.key").stat().st_mode & 0o777 == 0o600


def test_staging_is_not_public(tmp_path):
    env = {
        "VERHUIZEN_MODE": "staging",
        "VERHUIZEN_DATA_DIR": str(tmp_path),
        "VERHUIZEN_SECRET_KEY": SECRET,
    }
    with pytest.raises(SettingsError, match="VERHUIZEN_STAGING_WACHTWOORD is verplicht"):
        Settings.from_env(env)
    with pytest.raises(SettingsError, match="minstens 12 tekens"):
        Settings.from_env({**env, "VERHUIZEN_STAGING_WACHTWOORD": "kort"})
    settings = Settings.from_env({**env, "VERHUIZEN_STAGING_WACHTWOORD": "een-lang-wachtwoord"})
    assert settings.staging_password == "een-lang-wachtwoord"
    development = {**env, "VERHUIZEN_MODE": "development"}
    assert Settings.from_env(development).staging_password is None


def test_hsts_is_on_in_production_by_default_and_configurable():
    assert Settings.from_env(PRODUCTION).hsts
    assert not Settings.from_env({**PRODUCTION, "VERHUIZEN_HSTS": "0"}).hsts


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VERHUIZEN_DB_TIMEOUT", "0"),
        ("VERHUIZEN_DB_TIMEOUT", "snel"),
        ("VERHUIZEN_DB_THREADS", "0"),
        ("VERHUIZEN_DB_THREADS", "veel"),
    ],
)
def test_database_limits_are_checked(tmp_path, variable, value):
    env = {"VERHUIZEN_DATA_DIR": str(tmp_path), "VERHUIZEN_SECRET_KEY": SECRET, variable: value}
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env)


def test_a_clamd_address_is_checked(tmp_path):
    env = {"VERHUIZEN_DATA_DIR": str(tmp_path), "VERHUIZEN_SECRET_KEY": SECRET}
    assert Settings.from_env(env).clamd is None
    ok = Settings.from_env({**env, "VERHUIZEN_CLAMD": "tcp:127.0.0.1:3310"})
    assert ok.clamd == "tcp:127.0.0.1:3310" and not ok.clamd_fail_open
    with pytest.raises(SettingsError, match="VERHUIZEN_CLAMD"):
        Settings.from_env({**env, "VERHUIZEN_CLAMD": "ergens"})
    with pytest.raises(SettingsError, match="VERHUIZEN_CLAMD_TIMEOUT"):
        Settings.from_env({**env, "VERHUIZEN_CLAMD_TIMEOUT": "0"})


def test_the_app_scans_uploads_with_the_configured_clamd_and_fails_closed(tmp_path):
    """clamd configured but not listening: a good PDF is refused, the draft is unharmed."""
    from starlette.testclient import TestClient

    from tests.conftest import TODAY, make_settings
    from tests.driver import PDF, Resident, run_until
    from tests.servers import free_port
    from tests.web.test_scenarios import FREE
    from webapp.web.app import create_app

    settings = make_settings(tmp_path, VERHUIZEN_CLAMD=f"tcp:127.0.0.1:{free_port()}")
    app = create_app(settings, today=lambda: TODAY)
    g = app.state.services.gemeenten["voorbeeld"]
    with TestClient(app) as client:
        r = Resident(client, "voorbeeld")
        r.login("999990238")
        run_until(r, g, "documenten", TODAY, FREE["voorbeeld"])
        field = "doc-huurcontract"
        r.answer({}, {field: ("huurcontract.pdf", PDF, "application/pdf")})
        assert r.status == 422
        [error] = r.errors()
        assert "kan nu niet worden gecontroleerd" in error
        assert r.step == "documenten"


def test_a_wrong_encryption_key_stops_the_start_with_a_clear_message(tmp_path, capsys):
    from cryptography.fernet import Fernet

    from tests.conftest import TODAY, make_settings
    from tests.driver import Resident
    from webapp import cli
    from webapp.web.app import create_app

    right = Fernet.generate_key().decode()
    wrong = Fernet.generate_key().decode()
    settings = make_settings(tmp_path, VERHUIZEN_ENCRYPTION_KEYS=right)
    from starlette.testclient import TestClient

    with TestClient(create_app(settings, today=lambda: TODAY)) as client:
        Resident(client, "voorbeeld").login("999990238")  # something encrypted is stored
    with pytest.raises(SettingsError, match="VERHUIZEN_ENCRYPTION_KEYS opent de gegevens"):
        create_app(make_settings(tmp_path, VERHUIZEN_ENCRYPTION_KEYS=wrong))
    # With the old key behind a new one, it starts (rotation).
    create_app(make_settings(tmp_path, VERHUIZEN_ENCRYPTION_KEYS=f"{wrong},{right}"))
    env = {
        "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
        "VERHUIZEN_SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        "VERHUIZEN_ENCRYPTION_KEYS": wrong,
    }
    assert cli._migrate(Settings.from_env(env)) is False
    assert (
        "VERHUIZEN_ENCRYPTION_KEYS opent de gegevens in de database niet" in capsys.readouterr().err
    )
