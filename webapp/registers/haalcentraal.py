"""The BRP through Haal Centraal BRP Personen 2.x (the BRP API Personen, ``POST /personen``).

Two questions, both as the standard asks them:

- :meth:`HaalCentraal.raadpleeg`: ``RaadpleegMetBurgerservicenummer`` with only the ``fields``
  that :class:`~webapp.registers.brp.Persoon` holds (:data:`FIELDS`). The answer is read by
  :func:`~webapp.registers.brp.persoon_uit_haal_centraal`, as the file-backed BRP reads its file.
- :meth:`HaalCentraal.bewoners`: ``ZoekMetAdresseerbaarObjectIdentificatie``. A search answers
  with a limited person (``GezagPersoonBeperkt``: no address, no relatives), so it asks only the
  burgerservicenummers, then the full persons with ``RaadpleegMetBurgerservicenummer``, at most
  20 a request (the spec's ``maxItems``).

Relatives (partners, kinderen, ouders) come as references without an address. Whether a partner
or child lives with the resident is therefore never read from the relation: the household step
takes the persons the search finds at the resident's address and reads their relations from both
sides (:mod:`webapp.domain.household`). A partner registered elsewhere is not among them.

The answers of ``raadpleeg`` (and who lives at an address) stay in a small in-memory cache for a
short while (``cache_seconden``, 60 s by default): every page of a visit asks for the resident.
Personal data is only ever in that memory: never written to disk, never logged; the messages of
:class:`~webapp.registers.errors.RegisterOnbereikbaar` hold no BSN and no address.
"""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx2 as httpx
from pydantic import Field, field_validator, model_validator

from webapp.options import EnvVarName, Options, OptionsError, secret
from webapp.registers.brp import BrpDataError, Persoon, persoon_uit_haal_centraal
from webapp.registers.cache import TtlCache
from webapp.registers.errors import RegisterOnbereikbaar

SOORT = "haal-centraal"
NAAM = "BRP (Haal Centraal)"
"""How the messages name this register (for the operator)."""

RAADPLEEG = "RaadpleegMetBurgerservicenummer"
ZOEK_OP_ADRES = "ZoekMetAdresseerbaarObjectIdentificatie"
MAX_BSNS_PER_VRAAG = 20
"""``RaadpleegMetBurgerservicenummer.burgerservicenummer`` has ``maxItems: 20``."""
CONTENT_TYPE = "application/json; charset=utf-8"
"""The only media type the spec gives for the request body and the 200 answer."""
PROEF_BSN = "000000000"
"""What :meth:`HaalCentraal.health` asks for: a well-formed BSN that fails the 11-proef, so no
person has it and no personal data is asked or returned."""

VERBLIJFPLAATS = "verblijfplaats"
_VERBLIJFPLAATS_FIELDS = (
    "verblijfadres.officieleStraatnaam",
    "verblijfadres.huisnummer",
    "verblijfadres.huisletter",
    "verblijfadres.huisnummertoevoeging",
    "verblijfadres.postcode",
    "verblijfadres.woonplaats",
    "adresseerbaarObjectIdentificatie",
)
_PERSOON_FIELDS = (
    "burgerservicenummer",
    "naam.voornamen",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
    # A date or a waardetabel comes whole whatever part is asked: type, datum/jaar/maand.
    "geboorte.datum",
    "geslacht",
    "gemeenteVanInschrijving",
    # Partners: the current one, or the last dissolved one (then with its ontbinding).
    "partners.burgerservicenummer",
    "partners.soortVerbintenis",
    "partners.ontbindingHuwelijkPartnerschap.datum",
    "kinderen.burgerservicenummer",
    "ouders.burgerservicenummer",
    "indicatieCurateleRegister",
)


