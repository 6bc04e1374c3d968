"""DigiD through an OpenID Connect broker, as most gemeenten use it (the NL GOV Assurance profile
for OIDC): the authorization code flow with PKCE (S256), ``state`` and ``nonce``.

The broker's discovery document and its keys (JWKS) are fetched on first use and remembered, so
the service starts while the broker is down; the keys are fetched once more when an ID token names
a key (``kid``) we do not have yet (the broker rotated them). The ID token is checked here: its
signature with the broker's keys, ``iss``, ``aud``, ``exp``, ``iat``, ``nonce`` and ``azp``. The
BSN comes from a configurable claim, with the broker's sector prefix (``s00000000:``) checked
and stripped; the level from ``acr``, through a configurable table.

Logging out at the broker uses ``client_id`` and ``post_logout_redirect_uri`` (RP-Initiated
Logout 1.0), never ``id_token_hint``: the ID token holds the BSN, and a URL ends up in logs and
browser history.

The JOSE work is joserfc's, the library Authlib itself builds on since ``authlib.jose`` was
deprecated; the claim rules of an ID token are Authlib's (:class:`CodeIDToken`).
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

import httpx2
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import GuestProtocol, Key, KeySet
from pydantic import Field, field_validator, model_validator

from webapp.auth.contract import (
    Betrouwbaarheidsniveau,
    LoginProvider,
    LoginRequest,
    LoginResult,
    Redirect,
)
from webapp.i18n import N_, _
from webapp.options import EnvVarName, Options, secret
from webapp.registers.errors import RegisterOnbereikbaar
from webapp.validators import is_valid_bsn

log = logging.getLogger("verhuizen")

Niveau = Literal["basis", "midden", "substantieel", "hoog"]

DEFAULT_ACR: dict[str, Niveau] = {
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport": "basis",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract": "midden",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard": "substantieel",
    "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI": "hoog",
}
"""DigiD's SAML authentication contexts, which brokers pass on as ``acr``."""

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Signatures with the broker's public key only: never ``none``, never HMAC with our secret."""

POOL = 10
"""Connections to the broker: the worker threads of the registers' pool share them."""
MAX_PARAM = 2048
"""A callback parameter longer than this is no code or state of any broker."""
_NINE_DIGITS = re.compile(r"[0-9]{9}")
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")  # RFC 6749 scope-token

# The resident's texts: marked here, translated when a login is refused (the request's language).
STATE = N_(
    "Wij konden niet controleren dat het inloggen op deze website begon. Dat gebeurt als het inloggen te lang duurde of in een ander venster begon. Probeer het opnieuw."
)
CANCELLED = N_("U heeft het inloggen bij DigiD afgebroken.")
BROKER_ERROR = N_("DigiD kon het inloggen niet afronden. Probeer het opnieuw.")
EXPIRED = N_("Het inloggen duurde te lang. Probeer het opnieuw.")
NONCE = N_("Het antwoord van DigiD hoort niet bij dit inloggen. Probeer het opnieuw.")
INVALID = N_(
    "Wij konden het antwoord van DigiD niet controleren. Probeer het opnieuw. Lukt het dan nog niet, neem dan contact op met de gemeente."
)
NO_BSN = N_("DigiD gaf geen geldig burgerservicenummer door. Neem contact op met de gemeente.")
ACR = N_("Wij konden niet vaststellen met welk DigiD-niveau u inlogde. Probeer het opnieuw.")


class BrokerOnbereikbaar(RegisterOnbereikbaar):
    """The broker did not answer, or not as OpenID Connect promises (its message is for the
    operator's log: no personal data, no code, no token)."""


