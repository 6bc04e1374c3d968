"""The ``vrijbrp`` target: the report becomes a relocation dossier in vrijBRP Dossiers (Procura,
EUPL), the open back-office API for exactly this service.

A move within the gemeente is an intra-municipal relocation, a move from another gemeente an
inter-municipal one. One dossier per report: our reference is the dossier's ``referenceIds``
entry, and the dossier search finds it before another is made, so a retry after a lost answer
returns the first dossier. The API has no committed OpenAPI: the request bodies follow its
Postman collection and the bean-validation annotations (``../shared/specs/README.md``, note 3).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import httpx2
from pydantic import Field, model_validator

from webapp.delivery import inhoud
from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
    Toestemming,
    ToestemmingStatus,
    secret,
)
from webapp.domain.household import Grond
from webapp.options import EnvVarName
from webapp.validators import is_valid_bsn

URL = r"^https?://\S+$"
INTRA = "/api/v1/relocations/intra"
INTER = "/api/v1/relocations/inter"
SEARCH = "/api/v1/dossiers/search"
CONSENT = "/consent"
"""Below INTRA or INTER: the hoofdbewoner's consent to a live-in (``RelocationConsent``)."""
DECIDED = ("APPROVED", "DECLINED")
TOKEN_PATH = "/oauth/token"
"""Where vrijBRP Dossiers serves its token endpoint, under its own base URL (the collection's
test environment: ``https://api.procura.nl/dossiers/oauth/token``)."""
RELOCATION_TYPES = ("intra_mun_relocation", "inter_mun_relocation")
"""vrijBRP's dossier type codes of the two relocations, for the search."""
RNI = "1999"
"""The gemeentecode of the RNI (non-residents): someone registered there resettles, which is
another kind of dossier."""
TOKEN_MARGIN = 30.0
"""Seconds before a token expires that a new one is fetched; vrijBRP's live only 60."""
TOKEN_LIFETIME = 60.0
"""A token's lifetime when the endpoint does not say (RFC 6749 5.1 only recommends it)."""
BRON = "eDienst Verhuizen"

AANGEVER = "aangever"
"""The key of what the report says about the resident themselves in a stored record."""
GEMEENTE_VAN_INSCHRIJVING = "gemeente_van_inschrijving"
"""The CBS code of the gemeente the resident is registered in now (BRP), under ``aangever``."""
HOOFDBEWONER_BSN = "hoofdbewoner_bsn"
"""The BSN of the hoofdbewoner, in the answer of a ``woonsituatie`` step, for inwoning."""

DECLARATION_TYPES: dict[Grond, str] = {
    # The resident's relation to a person they report for, in vrijBRP's DeclarationType: the
    # BRP's "aangifte adreshouding" codes (P, G, O, K).
    Grond.PARTNER: "PARTNER",  # P: echtgenoot of geregistreerd partner
    Grond.KIND_ONDER_16: "AUTHORITY_HOLDER",  # G: gezaghouder
    Grond.KIND_16_17: "AUTHORITY_HOLDER",
    Grond.MEERDERJARIG_KIND: "PARENT_LIVING_WITH_ADULT_CHILD",  # O: ouder voor meerderjarig kind
    Grond.OUDER: "ADULT_CHILD_LIVING_WITH_PARENTS",  # K: meerderjarig inwonend kind voor ouder
}
SELF = "REGISTERED"
"""I: the registered person reports their own move."""

