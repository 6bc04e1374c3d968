"""Each gemeente's connections to the outside: its login, its BRP and its address register.

A gemeente names them in its configuration (``koppelingen:``), each as a ``soort`` with that
kind's options; secrets only as names of environment variables (:mod:`webapp.options`). A
gemeente that names none gets the settings' default (``VERHUIZEN_LOGIN``, ``VERHUIZEN_BRP``,
``VERHUIZEN_ADRESSEN``: the test login and the test data in development and staging; in
production there is no default, so every gemeente names its own).

A kind registers once, with its options model and a factory, in :data:`logins`, :data:`brps` or
:data:`adresregisters`. :class:`Verbindingen` builds each distinct connection once: 342 gemeenten
on the same PDOK share one client and its pool.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from webapp.auth.contract import Betrouwbaarheidsniveau, LoginProvider
from webapp.auth.digid_test import DigidTest
from webapp.auth.oidc import DigidOidcOptions
from webapp.auth.oidc import from_options as digid_oidc
from webapp.options import Options, OptionsRegistry
from webapp.registers import bag, haalcentraal, pdok
from webapp.registers.adressen import AdresRegister
from webapp.registers.brp import Brp
from webapp.registers.factory import bestands_adressen, bestands_brp, login_testpersonen
from webapp.settings import Settings, SettingsError

if TYPE_CHECKING:
    from webapp.config.models import Gemeente

T = TypeVar("T")


@dataclass(frozen=True)
class KoppelingDeps:
    """What a factory may use: the settings (the test data folder) and the environment, where
    the variables its options name are read."""

    settings: Settings
    env: Mapping[str, str] = field(default_factory=dict)


class DigidTestOptions(Options):
    """De DigiD-testlogin: kies een testpersoon. Alleen in development en staging."""

    soort: Literal["digid-test"] = "digid-test"


class BrpTestdataOptions(Options):
    """De BRP uit de testgegevens (VERHUIZEN_TESTDATA_DIR). Alleen in development en staging."""

    soort: Literal["test"] = "test"


class AdressenTestdataOptions(Options):
    """Het adresregister uit de testgegevens (VERHUIZEN_TESTDATA_DIR)."""

    soort: Literal["test"] = "test"


logins: OptionsRegistry[KoppelingDeps, LoginProvider] = OptionsRegistry("login")
brps: OptionsRegistry[KoppelingDeps, Brp] = OptionsRegistry("BRP")
adresregisters: OptionsRegistry[KoppelingDeps, AdresRegister] = OptionsRegistry("adresregister")

TEST_KINDS = {"digid-test", "test"}
"""Stand-ins never allowed in production."""
NO_BACK_OFFICE = {"opslag", "bevestiging"}
"""Delivery kinds that bring a report to nobody at the gemeente."""

logins.register(
    "digid-test", DigidTestOptions, lambda o, d: DigidTest(login_testpersonen(d.settings))
)
logins.register("digid-oidc", DigidOidcOptions, lambda o, d: digid_oidc(o, d.env))
brps.register("test", BrpTestdataOptions, lambda o, d: bestands_brp(d.settings))
brps.register(
    "haal-centraal",
    haalcentraal.HaalCentraalOptions,
    lambda o, d: haalcentraal.HaalCentraal.from_options(o, d.env),
)
adresregisters.register("test", AdressenTestdataOptions, lambda o, d: bestands_adressen(d.settings))
adresregisters.register("pdok", pdok.PdokOptions, lambda o, d: pdok.from_options(o, d.env))
adresregisters.register("bag", bag.BagOptions, lambda o, d: bag.from_options(o, d.env))

ROLES: dict[str, tuple[OptionsRegistry[KoppelingDeps, Any], str]] = {
    "login": (logins, "VERHUIZEN_LOGIN"),
    "brp": (brps, "VERHUIZEN_BRP"),
    "adressen": (adresregisters, "VERHUIZEN_ADRESSEN"),
}
"""The configuration key of each role, its registry and the setting with its default."""


@dataclass(frozen=True)
class Koppeling:
    """One gemeente's connections, ready to use."""

    login: LoginProvider
    brp: Brp
    adressen: AdresRegister
    niveau: Betrouwbaarheidsniveau
    """The DigiD level the gemeente asks for this service."""


