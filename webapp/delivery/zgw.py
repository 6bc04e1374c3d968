"""The ``zgw`` target: the report becomes a zaak in a Zaken API (1.5) with its files in a
Documenten API (1.5), the APIs for zaakgericht werken of VNG Realisatie (Open Zaak and others).

One zaak per report: its ``identificatie`` is derived from our reference and every part of it
(the rollen, the new address, the eigenschappen, the documents) is looked up before it is made.
A delivery that stopped half-way (a timeout, a crash, a refusal) goes on where it stopped on
the next attempt and never makes a part twice.
"""

from __future__ import annotations

import base64
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

import httpx2
from joserfc import jwt
from joserfc.jwk import OctKey
from pydantic import Field, field_validator, model_validator
from sqlalchemy.exc import SQLAlchemyError

from webapp.delivery import inhoud
from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
    secret,
)
from webapp.delivery.inhoud import PAPIER
from webapp.options import EnvVarName
from webapp.registers.adressen import Adres
from webapp.storage.store import Store
from webapp.validators import is_valid_bsn

URL = r"^https?://\S+$"
CRS = "EPSG:4326"
IDENTIFICATIE_MAX = 40
"""The length of a zaak's and a document's ``identificatie`` in both APIs."""
MAX_PAGES = 50
"""A list longer than this many pages is not one of our zaak's lists: stop, do not loop."""
BRON = "eDienst Verhuizen"

Vertrouwelijkheid = Literal[
    "openbaar",
    "beperkt_openbaar",
    "intern",
    "zaakvertrouwelijk",
    "vertrouwelijk",
    "confidentieel",
    "geheim",
    "zeer_geheim",
]
Receipt = Callable[[Melding], bytes | None]
"""Makes the receipt of a report as a PDF (None: no receipt for this one)."""


def _url(description: str) -> Any:
    return Field(pattern=URL, max_length=1000, description=description)


def _optional_url(description: str) -> Any:
    return Field(default=None, pattern=URL, max_length=1000, description=description)


