"""A gemeente's own test data folder, as VERHUIZEN_TESTDATA_DIR may point to: one person with
a Dutch address (offered on the test login), one living abroad (not offered), one address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EIGEN_BSN = "999910000"
BUITENLAND_BSN = "999910012"
EIGEN_OBJECT = "9999010000900001"


def persoon(bsn: str, verblijfplaats: dict[str, Any]) -> dict[str, Any]:
    return {
        "burgerservicenummer": bsn,
        "naam": {"voornamen": "Eigen", "geslachtsnaam": "Testpersoon"},
        "geboorte": {"datum": {"type": "Datum", "datum": "1980-03-01"}},
        "verblijfplaats": verblijfplaats,
    }


def write_testdata(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    personen = [
        persoon(
            EIGEN_BSN,
            {
                "type": "Adres",
                "verblijfadres": {
                    "officieleStraatnaam": "Proefstraat",
                    "huisnummer": 7,
                    "postcode": "9991ZZ",
                    "woonplaats": "Voorbeeldstad",
                },
                "adresseerbaarObjectIdentificatie": EIGEN_OBJECT,
            },
        ),
        persoon(BUITENLAND_BSN, {"type": "VerblijfplaatsBuitenland", "land": {"code": "6030"}}),
    ]
    adres = {
        "type": "adres",
        "weergavenaam": "Proefstraat 7, 9991ZZ Voorbeeldstad",
        "straatnaam": "Proefstraat",
        "huisnummer": 7,
        "postcode": "9991ZZ",
        "woonplaatsnaam": "Voorbeeldstad",
        "gemeentenaam": "Voorbeeldstad",
        "gemeentecode": "9999",
        "nummeraanduiding_id": "9999200000900001",
        "adresseerbaarobject_id": EIGEN_OBJECT,
        "oppervlakte": 80,
    }
    (folder / "brp-personen.json").write_text(json.dumps({"personen": personen}), "utf-8")
    (folder / "adressen.json").write_text(json.dumps({"response": {"docs": [adres]}}), "utf-8")
    return folder
