"""The test persons and addresses the drivers use, from the test data folder.

One place decides which address a journey moves to (a free one: nobody registered there, so
the household facts stay simple) and gives each step type what its example answer needs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from webapp.config.models import Gemeente
from webapp.registers.brp import BestandsBrp, Persoon
from webapp.resources import DEFAULT_TESTDATA_DIR
from webapp.steps.base import Example

# Addresses the shipped journeys move to, per gemeente (webapp/registers/testdata/README.md):
# free, and outside the areas that ask for a housing permit. A gemeente not listed here, or
# test data without the address, gets the first free address of the gemeente.
PREFERRED = {
    "rotterdam": {"postcode": "3062LG", "huisnummer": 12},
    "utrecht": {"postcode": "3511NT", "huisnummer": 230},
    "den-haag": {"postcode": "2521XZ", "huisnummer": 300},
    "voorbeeld": {"postcode": "9992EF", "huisnummer": 22, "huisnummertoevoeging": "1"},
}


class ResidentDataError(LookupError):
    """The test data has no person or address the driver needs."""


@dataclass
class ResidentData:
    """Persons and addresses of one test data folder (``VERHUIZEN_TESTDATA_DIR``)."""

    directory: Path = DEFAULT_TESTDATA_DIR
    _addresses: list[dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.brp = BestandsBrp(self.directory / "brp-personen.json")
        raw = json.loads((self.directory / "adressen.json").read_text(encoding="utf-8"))
        docs = (raw.get("response") or {}).get("docs") or []
        self._addresses = [d for d in docs if d.get("type", "adres") == "adres"]

    def person(self, bsn: str) -> Persoon:
        persoon = self.brp.raadpleeg(bsn)
        if persoon is None:
            raise ResidentDataError(f"geen testpersoon met BSN {bsn}")
        return persoon

    def name(self, bsn: str) -> str:
        return self.person(bsn).naam()

    def free_addresses(self, gemeente: Gemeente) -> list[dict[str, Any]]:
        """The test addresses in the gemeente where nobody is registered, in file order."""
        return [
            d
            for d in self._addresses
            if str(d.get("gemeentecode", "")).zfill(4) == gemeente.gemeentecode
            and not self.brp.bewoners(str(d["adresseerbaarobject_id"]))
        ]

    def free_address(self, gemeente: Gemeente) -> dict[str, Any]:
        """The free test address journeys move to: the preferred one, else the first."""
        free = self.free_addresses(gemeente)
        wanted = PREFERRED.get(gemeente.slug)
        if wanted is not None:
            for doc in free:
                if all(_same(doc.get(k), v) for k, v in wanted.items()):
                    return doc
        if free:
            return free[0]
        raise ResidentDataError(
            f"geen vrij testadres in gemeente {gemeente.naam} ({gemeente.gemeentecode}) in "
            f"{self.directory}"
        )

    def example_context(self, gemeente: Gemeente, today: date) -> Example:
        return Example(gemeente, today, self.free_address(gemeente))


def _same(found: Any, wanted: Any) -> bool:
    return str(found or "").replace(" ", "").upper() == str(wanted).replace(" ", "").upper()


def resident_data(directory: Path | None = None) -> ResidentData:
    """The test data of a folder, read once: by default the folder of the setting
    ``VERHUIZEN_TESTDATA_DIR`` (as the server under test), else the shipped one."""
    if directory is None:
        directory = Path(os.environ.get("VERHUIZEN_TESTDATA_DIR") or DEFAULT_TESTDATA_DIR)
    return _read(directory.resolve())


@cache
def _read(directory: Path) -> ResidentData:
    return ResidentData(directory)
