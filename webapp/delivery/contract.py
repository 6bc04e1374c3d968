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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from webapp.storage.store import Store

ENV_NAME = r"^[A-Z][A-Z0-9_]*$"
EnvVarName = Annotated[
    str,
    Field(
        pattern=ENV_NAME,
        description="Naam van een omgevingsvariabele (bijv. VERHUIZEN_VRIJBRP_TOKEN), niet de "
        "waarde: geheimen staan nooit in het configuratiebestand.",
    ),
]

# Option names that sound like a secret must name an environment variable instead.
_SECRET_WORDS = re.compile(
    r"secret|geheim|password|wachtwoord|token|api_?key|sleutel|credential", re.IGNORECASE
)


class DeliveryConfigError(ValueError):
    """A target's options or environment are incomplete."""


class DeliveryOptions(BaseModel):
    """The options of one delivery target, from the gemeente configuration.

    A target subclasses this with ``soort: Literal["<its name>"]`` and its own fields. A field
    whose name sounds like a secret (token, api_key, wachtwoord, ...) must end in ``_env`` and be
    an :data:`EnvVarName`; the class is refused at definition otherwise.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    soort: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name in cls.model_fields:
            if _SECRET_WORDS.search(name) and not name.endswith("_env"):
                raise TypeError(
                    f"{cls.__name__}.{name}: een geheim staat niet in de configuratie; noem het "
                    f"veld {name}_env en geef het de naam van een omgevingsvariabele (EnvVarName)"
                )

    @model_validator(mode="after")
    def _env_fields_name_variables(self) -> DeliveryOptions:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if (
                name.endswith("_env")
                and isinstance(value, str)
                and not re.fullmatch(ENV_NAME, value)
            ):
                raise ValueError(
                    f"{name} is de naam van een omgevingsvariabele (hoofdletters, cijfers en _), "
                    "niet het geheim zelf"
                )
        return self


def secret(name: str, env: Mapping[str, str], soort: str) -> str:
    """The value of the environment variable ``name``; a clear error when it is not set."""
    value = env.get(name, "")
    if not value:
        raise DeliveryConfigError(
            f"aflevering {soort!r}: de omgevingsvariabele {name} is niet gezet of leeg"
        )
    return value


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


@dataclass(frozen=True)
class DeliveryDeps:
    """What a target factory may use: the store (our own database) and the environment, where
    the variables its options name are read."""

    store: Store
    env: Mapping[str, str] = field(default_factory=dict)