# The fields of our request bodies: a refusal's message is reduced to the ones it names, since
# the rest of it may quote the values (a BSN, an address).
FIELD_NAMES = frozenset(
    {
        "dossier",
        "referenceIds",
        "startDate",
        "declarant",
        "bsn",
        "contactInformation",
        "email",
        "telephoneNumber",
        "newAddress",
        "street",
        "houseNumber",
        "houseLetter",
        "houseNumberAddition",
        "postalCode",
        "residence",
        "municipality",
        "addressFunction",
        "numberOfResidents",
        "liveIn",
        "liveInApplicable",
        "consent",
        "consenter",
        "mainOccupant",
        "previousMunicipality",
        "relocators",
        "declarationType",
        "dossierId",
        "dossierIds",
        "types",
        "paging",
        "pageNumber",
        "pageSize",
    }
)
_WORD = re.compile(r"[A-Za-z]+")
_ERROR_CODE = re.compile(r"^[A-Za-z_]{1,40}$")
_SAFE_TEXT = re.compile(r"^[A-Za-z ,.()'-]{1,80}$")

Soort = Literal["intra", "inter"]


def _url(description: str) -> Any:
    return Field(pattern=URL, max_length=1000, description=description)


class VrijBrpOptions(DeliveryOptions):
    soort: Literal["vrijbrp"] = "vrijbrp"
    url: str = _url(
        "Basis-URL van vrijBRP Dossiers, bijv. https://vrijbrp.example.nl/dossiers; de paden "
        "/api/v1/... komen erachter."
    )
    oauth_url: str | None = Field(
        default=None,
        pattern=URL,
        max_length=1000,
        description="URL van het OAuth2-tokenendpoint (client credentials); leeg: de basis-URL "
        "met /oauth/token, waar vrijBRP Dossiers het aanbiedt.",
    )
    client_id: str = Field(
        min_length=1, max_length=200, description="Client-id van deze applicatie bij vrijBRP."
    )
    client_secret_env: EnvVarName = Field(
        description="Omgevingsvariabele met het client secret van deze applicatie bij vrijBRP."
    )
    scope: str = Field(
        default="api",
        pattern=r"^[!#-\[\]-~]+( [!#-\[\]-~]+)*$",
        description="De scope die de applicatie vraagt; vrijBRP Dossiers kent 'api'.",
    )
    referentie_omschrijving: str = Field(
        default=BRON,
        min_length=1,
        max_length=80,
        description="Omschrijving bij het referentienummer van de melding in het dossier "
        "(dossier.referenceIds): het systeem waar de melding vandaan komt.",
    )
    timeout: float = Field(
        default=15.0, gt=0, le=300, description="Seconden wachten op een antwoord."
    )
    connect_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconden wachten op een verbinding."
    )

    @model_validator(mode="after")
    def _urls_without_slash(self) -> VrijBrpOptions:
        if self.url.endswith("/"):
            raise ValueError("url: laat de / aan het eind weg")
        return self

    @property
    def token_endpoint(self) -> str:
        return self.oauth_url or self.url + TOKEN_PATH


# -- the request body ------------------------------------------------------------------------


def vorige_gemeente(melding: Melding) -> str:
    """The CBS code of the gemeente the resident is registered in now."""
    aangever = melding.answers.get(AANGEVER)
    code = aangever.get(GEMEENTE_VAN_INSCHRIJVING) if isinstance(aangever, Mapping) else None
    if not isinstance(code, str) or not re.fullmatch(r"\d{4}", code):
        raise inhoud.InhoudOntbreekt(
            "de melding zegt niet in welke gemeente de inwoner nu staat ingeschreven "
            f"({AANGEVER}.{GEMEENTE_VAN_INSCHRIJVING}), dus niet of het een verhuizing binnen "
            "de gemeente is"
        )
    if code == RNI:
        raise inhoud.InhoudOntbreekt(
            "de inwoner staat ingeschreven in de RNI: dat is een hervestiging, geen verhuizing"
        )
    return code


