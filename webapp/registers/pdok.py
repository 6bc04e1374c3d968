"""PDOK Locatieserver v3.1 as the address register: public, no key, with the CBS wijk and buurt
of each address; optionally enriched with BAG Individuele Bevragingen for floor area and use.

One ``GET /free`` per postcode + huisnummer asks every letter and addition of that number, only
the fields :func:`~webapp.registers.adressen.adres_uit_locatieserver` reads (``fl``), and pages
with ``start`` when a number has more addresses than one answer holds. Locatieserver refuses
parameters it does not know, so only documented ones are sent. It has no floor area and no
gebruiksdoelen: with a ``bag`` block those come from BAG ``/adressenuitgebreid`` (one more
request per number), otherwise ``oppervlakte`` is None and ``gebruiksdoelen`` empty.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import Field

from webapp.registers.adressen import (
    Adres,
    AdresDataError,
    adres_uit_locatieserver,
    matching,
    volgorde,
)
from webapp.registers.bag import (
    HEALTH_ADRES,
    URL_PATTERN,
    BagAdresRegister,
    BagOptions,
    VerbindingOptions,
    get_json,
    http_client,
    normalised,
)
from webapp.registers.bag import from_options as bag_from_options
from webapp.registers.cache import TtlCache
from webapp.registers.errors import RegisterOnbereikbaar

DEFAULT_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"

FIELDS = (
    "nummeraanduiding_id",
    "adresseerbaarobject_id",
    "straatnaam",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "woonplaatsnaam",
    "gemeentenaam",
    "gemeentecode",
    "wijkcode",
    "wijknaam",
    "buurtcode",
    "buurtnaam",
)
"""What ``fl`` asks: the fields of :class:`~webapp.registers.adressen.Adres`, nothing more."""

ROWS = 100
"""The most documents Locatieserver gives in one answer."""
MAX_ADRESSEN = 1000
"""Paging stops here; no number has that many addresses."""


class PdokOptions(VerbindingOptions):
    """PDOK Locatieserver v3.1: openbaar, zonder sleutel, met de CBS-wijk en -buurt van elk
    adres. Woonoppervlakte en gebruiksdoelen alleen met een bag-blok."""

    soort: Literal["pdok"] = "pdok"
    url: str = Field(
        DEFAULT_URL, pattern=URL_PATTERN, description="Basis-URL van de Locatieserver (v3.1)."
    )
    bag: BagOptions | None = Field(
        None,
        description="BAG Individuele Bevragingen erbij, voor de woonoppervlakte en de "
        "gebruiksdoelen van het adres (bijvoorbeeld voor een huisvestingsvergunning). Zonder "
        "dit blok zijn die onbekend.",
    )


class PdokAdresRegister:
    """The address register of PDOK Locatieserver v3.1. Implements
    :class:`~webapp.registers.adressen.AdresRegister`. With ``bag`` the addresses found get
    BAG's ``oppervlakte`` and ``gebruiksdoelen``; when BAG cannot answer, neither can this."""

    naam = "PDOK"

    def __init__(
        self,
        options: PdokOptions,
        *,
        bag: BagAdresRegister | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        self.bag = bag
        self._client = http_client(options, options.url, {"Accept": "application/json"})
        self._nummers: TtlCache[tuple[str, int], tuple[Adres, ...]] = TtlCache(
            options.cache_seconden, options.cache_max, clock
        )

    def zoek(
        self,
        postcode: str,
        huisnummer: int,
        huisletter: str | None = None,
        huisnummertoevoeging: str | None = None,
    ) -> list[Adres]:
        found = matching(self.nummer(postcode, huisnummer), huisletter, huisnummertoevoeging)
        return self._verrijkt(found)

    def op_postcode_huisnummer(self, postcode: str, huisnummer: int) -> list[Adres]:
        return self._verrijkt(list(self.nummer(postcode, huisnummer)))

    def nummer(self, postcode: str, huisnummer: int) -> tuple[Adres, ...]:
        """Every address at this postcode and number as Locatieserver has it, sorted."""
        key = normalised(postcode, huisnummer)
        if key is None:
            return ()
        found = self._nummers.get(key)
        if found is not None:
            return found
        adressen: list[Adres] = []
        seen = 0
        while seen < MAX_ADRESSEN:
            page = self._page(key, start=seen, rows=ROWS)
            if page is None:
                break
            num_found, count, docs = page
            adressen.extend(docs)
            seen += count
            if count == 0 or seen >= num_found:
                break
        # The query matches these fields exactly; checking again costs nothing.
        result = tuple(
            sorted((a for a in adressen if (a.postcode, a.huisnummer) == key), key=volgorde)
        )
        self._nummers.put(key, result)
        return result

    def _page(
        self, key: tuple[str, int], *, start: int, rows: int
    ) -> tuple[int, int, list[Adres]] | None:
        body = get_json(
            self._client,
            "free",
            {
                # Both values are checked (normalised), so nothing else reaches Solr's syntax.
                "q": f"postcode:{key[0]} AND huisnummer:{key[1]}",
                "fq": "type:adres",
                "fl": ",".join(FIELDS),
                "rows": rows,
                "start": start,
            },
            self.naam,
        )
        if body is None:
            return None
        try:
            return _read(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            # AdresDataError is a ValueError; its message holds the address, so it stays out.
            raise RegisterOnbereikbaar(f"{self.naam} free: onverwacht antwoord") from None

    def _verrijkt(self, adressen: list[Adres]) -> list[Adres]:
        if self.bag is None or not adressen:
            return adressen
        first = adressen[0]  # one number: one BAG request for all of them
        gegevens = self.bag.verblijfsgegevens(first.postcode, first.huisnummer)
        verrijkt = []
        for adres in adressen:
            if adres.nummeraanduiding_id in gegevens:
                oppervlakte, doelen = gegevens[adres.nummeraanduiding_id]
                adres = replace(adres, oppervlakte=oppervlakte, gebruiksdoelen=doelen)
            verrijkt.append(adres)
        return verrijkt

    def health(self) -> None:
        """Raises :class:`RegisterOnbereikbaar` when Locatieserver (or BAG, when configured)
        does not answer. Asks no documents, only whether a query is answered."""
        self._page(HEALTH_ADRES, start=0, rows=0)
        if self.bag is not None:
            self.bag.health()

    def close(self) -> None:
        self._client.close()
        if self.bag is not None:
            self.bag.close()


def _read(body: Any) -> tuple[int, int, list[Adres]]:
    """``response.numFound``, how many ``response.docs`` came, and the addresses among them."""
    response = body["response"]
    num_found = response["numFound"]
    docs = response["docs"]
    if type(num_found) is not int or not isinstance(docs, list):
        raise TypeError("numFound of docs ontbreekt")
    adressen = []
    for doc in docs:
        if not isinstance(doc, Mapping):
            raise TypeError("een doc is geen object")
        if doc.get("type", "adres") == "adres":
            try:
                adressen.append(adres_uit_locatieserver(doc))
            except AdresDataError:
                raise ValueError("een adres is onleesbaar") from None
    return num_found, len(docs), adressen


def from_options(options: PdokOptions, env: Mapping[str, str]) -> PdokAdresRegister:
    bag = bag_from_options(options.bag, env) if options.bag is not None else None
    return PdokAdresRegister(options, bag=bag)
