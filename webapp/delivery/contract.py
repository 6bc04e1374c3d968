"""The delivery contract: how a submitted report reaches the gemeente's back office.

A gemeente's configuration names its target (``soort``) with that target's options. A target
(the vrijBRP relocation API, ZGW Zaken, e-mail, ...) implements :class:`DeliveryTarget`:

- ``deliver(melding)`` is idempotent on ``melding.reference``: delivering the same report again,
  after a timeout, a crash or a retry, never creates a second dossier, zaak or message; it finds
  the first one (vrijBRP ``dossier.referenceIds``, the zaak's ``identificatie``, a message id
  derived from the reference) and returns the same ``kenmerk``. It returns a result rather than
  raising when the target is unreachable or refuses; an exception means a bug.
- ``health()`` says whether the target can be reached now, without delivering anything.

Secrets never stand in the configuration file: an option that needs one ends in ``_env`` and
holds the *name* of an environment variable (:data:`EnvVarName`), read with :func:`secret`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from webapp.options import Options, OptionsError
from webapp.options import secret as _secret

if TYPE_CHECKING:
    from webapp.config.models import Gemeente
    from webapp.storage.store import Store


class DeliveryConfigError(OptionsError):
    """A target's options or environment are incomplete."""


class DeliveryOptions(Options):
    """The options of one delivery target, from the gemeente configuration: see
    :class:`webapp.options.Options` (secrets only as names of environment variables)."""


def secret(name: str, env: Mapping[str, str], soort: str) -> str:
    """The value of the environment variable ``name``; a clear error when it is not set."""
    return _secret(name, env, f"aflevering {soort}", DeliveryConfigError)


class ToestemmingStatus(Enum):
    """The hoofdbewoner's online consent to a move in with them (inwoning), as we keep it."""

    GEVRAAGD = "gevraagd"
    """Asked; the hoofdbewoner has not decided yet and the deadline has not passed."""
    GEGEVEN = "gegeven"
    GEWEIGERD = "geweigerd"
    VERLOPEN = "verlopen"
    """The deadline passed without a decision: the report goes on as "no consent received"."""

    @property
    def besloten(self) -> bool:
        """The outcome is final (decided, or the deadline passed)."""
        return self is not ToestemmingStatus.GEVRAAGD


@dataclass(frozen=True)
class Toestemming:
    """The state of the hoofdbewoner's online consent when the target reads the report.

    Only a report whose resident chose online consent has one (the ``hoofdbewoner`` step,
    route ``online``); the paper route has none, its signed statement is an upload."""

    status: ToestemmingStatus
    hoofdbewoner_bsn: str
    termijn: datetime
    """Until when the hoofdbewoner can decide."""
    besloten_op: datetime | None = None
    gever_bsn: str | None = None
    """Who decided: always the hoofdbewoner (checked against the BRP when they decided)."""

    @property
    def vrijbrp(self) -> str:
        """The vrijBRP ``RelocationConsent.consent`` value. After the deadline vrijBRP's
        dossier stays ``PENDING``: its API has no state for "no answer"."""
        return {
            ToestemmingStatus.GEGEVEN: "APPROVED",
            ToestemmingStatus.GEWEIGERD: "DECLINED",
        }.get(self.status, "PENDING")


@dataclass(frozen=True)
class Melding:
    """A submitted report as a target receives it: what the resident sent and what we derived.

    ``reference`` is the key of idempotency: the same reference is the same report.
    """

    reference: str
    gemeente: str
    config_versie: str
    aangever_bsn: str
    answers: Mapping[str, Any]
    signalen: tuple[Any, ...]
    linked: tuple[tuple[str, Mapping[str, Any]], ...]
    """Requests submitted with the move: (soort, details), e.g. a huisvestingsvergunning."""
    is_test: bool
    created_at: datetime
    toestemming: Toestemming | None = None
    """The hoofdbewoner's online consent as it stands now; None without online consent."""


class DeliveryStatus(Enum):
    AFGELEVERD = "afgeleverd"
    """The target has the report (now, or from an earlier attempt)."""
    TIJDELIJK_MISLUKT = "tijdelijk_mislukt"
    """Not delivered, may succeed later (unreachable, timeout, 5xx): retry."""
    MISLUKT = "mislukt"
    """Not delivered and retrying will not help (refused, 4xx): a person must look."""


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome for one report. ``detail`` is for the operator: no personal data in it."""

    reference: str
    status: DeliveryStatus
    kenmerk: str | None = None
    """The target's own id: the vrijBRP dossierId, the zaak URL, a message id."""
    detail: str = ""

    @classmethod
    def database_down(cls, reference: str, exc: Exception) -> DeliveryResult:
        """Our own database did not answer: try again later (the error's type, never its
        text, which may hold SQL parameters)."""
        detail = f"database niet bereikbaar ({type(exc).__name__})"
        return cls(reference, DeliveryStatus.TIJDELIJK_MISLUKT, detail=detail)

    @classmethod
    def unknown_gemeente(cls, melding: Melding) -> DeliveryResult:
        """The report's gemeente is not (any more) in the configuration: a person must look."""
        detail = f"gemeente {melding.gemeente!r} staat niet in de configuratie"
        return cls(melding.reference, DeliveryStatus.MISLUKT, detail=detail)

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.AFGELEVERD

    @property
    def retry(self) -> bool:
        return self.status is DeliveryStatus.TIJDELIJK_MISLUKT


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str = ""


class DeliveryTarget(Protocol):
    soort: ClassVar[str]

    def deliver(self, melding: Melding) -> DeliveryResult:
        """Deliver once per reference; see the module's description."""
        ...

    def health(self) -> Health:
        """Can the target be reached now? Delivers nothing."""
        ...


@runtime_checkable
class ConsentTarget(Protocol):
    """A target that also hears the outcome of the hoofdbewoner's online consent.

    When the hoofdbewoner decides, or the deadline passes, the outbox gets one more row per
    such target (task ``toestemming``); the runner calls ``deliver_consent`` with the report,
    whose ``toestemming`` is then final (``status.besloten``). Idempotent on the reference like
    ``deliver``; it may come before or after ``deliver`` succeeded: a target that needs what
    ``deliver`` made (vrijBRP's dossierId) looks it up and answers ``TIJDELIJK_MISLUKT``
    while it is not there yet."""

    def deliver_consent(self, melding: Melding) -> DeliveryResult: ...


@dataclass(frozen=True)
class DeliveryDeps:
    """What a target factory may use: the store (our own database), the environment, where
    the variables its options name are read, and the gemeenten's current configuration by slug
    (for targets that show a gemeente's name, contact or texts)."""

    store: Store
    env: Mapping[str, str] = field(default_factory=dict)
    gemeenten: Callable[[str], Gemeente | None] | None = None
