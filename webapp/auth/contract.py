"""The login contract: what the web layer asks of a login provider, free of any web framework.

A login has two legs. :meth:`LoginProvider.start` says what to do first: show our own page (the
DigiD test login: pick a test person) or send the browser to a broker (DigiD through OpenID
Connect). :meth:`LoginProvider.callback` reads what came back (the test page's form, or the
broker's ``code`` and ``state`` in the query) and says whose BSN it is and at which level.

Whatever a provider must remember between the two legs (the OIDC ``state`` and ``nonce``, the
PKCE ``code_verifier``, the ``redirect_uri``) it returns as ``pending``; the web layer keeps that
for this browser (in the signed cookie or the database, never in a URL) and hands it back to
``callback``. What it needs at logout (an ``id_token_hint``) it returns as ``LoginResult.keep``,
which the web layer keeps with the session. So a provider holds no per-resident state and any
worker process can take the callback.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, TypeAlias

from webapp.registers.brp import Persoon
from webapp.validators import is_valid_bsn


class Betrouwbaarheidsniveau(Enum):
    """DigiD's levels of assurance, lowest first. Compare with :meth:`voldoet_aan`: the values
    are words, and ``<`` on words would put "hoog" below "midden"."""

    BASIS = "basis"
    MIDDEN = "midden"
    SUBSTANTIEEL = "substantieel"
    HOOG = "hoog"

    def voldoet_aan(self, minimum: Betrouwbaarheidsniveau) -> bool:
        order = list(Betrouwbaarheidsniveau)
        return order.index(self) >= order.index(minimum)


@dataclass(frozen=True)
class LoginRequest:
    """What the web layer knows when a resident starts to log in."""

    gemeente: str
    """The gemeente's slug."""
    callback_url: str
    """The absolute URL the provider sends the browser back to (OIDC ``redirect_uri``)."""
    minimum: Betrouwbaarheidsniveau = Betrouwbaarheidsniveau.MIDDEN
    """The level the gemeente asks for this service (OIDC ``acr_values``)."""


@dataclass(frozen=True)
class OwnPage:
    """Show our own login page offering these test persons; it posts back to ``callback``."""

    personen: tuple[Persoon, ...]
    pending: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Redirect:
    """Send the browser to ``url`` (the broker); keep ``pending`` until the callback."""

    url: str
    pending: Mapping[str, str] = field(default_factory=dict)


LoginStart: TypeAlias = OwnPage | Redirect


@dataclass(frozen=True)
class LoginResult:
    """Who logged in, and how surely: a valid BSN and a level, or a message for the resident.

    Build one with :meth:`ok` or :meth:`failed`. ``error`` is shown to the resident, so it is
    translated and holds no personal data. ``keep`` goes with the session to ``logout``.
    """

    bsn: str | None = None
    level: Betrouwbaarheidsniveau | None = None
    error: str | None = None
    keep: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.bsn is None) == (self.error is None):
            raise ValueError("een LoginResult heeft een bsn of een fout, niet allebei of geen")
        if self.bsn is not None:
            if self.level is None:
                raise ValueError("een geslaagde login heeft een betrouwbaarheidsniveau")
            # Never put the value in the message: it may be logged.
            if len(self.bsn) != 9 or not is_valid_bsn(self.bsn):
                raise ValueError("een geslaagde login heeft een geldig BSN (9 cijfers, 11-proef)")

    @classmethod
    def ok(
        cls, bsn: str, level: Betrouwbaarheidsniveau, keep: Mapping[str, str] | None = None
    ) -> LoginResult:
        return cls(bsn=bsn, level=level, keep=dict(keep or {}))

    @classmethod
    def failed(cls, error: str) -> LoginResult:
        return cls(error=error)

    def voldoet_aan(self, minimum: Betrouwbaarheidsniveau) -> bool:
        return self.level is not None and self.level.voldoet_aan(minimum)


class LoginProvider(ABC):
    """A way to log in. Subclasses set ``name`` (its ``soort`` in ``koppelingen.login``) and
    ``is_test``."""

    name: ClassVar[str]
    is_test: ClassVar[bool] = False
    """A stand-in for DigiD: never allowed in production, and marked as such on its page."""

    @property
    @abstractmethod
    def label(self) -> str:
        """The provider's name as the resident sees it, in the current language."""

    @abstractmethod
    def start(self, request: LoginRequest) -> LoginStart:
        """The first leg: our own page, or a redirect to the broker."""

    @abstractmethod
    def callback(self, params: Mapping[str, str], pending: Mapping[str, str]) -> LoginResult:
        """The second leg: read the form or query that came back, with what ``start`` left in
        ``pending``, and say who logged in. A refusal or cancel is a failed result, not an
        exception; an exception means the provider itself is broken."""

    def logout(self, keep: Mapping[str, str], return_url: str) -> str | None:
        """Where to send the browser so the broker ends its session too, then returns to
        ``return_url``; None when there is nothing to end elsewhere (the default)."""
        return None