class ZgwOptions(DeliveryOptions):
    soort: Literal["zgw"] = "zgw"
    zaken_url: str = _url(
        "Basis-URL van de Zaken API 1.5, bijv. https://openzaak.example.nl/zaken/api/v1."
    )
    documenten_url: str = _url(
        "Basis-URL van de Documenten API 1.5, bijv. https://openzaak.example.nl/documenten/api/v1."
    )
    zaaktype: str = _url("URL van het zaaktype voor een verhuismelding (Catalogi API).")
    roltype_initiator: str = _url("URL van het roltype voor de aangever (initiator).")
    roltype_medeverhuizer: str = _url(
        "URL van het roltype voor iemand die meeverhuist (bijv. belanghebbende)."
    )
    informatieobjecttype: str = _url(
        "URL van het informatieobjecttype voor de bijlagen die de inwoner uploadt."
    )
    informatieobjecttype_ontvangstbevestiging: str | None = _optional_url(
        "URL van het informatieobjecttype voor de ontvangstbevestiging; leeg: hetzelfde als "
        "voor de bijlagen."
    )
    eigenschap_verhuisdatum: str | None = _optional_url(
        "URL van de eigenschap (formaat datum) voor de verhuisdatum; leeg: niet vastleggen."
    )
    eigenschap_huisvestingsvergunning: str | None = _optional_url(
        "URL van de eigenschap (formaat tekst) voor de huisvestingsvergunning: 'aangevraagd' "
        "of het nummer van een vergunning die de inwoner al heeft; leeg: niet vastleggen."
    )
    eigenschap_toestemming: str | None = _optional_url(
        "URL van de eigenschap (formaat tekst) voor de toestemming van de hoofdbewoner bij "
        "inwoning: 'gevraagd', 'gegeven', 'geweigerd', 'verlopen' (online) of 'papier' "
        "(getekende verklaring); bijgewerkt als de hoofdbewoner beslist of de termijn "
        "verloopt; leeg: niet vastleggen."
    )
    rsin: str = Field(
        pattern=r"^\d{9}$",
        description="RSIN van de gemeente: de bronorganisatie van zaken en documenten.",
    )
    verantwoordelijke_organisatie: str | None = Field(
        default=None,
        pattern=r"^\d{9}$",
        description="RSIN van de organisatie die de zaak behandelt; leeg: de gemeente (rsin).",
    )
    identificatie_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_-]{0,12}$",
        description="Begin van de identificatie van zaak en documenten, voor het "
        "referentienummer van de melding (bijv. VERH-).",
    )
    omschrijving: str = Field(
        default="Verhuizing doorgegeven",
        min_length=1,
        max_length=80,
        description="Omschrijving van de zaak.",
    )
    vertrouwelijkheidaanduiding: Vertrouwelijkheid = Field(
        default="vertrouwelijk", description="Vertrouwelijkheid van de documenten."
    )
    auteur: str = Field(
        default=BRON, min_length=1, max_length=200, description="Auteur van de documenten."
    )
    client_id: str = Field(
        min_length=1, description="Client-id van deze applicatie bij de ZGW API's (JWT iss)."
    )
    secret_env: EnvVarName = Field(
        description="Omgevingsvariabele met het gedeelde geheim waarmee de JWT wordt ondertekend "
        "(HS256)."
    )
    user_id: str = Field(
        default="edienst-verhuizen", min_length=1, description="JWT-claim user_id."
    )
    user_representation: str = Field(
        default=BRON, min_length=1, description="JWT-claim user_representation."
    )
    timeout: float = Field(
        default=15.0, gt=0, le=300, description="Seconden wachten op een antwoord."
    )
    connect_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconden wachten op een verbinding."
    )

    @field_validator("rsin", "verantwoordelijke_organisatie")
    @classmethod
    def _elfproef(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_bsn(value):
            raise ValueError("geen geldig RSIN (elfproef)")
        return value

    @model_validator(mode="after")
    def _urls_without_slash(self) -> ZgwOptions:
        for name in ("zaken_url", "documenten_url"):
            if getattr(self, name).endswith("/"):
                raise ValueError(f"{name}: laat de / aan het eind weg")
        return self


class _Stop(Exception):
    """Delivery stops here with this result; what was made so far stays and is found again."""

    def __init__(self, status: DeliveryStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class _Api:
    """One of the two APIs over the delivery's HTTP client. ``what`` names a call in an error
    by its path template, never with the values in it."""

    name: str
    base: str
    client: httpx2.Client
    token: Callable[[], str]

    def get(self, path: str, params: Mapping[str, str], what: str, *, crs: bool = False) -> Any:
        return self._send("GET", path, what, params=params, crs=crs)

    def post(
        self, path: str, body: Mapping[str, Any], what: str, *, crs: bool = False
    ) -> dict[str, Any]:
        return self._written("POST", path, body, what, crs=crs)

    def patch(self, path: str, body: Mapping[str, Any], what: str) -> dict[str, Any]:
        return self._written("PATCH", path, body, what)

    def _written(
        self, method: str, path: str, body: Mapping[str, Any], what: str, *, crs: bool = False
    ) -> dict[str, Any]:
        made = self._send(method, path, what, body=body, crs=crs)
        if not isinstance(made, dict) or not isinstance(made.get("url"), str):
            raise _Stop(
                DeliveryStatus.TIJDELIJK_MISLUKT,
                f"{self.name}: antwoord op {method} {what} heeft geen url",
            )
        return made

    def items(
        self, path: str, params: Mapping[str, str], what: str, *, crs: bool = False
    ) -> list[dict[str, Any]]:
        """Every item of a list: a plain array, or a paginated one followed page by page (by
        number, so no URL the server gives is followed with our token)."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query = dict(params, page=str(page)) if page > 1 else dict(params)
            answer = self.get(path, query, what, crs=crs)
            if isinstance(answer, list):
                results, more = answer, False
            elif isinstance(answer, dict) and isinstance(answer.get("results"), list):
                results, more = answer["results"], bool(answer.get("next"))
            else:
                raise _Stop(
                    DeliveryStatus.TIJDELIJK_MISLUKT,
                    f"{self.name}: onverwacht antwoord op GET {what}",
                )
            found.extend(r for r in results if isinstance(r, dict))
            if not more:
                return found
        raise _Stop(
            DeliveryStatus.MISLUKT, f"{self.name}: meer dan {MAX_PAGES} pagina's op GET {what}"
        )

    def _send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        crs: bool = False,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
        if crs:
            # The zaak resource has a geometry, so the Zaken API asks for both on every call.
            headers.update({"Accept-Crs": CRS, "Content-Crs": CRS})
        call = f"{method} {what}"
        try:
            response = self.client.request(
                method, self.base + path, params=params, json=body, headers=headers
            )
        except httpx2.TimeoutException:
            raise _Stop(
                DeliveryStatus.TIJDELIJK_MISLUKT, f"{self.name}: geen antwoord op {call} (timeout)"
            ) from None
        except httpx2.RequestError as exc:
            raise _Stop(
                DeliveryStatus.TIJDELIJK_MISLUKT,
                f"{self.name} niet bereikbaar bij {call} ({type(exc).__name__})",
            ) from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise _Stop(
                DeliveryStatus.TIJDELIJK_MISLUKT, f"{self.name} antwoordde {status} op {call}"
            )
        if status in (401, 403):
            raise _Stop(
                DeliveryStatus.MISLUKT,
                f"configuratie: {self.name} weigert de toegang ({status}) bij {call}; controleer "
                "client_id, het geheim en de autorisaties van de applicatie",
            )
        if status >= 400:
            raise _Stop(DeliveryStatus.MISLUKT, _refusal(self.name, call, status, response))
        if status >= 300:
            # Not followed: a redirect would take our token elsewhere.
            raise _Stop(
                DeliveryStatus.MISLUKT,
                f"configuratie: {self.name} verwijst door ({status}) bij {call}; controleer "
                "de URL in de opties",
            )
        if status == 204:
            return None
        try:
            return response.json()
        except ValueError:
            raise _Stop(
                DeliveryStatus.TIJDELIJK_MISLUKT, f"{self.name}: onleesbaar antwoord op {call}"
            ) from None


def _refusal(api: str, call: str, status: int, response: httpx2.Response) -> str:
    """What the API refused, for the operator: its title and the names of the fields it found
    wrong (``invalidParams``); never their values or its ``reason``, which may quote them."""
    detail = f"{api} weigert {call} ({status})"
    try:
        problem = response.json()
    except ValueError:
        return detail
    if not isinstance(problem, dict):
        return detail
    title = problem.get("title")
    if isinstance(title, str) and title:
        detail += f": {title[:120]}"
    params = problem.get("invalidParams")
    if isinstance(params, list):
        names = sorted(
            {str(p["name"])[:80] for p in params if isinstance(p, dict) and p.get("name")}
        )
        if names:
            detail += f"; ongeldige velden: {', '.join(names)}"
    return detail


@dataclass(frozen=True)
class _Document:
    deel: str
    """What the document is in the report: a document id of the configuration, or the
    receipt; the stable part of its identificatie."""
    titel: str
    informatieobjecttype: str
    content: Callable[[], tuple[str, str, bytes] | None]
    """Its file name, media type and bytes, asked only when it has to be made."""


def _summary(made: list[str]) -> str:
    """What a delivery made, e.g. "zaak, 2 x rol, document"."""
    counted = Counter(made)
    return ", ".join(part if n == 1 else f"{n} x {part}" for part, n in counted.items())


def _stored(f: inhoud.Bijlage) -> Callable[[], tuple[str, str, bytes] | None]:
    return lambda: (f.bestandsnaam, f.content_type, f.data)


def _receipt(make: Receipt, melding: Melding) -> Callable[[], tuple[str, str, bytes] | None]:
    def content() -> tuple[str, str, bytes] | None:
        data = make(melding)
        if data is None:
            return None
        return f"ontvangstbevestiging-{melding.reference}.pdf", "application/pdf", data

    return content


def _zaak_uuid(zaak: Mapping[str, Any]) -> str:
    return str(zaak.get("uuid") or str(zaak["url"]).rstrip("/").rsplit("/", 1)[-1])


def toestemming_waarde(melding: Melding) -> str | None:
    """The value of ``eigenschap_toestemming``: the state of the online consent
    (``gevraagd``, ``gegeven``, ``geweigerd``, ``verlopen``), ``papier`` for a signed
    statement; None when the report asks no consent."""
    if melding.toestemming is not None:
        return melding.toestemming.status.value
    gekozen = inhoud.hoofdbewoner(melding)
    if gekozen is not None and gekozen.route == PAPIER:
        return PAPIER
    return None


class Zgw:
    soort: ClassVar[str] = "zgw"

    def __init__(
        self,
        options: ZgwOptions,
        store: Store,
        secret_value: str,
        *,
        receipt: Receipt | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.options = options
        self.store = store
        self.receipt = receipt
        self.today = today
        self._key = OctKey.import_key(secret_value)

    @classmethod
    def from_options(
        cls, options: ZgwOptions, deps: DeliveryDeps, *, receipt: Receipt | None = None
    ) -> Zgw:
        return cls(
            options, deps.store, secret(options.secret_env, deps.env, cls.soort), receipt=receipt
        )

    @classmethod
    def with_receipt(cls, options: ZgwOptions, deps: DeliveryDeps) -> Zgw:
        """As registered: the zaak gets the resident's PDF receipt as a document too (what
        they confirmed, as they saw it), made from the gemeente's current configuration."""
        from webapp.receipt import ontvangstbewijs

        def receipt(melding: Melding) -> bytes | None:
            gemeente = deps.gemeenten(melding.gemeente) if deps.gemeenten else None
            return None if gemeente is None else ontvangstbewijs(gemeente, melding)

        return cls.from_options(options, deps, receipt=receipt)

    # -- the connection ------------------------------------------------------------------

    def token(self) -> str:
        """A JWT as the ZGW APIs ask (HS256, the application's client id), made fresh for each
        call: the APIs refuse one whose ``iat`` is too old."""
        o = self.options
        claims = {
            "iss": o.client_id,
            "client_id": o.client_id,
            "iat": int(time.time()),
            "user_id": o.user_id,
            "user_representation": o.user_representation,
        }
        return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, self._key)

    def _client(self) -> httpx2.Client:
        timeout = httpx2.Timeout(self.options.timeout, connect=self.options.connect_timeout)
        return httpx2.Client(timeout=timeout, follow_redirects=False)

    def _apis(self, client: httpx2.Client) -> tuple[_Api, _Api]:
        return (
            _Api("Zaken API", self.options.zaken_url, client, self.token),
            _Api("Documenten API", self.options.documenten_url, client, self.token),
        )

    def identificatie(self, melding: Melding, deel: str | None = None) -> str:
        """The identificatie of the report's zaak, or of one of its documents (``deel``)."""
        prefix = self.options.identificatie_prefix
        room = IDENTIFICATIE_MAX - len(prefix)
        if deel is None:
            return prefix + melding.reference[:room]
        return prefix + inhoud.stable_id(melding, deel, max_length=room)

    # -- delivering ----------------------------------------------------------------------

    def deliver(self, melding: Melding) -> DeliveryResult:
        made: list[str] = []
        try:
            with self._client() as client:
                zaken, documenten = self._apis(client)
                zaak_url = self._deliver(melding, zaken, documenten, made)
        except _Stop as stop:
            done = f" (al gemaakt: {_summary(made)})" if made else ""
            return DeliveryResult(melding.reference, stop.status, detail=stop.detail + done)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(melding.reference, DeliveryStatus.MISLUKT, detail=str(exc))
        except SQLAlchemyError as exc:
            return DeliveryResult.database_down(melding.reference, exc)
        detail = f"gemaakt: {_summary(made)}" if made else "zaak was al volledig afgeleverd"
        return DeliveryResult(
            melding.reference, DeliveryStatus.AFGELEVERD, kenmerk=zaak_url, detail=detail
        )

    def _deliver(self, melding: Melding, zaken: _Api, documenten: _Api, made: list[str]) -> str:
        # Read all of the report first: a report that lacks a part makes nothing at all.
        adres = inhoud.nieuw_adres(melding).adres
        datum = inhoud.verhuisdatum(melding)
        mee = inhoud.meeverhuizers(melding)
        vergunning = inhoud.huisvestingsvergunning(melding)
        files = inhoud.bijlagen(self.store, melding)

        zaak = self._zaak(melding, zaken, made)
        zaak_url = str(zaak["url"])
        people = [(self.options.roltype_initiator, melding.aangever_bsn, "Aangever")] + [
            (self.options.roltype_medeverhuizer, p.bsn, f"Verhuist mee ({p.grond})") for p in mee
        ]
        self._rollen(zaak_url, people, zaken, made)
        self._adres(zaak_url, adres, zaken, made)
        eigenschappen: dict[str, str] = {}
        if self.options.eigenschap_verhuisdatum:
            # The Catalogi API's formaat "datum" is written YYYYMMDD, not as ISO 8601.
            eigenschappen[self.options.eigenschap_verhuisdatum] = datum.geldt.strftime("%Y%m%d")
        if self.options.eigenschap_huisvestingsvergunning and vergunning is not None:
            waarde = "aangevraagd" if vergunning.aangevraagd else vergunning.nummer
            if waarde:
                eigenschappen[self.options.eigenschap_huisvestingsvergunning] = waarde
        toestemming = toestemming_waarde(melding)
        if self.options.eigenschap_toestemming and toestemming:
            eigenschappen[self.options.eigenschap_toestemming] = toestemming
        self._eigenschappen(zaak, eigenschappen, zaken, made)
        self._documenten(melding, zaak_url, self._parts(melding, files), zaken, documenten, made)
        return zaak_url

    def _zaak(self, melding: Melding, zaken: _Api, made: list[str]) -> dict[str, Any]:
        o = self.options
        identificatie = self.identificatie(melding)
        query = {"identificatie": identificatie, "bronorganisatie": o.rsin}
        for zaak in zaken.items("/zaken", query, "/zaken", crs=True):
            if zaak.get("identificatie") == identificatie and isinstance(zaak.get("url"), str):
                return zaak
        body: dict[str, Any] = {
            "identificatie": identificatie,
            "bronorganisatie": o.rsin,
            "verantwoordelijkeOrganisatie": o.verantwoordelijke_organisatie or o.rsin,
            "zaaktype": o.zaaktype,
            "omschrijving": o.omschrijving,
            "startdatum": inhoud.ingediend_op(melding).isoformat(),
            "registratiedatum": self.today().isoformat(),
            "kenmerken": [{"kenmerk": melding.reference, "bron": BRON}],
        }
        zaak = zaken.post("/zaken", body, "/zaken", crs=True)
        made.append("zaak")
        return zaak

    def _rollen(
        self, zaak_url: str, people: list[tuple[str, str, str]], zaken: _Api, made: list[str]
    ) -> None:
        query = {"zaak": zaak_url, "betrokkeneType": "natuurlijk_persoon"}
        there = {
            (r.get("roltype"), (r.get("betrokkeneIdentificatie") or {}).get("inpBsn"))
            for r in zaken.items("/rollen", query, "/rollen")
        }
        for roltype, bsn, toelichting in people:
            if (roltype, bsn) in there:
                continue
            body = {
                "zaak": zaak_url,
                "betrokkeneType": "natuurlijk_persoon",
                "roltype": roltype,
                "roltoelichting": toelichting,
                "betrokkeneIdentificatie": {"inpBsn": bsn},
            }
            zaken.post("/rollen", body, "/rollen")
            there.add((roltype, bsn))
            made.append("rol")

    def _adres(self, zaak_url: str, adres: Adres, zaken: _Api, made: list[str]) -> None:
        if not adres.nummeraanduiding_id:
            # Taken as typed while the address register was down (adres_storing: doorgaan): no
            # BAG identification to register; the address stands in the receipt document.
            return
        query = {"zaak": zaak_url, "objectType": "adres"}
        if zaken.items("/zaakobjecten", query, "/zaakobjecten"):
            return
        identificatie: dict[str, Any] = {
            "identificatie": adres.nummeraanduiding_id,
            "wplWoonplaatsNaam": adres.woonplaatsnaam,
            "gorOpenbareRuimteNaam": adres.straatnaam,
            "huisnummer": adres.huisnummer,
            "postcode": adres.postcode,
        }
        if adres.huisletter:
            identificatie["huisletter"] = adres.huisletter
        if adres.huisnummertoevoeging:
            identificatie["huisnummertoevoeging"] = adres.huisnummertoevoeging
        body = {
            "zaak": zaak_url,
            "objectType": "adres",
            "relatieomschrijving": "Nieuw adres",
            "objectIdentificatie": identificatie,
        }
        zaken.post("/zaakobjecten", body, "/zaakobjecten")
        made.append("zaakobject")

    def _eigenschappen(
        self, zaak: Mapping[str, Any], values: Mapping[str, str], zaken: _Api, made: list[str]
    ) -> None:
        if not values:
            return
        path = f"/zaken/{_zaak_uuid(zaak)}/zaakeigenschappen"
        what = "/zaken/{uuid}/zaakeigenschappen"
        there = {e.get("eigenschap") for e in zaken.items(path, {}, what)}
        for eigenschap, waarde in values.items():
            if eigenschap in there:
                continue
            body = {"zaak": zaak["url"], "eigenschap": eigenschap, "waarde": waarde}
            zaken.post(path, body, what)
            made.append("zaakeigenschap")

    def _parts(self, melding: Melding, files: list[inhoud.Bijlage]) -> list[_Document]:
        o = self.options
        parts = [
            _Document(
                f.document,
                f.document.replace("_", " ").capitalize(),
                o.informatieobjecttype,
                _stored(f),
            )
            for f in files
        ]
        if self.receipt is not None:
            parts.append(
                _Document(
                    "ontvangstbevestiging",
                    "Ontvangstbevestiging",
                    o.informatieobjecttype_ontvangstbevestiging or o.informatieobjecttype,
                    _receipt(self.receipt, melding),
                )
            )
        return parts

    def _documenten(
        self,
        melding: Melding,
        zaak_url: str,
        parts: list[_Document],
        zaken: _Api,
        documenten: _Api,
        made: list[str],
    ) -> None:
        if not parts:
            return
        o = self.options
        linked = {
            z.get("informatieobject")
            for z in zaken.items(
                "/zaakinformatieobjecten", {"zaak": zaak_url}, "/zaakinformatieobjecten"
            )
        }
        for part in parts:
            identificatie = self.identificatie(melding, part.deel)
            query = {"identificatie": identificatie, "bronorganisatie": o.rsin}
            found = [
                d
                for d in documenten.items(
                    "/enkelvoudiginformatieobjecten", query, "/enkelvoudiginformatieobjecten"
                )
                if d.get("identificatie") == identificatie and isinstance(d.get("url"), str)
            ]
            if found:
                document_url = str(found[0]["url"])
            else:
                content = part.content()
                if content is None:
                    continue
                bestandsnaam, formaat, data = content
                body = {
                    "identificatie": identificatie,
                    "bronorganisatie": o.rsin,
                    "creatiedatum": inhoud.ingediend_op(melding).isoformat(),
                    "ontvangstdatum": inhoud.ingediend_op(melding).isoformat(),
                    "titel": part.titel,
                    "vertrouwelijkheidaanduiding": o.vertrouwelijkheidaanduiding,
                    "auteur": o.auteur,
                    "taal": "dut",
                    "bestandsnaam": bestandsnaam,
                    "formaat": formaat,
                    "inhoud": base64.b64encode(data).decode("ascii"),
                    "bestandsomvang": len(data),
                    "informatieobjecttype": part.informatieobjecttype,
                    "indicatieGebruiksrecht": False,
                }
                document_url = str(
                    documenten.post(
                        "/enkelvoudiginformatieobjecten", body, "/enkelvoudiginformatieobjecten"
                    )["url"]
                )
                made.append("document")
            if document_url in linked:
                continue
            body = {"informatieobject": document_url, "zaak": zaak_url, "titel": part.titel}
            zaken.post("/zaakinformatieobjecten", body, "/zaakinformatieobjecten")
            linked.add(document_url)
            made.append("zaakinformatieobject")

    # -- the hoofdbewoner's consent ------------------------------------------------------

    def deliver_consent(self, melding: Melding) -> DeliveryResult:
        """The outcome of the hoofdbewoner's consent into the zaak's eigenschap
        ``eigenschap_toestemming``: changed where the first delivery set it (PATCH, only the
        ``waarde`` may change), made where it did not."""
        reference = melding.reference
        eigenschap = self.options.eigenschap_toestemming
        waarde = toestemming_waarde(melding)
        if eigenschap is None:
            return DeliveryResult(
                reference,
                DeliveryStatus.AFGELEVERD,
                detail="geen eigenschap_toestemming ingesteld: de zaak krijgt de toestemming "
                "niet door",
            )
        if waarde is None or melding.toestemming is None or not melding.toestemming.status.besloten:
            return DeliveryResult(
                reference, DeliveryStatus.MISLUKT, detail="de melding heeft geen beslissing"
            )
        try:
            with self._client() as client:
                zaken, _documenten = self._apis(client)
                result = self._consent(melding, eigenschap, waarde, zaken)
        except _Stop as stop:
            return DeliveryResult(reference, stop.status, detail=stop.detail)
        return result

    def _consent(
        self, melding: Melding, eigenschap: str, waarde: str, zaken: _Api
    ) -> DeliveryResult:
        reference = melding.reference
        identificatie = self.identificatie(melding)
        query = {"identificatie": identificatie, "bronorganisatie": self.options.rsin}
        zaak = next(
            (
                z
                for z in zaken.items("/zaken", query, "/zaken", crs=True)
                if z.get("identificatie") == identificatie and isinstance(z.get("url"), str)
            ),
            None,
        )
        if zaak is None:
            return DeliveryResult(
                reference,
                DeliveryStatus.TIJDELIJK_MISLUKT,
                detail="Zaken API: nog geen zaak voor deze melding; de toestemming volgt als "
                "die er is",
            )
        zaak_url = str(zaak["url"])
        path = f"/zaken/{_zaak_uuid(zaak)}/zaakeigenschappen"
        what = "/zaken/{uuid}/zaakeigenschappen"
        there = [e for e in zaken.items(path, {}, what) if e.get("eigenschap") == eigenschap]
        if any(e.get("waarde") == waarde for e in there):
            return DeliveryResult(
                reference,
                DeliveryStatus.AFGELEVERD,
                kenmerk=zaak_url,
                detail=f"toestemming stond al in de zaak ({waarde})",
            )
        found = next((e for e in there if isinstance(e.get("uuid") or e.get("url"), str)), None)
        if found is None:
            body = {"zaak": zaak_url, "eigenschap": eigenschap, "waarde": waarde}
            zaken.post(path, body, what)
            done = "vastgelegd"
        else:
            own = found.get("uuid") or str(found["url"]).rstrip("/").rsplit("/", 1)[-1]
            zaken.patch(f"{path}/{own}", {"waarde": waarde}, what + "/{uuid}")
            done = "bijgewerkt"
        return DeliveryResult(
            reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=zaak_url,
            detail=f"toestemming {done} in de zaak: {waarde}",
        )

    # -- health --------------------------------------------------------------------------

    def health(self) -> Health:
        """Both APIs answer a search that finds nothing, with our token (so a wrong secret or
        missing authorisation shows here too)."""
        query = {
            "identificatie": "edienst-verhuizen-controle",
            "bronorganisatie": self.options.rsin,
        }
        try:
            with self._client() as client:
                zaken, documenten = self._apis(client)
                zaken.get("/zaken", query, "/zaken", crs=True)
                documenten.get(
                    "/enkelvoudiginformatieobjecten", query, "/enkelvoudiginformatieobjecten"
                )
        except _Stop as stop:
            return Health(False, stop.detail)
        return Health(True, "Zaken API en Documenten API bereikbaar")
