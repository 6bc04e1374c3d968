"""What a request handler may use: settings, configuration, store, registers, login, templates.

Built once per application by :func:`build_services`; handlers reach it through
``request.app.state.services`` (:func:`webapp.web.visit.services_of`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from jinja2 import Environment

from webapp.config.models import Gemeente
from webapp.config.source import ConfigSource
from webapp.delivery import DeliveryDeps, targets
from webapp.koppelingen import Koppeling, Verbindingen
from webapp.options import OptionsError
from webapp.registers.brp import Brp
from webapp.settings import Settings, SettingsError
from webapp.storage.crypto import DecryptionError, verify_keys
from webapp.storage.db import make_engine, migrate
from webapp.storage.store import Store
from webapp.uploads import CONCURRENT_CHECKS
from webapp.virusscan import Scanner, from_setting
from webapp.web.cookies import Cookies
from webapp.web.offload import Offload
from webapp.web.ratelimit import RateLimits
from webapp.web.rendering import make_environment


@dataclass
class Services:
    settings: Settings
    config: ConfigSource
    store: Store
    verbindingen: Verbindingen
    """Each gemeente's login, BRP and address register (``koppelingen:`` in its configuration)."""
    templates: Environment
    cookies: Cookies
    db: Offload
    """Runs database calls (the store) in a bounded pool of threads."""
    registers: Offload
    """Runs what may ask a register or the login broker (step pages, checks, the login
    callback) in a pool of its own, so a slow register never takes the database's threads."""
    uploads: Offload
    """Checks uploads (parsing a PDF, a virus scan) in a few threads of their own: they take
    memory and CPU, and must not hold the threads other residents' pages need."""
    rate_limits: RateLimits
    scanner: Scanner | None
    """ClamAV for uploads when VERHUIZEN_CLAMD is set."""
    today: Callable[[], date] = field(default=date.today)

    @property
    def gemeenten(self) -> dict[str, Gemeente]:
        return self.config.current()

    def koppeling(self, gemeente: Gemeente) -> Koppeling:
        return self.verbindingen.voor(gemeente)

    @property
    def brp(self) -> Brp | None:
        """The default BRP (``VERHUIZEN_BRP``) of gemeenten that name none."""
        return self.verbindingen.default("brp")  # type: ignore[no-any-return]

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.settings.session_idle_minutes)


def check_targets(gemeente: Gemeente, deps: DeliveryDeps) -> None:
    """Build each delivery target once: a secret variable or mail server that is not set stops
    the start, instead of showing up as days of failed deliveries."""
    for index, options in enumerate(gemeente.aflevering):
        try:
            target = targets.build(options, deps)
        except OptionsError as exc:
            raise SettingsError(f"gemeente {gemeente.slug}, aflevering {index}: {exc}") from None
        # A target may check what needs no network (a folder); never the back office itself,
        # which may be down for a while without keeping the service from starting.
        check = getattr(target, "check_at_start", None)
        problem = check() if callable(check) else None
        if problem:
            raise SettingsError(f"gemeente {gemeente.slug}, aflevering {index}: {problem}")
        close = getattr(target, "close", None)
        if callable(close):
            close()


def build_services(settings: Settings, *, today: Callable[[], date] = date.today) -> Services:
    """The services for these settings: registers and login as the settings choose them."""
    config = ConfigSource(settings.config_dir, reload=settings.mode != "production")
    engine = make_engine(
        settings.database_url, timeout=settings.db_timeout_seconds, pool_size=settings.db_threads
    )
    migrate(engine, keys=settings.encryption_keys)  # under a lock; binds the keys to the engine
    try:
        verify_keys(engine)
    except DecryptionError:
        raise SettingsError(
            "VERHUIZEN_ENCRYPTION_KEYS opent de gegevens in de database niet: zet de sleutel "
            "waarmee ze zijn versleuteld in de lijst"
        ) from None
    store = Store(engine, settings.secret_key)
    verbindingen = Verbindingen(settings, os.environ)
    for gemeente in config.current().values():
        # Every gemeente's connections are built at the start: a wrong one stops it here.
        verbindingen.voor(gemeente)
        if settings.is_production:
            verbindingen.check_production(gemeente)
            check_targets(gemeente, DeliveryDeps(store, os.environ, config.current().get))
    return Services(
        settings=settings,
        config=config,
        store=store,
        verbindingen=verbindingen,
        # Templates ship with the code: compiled once, except while developing them.
        templates=make_environment(auto_reload=settings.mode == "development"),
        cookies=Cookies(settings.secret_key, settings.secure_cookies),
        db=Offload(settings.db_threads),
        registers=Offload(settings.register_threads),
        uploads=Offload(CONCURRENT_CHECKS),
        rate_limits=RateLimits(settings.rate_limit_storage, settings.rate_limits),
        scanner=from_setting(
            settings.clamd, fail_open=settings.clamd_fail_open, timeout=settings.clamd_timeout
        ),
        today=today,
    )
