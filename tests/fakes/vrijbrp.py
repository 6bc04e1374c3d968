"""A test double of vrijBRP Dossiers' public API (relocations and the dossier search) and its
OAuth2 token endpoint, in memory, served under :data:`BASE` as vrijBRP serves itself.

vrijBRP Dossiers commits no OpenAPI (``../shared/specs/README.md``, note 3), so the contract
is written out here as JSON Schemas: :data:`INTRA_REQUEST`, :data:`INTER_REQUEST`,
:data:`SEARCH_REQUEST`, :data:`CONSENT_REQUEST` and the answers'. Each rule says where it comes from: the README's list
of the Java ``@Schema`` / bean-validation annotations ("README"), the Postman collection and
the example bodies extracted from it ("collection", "example"), or the service's code as the
README describes it. The tests check the schemas against the official examples, so they accept
what vrijBRP shows and refuse what it forbids.

Every request is checked; a wrong one gets vrijBRP's 400 and is remembered in
:attr:`FakeVrijBrp.violations`, as is every answer of the fake that its own schema does not
allow. Tokens are client-credentials tokens that live :attr:`FakeVrijBrp.token_lifetime`
seconds. Switches make it fail: every API answer one status, the token endpoint one status,
a creation that stores its dossier and answers too late for the client (a lost answer),
broken JSON, slow answers, a refusal, a restart that invalidates every token given before.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from jsonschema import Draft202012Validator, FormatChecker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BASE = "/dossiers"
"""vrijBRP's context path (``server.servlet.context-path=/dossiers``; the collection's
``baseUrl`` is ``https://api.procura.nl/dossiers``)."""
CLIENT_ID = "edienst-verhuizen-test"
SECRET = "vrijbrp-test-secret-dat-lang-genoeg-is"
SCOPES = frozenset({"api"})
"""The collection's test environment asks scope ``api``."""
JSON = "application/json"

# -- the contract, as JSON Schema ----------------------------------------------------------------