def fields(verblijfplaats: str = VERBLIJFPLAATS) -> tuple[str, ...]:
    """The field paths ``raadpleeg`` asks: what :class:`Persoon` holds, nothing more. The
    verblijfplaats paths start with ``verblijfplaats`` or, for a gemeente not authorised for
    addresses abroad, the spec's alias ``verblijfplaatsBinnenland`` (the answer says
    ``verblijfplaats`` either way). The verblijfplaats's ``type`` comes with any of its fields."""
    return _PERSOON_FIELDS + tuple(f"{verblijfplaats}.{f}" for f in _VERBLIJFPLAATS_FIELDS)


FIELDS = fields()
ZOEK_FIELDS = ("burgerservicenummer",)
"""All a search at an address asks: who is registered there."""

_BSN = re.compile(r"^[0-9]{9}$")
_OBJECT_ID = re.compile(r"^(?!0{16})[0-9]{16}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]*$")
# Headers the client sets itself, or that would carry a secret in the configuration file.
_RESERVED_HEADERS = {
    "accept",
    "authorization",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "host",
    "proxy-authorization",
    "transfer-encoding",
}
# Statuses that mean our request or our credentials are wrong, not that the BRP is down.
CONFIGURATIEFOUT = frozenset({400, 401, 403, 405, 406, 415})


@dataclass(frozen=True)
class Health:
    """Whether the BRP answers now; ``detail`` is for the operator (no personal data)."""

    ok: bool
    detail: str = ""


class HaalCentraalOptions(Options):
    """De BRP via Haal Centraal BRP Personen 2.x (de BRP API Personen, POST /personen).
    Geheimen en paden van sleutels staan niet in de configuratie: alleen de namen van de
    omgevingsvariabelen die ze bevatten."""

    soort: Literal["haal-centraal"] = "haal-centraal"
    url: str = Field(
        description="Basis-url van de API, zonder /personen, bijv. "
        "https://proefomgeving.haalcentraal.nl/haalcentraal/api/brp. Alleen https, behalve op "
        "dit eigen systeem (localhost, bijv. een sidecar die de TLS doet)."
    )
    api_key_env: EnvVarName | None = Field(
        default=None, description="Omgevingsvariabele met de API key (weglaten: geen API key)."
    )
    authenticatie_header: str = Field(
        default="X-API-KEY", description="De header waarin de API key gaat."
    )
    client_certificaat_pad_env: EnvVarName | None = Field(
        default=None,
        description="mTLS: omgevingsvariabele met het pad van het clientcertificaat (PEM).",
    )
    client_sleutel_pad_env: EnvVarName | None = Field(
        default=None,
        description="mTLS: omgevingsvariabele met het pad van de private key van het "
        "clientcertificaat (PEM, niet versleuteld); weglaten als die in het certificaatbestand "
        "staat.",
    )
    ca_bundel_pad_env: EnvVarName | None = Field(
        default=None,
        description="Omgevingsvariabele met het pad van de CA-bundel (PEM) waarmee het "
        "servercertificaat wordt gecontroleerd (bijv. PKIoverheid); weglaten: de gewone "
        "vertrouwde CA's.",
    )
    vaste_headers: dict[str, str] = Field(
        default_factory=dict,
        description="Vaste, niet-geheime headers die de gateway van de gemeente vraagt, bijv. "
        "x-doelbinding, x-verwerking of x-origin-oin. Geen geheimen: die gaan via api_key_env.",
    )
    verblijfplaats_veld: Literal["verblijfplaats", "verblijfplaatsBinnenland"] = Field(
        default="verblijfplaats",
        description="verblijfplaatsBinnenland voor een afnemer die niet geautoriseerd is voor "
        "verblijfplaats buitenland (de fields-alias van de BRP API).",
    )
    connect_timeout: float = Field(default=2.0, gt=0, le=30, description="Seconden.")
    read_timeout: float = Field(default=5.0, gt=0, le=60, description="Seconden.")
    cache_seconden: float = Field(
        default=60.0,
        ge=0,
        le=600,
        description="Hoe lang een geraadpleegde persoon in het geheugen blijft; 0: geen cache.",
    )
    cache_max: int = Field(
        default=256, ge=1, le=5000, description="Hoeveel personen de cache ten hoogste bewaart."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url moet een volledige http(s)-url zijn")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("url zonder query, fragment of inloggegevens")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError(
                "url moet https zijn: persoonsgegevens gaan niet onversleuteld over het netwerk"
            )
        return value.rstrip("/")

    @field_validator("authenticatie_header")
    @classmethod
    def _header_naam(cls, value: str) -> str:
        if not _HEADER_NAME.fullmatch(value) or value.lower() in _RESERVED_HEADERS:
            raise ValueError(f"{value!r} kan niet de header van de API key zijn")
        return value

    @field_validator("vaste_headers")
    @classmethod
    def _vaste_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, content in value.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"vaste_headers: {name!r} is geen geldige headernaam")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"vaste_headers: {name!r} zet de client zelf of is een geheim")
            if not _HEADER_VALUE.fullmatch(content):
                raise ValueError(f"vaste_headers: de waarde van {name!r} is geen gewone tekst")
        return value

    @model_validator(mode="after")
    def _samenhang(self) -> HaalCentraalOptions:
        lowered = {n.lower() for n in self.vaste_headers}
        if self.authenticatie_header.lower() in lowered:
            raise ValueError("vaste_headers: de header van de API key hoort in api_key_env")
        if self.client_sleutel_pad_env and not self.client_certificaat_pad_env:
            raise ValueError("client_sleutel_pad_env zonder client_certificaat_pad_env")
        return self


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NietGevonden(Exception):
    """The API answered 404."""


