"""The persons a test login offers, kept apart from the BRP contract.

Only the DigiD test login needs a list of persons to pick from; a real BRP has no such list.
The file-backed source reads the same Haal Centraal file as :class:`BestandsBrp`, so a staging
environment's test persons are the ones its test BRP knows.

(Not called ``TestPersonen``: pytest would try to collect a ``Test*`` class from every test
module that imports it, and with ``-W error`` the warning about its ``__init__`` fails the run.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from webapp.registers.brp import BestandsBrp, BrpDataError, Persoon
from webapp.validators import is_valid_bsn


class LoginTestpersonen(Protocol):
    def testpersonen(self) -> list[Persoon]:
        """The persons to offer on the test login page, in the order to show them."""
        ...


class BestandsTestpersonen:
    """Test persons from a file in the Haal Centraal BRP Personen shape: those with a Dutch
    address, in file order. Each must have a BSN that passes the 11-proef, because a login
    result always carries a valid BSN."""

    def __init__(self, path: Path | None = None) -> None:
        brp = BestandsBrp(path)
        self.path = brp.path
        self._personen = brp.testpersonen()
        for persoon in self._personen:
            bsn = persoon.burgerservicenummer
            if len(bsn) != 9 or not is_valid_bsn(bsn):
                raise BrpDataError(
                    f"{self.path}: testpersoon *****{bsn[-4:]} heeft geen geldig "
                    "burgerservicenummer (9 cijfers die de 11-proef doorstaan)"
                )

    def testpersonen(self) -> list[Persoon]:
        return list(self._personen)