class DigidOidcOptions(Options):
    """DigiD via een makelaar (OpenID Connect, NL GOV Assurance profile): authorization code
    flow met PKCE. De makelaar geeft het BSN in een claim en het niveau in ``acr``."""

    soort: Literal["digid-oidc"] = "digid-oidc"
    issuer: str = Field(
        description="De issuer van de makelaar, precies zoals in zijn discovery-document "
        "(https://...; de discovery staat op <issuer>/.well-known/openid-configuration)."
    )
    client_id: str = Field(
        min_length=1, max_length=255, description="De client_id die de makelaar gaf."
    )
    client_secret_env: EnvVarName = Field(
        description="Naam van de omgevingsvariabele met het client secret."
    )
    client_auth: Literal["client_secret_basic", "client_secret_post"] = Field(
        "client_secret_basic",
        description="Hoe het client secret naar het token endpoint gaat: in de "
        "Authorization-header (client_secret_basic) of in het formulier (client_secret_post).",
    )
    scopes: tuple[str, ...] = Field(
        ("openid",),
        description="De gevraagde scopes; 'openid' hoort erbij. Sommige makelaars vragen een "
        "eigen scope voor het BSN.",
    )
    bsn_claim: str = Field(
        "sub",
        min_length=1,
        max_length=100,
        description="De claim in het ID-token met het BSN, bijvoorbeeld sub of nin.",
    )
    bsn_prefix: str = Field(
        "s00000000:",
        max_length=50,
        description="Het sectorvoorvoegsel voor het BSN in die claim (DigiD: s00000000:). Een "
        "waarde zonder dit voorvoegsel wordt geweigerd. Leeg: de claim is alleen het BSN.",
    )
    acr: dict[str, Niveau] = Field(
        default_factory=lambda: dict(DEFAULT_ACR),
        min_length=1,
        description="Welke acr-waarde welk DigiD-niveau is. Een acr die hier niet staat, wordt "
        "geweigerd. Standaard de SAML-contexten van DigiD.",
    )
    connect_timeout: float = Field(
        2.0, gt=0, le=30, description="Seconden om een verbinding met de makelaar te maken."
    )
    timeout: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Seconden om op een antwoord van de makelaar te wachten (discovery, token, "
        "sleutels). Kort: de inwoner wacht erop.",
    )
    klokafwijking: int = Field(
        60,
        ge=0,
        le=300,
        description="Seconden speling bij exp en iat van het ID-token, voor klokken die niet "
        "precies gelijk lopen.",
    )
    cache_seconden: int = Field(
        3600,
        ge=0,
        le=86_400,
        description="Hoe lang het discovery-document en de sleutels (JWKS) onthouden worden. "
        "Een onbekende sleutel (kid) laat de sleutels altijd opnieuw ophalen.",
    )
    label: str | None = Field(
        None,
        max_length=50,
        description="De naam van de inlog zoals de inwoner die ziet; standaard 'DigiD'.",
    )

    @field_validator("issuer")
    @classmethod
    def _secure_issuer(cls, value: str) -> str:
        if not _secure_url(value) or urlsplit(value).query or urlsplit(value).fragment:
            raise ValueError(
                "de issuer is een https-URL zonder query of fragment (http alleen voor "
                "localhost, in tests)"
            )
        return value

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            raise ValueError("de scopes moeten 'openid' bevatten")
        if not all(_SCOPE.fullmatch(s) for s in value):
            raise ValueError("een scope is één woord, zonder spaties of aanhalingstekens")
        return value

    @model_validator(mode="after")
    def _no_empty_acr(self) -> DigidOidcOptions:
        if any(not urn.strip() for urn in self.acr):
            raise ValueError("acr: een lege acr-waarde")
        return self


def _secure_url(url: str) -> bool:
    """https, or http on this machine (the test broker): never a token over plain HTTP. No
    spaces or control characters either: these URLs go into a Location header."""
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Discovery:
    """What we use of the broker's discovery document."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]
    iss_parameter: bool
    """The broker names itself (``iss``) in its answer to the browser (RFC 9207)."""


class _Refused(Exception):
    """A login that must not go on: ``text`` (marked, not yet translated) for the resident,
    ``reason`` for the log."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text


