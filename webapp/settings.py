"""Settings from the environment; the README lists each variable."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from webapp.resources import DEFAULT_CONFIG_DIR, DEFAULT_TESTDATA_DIR

Mode = Literal["development", "staging", "production"]
MODES: tuple[Mode, ...] = ("development", "staging", "production")


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    mode: Mode
    database_url: str
    data_dir: Path
    config_dir: Path
    secret_key: str
    session_idle_minutes: int
    login: str
    secure_cookies: bool
    # With defaults, so code that builds Settings directly (not from_env) keeps working.
    testdata_dir: Path = DEFAULT_TESTDATA_DIR
    brp: str = "test"
    adressen: str = "test"

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        mode = env.get("VERHUIZEN_MODE", "development")
        if mode not in MODES:
            raise SettingsError(
                f"VERHUIZEN_MODE moet een van {', '.join(MODES)} zijn, niet {mode!r}"
            )
        data_dir = Path(env.get("VERHUIZEN_DATA_DIR", "data"))
        config_dir = Path(env.get("VERHUIZEN_CONFIG_DIR") or DEFAULT_CONFIG_DIR)
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'verhuizen.db'}"
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        secret = env.get("VERHUIZEN_SECRET_KEY", "")
        if not secret:
            if mode == "production":
                raise SettingsError("VERHUIZEN_SECRET_KEY is verplicht in production")
            secret = _local_secret(data_dir)
        elif len(secret) < 32:
            raise SettingsError("VERHUIZEN_SECRET_KEY moet minstens 32 tekens lang zijn")
        idle = env.get("VERHUIZEN_SESSION_IDLE_MINUTES", "15")
        if not idle.isdigit() or int(idle) < 1:
            raise SettingsError(
                "VERHUIZEN_SESSION_IDLE_MINUTES moet een geheel getal van 1 of meer zijn"
            )
        login = env.get("VERHUIZEN_LOGIN", "digid-test")
        if mode == "production" and login == "digid-test":
            raise SettingsError(
                "De DigiD-testlogin mag niet in production. Stel VERHUIZEN_LOGIN in op een echte "
                "DigiD-koppeling, of gebruik VERHUIZEN_MODE=staging."
            )
        brp = env.get("VERHUIZEN_BRP") or "test"
        adressen = env.get("VERHUIZEN_ADRESSEN") or "test"
        if mode == "production":
            for variable, kind in (("VERHUIZEN_BRP", brp), ("VERHUIZEN_ADRESSEN", adressen)):
                if kind == "test":
                    raise SettingsError(
                        f"De testgegevens mogen niet in production ({variable}=test): stel "
                        f"{variable} in op een echte koppeling, of gebruik VERHUIZEN_MODE=staging."
                    )
        return cls(
            mode=mode,
            database_url=database_url,
            data_dir=data_dir,
            config_dir=config_dir,
            secret_key=secret,
            session_idle_minutes=int(idle),
            login=login,
            secure_cookies=env.get("VERHUIZEN_SECURE_COOKIES", "1" if mode == "production" else "0")
            == "1",
            testdata_dir=Path(env.get("VERHUIZEN_TESTDATA_DIR") or DEFAULT_TESTDATA_DIR),
            brp=brp,
            adressen=adressen,
        )


def _local_secret(data_dir: Path) -> str:
    """Development and staging keep a generated key in the data folder, so restarts keep sessions."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