def _inwoning(melding: Melding) -> tuple[bool, str | None]:
    """Whether the resident moves in with a hoofdbewoner, and the hoofdbewoner's BSN: from the
    ``hoofdbewoner`` step, else from the ``woonsituatie`` answer (older records), else from the
    consent request."""
    candidates: list[Any] = []
    for answer in inhoud.van_type(melding, "woonsituatie"):
        if answer.get("woonvorm") != "inwonen" and melding.toestemming is None:
            return False, None
        candidates.append(answer.get(HOOFDBEWONER_BSN))
        break
    gekozen = inhoud.hoofdbewoner(melding)
    if gekozen is not None:
        candidates.insert(0, gekozen.bsn)
    inwonen = bool(candidates) or melding.toestemming is not None
    if melding.toestemming is not None:
        candidates.append(melding.toestemming.hoofdbewoner_bsn)
    if not inwonen:
        return False, None
    bsn = next((c for c in candidates if isinstance(c, str) and is_valid_bsn(c)), None)
    return True, bsn


def live_in(melding: Melding) -> dict[str, Any]:
    """``newAddress.liveIn`` of a live-in: the hoofdbewoner's consent as it stands. Pending
    while it is asked, on paper (the back office judges the signed statement) and after the
    deadline; with the consenter once the hoofdbewoner decided."""
    toestemming = melding.toestemming
    found: dict[str, Any] = {"liveInApplicable": True, "consent": "PENDING"}
    if toestemming is None:
        return found
    found["consent"] = toestemming.vrijbrp
    gever = consenter(toestemming)
    if toestemming.vrijbrp in DECIDED and gever is not None:
        found["consenter"] = {"bsn": gever}
    return found


def consenter(toestemming: Toestemming) -> str | None:
    """The BSN of who decided: the hoofdbewoner (the store checked it when they did)."""
    for bsn in (toestemming.gever_bsn, toestemming.hoofdbewoner_bsn):
        if isinstance(bsn, str) and is_valid_bsn(bsn):
            return bsn
    return None


def _contact(c: inhoud.Contact) -> dict[str, str]:
    found = {"email": c.email, "telephoneNumber": c.telefoon}
    return {k: v for k, v in found.items() if v}


def relocation_request(melding: Melding, omschrijving: str = BRON) -> tuple[Soort, dict[str, Any]]:
    """Which relocation the report is and the body of its ``POST /api/v1/relocations/...``.

    Raises :class:`inhoud.InhoudOntbreekt` when the report lacks a part vrijBRP needs.
    """
    nieuw = inhoud.nieuw_adres(melding)
    adres = nieuw.adres
    datum = inhoud.verhuisdatum(melding)
    mee = inhoud.meeverhuizers(melding)
    contact = _contact(inhoud.contactgegevens(melding))
    vorige = vorige_gemeente(melding)
    inwonen, hoofdbewoner = _inwoning(melding)
    if inwonen and hoofdbewoner is None:
        # vrijBRP refuses a live-in without a main occupant, and only their BSN names them.
        raise inhoud.InhoudOntbreekt(
            "inwoning zonder BSN van de hoofdbewoner: vrijBRP vraagt newAddress.mainOccupant"
        )

    new_address: dict[str, Any] = {
        "houseNumber": adres.huisnummer,
        "postalCode": adres.postcode,
        "municipality": {"code": adres.gemeentecode, "description": adres.gemeentenaam},
        "addressFunction": "LIVING_ADDRESS",
        # After the move: those registered there now, the resident and who moves along.
        "numberOfResidents": nieuw.bewoners + 1 + len(mee),
        "liveIn": {"liveInApplicable": False, "consent": "NOT_APPLICABLE"},
    }
    optional = {
        "street": adres.straatnaam,
        "houseLetter": adres.huisletter,
        "houseNumberAddition": adres.huisnummertoevoeging,
        "residence": adres.woonplaatsnaam,
    }
    new_address.update({k: v for k, v in optional.items() if v})
    if inwonen:
        # The hoofdbewoner's consent: pending until they decide online (then .../consent
        # follows, or the decision is here already) or the back office judges the statement.
        new_address["liveIn"] = live_in(melding)
        new_address["mainOccupant"] = {"bsn": hoofdbewoner}

    declarant: dict[str, Any] = {"bsn": melding.aangever_bsn}
    resident: dict[str, Any] = {"bsn": melding.aangever_bsn, "declarationType": SELF}
    if contact:
        declarant["contactInformation"] = resident["contactInformation"] = contact
    body: dict[str, Any] = {
        "dossier": {
            "referenceIds": [{"id": melding.reference, "description": omschrijving}],
            # The date the move counts from: the day of reporting for a late report.
            "startDate": datum.geldt.isoformat(),
        },
        "declarant": declarant,
        "newAddress": new_address,
        "relocators": [resident]
        + [{"bsn": p.bsn, "declarationType": DECLARATION_TYPES[p.grond]} for p in mee],
    }
    if vorige == adres.gemeentecode:
        return "intra", body
    body["previousMunicipality"] = {"code": vorige}
    return "inter", body


