"""Settings from the environment; the README lists each variable."""

from __future__ import annotations

import base64
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from webapp.resources import DEFAULT_CONFIG_DIR, DEFAULT_TESTDATA_DIR

if TYPE_CHECKING:
    from webapp.mail import SmtpServer

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
    """The login of gemeenten that name none; empty (production): each names its own."""
    secure_cookies: bool
    # With defaults, so code that builds Settings directly (not from_env) keeps working.
    testdata_dir: Path = DEFAULT_TESTDATA_DIR
    brp: str = "test"
    adressen: str = "test"
    encryption_keys: tuple[str, ...] = ()
    """Keys for personal data at rest, newest first: the first encrypts, all decrypt."""
    staging_password: str | None = None
    """Staging pages and the test login ask for it; None (development only): open."""
    hsts: bool = False
    db_timeout_seconds: float = 5.0
    """Connect, lock and statement timeout of the database."""
    db_threads: int = 8
    """Threads for database work, so no request waits on another's query in the event loop."""
    register_threads: int = 16
    """Threads for work that may call a register or the login broker (mostly waiting)."""
    delivery_in_server: bool = True
    """Each server process delivers submitted reports in a thread (``VERHUIZEN_BEZORGEN``); off:
    only ``verhuizen bezorgen`` does."""
    delivery_interval: float = 5.0
    """Seconds between looks for due deliveries when there were none."""
    delivery_lease_seconds: float = 120.0
    """How long a runner's claim on a delivery lasts unrenewed (renewed while it runs)."""
    delivery_max_attempts: int = 80
    delivery_max_hours: float = 72.0
    """A delivery that keeps failing temporarily is given up (``mislukt``) after this many
    attempts or hours, whichever comes first."""
    rate_limit_storage: str = "async+memory://"
    rate_limits: tuple[tuple[str, str], ...] = ()
    """Overrides of the default limits per action, e.g. (("login", "5/minute"),)."""
    clamd: str | None = None
    """ClamAV's clamd for uploads: ``unix:/run/clamav/clamd.ctl`` or ``tcp:host:port``; None: off."""
    clamd_fail_open: bool = False
    clamd_timeout: float = 10.0
    smtp: SmtpServer | None = None
    """E-mail's SMTP server (``VERHUIZEN_SMTP_URL`` and friends); None: no e-mail is sent."""

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
        # The defaults for gemeenten that name no koppelingen of their own. Production has
        # none: every gemeente names its real DigiD login and registers in its configuration.
        production = mode == "production"
        login = env.get("VERHUIZEN_LOGIN") or ("" if production else "digid-test")
        if production and login == "digid-test":
            raise SettingsError(
                "De DigiD-testlogin mag niet in production. Geef elke gemeente een echte "
                "DigiD-koppeling (koppelingen.login in haar configuratie), of gebruik "
                "VERHUIZEN_MODE=staging."
            )
        brp = env.get("VERHUIZEN_BRP") or ("" if production else "test")
        adressen = env.get("VERHUIZEN_ADRESSEN") or ("" if production else "test")
        if mode == "production":
            for variable, kind in (("VERHUIZEN_BRP", brp), ("VERHUIZEN_ADRESSEN", adressen)):
                if kind == "test":
                    raise SettingsError(
                        f"De testgegevens mogen niet in production ({variable}=test): geef elke "
                        "gemeente een echte koppeling (koppelingen in haar configuratie), of "
                        "gebruik VERHUIZEN_MODE=staging."
                    )
        keys = tuple(
            k.strip() for k in env.get("VERHUIZEN_ENCRYPTION_KEYS", "").split(",") if k.strip()
        )
        if not keys:
            if mode == "production":
                raise SettingsError(
                    "VERHUIZEN_ENCRYPTION_KEYS is verplicht in production (de sleutels voor "
                    "persoonsgegevens in de database; de eerste versleutelt, alle ontsleutelen)"
                )
            keys = (_local_secret(data_dir, "encryption.key", _new_fernet_key),)
        staging_password = env.get("VERHUIZEN_STAGING_WACHTWOORD") or None
        if mode == "staging" and staging_password is None:
            raise SettingsError(
                "VERHUIZEN_STAGING_WACHTWOORD is verplicht in staging: de testomgeving (testlogin "
                "en stagingpagina's) is niet openbaar"
            )
        if staging_password is not None and len(staging_password) < 12:
            raise SettingsError("VERHUIZEN_STAGING_WACHTWOORD moet minstens 12 tekens lang zijn")
        timeout = env.get("VERHUIZEN_DB_TIMEOUT", "5")
        try:
            db_timeout = float(timeout)
        except ValueError:
            db_timeout = -1.0
        if not 0 < db_timeout <= 300:
            raise SettingsError("VERHUIZEN_DB_TIMEOUT moet een aantal seconden zijn, groter dan 0")
        threads = env.get("VERHUIZEN_DB_THREADS", "8")
        if not threads.isdigit() or not 1 <= int(threads) <= 200:
            raise SettingsError("VERHUIZEN_DB_THREADS moet een geheel getal van 1 tot 200 zijn")
        register_threads = env.get("VERHUIZEN_REGISTER_THREADS", "16")
        if not register_threads.isdigit() or not 1 <= int(register_threads) <= 500:
            raise SettingsError(
                "VERHUIZEN_REGISTER_THREADS moet een geheel getal van 1 tot 500 zijn"
            )
        rate_limits = _rate_limits(env.get("VERHUIZEN_RATE_LIMITS", ""))
        clamd = (env.get("VERHUIZEN_CLAMD") or "").strip() or None
        if clamd is not None:
            from webapp.virusscan import parse_address

            try:
                parse_address(clamd)
            except ValueError as exc:
                raise SettingsError(f"VERHUIZEN_CLAMD: {exc}") from None
        try:
            clamd_timeout = float(env.get("VERHUIZEN_CLAMD_TIMEOUT", "10"))
        except ValueError:
            clamd_timeout = -1.0
        if not 0 < clamd_timeout <= 120:
            raise SettingsError(
                "VERHUIZEN_CLAMD_TIMEOUT moet een aantal seconden zijn, groter dan 0"
            )
        from webapp.mail import MailConfigError, smtp_from_env

        try:
            smtp = smtp_from_env(env)
        except MailConfigError as exc:
            raise SettingsError(str(exc)) from None
        delivery = _delivery(env)
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
            encryption_keys=keys,
            staging_password=staging_password,
            hsts=env.get("VERHUIZEN_HSTS", "1" if mode == "production" else "0") == "1",
            db_timeout_seconds=db_timeout,
            db_threads=int(threads),
            register_threads=int(register_threads),
            rate_limit_storage=env.get("VERHUIZEN_RATE_LIMIT_OPSLAG") or "async+memory://",
            rate_limits=rate_limits,
            delivery_in_server=delivery.in_server,
            delivery_interval=delivery.interval,
            delivery_lease_seconds=delivery.lease,
            delivery_max_attempts=delivery.max_attempts,
            delivery_max_hours=delivery.max_hours,
            clamd=clamd,
            clamd_fail_open=env.get("VERHUIZEN_CLAMD_FAIL_OPEN", "0") == "1",
            clamd_timeout=clamd_timeout,
            smtp=smtp,
        )