BSN: dict[str, Any] = {
    # README: "declarant (RelocationDeclarant) requires bsn (9 digits)"; every person in the
    # bodies is a DossierPerson (bsn: minLength 9, maxLength 9, pattern ^[0-9]*$).
    "type": "string",
    "pattern": "^[0-9]{9}$",
}
CONTACT: dict[str, Any] = {
    # collection: ContactInformation {email, telephoneNumber}, both optional strings.
    "type": "object",
    "properties": {"email": {"type": "string"}, "telephoneNumber": {"type": "string"}},
    "additionalProperties": False,
}
PERSON: dict[str, Any] = {
    "type": "object",
    "required": ["bsn"],
    "properties": {"bsn": BSN, "contactInformation": CONTACT},
    "additionalProperties": False,
}
DECLARATION_TYPES = [
    # README: the values of declarationType.
    "EX_OFFICIO",
    "MINISTERIAL_DECISION",
    "AUTHORITY_HOLDER",
    "HEAD_OF_AN_INSTITUTION",
    "REGISTERED",
    "ADULT_CHILD_LIVING_WITH_PARENTS",
    "ADULT_AUTHORIZED_REPRESENTATIVE",
    "PARTNER",
    "PARENT_LIVING_WITH_ADULT_CHILD",
]
CONSENT = ["NOT_APPLICABLE", "PENDING", "APPROVED", "DECLINED"]  # README: RelocationConsent
MUNICIPALITY: dict[str, Any] = {
    # README: previousMunicipality is a Municipality {code, description}; the service marks
    # code @NotNull. The examples give 4-digit CBS codes ("0392", "4567").
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": {"type": "string", "pattern": "^[0-9]{4}$"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}
REFERENCE_ID: dict[str, Any] = {
    # README: "referenceIds[] items (DossierReferenceId) require id and description".
    "type": "object",
    "required": ["id", "description"],
    "properties": {"id": {"type": "string", "minLength": 1}, "description": {"type": "string"}},
    "additionalProperties": False,
}
DOSSIER_REQUEST: dict[str, Any] = {
    # README: "dossier (Dossier) requires startDate"; a LocalDate, so ISO 8601 (the examples:
    # "2020-01-06"). A client may name its own dossierId and a description (collection);
    # type, status and entryDateTime are the service's.
    "type": "object",
    "required": ["startDate"],
    "properties": {
        "dossierId": {"type": "string"},
        "description": {"type": "string"},
        "referenceIds": {"type": "array", "items": REFERENCE_ID},
        "startDate": {"type": "string", "format": "date"},
    },
    "additionalProperties": False,
}
LIVE_IN: dict[str, Any] = {
    # README: "liveIn requires liveInApplicable"; consent and consenter are optional.
    "type": "object",
    "required": ["liveInApplicable"],
    "properties": {
        "liveInApplicable": {"type": "boolean"},
        "consent": {"enum": CONSENT},
        "consenter": PERSON,
    },
    "additionalProperties": False,
}
NEW_ADDRESS: dict[str, Any] = {
    # README: newAddress (RelocationMunicipalAddress) "requires houseNumber, postalCode,
    # numberOfResidents and liveIn"; houseNumber and numberOfResidents are Java Integers (the
    # example even sends -1), the rest strings as in the examples.
    "type": "object",
    "required": ["houseNumber", "postalCode", "numberOfResidents", "liveIn"],
    "properties": {
        "street": {"type": "string"},
        "houseNumber": {"type": "integer"},
        "houseLetter": {"type": "string"},
        "houseNumberAddition": {"type": "string"},
        # Not in the contract but in every example and in the BRP: a Dutch postcode, written
        # without a space. Stricter than vrijBRP, so a postcode as a resident typed it shows.
        "postalCode": {"type": "string", "pattern": "^[1-9][0-9]{3}[A-Z]{2}$"},
        "residence": {"type": "string"},
        "municipality": MUNICIPALITY,
        # README: "addressFunction is LIVING_ADDRESS or MAILING_ADDRESS".
        "addressFunction": {"enum": ["LIVING_ADDRESS", "MAILING_ADDRESS"]},
        "numberOfResidents": {"type": "integer"},
        "destinationCurrentResidents": {"type": "string"},
        "liveIn": LIVE_IN,
        "mainOccupant": PERSON,
    },
    # README: "mainOccupant is marked required in the schema, but the service enforces it
    # only when liveInApplicable is true".
    "if": {"properties": {"liveIn": {"properties": {"liveInApplicable": {"const": True}}}}},
    "then": {"required": ["mainOccupant"]},
    "additionalProperties": False,
}
RELOCATOR: dict[str, Any] = {
    # README: relocators[] (IntraMunicipalRelocationPerson) "require bsn and declarationType".
    "type": "object",
    "required": ["bsn", "declarationType"],
    "properties": {
        "bsn": BSN,
        "contactInformation": CONTACT,
        "declarationType": {"enum": DECLARATION_TYPES},
    },
    "additionalProperties": False,
}
INTRA_REQUEST: dict[str, Any] = {
    # README: IntraMunicipalRelocation requires dossier, declarant, newAddress, relocators
    # ("at least 1 item"). Unknown fields are refused here, although Spring ignores them: a
    # misspelt field would vanish without a word in the real service.
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["dossier", "declarant", "newAddress", "relocators"],
    "properties": {
        "dossier": DOSSIER_REQUEST,
        "declarant": PERSON,
        "newAddress": NEW_ADDRESS,
        "relocators": {"type": "array", "minItems": 1, "items": RELOCATOR},
    },
    "additionalProperties": False,
}
INTER_REQUEST: dict[str, Any] = {
    # README: InterMunicipalRelocation: "the same fields plus a required previousMunicipality".
    **INTRA_REQUEST,
    "required": [*INTRA_REQUEST["required"], "previousMunicipality"],
    "properties": {**INTRA_REQUEST["properties"], "previousMunicipality": MUNICIPALITY},
}
PERIOD: dict[str, Any] = {
    "type": "object",
    "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
    "additionalProperties": False,
}
STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
DOSSIER_TYPES = ["intra_mun_relocation", "inter_mun_relocation"]
"""The relocations' type codes (collection: the search example and the 201 answers)."""
STATUSES = ["incomplete", "created", "processing", "on_hold", "processed", "cancelled", "refused"]
SEARCH_REQUEST: dict[str, Any] = {
    # collection, "Search for dossiers": DossierSearchRequest {dossierIds, bsns, types,
    # statusses, entryDateTimePeriod, startDatePeriod, paging}, every one optional; paging
    # (RequestPaging) requires pageNumber and pageSize.
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "dossierIds": STRINGS,
        "bsns": {"type": "array", "items": BSN, "maxItems": 1},  # "Only one BSN is supported"
        "types": STRINGS,
        "statusses": STRINGS,
        "entryDateTimePeriod": PERIOD,
        "startDatePeriod": PERIOD,
        "paging": {
            "type": "object",
            "required": ["pageNumber", "pageSize"],
            "properties": {
                "pageNumber": {"type": "integer", "minimum": 0},
                "pageSize": {"type": "integer", "minimum": 1},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
CODE: dict[str, Any] = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
}
DOSSIER: dict[str, Any] = {
    # collection, every saved answer: a Dossier as the service gives it.
    "type": "object",
    "required": ["dossierId", "type", "status", "startDate", "entryDateTime"],
    "properties": {
        "dossierId": {"type": "string", "minLength": 1},
        "referenceIds": {"type": "array", "items": REFERENCE_ID},
        "type": CODE,
        "status": CODE,
        "startDate": {"type": "string", "format": "date"},
        "entryDateTime": {"type": "string"},
    },
}
RELOCATION_ANSWER: dict[str, Any] = {
    # example: intra-relocation.response-201.json and inter-relocation.response-201.json.
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["dossier", "declarant", "newAddress", "relocators"],
    "properties": {"dossier": DOSSIER, "relocators": {"type": "array", "minItems": 1}},
}
CONSENT_REQUEST: dict[str, Any] = {
    # README: POST /api/v1/relocations/{intra|inter}/consent takes RelocationConsent, which
    # requires dossierId, consenter {bsn} and consent; example: *-relocation-consent.request.json
    # (whose consenter carries contactInformation too, as a DossierPerson may).
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["dossierId", "consenter", "consent"],
    "properties": {
        "dossierId": {"type": "string", "minLength": 1},
        "consenter": PERSON,
        "consent": {"enum": CONSENT},
    },
    "additionalProperties": False,
}
SEARCH_ANSWER: dict[str, Any] = {
    # collection, "Search for dossiers", 200: {"result": a page of Dossiers}.
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["result"],
    "properties": {
        "result": {
            "type": "object",
            "required": ["content"],
            "properties": {
                "elements": {"type": "integer"},
                "totalElements": {"type": "integer"},
                "totalPages": {"type": "integer"},
                "pageNumber": {"type": "integer"},
                "pageSize": {"type": "integer"},
                "content": {"type": "array", "items": DOSSIER},
            },
        }
    },
}
ERROR_ANSWER: dict[str, Any] = {
    # collection, the 400 answers: Error {timestamp, id, code, description, cause, request}.
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["code", "description"],
    "properties": {
        "timestamp": {"type": "string"},
        "id": {"type": "string"},
        "code": {"type": "string"},
        "description": {"type": "string"},
        "cause": {"type": "object"},
        "request": {"type": "object"},
    },
}


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """What is wrong with ``instance`` by ``schema``, one line per error (the path, the rule)."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def api_error(status: int, code: str, description: str, cause: str) -> dict[str, Any]:
    """vrijBRP's error body (``GlobalExceptionHandler``): the kind of error, and the cause as
    the exception said it."""
    return {
        "timestamp": _now(),
        "id": secrets.token_hex(8),
        "code": code,
        "description": description,
        "cause": {"message": cause},
        "request": {"id": secrets.token_hex(8), "httpStatus": {"code": status}},
    }


class FakeVrijBrp:
    def __init__(self, *, client_id: str = CLIENT_ID, secret: str = SECRET) -> None:
        self.client_id = client_id
        self.secret = secret
        self.token_lifetime = 60
        """Seconds, as vrijBRP's ``TokenController`` gives them."""
        self.tokens: dict[str, float] = {}
        """The tokens given, with when (``time.monotonic``) each expires."""
        self.token_requests = 0
        self.dossiers: dict[str, dict[str, Any]] = {}
        """Each dossier's stored request and type, by dossierId."""
        self.base = ""
        """Where the test serves it (``tests.httpserver.serve_app``), for a client's options."""
        self.violations: list[str] = []
        self.calls: list[str] = []
        """Method and path (below :data:`BASE`) of every request, in order."""
        # -- switches ------------------------------------------------------------------------
        self.status: int | None = None
        """Answer every API request (not the token endpoint) with this status, doing nothing."""
        self.token_status: int | None = None
        """Answer every token request with this status."""
        self.stall_after: str | None = None
        """``intra`` or ``inter``: make that relocation's dossier (``consent``: take the
        consent), then answer only after :attr:`stall` seconds, once: the client has given up
        by then."""
        self.stall = 1.5
        self.slow = 0.0
        """Seconds every API answer waits."""
        self.malformed: str | None = None
        """``intra``, ``inter``, ``search`` or ``token``: that successful answer is broken
        JSON (and what it did, it did)."""
        self.refuse = False
        """A relocation is refused with a 400, its cause naming a field and quoting a BSN."""
        self.consents: list[dict[str, Any]] = []
        """Every consent body vrijBRP took (``POST .../consent``), in order."""
        self.app = Starlette(
            routes=[
                Route(f"{BASE}/oauth/token", self._token, methods=["POST"]),
                Route(f"{BASE}/api/v1/relocations/intra", self._intra, methods=["POST"]),
                Route(f"{BASE}/api/v1/relocations/inter", self._inter, methods=["POST"]),
                Route(
                    f"{BASE}/api/v1/relocations/{{soort:str}}/consent",
                    self._consent,
                    methods=["POST"],
                ),
                Route(
                    f"{BASE}/api/v1/relocations/{{soort:str}}/{{dossier_id:str}}",
                    self._relocation_get,
                    methods=["GET"],
                ),
                Route(f"{BASE}/api/v1/dossiers/search", self._search, methods=["POST"]),
                Route("/{path:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE"]),
            ]
        )

    # -- what a test looks at ------------------------------------------------------------------

    def posted(self, path: str) -> int:
        return self.calls.count(f"POST {path}")

    def plant(self, dossier_id: str, soort: str, body: dict[str, Any]) -> None:
        """A dossier someone else made (the back office, another client)."""
        self.dossiers[dossier_id] = {"soort": soort, "body": body, "entry": _now()}

    def restart(self) -> None:
        """vrijBRP made a new signing key: every token given before is refused now."""
        self.tokens.clear()

    # -- the token endpoint (RFC 6749 4.4, as vrijBRP's TokenController) -----------------------

    async def _token(self, request: Request) -> Response:
        self.calls.append("POST /oauth/token")
        self.token_requests += 1
        if self.token_status is not None:
            return _json({"error": "server_error"}, self.token_status)
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            self.violations.append("token: geen application/x-www-form-urlencoded")
            return _json({"error": "invalid_request"}, 400)
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            self.violations.append(f"token: grant_type {form.get('grant_type')!r}")
            return _json({"error": "unsupported_grant_type"}, 400)
        if not set(form.get("scope", "").split()) <= SCOPES:
            self.violations.append(f"token: scope {form.get('scope')!r}")
            return _json({"error": "invalid_scope"}, 401)
        client_id, secret = _credentials(request.headers.get("authorization", ""), form)
        if client_id != self.client_id or secret != self.secret:
            return _json({"error": "invalid_client"}, 401, {"WWW-Authenticate": "Bearer"})
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        answer = {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime}
        data = json.dumps(answer).encode()
        if self.malformed == "token":
            data = data[: len(data) // 2]
        return Response(
            data, 200, media_type=JSON, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
        )

    # -- the API -------------------------------------------------------------------------------

    async def _intra(self, request: Request) -> Response:
        return await self._relocation(request, "intra", INTRA_REQUEST)

    async def _inter(self, request: Request) -> Response:
        return await self._relocation(request, "inter", INTER_REQUEST)

    async def _relocation(self, request: Request, soort: str, schema: dict[str, Any]) -> Response:
        path = f"/api/v1/relocations/{soort}"
        refused = await self._refuse_call(request, path)
        if refused is not None:
            return refused
        body = json.loads(await request.body())
        wrong = errors(schema, body)
        if wrong:
            self.violations.append(f"POST {path}: {wrong}")
            return _json(api_error(400, "BAD_REQUEST", "Bad request", "; ".join(wrong)), 400)
        if self.refuse:
            bsn = body["relocators"][0]["bsn"]
            cause = (
                f"houseNumber is not valid for person {bsn} at {body['newAddress']['postalCode']}"
            )
            return _json(api_error(400, "BAD_REQUEST", "Bad request", cause), 400)
        dossier_id = f"VRIJBRP-{len(self.dossiers) + 1:06d}"
        self.dossiers[dossier_id] = {"soort": soort, "body": body, "entry": _now()}
        answer = self._relocation_answer(dossier_id)
        self._check_answer(f"POST {path}", RELOCATION_ANSWER, answer)
        stall = self.stall_after == soort
        if stall:
            self.stall_after = None
        return await self._send(answer, 201, broken=self.malformed == soort, stall=stall)

    async def _consent(self, request: Request) -> Response:
        soort = request.path_params["soort"]
        path = f"/api/v1/relocations/{soort}/consent"
        if soort not in ("intra", "inter"):
            return await self._unknown_path(request, path)
        refused = await self._refuse_call(request, path)
        if refused is not None:
            return refused
        body = json.loads(await request.body())
        wrong = errors(CONSENT_REQUEST, body)
        if wrong:
            self.violations.append(f"POST {path}: {wrong}")
            return _json(api_error(400, "BAD_REQUEST", "Bad request", "; ".join(wrong)), 400)
        stored = self.dossiers.get(body["dossierId"])
        if stored is None or stored["soort"] != soort:
            # The collection's 404: no such relocation dossier of this kind.
            cause = f"no {soort}-municipal relocation with id {body['dossierId']}"
            return _json(api_error(404, "NOT_FOUND", "Not found", cause), 404)
        # As the service keeps it: the consent and who gave it, on the dossier's live-in.
        stored["consent"] = {"consent": body["consent"], "consenter": body["consenter"]}
        self.consents.append(body)
        stall = self.stall_after == "consent"
        if stall:
            self.stall_after = None
            await asyncio.sleep(self.stall)
        if self.slow:
            await asyncio.sleep(self.slow)
        return Response(b"", 200)  # README: "The response is 200 with no body."

    async def _relocation_get(self, request: Request) -> Response:
        soort = request.path_params["soort"]
        dossier_id = request.path_params["dossier_id"]
        path = f"/api/v1/relocations/{soort}/{{dossierId}}"
        if soort not in ("intra", "inter"):
            return await self._unknown_path(request, path)
        refused = await self._refuse_call(request, path)
        if refused is not None:
            return refused
        stored = self.dossiers.get(dossier_id)
        if stored is None or stored["soort"] != soort:
            cause = f"no {soort}-municipal relocation with id {dossier_id}"
            return _json(api_error(404, "NOT_FOUND", "Not found", cause), 404)
        answer = self._relocation_answer(dossier_id)
        self._check_answer(f"GET {path}", RELOCATION_ANSWER, answer)
        return await self._send(answer, 200)

    def _relocation_answer(self, dossier_id: str) -> dict[str, Any]:
        stored = self.dossiers[dossier_id]
        answer = copy.deepcopy(stored["body"])
        answer["dossier"] = self._dossier(dossier_id)
        live_in = answer["newAddress"]["liveIn"]
        # As the service stores it (createNew): no consent without a live-in, pending by default.
        live_in["consent"] = (
            live_in.get("consent", "PENDING") if live_in["liveInApplicable"] else "NOT_APPLICABLE"
        )
        if stored.get("consent"):
            live_in.update(copy.deepcopy(stored["consent"]))
        return answer

    def _dossier(self, dossier_id: str) -> dict[str, Any]:
        stored = self.dossiers[dossier_id]
        code = f"{stored['soort']}_mun_relocation"
        description = {
            "intra": "Intra-municipal relocation",
            "inter": "Inter-municipal relocation",
        }[stored["soort"]]
        dossier = {
            "dossierId": dossier_id,
            "type": {"code": code, "description": description},
            "status": {"code": "created", "description": "Created"},
            "startDate": stored["body"]["dossier"]["startDate"],
            "entryDateTime": stored["entry"],
        }
        if stored["body"]["dossier"].get("referenceIds"):
            dossier["referenceIds"] = stored["body"]["dossier"]["referenceIds"]
        return dossier

    async def _search(self, request: Request) -> Response:
        path = "/api/v1/dossiers/search"
        refused = await self._refuse_call(request, path)
        if refused is not None:
            return refused
        body = json.loads(await request.body())
        wrong = errors(SEARCH_REQUEST, body)
        if wrong:
            self.violations.append(f"POST {path}: {wrong}")
            return _json(api_error(400, "BAD_REQUEST", "Bad request", "; ".join(wrong)), 400)
        wanted = set(body.get("dossierIds") or [])
        types = set(body.get("types") or DOSSIER_TYPES)
        found = []
        for dossier_id in self.dossiers:
            dossier = self._dossier(dossier_id)
            # vrijBRP-Balie translates an external zaak-id (a client's reference) to its own
            # before it searches (ZaakIdentificatieService.getIdentificatie).
            ids = {dossier_id} | {r["id"] for r in dossier.get("referenceIds", [])}
            if (not wanted or ids & wanted) and dossier["type"]["code"] in types:
                found.append(dossier)
        paging = body.get("paging") or {"pageNumber": 0, "pageSize": 10}
        start = paging["pageNumber"] * paging["pageSize"]
        page = found[start : start + paging["pageSize"]]
        answer = {
            "result": {
                "elements": len(page),
                "totalElements": len(found),
                "totalPages": -(-len(found) // paging["pageSize"]),
                "pageNumber": paging["pageNumber"],
                "pageSize": paging["pageSize"],
                "content": page,
            }
        }
        self._check_answer(f"POST {path}", SEARCH_ANSWER, answer)
        return await self._send(answer, 200, broken=self.malformed == "search")

    async def _unknown_path(self, request: Request, path: str) -> Response:
        self.calls.append(f"{request.method} {path}")
        self.violations.append(f"{request.method} {path}: niet in de API")
        return _json(api_error(404, "NOT_FOUND", "Not found", "no such resource"), 404)

    async def _unknown(self, request: Request) -> Response:
        self.calls.append(f"{request.method} /{request.path_params['path']}")
        self.violations.append(f"{request.method} /{request.path_params['path']}: niet in de API")
        return _json(api_error(404, "NOT_FOUND", "Not found", "no such resource"), 404)

    # -- shared --------------------------------------------------------------------------------

    async def _refuse_call(self, request: Request, path: str) -> Response | None:
        """The answer to a call that does not get as far as its handler, if any."""
        self.calls.append(f"{request.method} {path}")
        if self.status is not None:
            body = api_error(self.status, "ERROR", "Storing (test)", "switched on by the test")
            return await self._send(body, self.status)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.tokens.get(token, 0.0) <= time.monotonic():
            return _json(api_error(401, "UNAUTHORIZED", "Unauthorized", "invalid token"), 401)
        if request.method == "POST" and not request.headers.get("content-type", "").startswith(
            JSON
        ):
            self.violations.append(f"POST {path}: geen {JSON}")
            return _json(api_error(415, "BAD_REQUEST", "Bad request", "media type"), 415)
        return None

    def _check_answer(self, call: str, schema: dict[str, Any], answer: Any) -> None:
        wrong = errors(schema, answer)
        if wrong:
            self.violations.append(f"antwoord op {call}: {wrong}")

    async def _send(
        self, answer: Any, status: int, *, broken: bool = False, stall: bool = False
    ) -> Response:
        data = json.dumps(answer).encode()
        if broken:
            data = data[: len(data) // 2]
        if self.slow:
            await asyncio.sleep(self.slow)
        if stall:
            await asyncio.sleep(self.stall)
        return Response(data, status, media_type=JSON)


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body).encode(), status, media_type=JSON, headers=headers)


def _credentials(authorization: str, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The client's id and secret: form parameters, else HTTP Basic (as vrijBRP reads them)."""
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return user, password