# -- the connection --------------------------------------------------------------------------


class _Stop(Exception):
    """Delivery stops here with this result."""

    def __init__(self, status: DeliveryStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _temporary(detail: str) -> _Stop:
    return _Stop(DeliveryStatus.TIJDELIJK_MISLUKT, detail)


def _for_good(detail: str) -> _Stop:
    return _Stop(DeliveryStatus.MISLUKT, detail)


@dataclass
class _Token:
    value: str
    until: float


class _Tokens:
    """OAuth2 client credentials (RFC 6749 4.4) at vrijBRP's token endpoint, kept until
    shortly before they expire, shared by the threads that deliver."""

    def __init__(
        self, options: VrijBrpOptions, secret_value: str, clock: Callable[[], float]
    ) -> None:
        self.options = options
        self._secret = secret_value
        self.clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None

    def get(self, client: httpx2.Client) -> str:
        with self._lock:
            if self._token is not None and self.clock() < self._token.until:
                return self._token.value
            asked = self.clock()
            value, lifetime = self._fetch(client)
            self._token = _Token(value, asked + lifetime - min(TOKEN_MARGIN, lifetime / 2))
            return value

    def forget(self, value: str) -> None:
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _fetch(self, client: httpx2.Client) -> tuple[str, float]:
        o = self.options
        form = {"grant_type": "client_credentials", "scope": o.scope}
        try:
            response = client.post(
                o.token_endpoint,
                data=form,
                auth=(o.client_id, self._secret),
                headers={"Accept": "application/json"},
            )
        except httpx2.TimeoutException:
            raise _temporary("vrijBRP: geen antwoord van het tokenendpoint (timeout)") from None
        except httpx2.RequestError as exc:
            raise _temporary(
                f"vrijBRP: tokenendpoint niet bereikbaar ({type(exc).__name__})"
            ) from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise _temporary(f"vrijBRP: tokenendpoint antwoordde {status}")
        if status != 200:
            raise _for_good(
                f"configuratie: het tokenendpoint van vrijBRP weigert de applicatie ({status}"
                f"{_oauth_error(response)}); controleer oauth_url, client_id en het secret"
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise _temporary("vrijBRP: onleesbaar antwoord van het tokenendpoint")
        token = answer.get("access_token")
        kind = answer.get("token_type", "bearer")
        lifetime = answer.get("expires_in", TOKEN_LIFETIME)
        usable = (
            isinstance(token, str)
            and bool(token)
            and isinstance(kind, str)
            and kind.lower() == "bearer"
            and isinstance(lifetime, int | float)
            and not isinstance(lifetime, bool)
            and lifetime > 0
        )
        if not usable:
            raise _temporary("vrijBRP: onleesbaar antwoord van het tokenendpoint")
        return str(token), float(lifetime)


def _oauth_error(response: httpx2.Response) -> str:
    """The OAuth2 error code (``invalid_client``, ...), a word from a fixed list."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f" {error}" if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else ""


def _causes(problem: Mapping[str, Any]) -> Iterator[str]:
    cause = problem.get("cause")
    for _ in range(10):  # vrijBRP nests an exception's causes
        if not isinstance(cause, Mapping):
            return
        message = cause.get("message")
        if isinstance(message, str):
            yield message
        cause = cause.get("cause")


def _refusal(call: str, status: int, response: httpx2.Response) -> str:
    """What vrijBRP refused, for the operator: its error code and title, and the names of our
    fields its messages mention; never the messages themselves, which may quote values."""
    detail = f"vrijBRP weigert {call} ({status})"
    try:
        problem = response.json()
    except ValueError:
        return detail
    if not isinstance(problem, dict):
        return detail
    # Both name the kind of error in fixed words (vrijBRP's ApiErrorType); a text with a digit
    # or an @ in it is not one of those, and is left out.
    title = [
        str(problem[k])
        for k, shape in (("code", _ERROR_CODE), ("description", _SAFE_TEXT))
        if isinstance(problem.get(k), str) and shape.fullmatch(problem[k])
    ]
    if title:
        detail += ": " + " ".join(title)
    named = sorted({w for m in _causes(problem) for w in _WORD.findall(m)} & FIELD_NAMES)
    if named:
        detail += f"; genoemde velden: {', '.join(named)}"
    return detail


class _Api:
    """vrijBRP's public API over one HTTP client, with a token. A call is named in an error by
    its path template (``what``), which holds no personal data."""

    def __init__(self, base: str, client: httpx2.Client, tokens: _Tokens) -> None:
        self.base = base
        self.client = client
        self.tokens = tokens

    def post(self, path: str, body: Mapping[str, Any], *, empty: bool = False) -> Any:
        """POST a body; the answer's JSON (``empty``: the call answers 200 without a body,
        as ``.../consent`` does, and None is fine)."""
        return self._call("POST", path, path, body=body, empty=empty)

    def get(self, path: str, what: str) -> Any:
        return self._call("GET", path, what)

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: Mapping[str, Any] | None = None,
        empty: bool = False,
    ) -> Any:
        call = f"{method} {what}"
        for attempt in (1, 2):
            token = self.tokens.get(self.client)
            try:
                response = self.client.request(
                    method,
                    self.base + path,
                    json=body,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                )
            except httpx2.TimeoutException:
                raise _temporary(f"vrijBRP: geen antwoord op {call} (timeout)") from None
            except httpx2.RequestError as exc:
                raise _temporary(
                    f"vrijBRP niet bereikbaar bij {call} ({type(exc).__name__})"
                ) from None
            if response.status_code == 401 and attempt == 1:
                # vrijBRP signs tokens with a key it makes when it starts: after a restart it
                # refuses every token it gave before. One fresh token settles that.
                self.tokens.forget(token)
                continue
            break
        status = response.status_code
        if status >= 500 or status == 429:
            raise _temporary(f"vrijBRP antwoordde {status} op {call}")
        if status in (401, 403):
            raise _for_good(
                f"configuratie: vrijBRP weigert de toegang ({status}) bij {call}; controleer "
                "client_id, het secret en de rechten van de applicatie"
            )
        if status >= 400:
            raise _for_good(_refusal(call, status, response))
        if status >= 300:
            # Not followed: a redirect would take our token elsewhere.
            raise _for_good(
                f"configuratie: vrijBRP verwijst door ({status}) bij {call}; controleer de url"
            )
        if empty and not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise _temporary(f"vrijBRP: onleesbaar antwoord op {call}") from None


def _dossier_id(dossier: Any) -> str | None:
    value = dossier.get("dossierId") if isinstance(dossier, Mapping) else None
    return value if isinstance(value, str) and value.strip() else None


def _ours(dossier: Any, reference: str) -> bool:
    if not isinstance(dossier, Mapping):
        return False
    ids = dossier.get("referenceIds")
    return isinstance(ids, list) and any(
        isinstance(r, Mapping) and r.get("id") == reference for r in ids
    )


def _soort(dossier: Mapping[str, Any]) -> Soort | None:
    """Which relocation a dossier of the search is, by its type code."""
    kind = dossier.get("type")
    code = kind.get("code") if isinstance(kind, Mapping) else None
    if code == "intra_mun_relocation":
        return "intra"
    if code == "inter_mun_relocation":
        return "inter"
    return None


class VrijBrp:
    soort: ClassVar[str] = "vrijbrp"

    def __init__(
        self,
        options: VrijBrpOptions,
        secret_value: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        self.tokens = _Tokens(options, secret_value, clock)

    @classmethod
    def from_options(cls, options: VrijBrpOptions, deps: DeliveryDeps) -> VrijBrp:
        return cls(options, secret(options.client_secret_env, deps.env, cls.soort))

    def _client(self) -> httpx2.Client:
        timeout = httpx2.Timeout(self.options.timeout, connect=self.options.connect_timeout)
        return httpx2.Client(timeout=timeout, follow_redirects=False)

    # -- delivering ----------------------------------------------------------------------

    def deliver(self, melding: Melding) -> DeliveryResult:
        try:
            # Read all of the report first: a report that lacks a part makes nothing at all.
            soort, body = relocation_request(melding, self.options.referentie_omschrijving)
            with self._client() as client:
                api = _Api(self.options.url, client, self.tokens)
                found = self._find(api, melding.reference)
                if found is not None:
                    return DeliveryResult(
                        melding.reference,
                        DeliveryStatus.AFGELEVERD,
                        kenmerk=found,
                        detail="dossier bestond al",
                    )
                made = self._create(api, soort, body)
        except _Stop as stop:
            return DeliveryResult(melding.reference, stop.status, detail=stop.detail)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(melding.reference, DeliveryStatus.MISLUKT, detail=str(exc))
        what = "binnen de gemeente" if soort == "intra" else "uit een andere gemeente"
        return DeliveryResult(
            melding.reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=made,
            detail=f"dossier gemaakt: verhuizing {what}",
        )

    def _find(self, api: _Api, reference: str) -> str | None:
        found = self._search(api, reference)
        return None if found is None else found[0]

    def _search(self, api: _Api, reference: str) -> tuple[str, Soort | None] | None:
        """The dossier that holds our reference, and which relocation it is (None when the
        answer does not say). vrijBRP matches ``dossierIds`` against the references clients
        gave as well as its own ids (vrijBRP-Balie translates an external zaak-id to its own),
        so the dossier is checked to hold ours."""
        body = {
            "dossierIds": [reference],
            "types": list(RELOCATION_TYPES),
            "paging": {"pageNumber": 0, "pageSize": 10},
        }
        answer = api.post(SEARCH, body)
        result = answer.get("result") if isinstance(answer, Mapping) else None
        content = result.get("content") if isinstance(result, Mapping) else None
        if not isinstance(content, list):
            raise _temporary(f"vrijBRP: onverwacht antwoord op POST {SEARCH}")
        for dossier in content:
            found = _dossier_id(dossier)
            if found is not None and _ours(dossier, reference):
                return found, _soort(dossier)
        return None

    def _create(self, api: _Api, soort: Soort, body: Mapping[str, Any]) -> str:
        path = INTRA if soort == "intra" else INTER
        answer = api.post(path, body)
        made = _dossier_id(answer.get("dossier") if isinstance(answer, Mapping) else None)
        if made is None:
            # The dossier may well exist now: the next attempt finds it by our reference.
            raise _temporary(f"vrijBRP: antwoord op POST {path} noemt geen dossierId")
        return made

    # -- the hoofdbewoner's consent ------------------------------------------------------

    def deliver_consent(self, melding: Melding) -> DeliveryResult:
        """The hoofdbewoner's decision to the dossier ``deliver`` made, through ``POST
        .../consent``; after the deadline nothing: the dossier stays PENDING."""
        reference = melding.reference
        toestemming = melding.toestemming
        if toestemming is None or not toestemming.status.besloten:
            return DeliveryResult(
                reference, DeliveryStatus.MISLUKT, detail="de melding heeft geen beslissing"
            )
        if toestemming.status is ToestemmingStatus.VERLOPEN:
            return DeliveryResult(
                reference,
                DeliveryStatus.AFGELEVERD,
                detail="termijn verlopen zonder beslissing: vrijBRP houdt de toestemming op "
                "PENDING (de API kent geen toestand voor 'geen antwoord'); de backoffice "
                "beoordeelt de inwoning",
            )
        consent = toestemming.vrijbrp
        gever = consenter(toestemming)
        if gever is None:
            return DeliveryResult(
                reference,
                DeliveryStatus.MISLUKT,
                detail="de beslissing noemt geen geldig BSN van de hoofdbewoner (consenter)",
            )
        try:
            with self._client() as client:
                api = _Api(self.options.url, client, self.tokens)
                found = self._search(api, reference)
                if found is None:
                    # deliver has not made the dossier yet (or its answer was lost): later.
                    return DeliveryResult(
                        reference,
                        DeliveryStatus.TIJDELIJK_MISLUKT,
                        detail="vrijBRP: nog geen dossier met deze referentie; de toestemming "
                        "volgt als het er is",
                    )
                dossier_id, soort = found
                if soort is None:
                    soort, _body = relocation_request(melding, self.options.referentie_omschrijving)
                path = INTRA if soort == "intra" else INTER
                now = self._current_consent(api, path, dossier_id)
                if now == consent:
                    return DeliveryResult(
                        reference,
                        DeliveryStatus.AFGELEVERD,
                        kenmerk=dossier_id,
                        detail=f"toestemming stond al in het dossier ({consent})",
                    )
                if now in DECIDED:
                    # Decided otherwise in the back office: not ours to overwrite.
                    return DeliveryResult(
                        reference,
                        DeliveryStatus.MISLUKT,
                        kenmerk=dossier_id,
                        detail=f"het dossier heeft al toestemming {now}, de hoofdbewoner besliste "
                        f"{consent}: niet overschreven, de backoffice kijkt",
                    )
                body = {"dossierId": dossier_id, "consenter": {"bsn": gever}, "consent": consent}
                api.post(path + CONSENT, body, empty=True)
        except _Stop as stop:
            return DeliveryResult(reference, stop.status, detail=stop.detail)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(reference, DeliveryStatus.MISLUKT, detail=str(exc))
        return DeliveryResult(
            reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=dossier_id,
            detail=f"toestemming doorgegeven: {consent}",
        )

    def _current_consent(self, api: _Api, path: str, dossier_id: str) -> str | None:
        """``newAddress.liveIn.consent`` of the dossier as vrijBRP holds it now."""
        what = path + "/{dossierId}"
        answer = api.get(f"{path}/{quote(dossier_id, safe='')}", what)
        address = answer.get("newAddress") if isinstance(answer, Mapping) else None
        live = address.get("liveIn") if isinstance(address, Mapping) else None
        consent = live.get("consent") if isinstance(live, Mapping) else None
        if not isinstance(consent, str):
            raise _temporary(f"vrijBRP: antwoord op GET {what} noemt geen liveIn.consent")
        return consent

    # -- health --------------------------------------------------------------------------

    def health(self) -> Health:
        """A token, and a search that finds nothing with it (so a wrong secret or missing
        rights show here too)."""
        try:
            with self._client() as client:
                self._find(_Api(self.options.url, client, self.tokens), "edienst-controle")
        except _Stop as stop:
            return Health(False, stop.detail)
        return Health(True, "vrijBRP Dossiers bereikbaar")