class Verbindingen:
    """Builds and keeps the connections; one per distinct options, shared by the gemeenten
    that name the same."""

    def __init__(self, settings: Settings, env: Mapping[str, str]) -> None:
        self.deps = KoppelingDeps(settings, env)
        self._built: dict[tuple[str, str], Any] = {}
        self._per_gemeente: dict[str, tuple[Gemeente, Koppeling]] = {}
        """The last answer per slug, for that very configuration object: every page of a
        visit asks, and the configuration changes only on a reload (a new object)."""
        self._lock = threading.Lock()
        self.defaults: dict[str, Options | None] = {}
        for role, (registry, setting) in ROLES.items():
            kind = getattr(settings, role)
            if not kind:
                self.defaults[role] = None
                continue
            try:
                self.defaults[role] = registry.parse_options({"soort": kind})
            except LookupError as exc:
                raise SettingsError(f"{setting}: {exc}") from None
            except ValueError:
                raise SettingsError(
                    f"{setting}={kind!r} heeft opties nodig: geef die per gemeente in "
                    f"koppelingen.{role} van de configuratie"
                ) from None

    def _options(self, gemeente: Gemeente, role: str) -> Options:
        chosen = getattr(gemeente.koppelingen, role)
        if chosen is not None:
            assert isinstance(chosen, Options)
            return chosen
        default = self.defaults[role]
        if default is None:
            raise SettingsError(
                f"gemeente {gemeente.slug}: koppelingen.{role} ontbreekt en "
                f"{ROLES[role][1]} is niet gezet"
            )
        return default

    def _build(self, role: str, options: Options) -> Any:
        key = (role, options.model_dump_json())
        with self._lock:  # threads of the pools may ask at the same time
            if key not in self._built:
                self._built[key] = ROLES[role][0].build(options, self.deps)
            return self._built[key]

    def default(self, role: str) -> Any:
        """The settings' default connection for ``role``, or None when there is none."""
        options = self.defaults[role]
        return None if options is None else self._build(role, options)

    def voor(self, gemeente: Gemeente) -> Koppeling:
        known = self._per_gemeente.get(gemeente.slug)
        if known is not None and known[0] is gemeente:
            return known[1]
        built = {role: self._build(role, self._options(gemeente, role)) for role in ROLES}
        koppeling = Koppeling(
            login=built["login"],
            brp=built["brp"],
            adressen=built["adressen"],
            niveau=Betrouwbaarheidsniveau(gemeente.koppelingen.niveau),
        )
        self._per_gemeente[gemeente.slug] = (gemeente, koppeling)
        return koppeling

    def close(self) -> None:
        """Close the clients' connection pools (at shutdown)."""
        with self._lock:
            built, self._built = list(self._built.values()), {}
            self._per_gemeente = {}
        for connection in built:
            close = getattr(connection, "close", None)
            if callable(close):
                close()

    def check_production(self, gemeente: Gemeente) -> None:
        """Production uses no stand-in: a real DigiD login and real registers; and its reports
        reach the gemeente (this database alone is no back office: nobody reads it there)."""
        for role in ROLES:
            options = self._options(gemeente, role)
            if options.soort in TEST_KINDS:
                raise SettingsError(
                    f"gemeente {gemeente.slug}: koppelingen.{role} is de testvoorziening "
                    f"{options.soort!r}, die niet in production mag; geef een echte koppeling "
                    "of gebruik VERHUIZEN_MODE=staging"
                )
        if all(target.soort in NO_BACK_OFFICE for target in gemeente.aflevering):
            raise SettingsError(
                f"gemeente {gemeente.slug}: geen aflevering aan de gemeente geconfigureerd; in "
                "production moet elke melding bij haar aankomen (vrijBRP, ZGW, e-mail of een map)"
            )