def _local_secret(
    data_dir: Path, name: str = "secret.key", make: Callable[[], str] | None = None
) -> str:
    """Development and staging keep generated keys in the data folder, so restarts keep them."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = make() if make else secrets.token_urlsafe(48)
        try:
            # O_EXCL: of workers starting together on a fresh folder, one writes, all read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
    for _attempt in range(50):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.01)  # another worker is writing it this very moment
    raise SettingsError(f"{path} is leeg: verwijder het bestand, dan wordt het opnieuw gemaakt")


def _new_fernet_key() -> str:
    """A Fernet key (32 random bytes, url-safe base64), as cryptography's Fernet expects."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class _Delivery(NamedTuple):
    in_server: bool
    interval: float
    lease: float
    max_attempts: int
    max_hours: float


def _delivery(env: dict[str, str]) -> _Delivery:
    """The ``VERHUIZEN_BEZORGEN*`` settings of the delivery runner (``webapp.delivery.outbox``)."""
    in_server = env.get("VERHUIZEN_BEZORGEN", "1")
    if in_server not in ("0", "1"):
        raise SettingsError("VERHUIZEN_BEZORGEN moet 1 (aan) of 0 (uit) zijn")

    def number(name: str, default: str, low: float, high: float, what: str) -> float:
        try:
            value = float(env.get(name, default))
        except ValueError:
            value = -1.0
        if not low <= value <= high:
            raise SettingsError(f"{name} moet {what} zijn, van {low:g} tot {high:g}")
        return value

    attempts = env.get("VERHUIZEN_BEZORGEN_POGINGEN", "80")
    if not attempts.isdigit() or not 1 <= int(attempts) <= 10_000:
        raise SettingsError(
            "VERHUIZEN_BEZORGEN_POGINGEN moet een geheel getal van 1 tot 10000 zijn"
        )
    return _Delivery(
        in_server=in_server == "1",
        interval=number("VERHUIZEN_BEZORGEN_INTERVAL", "5", 0.1, 3600, "een aantal seconden"),
        lease=number("VERHUIZEN_BEZORGEN_CLAIM", "120", 1, 3600, "een aantal seconden"),
        max_attempts=int(attempts),
        max_hours=number("VERHUIZEN_BEZORGEN_MAX_UREN", "72", 0.01, 24 * 90, "een aantal uren"),
    )


RATE_LIMITED = ("login", "lookup", "upload", "submit")


def _rate_limits(raw: str) -> tuple[tuple[str, str], ...]:
    """``login=20/minute,submit=10/minute``: each known action with a ``limits`` expression."""
    from limits import parse

    result = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _sep, value = part.partition("=")
        if name.strip() not in RATE_LIMITED:
            raise SettingsError(
                f"VERHUIZEN_RATE_LIMITS: onbekende handeling {name.strip()!r}; bekend zijn: "
                + ", ".join(RATE_LIMITED)
            )
        try:
            parse(value.strip())
        except ValueError:
            raise SettingsError(
                f"VERHUIZEN_RATE_LIMITS: {value.strip()!r} is geen limiet zoals 20/minute"
            ) from None
        result.append((name.strip(), value.strip()))
    return tuple(result)
