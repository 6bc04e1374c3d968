"""Login behind a small interface: the DigiD test page here; a real DigiD/OIDC provider plugs in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from webapp.i18n import _
from webapp.registers.brp import Brp, Persoon


@dataclass(frozen=True)
class LoginResult:
    bsn: str | None
    error: str | None = None


class LoginProvider(Protocol):
    name: str
    is_test: bool

    @property
    def label(self) -> str:
        """The provider's name as the resident sees it, in the current language."""
        ...

    def choices(self) -> list[Persoon]:
        """Test persons to pick from (empty for a real provider)."""
        ...

    def verify(self, form: dict[str, str]) -> LoginResult:
        """Check what came back from the login page and say whose BSN it is."""
        ...


class DigidTest:
    """A clearly marked stand-in for DigiD in development and staging: pick a test person."""

    name = "digid-test"
    is_test = True

    def __init__(self, brp: Brp) -> None:
        self.brp = brp

    @property
    def label(self) -> str:
        return _("DigiD (test)")

    def choices(self) -> list[Persoon]:
        return self.brp.testpersonen()

    def verify(self, form: dict[str, str]) -> LoginResult:
        bsn = form.get("bsn", "")
        if bsn not in {p.burgerservicenummer for p in self.choices()}:
            return LoginResult(None, _("Kies een testpersoon om mee in te loggen."))
        return LoginResult(bsn)


def provider_for(name: str, brp: Brp) -> LoginProvider:
    if name == "digid-test":
        return DigidTest(brp)
    raise ValueError(
        f"onbekende login {name!r}: alleen 'digid-test' is ingebouwd; een echte DigiD-koppeling "
        "implementeert LoginProvider"
    )
