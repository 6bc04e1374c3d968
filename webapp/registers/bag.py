"""BAG Individuele Bevragingen v2 (Kadaster) as the address register, and the HTTP plumbing the
address registers share (:mod:`webapp.registers.pdok` builds on this module).

One request per postcode + huisnummer: ``GET /adressenuitgebreid`` without ``exacteMatch`` lists
every letter and addition of that number, each with its verblijfsobject's ``oppervlakte`` and
``gebruiksdoelen``; matching the letter and addition happens here, case-insensitively, as in the
file register. ``exacteMatch=true`` would not do: without a huisletter it means "no huisletter",
so a resident who typed 15 would never be offered 15A and 15B.

An address in BAG carries no gemeente. The gemeente is the bronhouder of its woonplaats
(``GET /bronhouders?objectIdentificatie=<woonplaats>``, remembered per woonplaats); the
nummeraanduiding's first four digits are not it, they keep the code of a gemeente that merged.
BAG knows no CBS wijken or buurten: ``wijkcode``, ``buurtcode`` and their names are None. A
gemeente whose areas are wijken or buurten uses PDOK, with a ``bag`` block for the floor area.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx2
from pydantic import Field

from webapp.options import EnvVarName, Options, secret
from webapp.registers.adressen import Adres, matching
from webapp.registers.cache import TtlCache
from webapp.registers.errors import RegisterOnbereikbaar

DEFAULT_URL = "https://api.bag.kadaster.nl/lvbag/individuelebevragingen/v2"
URL_PATTERN = r"^https?://[^\s?#]+$"
POOL = 20
"""Connections per register: the worker threads of the pool share them."""

CRS = "epsg:28992"
"""The only coordinate system BAG offers; it refuses a geometry request without ``Accept-Crs``."""

HEALTH_ADRES = ("1012JS", 1)
"""Any well-formed, normalised postcode and number: health asks whether the register answers,
not what."""

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_BRONHOUDER_CODE = re.compile(r"[0-9]{4}")


class VerbindingOptions(Options):
    """What every address register over HTTP is given: how long to wait, how long to remember."""

    connect_timeout: float = Field(
        1.0, gt=0, le=30, description="Seconden om een verbinding met het register te maken."
    )
    timeout: float = Field(
        3.0,
        gt=0,
        le=60,
        description="Seconden om op het antwoord te wachten. Kort: de inwoner wacht erop.",
    )
    cache_seconden: int = Field(
        600,
        ge=0,
        le=86_400,
        description="Hoe lang een opgezocht huisnummer onthouden wordt (0: niet onthouden). "
        "Een adres alleen is geen persoonsgegeven.",
    )
    cache_max: int = Field(
        1000,
        ge=1,
        le=100_000,
        description="Hoeveel opgezochte huisnummers ten hoogste onthouden worden.",
    )


class BagOptions(VerbindingOptions):
    """BAG Individuele Bevragingen v2 van het Kadaster, met een API-sleutel. Geeft woonoppervlakte
    en gebruiksdoelen; geen wijk- of buurtcodes (daarvoor: PDOK)."""

    soort: Literal["bag"] = "bag"
    url: str = Field(
        DEFAULT_URL,
        pattern=URL_PATTERN,
        description="Basis-URL van de API. Acceptatie: "
        "https://api.bag.acceptatie.kadaster.nl/lvbag/individuelebevragingen/v2",
    )
    api_key_env: EnvVarName = Field(
        description="Naam van de omgevingsvariabele met de API-sleutel (header X-Api-Key)."
    )


def http_client(options: VerbindingOptions, url: str, headers: Mapping[str, str]) -> httpx2.Client:
    """One client per configured connection: thread safe, a bounded pool, short timeouts."""
    return httpx2.Client(
        base_url=url,
        headers=dict(headers),
        timeout=httpx2.Timeout(options.timeout, connect=options.connect_timeout),
        limits=httpx2.Limits(max_connections=POOL, max_keepalive_connections=POOL),
        follow_redirects=False,
    )


def get_json(
    client: httpx2.Client,
    path: str,
    params: Mapping[str, str | int],
    register: str,
    headers: Mapping[str, str] | None = None,
) -> Any | None:
    """The JSON body of ``GET path``, or None for 404. Anything else that is not a 200 with JSON
    raises :class:`RegisterOnbereikbaar`. Messages name the register, the path and the status,
    never the query: that is an address. The cause is dropped for the same reason (an httpx
    error may carry the URL)."""
    where = f"{register} {path}"
    try:
        response = client.get(path, params=dict(params), headers=headers)
    except httpx2.TimeoutException:
        raise RegisterOnbereikbaar(f"{where}: geen antwoord binnen de tijdslimiet") from None
    except httpx2.HTTPError as exc:
        raise RegisterOnbereikbaar(f"{where}: niet bereikbaar ({type(exc).__name__})") from None
    status = response.status_code
    if status == 404:
        return None
    if status in (401, 403):
        raise RegisterOnbereikbaar(
            f"{where}: toegang geweigerd (HTTP {status}); dit lijkt een configuratiefout "
            "(API-sleutel of autorisatie)"
        )
    if status != 200:
        raise RegisterOnbereikbaar(f"{where}: HTTP {status}")
    try:
        return response.json()
    except ValueError:
        raise RegisterOnbereikbaar(f"{where}: het antwoord is geen JSON") from None


def normalised(postcode: str, huisnummer: int) -> tuple[str, int] | None:
    """Postcode and huisnummer as the registers hold them ("3083AB", 12), or None when they
    cannot be an address. They go into a query, so nothing else is ever sent."""
    code = postcode.replace(" ", "").strip().upper()
    if not _POSTCODE.fullmatch(code) or type(huisnummer) is not int:
        return None
    if not 1 <= huisnummer <= 99_999:
        return None
    return code, huisnummer


@dataclass(frozen=True)
class BagAdres:
    """One address of ``/adressenuitgebreid``, before its gemeente is known."""

    nummeraanduiding_id: str
    adresseerbaarobject_id: str
    straatnaam: str
    huisnummer: int
    huisletter: str | None
    huisnummertoevoeging: str | None
    postcode: str
    woonplaatsnaam: str
    woonplaats_id: str
    oppervlakte: int | None
    gebruiksdoelen: tuple[str, ...]


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def bag_adres(raw: Mapping[str, Any]) -> BagAdres | None:
    """Read one ``AdresUitgebreidHal``; None for a number without an adresseerbaar object (nobody
    can live there). Raises KeyError, TypeError or ValueError on a malformed one."""
    if not raw.get("adresseerbaarObjectIdentificatie"):
        return None
    oppervlakte = raw.get("oppervlakte")
    doelen = raw.get("gebruiksdoelen") or ()
    if not isinstance(doelen, list | tuple):
        raise TypeError("gebruiksdoelen is geen lijst")
    return BagAdres(
        nummeraanduiding_id=str(raw["nummeraanduidingIdentificatie"]),
        adresseerbaarobject_id=str(raw["adresseerbaarObjectIdentificatie"]),
        straatnaam=str(raw["openbareRuimteNaam"]),
        huisnummer=int(raw["huisnummer"]),
        huisletter=_text(raw.get("huisletter")),
        huisnummertoevoeging=_text(raw.get("huisnummertoevoeging")),
        postcode=str(raw["postcode"]).replace(" ", "").upper(),
        woonplaatsnaam=str(raw["woonplaatsNaam"]),
        woonplaats_id=str(raw["woonplaatsIdentificatie"]),
        oppervlakte=int(oppervlakte) if oppervlakte is not None else None,
        gebruiksdoelen=tuple(str(d) for d in doelen),
    )


def _embedded(body: Any, name: str) -> list[Any]:
    """``_embedded.<name>`` of a HAL collection; absent means none."""
    if not isinstance(body, Mapping):
        raise TypeError("het antwoord is geen object")
    embedded = body.get("_embedded")
    if embedded is None:
        return []
    if not isinstance(embedded, Mapping):
        raise TypeError("_embedded is geen object")
    items = embedded.get(name, [])
    if not isinstance(items, list):
        raise TypeError(f"_embedded.{name} is geen lijst")
    return items


class BagAdresRegister:
    """The address register of BAG Individuele Bevragingen v2. Implements
    :class:`~webapp.registers.adressen.AdresRegister`; ``wijkcode``, ``wijknaam``, ``buurtcode``
    and ``buurtnaam`` are always None (BAG has no CBS wijken and buurten)."""

    naam = "BAG"

    def __init__(
        self, options: BagOptions, api_key: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.options = options
        self._client = http_client(
            options, options.url, {"Accept": "application/hal+json", "X-Api-Key": api_key}
        )
        self._nummers: TtlCache[tuple[str, int], tuple[BagAdres, ...]] = TtlCache(
            options.cache_seconden, options.cache_max, clock
        )
        # Few woonplaatsen per gemeente: this one stays small.
        self._gemeenten: TtlCache[str, tuple[str, str]] = TtlCache(
            options.cache_seconden, options.cache_max, clock
        )

    def zoek(
        self,
        postcode: str,
        huisnummer: int,
        huisletter: str | None = None,
        huisnummertoevoeging: str | None = None,
    ) -> list[Adres]:
        # Matched before the gemeente is asked: a miss needs no bronhouder.
        found = matching(self.nummer(postcode, huisnummer), huisletter, huisnummertoevoeging)
        return [self._adres(b) for b in found]

    def op_postcode_huisnummer(self, postcode: str, huisnummer: int) -> list[Adres]:
        return [self._adres(b) for b in self.nummer(postcode, huisnummer)]

    def verblijfsgegevens(
        self, postcode: str, huisnummer: int
    ) -> dict[str, tuple[int | None, tuple[str, ...]]]:
        """Floor area and uses by nummeraanduiding, for a register that lacks them (PDOK). Needs
        no gemeente, so asks no bronhouder."""
        return {
            b.nummeraanduiding_id: (b.oppervlakte, b.gebruiksdoelen)
            for b in self.nummer(postcode, huisnummer)
        }

    def nummer(
        self, postcode: str, huisnummer: int, *, cached: bool = True
    ) -> tuple[BagAdres, ...]:
        """Every address at this postcode and number, sorted by letter and addition."""
        key = normalised(postcode, huisnummer)
        if key is None:
            return ()
        if cached:
            found = self._nummers.get(key)
            if found is not None:
                return found
        body = get_json(
            self._client,
            "adressenuitgebreid",
            {"postcode": key[0], "huisnummer": key[1]},
            self.naam,
            headers={"Accept-Crs": CRS},
        )
        try:
            read = (
                [bag_adres(raw) for raw in _embedded(body, "adressen")] if body is not None else []
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RegisterOnbereikbaar(
                f"{self.naam} adressenuitgebreid: onverwacht antwoord"
            ) from None
        found = tuple(
            sorted(
                (b for b in read if b is not None and (b.postcode, b.huisnummer) == key),
                key=lambda b: (
                    (b.huisletter or "").upper(),
                    (b.huisnummertoevoeging or "").upper(),
                ),
            )
        )
        self._nummers.put(key, found)
        return found

    def gemeente(self, woonplaats_id: str) -> tuple[str, str]:
        """(CBS code, name) of the gemeente a woonplaats lies in: its BAG bronhouder."""
        found = self._gemeenten.get(woonplaats_id)
        if found is not None:
            return found
        body = get_json(
            self._client, "bronhouders", {"objectIdentificatie": woonplaats_id}, self.naam
        )
        try:
            bronhouder = _embedded(body, "bronhouders")[0]["bronhouder"]
            code, naam = str(bronhouder["code"]), str(bronhouder["naam"])
        except (KeyError, IndexError, TypeError):
            code, naam = "", ""
        if not _BRONHOUDER_CODE.fullmatch(code) or not naam:
            raise RegisterOnbereikbaar(f"{self.naam} bronhouders: onverwacht antwoord")
        self._gemeenten.put(woonplaats_id, (code, naam))
        return code, naam

    def _adres(self, b: BagAdres) -> Adres:
        code, naam = self.gemeente(b.woonplaats_id)
        return Adres(
            nummeraanduiding_id=b.nummeraanduiding_id,
            adresseerbaarobject_id=b.adresseerbaarobject_id,
            straatnaam=b.straatnaam,
            huisnummer=b.huisnummer,
            huisletter=b.huisletter,
            huisnummertoevoeging=b.huisnummertoevoeging,
            postcode=b.postcode,
            woonplaatsnaam=b.woonplaatsnaam,
            gemeentenaam=naam,
            gemeentecode=code,
            wijkcode=None,
            wijknaam=None,
            buurtcode=None,
            buurtnaam=None,
            oppervlakte=b.oppervlakte,
            gebruiksdoelen=b.gebruiksdoelen,
        )

    def health(self) -> None:
        """Raises :class:`RegisterOnbereikbaar` when BAG does not answer or refuses the key."""
        self.nummer(*HEALTH_ADRES, cached=False)

    def close(self) -> None:
        self._client.close()


def from_options(options: BagOptions, env: Mapping[str, str]) -> BagAdresRegister:
    return BagAdresRegister(options, secret(options.api_key_env, env, options.soort))