def _path_from(name: str, env: Mapping[str, str], wat: str) -> Path:
    path = Path(secret(name, env, SOORT))
    if not path.is_file():
        raise OptionsError(
            f"koppeling {SOORT!r}: {wat} ({name}) wijst naar {path}, maar dat bestand bestaat niet"
        )
    return path


def _ssl_context(options: HaalCentraalOptions, env: Mapping[str, str]) -> ssl.SSLContext | bool:
    """True (the usual trusted CAs) unless a CA bundle or a client certificate is configured."""
    if not (options.ca_bundel_pad_env or options.client_certificaat_pad_env):
        return True
    if options.ca_bundel_pad_env:
        ca = _path_from(options.ca_bundel_pad_env, env, "de CA-bundel")
        try:
            context = ssl.create_default_context(cafile=str(ca))
        except (ssl.SSLError, ValueError) as exc:
            raise OptionsError(
                f"koppeling {SOORT!r}: de CA-bundel ({options.ca_bundel_pad_env}) is geen "
                f"PEM-bestand met certificaten ({type(exc).__name__})"
            ) from None
    else:
        context = httpx.create_ssl_context()
    if options.client_certificaat_pad_env:
        cert = _path_from(options.client_certificaat_pad_env, env, "het clientcertificaat")
        key = (
            _path_from(options.client_sleutel_pad_env, env, "de sleutel van het clientcertificaat")
            if options.client_sleutel_pad_env
            else None
        )
        try:
            context.load_cert_chain(str(cert), str(key) if key else None)
        except (ssl.SSLError, ValueError) as exc:
            raise OptionsError(
                f"koppeling {SOORT!r}: clientcertificaat en sleutel "
                f"({options.client_certificaat_pad_env}) zijn niet te laden: passen ze bij "
                f"elkaar en is de sleutel onversleuteld? ({type(exc).__name__})"
            ) from None
    return context