class DigidOidc(LoginProvider):
    """DigiD through an OpenID Connect broker. Thread safe: the worker threads of the
    registers' pool share one instance, its HTTP pool and what it remembers of the broker."""

    name = "digid-oidc"

    def __init__(
        self,
        options: DigidOidcOptions,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options
        self._secret = client_secret
        self.clock = clock
        """Wall-clock seconds: an ID token's ``exp`` and ``iat`` are checked against it."""
        self._client = httpx2.Client(
            timeout=httpx2.Timeout(options.timeout, connect=options.connect_timeout),
            limits=httpx2.Limits(max_connections=POOL, max_keepalive_connections=POOL),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._discovery: tuple[float, Discovery] | None = None
        self._keys: tuple[float, KeySet] | None = None

    @property
    def label(self) -> str:
        return self.options.label or _("DigiD")

    def close(self) -> None:
        self._client.close()

    # -- the two legs ------------------------------------------------------------------------

    def start(self, request: LoginRequest) -> Redirect:
        discovery = self.discovery()
        state, nonce = generate_token(43), generate_token(43)
        verifier = generate_token(64)  # RFC 7636: 43 to 128 characters
        url = prepare_grant_uri(
            discovery.authorization_endpoint,
            self.options.client_id,
            "code",
            redirect_uri=request.callback_url,
            scope=" ".join(self.options.scopes),
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
            acr_values=self.acr_values(request.minimum) or None,
        )
        pending = {
            "state": state,
            "nonce": nonce,
            "code_verifier": verifier,
            "redirect_uri": request.callback_url,
        }
        return Redirect(url, pending)

    def acr_values(self, minimum: Betrouwbaarheidsniveau) -> str:
        """The acr values of the lowest level in the table that meets ``minimum``: DigiD then
        asks at least that of the resident (as SAML's ``Comparison="minimum"``)."""
        levels = sorted(
            {Betrouwbaarheidsniveau(v) for v in self.options.acr.values()},
            key=list(Betrouwbaarheidsniveau).index,
        )
        wanted = next((level for level in levels if level.voldoet_aan(minimum)), None)
        if wanted is None:
            return ""
        return " ".join(urn for urn, v in self.options.acr.items() if v == wanted.value)

    def callback(self, params: Mapping[str, str], pending: Mapping[str, str]) -> LoginResult:
        try:
            return self._callback(params, pending)
        except _Refused as refused:
            # The reason only: never a code, a token, a claim or the BSN.
            level = logging.INFO if refused.reason == "cancelled" else logging.WARNING
            log.log(
                level,
                "login refused",
                extra={"event": "login_refused", "login": self.name, "reason": refused.reason},
            )
            return LoginResult.failed(_(refused.text))

    def _callback(self, params: Mapping[str, str], pending: Mapping[str, str]) -> LoginResult:
        expected = pending.get("state", "")
        if not expected or not _same(params.get("state", ""), expected):
            # Checked first: with a foreign state nothing else of the answer is looked at.
            raise _Refused("state", STATE)
        if not all(pending.get(k) for k in ("nonce", "code_verifier", "redirect_uri")):
            raise _Refused("state", STATE)
        discovery = self.discovery()
        iss = params.get("iss")
        if (iss is not None or discovery.iss_parameter) and iss != self.options.issuer:
            raise _Refused("iss", STATE)
        error = params.get("error")
        if error is not None:
            if error == "access_denied":
                raise _Refused("cancelled", CANCELLED)
            raise _Refused("broker_error", BROKER_ERROR)
        code = params.get("code", "")
        if not code or len(code) > MAX_PARAM:
            raise _Refused("no_code", BROKER_ERROR)
        tokens = self._exchange(discovery, code, pending)
        claims = self._verify(discovery, tokens, pending["nonce"])
        return LoginResult.ok(self._bsn(claims), self._level(claims))

    def logout(self, keep: Mapping[str, str], return_url: str) -> str | None:
        try:
            discovery = self.discovery()
        except BrokerOnbereikbaar:
            return None  # our session has ended; the broker's ends with its own timeout
        if discovery.end_session_endpoint is None:
            return None
        query = {"client_id": self.options.client_id, "post_logout_redirect_uri": return_url}
        separator = "&" if urlsplit(discovery.end_session_endpoint).query else "?"
        return f"{discovery.end_session_endpoint}{separator}{urlencode(query)}"

    # -- the broker --------------------------------------------------------------------------

    def discovery(self) -> Discovery:
        """The broker's discovery document, fetched on first use and remembered."""
        with self._lock:
            if self._discovery is not None and self.clock() < self._discovery[0]:
                return self._discovery[1]
        found = self._fetch_discovery()
        with self._lock:
            self._discovery = (self.clock() + self.options.cache_seconden, found)
        return found

    def _fetch_discovery(self) -> Discovery:
        url = self.options.issuer.rstrip("/") + "/.well-known/openid-configuration"
        body = self._get_json(url, "discovery")
        if not isinstance(body, dict) or body.get("issuer") != self.options.issuer:
            raise BrokerOnbereikbaar(
                "DigiD-makelaar discovery: de issuer in het document is niet de ingestelde"
            )
        endpoints = {}
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = body.get(key)
            if not isinstance(value, str) or not _secure_url(value):
                raise BrokerOnbereikbaar(
                    f"DigiD-makelaar discovery: {key} ontbreekt of is geen https"
                )
            endpoints[key] = value
        end_session = body.get("end_session_endpoint")
        if not isinstance(end_session, str) or not _secure_url(end_session):
            end_session = None
        offered = body.get("id_token_signing_alg_values_supported")
        algorithms = tuple(a for a in ALGORITHMS if isinstance(offered, list) and a in offered)
        if not algorithms:
            raise BrokerOnbereikbaar(
                "DigiD-makelaar discovery: geen ondertekening van het ID-token die wij aannemen "
                f"(een van {', '.join(ALGORITHMS)})"
            )
        return Discovery(
            authorization_endpoint=endpoints["authorization_endpoint"],
            token_endpoint=endpoints["token_endpoint"],
            jwks_uri=endpoints["jwks_uri"],
            end_session_endpoint=end_session,
            algorithms=algorithms,
            iss_parameter=body.get("authorization_response_iss_parameter_supported") is True,
        )

    def _key_set(self, discovery: Discovery, *, fresh: bool = False) -> KeySet:
        with self._lock:
            if not fresh and self._keys is not None and self.clock() < self._keys[0]:
                return self._keys[1]
        body = self._get_json(discovery.jwks_uri, "jwks")
        try:
            keys = KeySet.import_key_set(body)
        except (JoseError, ValueError, TypeError, KeyError):
            raise BrokerOnbereikbaar("DigiD-makelaar jwks: geen bruikbare sleutels") from None
        with self._lock:
            self._keys = (self.clock() + self.options.cache_seconden, keys)
        return keys

    def _get_json(self, url: str, what: str) -> Any:
        try:
            response = self._client.get(url)
        except httpx2.TimeoutException:
            raise BrokerOnbereikbaar(f"DigiD-makelaar {what}: geen antwoord op tijd") from None
        except httpx2.HTTPError as exc:
            raise BrokerOnbereikbaar(
                f"DigiD-makelaar {what}: niet bereikbaar ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise BrokerOnbereikbaar(f"DigiD-makelaar {what}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise BrokerOnbereikbaar(f"DigiD-makelaar {what}: het antwoord is geen JSON") from None

    def _exchange(
        self, discovery: Discovery, code: str, pending: Mapping[str, str]
    ) -> Mapping[str, Any]:
        """Trade the code for the tokens, with the PKCE verifier and our client secret."""
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["code_verifier"],
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.options.client_auth == "client_secret_basic":
            # RFC 6749 2.3.1: both parts form-encoded before base64 (a secret may hold ':').
            pair = f"{quote(self.options.client_id, safe='')}:{quote(self._secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            body += "&" + urlencode(
                {"client_id": self.options.client_id, "client_secret": self._secret}
            )
        try:
            response = self._client.post(discovery.token_endpoint, content=body, headers=headers)
        except httpx2.TimeoutException:
            raise BrokerOnbereikbaar("DigiD-makelaar token: geen antwoord op tijd") from None
        except httpx2.HTTPError as exc:
            raise BrokerOnbereikbaar(
                f"DigiD-makelaar token: niet bereikbaar ({type(exc).__name__})"
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise BrokerOnbereikbaar(
                f"DigiD-makelaar token: HTTP {response.status_code}, geen JSON"
            )
        if response.status_code == 400 and answer.get("error") == "invalid_grant":
            # The code expired or was used already (a reload of the callback, a slow resident).
            raise _Refused("invalid_grant", EXPIRED)
        if response.status_code in (400, 401):
            error = answer.get("error")
            raise BrokerOnbereikbaar(
                f"DigiD-makelaar token: geweigerd ({error if isinstance(error, str) else '?'}); "
                "controleer client_id, het client secret en client_auth"
            )
        if response.status_code != 200:
            raise BrokerOnbereikbaar(f"DigiD-makelaar token: HTTP {response.status_code}")
        if not isinstance(answer.get("id_token"), str):
            raise _Refused("no_id_token", INVALID)
        return answer

    def _verify(
        self, discovery: Discovery, tokens: Mapping[str, Any], nonce: str
    ) -> Mapping[str, Any]:
        """The ID token's claims, once its signature and claims are right."""
        refetched = False

        def key_for(obj: GuestProtocol) -> Key:
            nonlocal refetched
            kid = obj.headers().get("kid")
            try:
                return _pick(self._key_set(discovery), kid, obj)
            except InvalidKeyIdError:
                if refetched:
                    raise
                refetched = True  # the broker rotated its keys: ask once more
                return _pick(self._key_set(discovery, fresh=True), kid, obj)

        try:
            token = jwt.decode(tokens["id_token"], key_for, algorithms=list(discovery.algorithms))
        except BrokerOnbereikbaar:
            raise
        except (JoseError, ValueError, TypeError, KeyError):
            raise _Refused("signature", INVALID) from None
        access_token = tokens.get("access_token")
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": self.options.issuer},
                "aud": {"essential": True, "value": self.options.client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True},
            },
            params={
                "nonce": nonce,
                "client_id": self.options.client_id,
                "access_token": access_token if isinstance(access_token, str) else None,
            },
        )
        try:
            claims.validate(now=int(self.clock()), leeway=self.options.klokafwijking)
        except ExpiredTokenError:
            raise _Refused("expired", EXPIRED) from None
        except ClaimError as exc:
            if exc.claim == "nonce":
                raise _Refused("nonce", NONCE) from None
            raise _Refused(f"claim_{exc.claim}"[:40], INVALID) from None
        except (JoseError, ValueError, TypeError):
            raise _Refused("claims", INVALID) from None
        return dict(claims)

    def _bsn(self, claims: Mapping[str, Any]) -> str:
        value = claims.get(self.options.bsn_claim)
        prefix = self.options.bsn_prefix
        if not isinstance(value, str) or value[: len(prefix)].lower() != prefix.lower():
            raise _Refused("bsn_prefix", NO_BSN)
        bsn = value[len(prefix) :]
        if not _NINE_DIGITS.fullmatch(bsn) or not is_valid_bsn(bsn):
            raise _Refused("bsn", NO_BSN)
        return bsn

    def _level(self, claims: Mapping[str, Any]) -> Betrouwbaarheidsniveau:
        acr = claims.get("acr")
        level = self.options.acr.get(acr) if isinstance(acr, str) else None
        if level is None:
            raise _Refused("acr", ACR)
        return Betrouwbaarheidsniveau(level)


def _pick(keys: KeySet, kid: str | None, obj: GuestProtocol) -> Key:
    return keys.get_by_kid(kid, {"alg": obj.headers()["alg"]})


def _same(a: str, b: str) -> bool:
    if len(a) > MAX_PARAM:
        return False
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def from_options(options: DigidOidcOptions, env: Mapping[str, str]) -> DigidOidc:
    """The provider for these options; a missing secret stops the start with its name."""
    return DigidOidc(options, secret(options.client_secret_env, env, options.soort))
