"""The DigiD test login: a clearly marked stand-in for DigiD in development and staging."""

from __future__ import annotations

from collections.abc import Mapping

from webapp.auth.contract import (
    Betrouwbaarheidsniveau,
    LoginProvider,
    LoginRequest,
    LoginResult,
    OwnPage,
)
from webapp.i18n import _
from webapp.registers.brp import Persoon
from webapp.registers.testpersonen import LoginTestpersonen


class DigidTest(LoginProvider):
    """Pick a test person on our own page. It logs in at ``niveau`` (midden unless told)."""

    name = "digid-test"
    is_test = True

    def __init__(
        self,
        testpersonen: LoginTestpersonen,
        niveau: Betrouwbaarheidsniveau = Betrouwbaarheidsniveau.MIDDEN,
    ) -> None:
        self.testpersonen = testpersonen
        self.niveau = niveau

    @property
    def label(self) -> str:
        return _("DigiD (test)")

    def choices(self) -> list[Persoon]:
        return self.testpersonen.testpersonen()

    def start(self, request: LoginRequest) -> OwnPage:
        return OwnPage(tuple(self.choices()))

    def callback(self, params: Mapping[str, str], pending: Mapping[str, str]) -> LoginResult:
        bsn = params.get("bsn", "")
        if bsn not in {p.burgerservicenummer for p in self.choices()}:
            return LoginResult.failed(_("Kies een testpersoon om mee in te loggen."))
        return LoginResult.ok(bsn, self.niveau)