class HaalCentraal:
    """A :class:`~webapp.registers.brp.Brp` that asks the BRP API Personen 2.x."""

    soort = SOORT

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        verify: ssl.SSLContext | bool = True,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        cache_seconden: float = 60.0,
        cache_max: int = 256,
        verblijfplaats_veld: str = VERBLIJFPLAATS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = f"{url.rstrip('/')}/personen"
        self.fields = fields(verblijfplaats_veld)
        self._headers = {
            **(headers or {}),
            "Content-Type": CONTENT_TYPE,
            "Accept": "application/json",
        }
        timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        )
        self._client = httpx.Client(
            timeout=timeout,
            verify=verify,
            follow_redirects=False,  # a redirect is a wrong url: said, not followed
        )
        self._personen: TtlCache[str, Persoon] = TtlCache(cache_seconden, cache_max, clock)
        self._adressen: TtlCache[str, tuple[str, ...]] = TtlCache(cache_seconden, cache_max, clock)

    @classmethod
    def from_options(cls, options: HaalCentraalOptions, env: Mapping[str, str]) -> HaalCentraal:
        """Build the client; a variable the options name that is unset, or a certificate file
        that is missing or unreadable, raises :class:`~webapp.options.OptionsError`."""
        headers = dict(options.vaste_headers)
        if options.api_key_env:
            headers[options.authenticatie_header] = secret(options.api_key_env, env, SOORT)
        return cls(
            options.url,
            headers=headers,
            verify=_ssl_context(options, env),
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            cache_seconden=options.cache_seconden,
            cache_max=options.cache_max,
            verblijfplaats_veld=options.verblijfplaats_veld,
        )

    def close(self) -> None:
        self._client.close()

    # -- the Brp protocol ---------------------------------------------------------------------

    def raadpleeg(self, bsn: str) -> Persoon | None:
        if not _BSN.fullmatch(bsn):
            return None  # no person has it; asking would only earn a 400
        cached = self._personen.get(bsn)
        if cached is not None:
            return cached
        return self._raadpleeg([bsn]).get(bsn)

    def bewoners(self, adresseerbaar_object_identificatie: str) -> list[Persoon]:
        bsns = self._wie_woont(adresseerbaar_object_identificatie)
        found = {bsn: p for bsn in bsns if (p := self._personen.get(bsn)) is not None}
        missing = [bsn for bsn in bsns if bsn not in found]
        for start in range(0, len(missing), MAX_BSNS_PER_VRAAG):
            found.update(self._raadpleeg(missing[start : start + MAX_BSNS_PER_VRAAG]))
        # Someone the search found but the BRP no longer gives (moved or died in between) is
        # left out, as they would be from a search made a moment later.
        return [found[bsn] for bsn in bsns if bsn in found]

    def aantal_bewoners(self, adresseerbaar_object_identificatie: str) -> int:
        """How many persons are registered at this address, from the search alone: only their
        burgerservicenummers are asked, not who they are. For the new address, where the
        service needs the number and nothing more about strangers (data minimisation)."""
        return len(self._wie_woont(adresseerbaar_object_identificatie))

    def health(self) -> Health:
        """Best effort, without personal data: ``RaadpleegMetBurgerservicenummer`` for
        :data:`PROEF_BSN` (no person has it), asking only ``burgerservicenummer``. An answer
        in the spec's shape means the API, our credentials and our headers work. The BRP logs
        the question like any other, so a readiness check should not ask every second."""
        body = {
            "type": RAADPLEEG,
            "burgerservicenummer": [PROEF_BSN],
            "fields": ["burgerservicenummer"],
        }
        try:
            self._personen_in(self._post(body), RAADPLEEG)
        except _NietGevonden:
            return Health(False, f"{NAAM} antwoordde 404 op {self.endpoint}: klopt de url?")
        except RegisterOnbereikbaar as exc:
            return Health(False, str(exc))
        return Health(True, f"{NAAM} bereikbaar")

    # -- the API ------------------------------------------------------------------------------

    def _wie_woont(self, object_id: str) -> tuple[str, ...]:
        """The BSNs registered at the address, from the cache or one search."""
        if not _OBJECT_ID.fullmatch(object_id):
            return ()  # not a BAG id: nobody can be registered there
        bsns = self._adressen.get(object_id)
        if bsns is None:
            bsns = self._zoek_op_adres(object_id)
            self._adressen.put(object_id, bsns)
        return bsns

    def _raadpleeg(self, bsns: list[str]) -> dict[str, Persoon]:
        body = {"type": RAADPLEEG, "burgerservicenummer": bsns, "fields": list(self.fields)}
        try:
            items = self._personen_in(self._post(body), RAADPLEEG)
        except _NietGevonden:
            return {}
        result: dict[str, Persoon] = {}
        for item in items:
            persoon = _persoon(item)
            if persoon.burgerservicenummer not in bsns:
                raise RegisterOnbereikbaar(f"{NAAM} gaf een persoon die niet gevraagd was")
            if persoon.burgerservicenummer in result:
                # The BRP holds two persons for one BSN: which one is meant cannot be told.
                raise RegisterOnbereikbaar(
                    f"{NAAM} gaf meer dan één persoon voor één burgerservicenummer"
                )
            result[persoon.burgerservicenummer] = persoon
        for bsn, persoon in result.items():
            self._personen.put(bsn, persoon)
        return result

    def _zoek_op_adres(self, object_id: str) -> tuple[str, ...]:
        body = {
            "type": ZOEK_OP_ADRES,
            "adresseerbaarObjectIdentificatie": object_id,
            "fields": list(ZOEK_FIELDS),
        }
        try:
            items = self._personen_in(self._post(body), ZOEK_OP_ADRES)
        except _NietGevonden:
            return ()
        bsns: list[str] = []
        for item in items:
            bsn = item.get("burgerservicenummer")
            if bsn is None:
                continue  # a person without a BSN cannot be consulted, nor reported for
            if not isinstance(bsn, str) or not _BSN.fullmatch(bsn):
                raise RegisterOnbereikbaar(f"{NAAM} gaf een onleesbaar burgerservicenummer")
            if bsn not in bsns:
                bsns.append(bsn)
        return tuple(bsns)

    def _post(self, body: Mapping[str, Any]) -> Any:
        """The JSON of a 200 answer; every other outcome raises (404: :class:`_NietGevonden`)."""
        try:
            response = self._client.post(
                self.endpoint, content=json.dumps(body).encode("utf-8"), headers=self._headers
            )
        except httpx.TimeoutException as exc:
            raise RegisterOnbereikbaar(
                f"{NAAM} gaf geen antwoord binnen de tijd ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise RegisterOnbereikbaar(
                f"{NAAM} is niet bereikbaar ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status == 404:
            raise _NietGevonden
        if status in CONFIGURATIEFOUT or 300 <= status < 400:
            raise RegisterOnbereikbaar(
                f"{NAAM} weigerde de vraag met status {status}: dit lijkt een configuratiefout "
                "(url, API key, certificaat, vaste headers of autorisatie voor deze velden)"
            )
        if status != 200:
            raise RegisterOnbereikbaar(f"{NAAM} antwoordde met status {status}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise RegisterOnbereikbaar(f"{NAAM} antwoordde niet met JSON")
        try:
            return json.loads(response.content)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            raise RegisterOnbereikbaar(f"{NAAM} antwoordde met onleesbare JSON") from None

    @staticmethod
    def _personen_in(data: Any, soort: str) -> list[Mapping[str, Any]]:
        """The ``personen`` of an answer to a question of type ``soort``, as the spec shapes it."""
        if not isinstance(data, dict) or data.get("type") != soort:
            raise RegisterOnbereikbaar(f"{NAAM} gaf een antwoord dat niet past bij de vraag")
        personen = data.get("personen", [])
        if not isinstance(personen, list) or not all(isinstance(p, dict) for p in personen):
            raise RegisterOnbereikbaar(f"{NAAM} gaf een antwoord dat niet past bij de vraag")
        return personen


def _persoon(item: Mapping[str, Any]) -> Persoon:
    try:
        return persoon_uit_haal_centraal(item)
    except BrpDataError:
        # Its message masks the BSN, but ours holds none at all. A fully unknown birth date
        # (DatumOnbekend) ends here too: the service cannot tell such a person's age.
        raise RegisterOnbereikbaar(
            f"{NAAM} gaf een persoon die niet te lezen is (burgerservicenummer of geboortedatum)"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RegisterOnbereikbaar(
            f"{NAAM} gaf een persoon die niet in de vorm van de spec is"
        ) from None
