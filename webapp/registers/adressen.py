"""Address register interface, with a file-backed implementation holding PDOK Locatieserver data.

The file holds a Locatieserver v3.1 ``free`` response (``fq=type:adres``) extended with the BAG
verblijfsobject fields ``oppervlakte`` and ``gebruiksdoelen``, which the real service would get
from BAG Individuele Bevragingen ``/adressenuitgebreid``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from webapp.resources import DEFAULT_TESTDATA_DIR

BESTAND = "adressen.json"
"""The file's name in a test data folder (``VERHUIZEN_TESTDATA_DIR``)."""
DEFAULT_PATH = DEFAULT_TESTDATA_DIR / BESTAND


@dataclass(frozen=True)
class Adres:
    nummeraanduiding_id: str
    adresseerbaarobject_id: str
    straatnaam: str
    huisnummer: int
    huisletter: str | None
    huisnummertoevoeging: str | None
    postcode: str  # normalised "3083AB"
    woonplaatsnaam: str
    gemeentenaam: str
    gemeentecode: str  # CBS code, e.g. "0599"
    wijkcode: str | None
    wijknaam: str | None
    buurtcode: str | None
    buurtnaam: str | None
    oppervlakte: int | None  # m2, from the BAG verblijfsobject
    gebruiksdoelen: tuple[str, ...]

    @property
    def huisnummer_volledig(self) -> str:
        """Huisnummer, huisletter and toevoeging as written on a letterbox: "12A-2"."""
        nummer = f"{self.huisnummer}{self.huisletter or ''}"
        return f"{nummer}-{self.huisnummertoevoeging}" if self.huisnummertoevoeging else nummer

    @property
    def weergavenaam(self) -> str:
        if not self.straatnaam:  # typed, not found in the register (it was down)
            return f"{self.postcode[:4]} {self.postcode[4:]} {self.huisnummer_volledig}"
        straat = f"{self.straatnaam} {self.huisnummer_volledig}"
        return f"{straat}, {self.postcode} {self.woonplaatsnaam}"


class AdresRegister(Protocol):
    def zoek(
        self,
        postcode: str,
        huisnummer: int,
        huisletter: str | None = None,
        huisnummertoevoeging: str | None = None,
    ) -> list[Adres]:
        """Addresses at postcode + huisnummer matching the given letter/toevoeging (None = any)."""
        ...

    def op_postcode_huisnummer(self, postcode: str, huisnummer: int) -> list[Adres]:
        """Every address at this number, to suggest "bedoelt u 15A of 15B?"."""
        ...


class AdresDataError(ValueError):
    """The address data could not be read as Locatieserver data."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _past_bij(given: str | None, actual: str | None) -> bool:
    # Nothing given matches anything: the resident may not know the letter yet, and the caller
    # then asks which of the matches is meant.
    if given is None or not given.strip():
        return True
    return given.strip().upper() == (actual or "").upper()


class _Genummerd(Protocol):
    @property
    def huisletter(self) -> str | None: ...

    @property
    def huisnummertoevoeging(self) -> str | None: ...


A = TypeVar("A", bound=_Genummerd)


def matching(
    adressen: Iterable[A], huisletter: str | None, huisnummertoevoeging: str | None
) -> list[A]:
    """The addresses with this letter and addition; None (or empty) matches any: the one
    rule of every register (the file, PDOK, BAG)."""
    return [
        a
        for a in adressen
        if _past_bij(huisletter, a.huisletter)
        and _past_bij(huisnummertoevoeging, a.huisnummertoevoeging)
    ]


def adres_uit_locatieserver(doc: Mapping[str, Any]) -> Adres:
    """Read one Locatieserver ``docs`` entry of type ``adres``; optional fields may be missing."""
    try:
        oppervlakte = doc.get("oppervlakte")
        return Adres(
            nummeraanduiding_id=str(doc["nummeraanduiding_id"]),
            adresseerbaarobject_id=str(doc["adresseerbaarobject_id"]),
            straatnaam=str(doc["straatnaam"]),
            huisnummer=int(doc["huisnummer"]),
            huisletter=_text(doc.get("huisletter")),
            huisnummertoevoeging=_text(doc.get("huisnummertoevoeging")),
            postcode=str(doc["postcode"]).replace(" ", "").upper(),
            woonplaatsnaam=str(doc["woonplaatsnaam"]),
            gemeentenaam=str(doc["gemeentenaam"]),
            gemeentecode=str(doc["gemeentecode"]).zfill(4),
            wijkcode=_text(doc.get("wijkcode")),
            wijknaam=_text(doc.get("wijknaam")),
            buurtcode=_text(doc.get("buurtcode")),
            buurtnaam=_text(doc.get("buurtnaam")),
            oppervlakte=int(oppervlakte) if oppervlakte is not None else None,
            gebruiksdoelen=tuple(str(d) for d in doc.get("gebruiksdoelen") or ()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AdresDataError(f"adres onleesbaar: {doc.get('weergavenaam', doc)!r}") from exc


def volgorde(adres: Adres) -> tuple[str, str]:
    return ((adres.huisletter or "").upper(), (adres.huisnummertoevoeging or "").upper())


class BestandsAdresRegister:
    """An address register read from a JSON file in the Locatieserver response shape."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or DEFAULT_PATH
        with self.path.open(encoding="utf-8") as f:
            raw = json.load(f)
        docs = (raw.get("response") or {}).get("docs") or []
        # Locatieserver also returns streets, woonplaatsen etc.; only addresses are of use here.
        self._adressen = [
            adres_uit_locatieserver(d) for d in docs if d.get("type", "adres") == "adres"
        ]
        self._op_nummer: dict[tuple[str, int], list[Adres]] = {}
        for adres in self._adressen:
            self._op_nummer.setdefault((adres.postcode, adres.huisnummer), []).append(adres)
        for matches in self._op_nummer.values():
            matches.sort(key=volgorde)

    def zoek(
        self,
        postcode: str,
        huisnummer: int,
        huisletter: str | None = None,
        huisnummertoevoeging: str | None = None,
    ) -> list[Adres]:
        return matching(
            self.op_postcode_huisnummer(postcode, huisnummer), huisletter, huisnummertoevoeging
        )

    def op_postcode_huisnummer(self, postcode: str, huisnummer: int) -> list[Adres]:
        return list(self._op_nummer.get((postcode.replace(" ", "").upper(), huisnummer), []))
