"""A test double of the Zaken API 1.5.1 and the Documenten API 1.5.0 (ZGW), in memory.

One app serves both, the Zaken API under :data:`ZAKEN` and the Documenten API under
:data:`DOCUMENTEN`, as Open Zaak does. It holds zaken, rollen, zaakobjecten,
zaakeigenschappen, enkelvoudige informatieobjecten and zaakinformatieobjecten, and behaves as
the standard describes:

- every request is checked against ``../shared/specs/zgw-zaken`` or ``zgw-documenten`` through
  openapi-core, and a rol's or zaakobject's body also against the schema its discriminator
  (``betrokkeneType``, ``objectType``) names, which openapi-core does not follow; a wrong
  request gets the spec's 400 and is remembered in :attr:`FakeZgw.violations`, as is every
  answer of the fake itself that the spec does not allow;
- the JWT must be HS256 with the shared secret and carry ``iss``, ``client_id``, ``iat``,
  ``user_id`` and ``user_representation`` (401 otherwise, as the APIs do);
- a zaak's or document's ``identificatie`` is unique per ``bronorganisatie`` and a document is
  linked to a zaak once (400 otherwise), so making a thing twice shows.

Switches make it fail: every answer a given status (:attr:`FakeZgw.status`), the n-th POST a 500
once (:attr:`FakeZgw.fail_post`), a POST that makes its thing and then answers too late for the
client (:attr:`FakeZgw.stall_after`), broken JSON, a 400 with ``invalidParams``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import functools
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from openapi_core import Config, OpenAPI
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from tests import specs

ZAKEN = "/zaken/api/v1"
DOCUMENTEN = "/documenten/api/v1"
SECRET = "zgw-test-geheim-dat-lang-genoeg-is-1234"
CLIENT_ID = "edienst-verhuizen-test"
JSON = "application/json"
PROBLEM = "application/problem+json"
CRS = "EPSG:4326"
CLAIMS = ("iss", "client_id", "iat", "user_id", "user_representation")


@functools.cache
def _spec(name: str) -> dict[str, Any]:
    with specs.openapi(name).spec.open() as spec:
        return copy.deepcopy(dict(spec))


def _components(name: str) -> dict[str, Any]:
    components: dict[str, Any] = _spec(name)["components"]
    return components


@functools.cache
def wire_spec(name: str) -> OpenAPI:
    """The spec for openapi-core, reading the error answers' problem+json as JSON too
    (``tests.specs.openapi`` knows only application/json)."""
    return OpenAPI.from_dict(
        copy.deepcopy(_spec(name)),
        config=Config(extra_media_type_deserializers={PROBLEM: json.loads}),
    )


def strict_errors(name: str, schema: str, instance: Any, *, reading: bool) -> list[str]:
    """What is wrong with ``instance`` as a ``schema`` of spec ``name``, following the
    discriminator openapi-core leaves alone: a ``Rol`` is checked as the ``<type>_Rol`` its
    ``betrokkeneType`` names. ``reading``: as an answer (read-only fields required), else as a
    request (read-only fields absent)."""
    components = _components(name)
    target = schema
    discriminator = components["schemas"][schema].get("discriminator")
    if discriminator and isinstance(instance, dict):
        value = instance.get(discriminator["propertyName"])
        mapped = discriminator["mapping"].get(value)
        if mapped is None:
            return [f"{discriminator['propertyName']}: {value!r} is geen bekende waarde"]
        target = mapped.rsplit("/", 1)[1]
    validator_class = OAS30ReadValidator if reading else OAS30WriteValidator
    validator = validator_class(
        {"$ref": f"#/components/schemas/{target}", "components": components},
        format_checker=oas30_format_checker,
    )
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


class _Refused(Exception):
    def __init__(self, status: int, title: str, *names: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.names = names


@dataclass(frozen=True)
class _Endpoint:
    api: str
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., tuple[int, Any]]
    collection: str | None = None
    """What a POST makes (for :attr:`FakeZgw.stall_after` and :attr:`FakeZgw.refuse`)."""
    schema: str | None = None
    """The discriminated schema a POST body is checked against as well."""


class FakeZgw:
    def __init__(
        self, *, secret: str = SECRET, client_id: str = CLIENT_ID, page_size: int = 2
    ) -> None:
        self.key = OctKey.import_key(secret)
        self.client_id = client_id
        self.page_size = page_size
        """Small, so the client must read lists page by page."""
        self.zaken: dict[str, dict[str, Any]] = {}
        self.rollen: dict[str, dict[str, Any]] = {}
        self.zaakobjecten: dict[str, dict[str, Any]] = {}
        self.zaakeigenschappen: dict[str, dict[str, Any]] = {}
        self.informatieobjecten: dict[str, dict[str, Any]] = {}
        self.inhoud: dict[str, bytes] = {}
        """The bytes of each informatieobject, by its url."""
        self.zaakinformatieobjecten: dict[str, dict[str, Any]] = {}
        self.base = ""
        """Where the test serves it (``tests.httpserver.serve_app``), for a client's options."""
        self.violations: list[str] = []
        self.calls: list[str] = []
        """Method and API-relative path of every request, in order."""
        self.posts = 0
        self.updates: list[str] = []
        """Every zaakeigenschap changed (PUT or PATCH): its uuid and new waarde."""
        # -- switches ------------------------------------------------------------------------
        self.status: int | None = None
        """Answer every request with this status (500, 429, 401, 403, 400) and do nothing."""
        self.fail_post: int | None = None
        """Answer the n-th POST (counted from 1 over both APIs) with a 500, once."""
        self.stall_after: str | None = None
        """Make the thing a POST to this collection makes, then answer only after
        :attr:`stall` seconds, once: the client has given up by then, as after a lost
        connection."""
        self.stall = 1.0
        self.slow = 0.0
        """Seconds every answer waits."""
        self.malformed = False
        """Every successful answer is broken JSON."""
        self.refuse: str | None = None
        """A POST to this collection gets a 400 with ``invalidParams``."""
        self.endpoints = self._endpoints()
        for api in ("zgw-zaken", "zgw-documenten"):
            wire_spec(api)  # read now, not on the first request a client times
        self.app = Starlette(
            routes=[
                Route(
                    "/{path:path}", self._handle, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
                )
            ]
        )

    # -- what a test looks at ------------------------------------------------------------------

    def rollen_van(self, zaak_url: str) -> list[dict[str, Any]]:
        return [r for r in self.rollen.values() if r["zaak"] == zaak_url]

    def posted(self, collection: str) -> int:
        """How many POSTs reached a collection's path (made or not)."""
        return sum(1 for c in self.calls if c.startswith("POST ") and c.endswith(collection))

    # -- routing -------------------------------------------------------------------------------

    def _endpoints(self) -> list[_Endpoint]:
        uuid_re = r"(?P<uuid>[0-9a-f-]{36})"
        zaak_re = r"(?P<zaak_uuid>[0-9a-f-]{36})"

        def e(
            api: str,
            method: str,
            path: str,
            handler: Callable[..., tuple[int, Any]],
            collection: str | None = None,
            schema: str | None = None,
        ) -> _Endpoint:
            return _Endpoint(api, method, re.compile(f"^{path}$"), handler, collection, schema)

        return [
            e("zgw-zaken", "GET", "/zaken", self._zaken_list),
            e("zgw-zaken", "POST", "/zaken", self._zaak_create, "zaken"),
            e("zgw-zaken", "GET", "/rollen", self._rollen_list),
            e("zgw-zaken", "POST", "/rollen", self._rol_create, "rollen", "Rol"),
            e("zgw-zaken", "GET", "/zaakobjecten", self._zaakobjecten_list),
            e(
                "zgw-zaken",
                "POST",
                "/zaakobjecten",
                self._zaakobject_create,
                "zaakobjecten",
                "ZaakObject",
            ),
            e("zgw-zaken", "GET", f"/zaken/{uuid_re}/zaakeigenschappen", self._eigenschappen_list),
            e(
                "zgw-zaken",
                "POST",
                f"/zaken/{uuid_re}/zaakeigenschappen",
                self._eigenschap_create,
                "zaakeigenschappen",
            ),
            e(
                "zgw-zaken",
                "PATCH",
                f"/zaken/{zaak_re}/zaakeigenschappen/{uuid_re}",
                self._eigenschap_update,
            ),
            e(
                "zgw-zaken",
                "PUT",
                f"/zaken/{zaak_re}/zaakeigenschappen/{uuid_re}",
                self._eigenschap_update,
            ),
            e("zgw-zaken", "GET", "/zaakinformatieobjecten", self._zio_list),
            e(
                "zgw-zaken",
                "POST",
                "/zaakinformatieobjecten",
                self._zio_create,
                "zaakinformatieobjecten",
            ),
            e("zgw-documenten", "GET", "/enkelvoudiginformatieobjecten", self._eio_list),
            e(
                "zgw-documenten",
                "POST",
                "/enkelvoudiginformatieobjecten",
                self._eio_create,
                "enkelvoudiginformatieobjecten",
            ),
        ]

    async def _handle(self, request: StarletteRequest) -> StarletteResponse:
        path = "/" + request.path_params["path"]
        if path.startswith(ZAKEN + "/"):
            api, relative, root = "zgw-zaken", path[len(ZAKEN) :], ZAKEN
        elif path.startswith(DOCUMENTEN + "/"):
            api, relative, root = "zgw-documenten", path[len(DOCUMENTEN) :], DOCUMENTEN
        else:
            self.violations.append(f"{request.method} {path}: geen ZGW API")
            return StarletteResponse(b"", 404)
        self.calls.append(f"{request.method} {relative}")
        base = str(request.base_url).rstrip("/") + root
        body = await request.body()
        spec_request = specs.Request(
            request.method,
            relative,
            body=body or None,
            content_type=request.headers.get("content-type", JSON),
            headers=dict(request.headers),
            query=dict(request.query_params),
        )
        status, payload, stall = await self._answer(
            request, api, relative, base, body, spec_request
        )
        data = json.dumps(payload).encode() if payload is not None else b""
        content_type = PROBLEM if status >= 400 else JSON
        headers = {"API-version": "1.5.1" if api == "zgw-zaken" else "1.5.0"}
        if api == "zgw-zaken" and relative == "/zaken":
            headers["Content-Crs"] = CRS
        if status == 201 and isinstance(payload, dict):
            headers["Location"] = payload["url"]
        self._check_answer(api, spec_request, status, data, content_type, headers, payload)
        if self.slow:
            await asyncio.sleep(self.slow)
        if stall:
            await asyncio.sleep(self.stall)
        if self.malformed and status < 400:
            data = data[: len(data) // 2] or b"{"
        return StarletteResponse(data, status, headers=headers, media_type=content_type)

    async def _answer(
        self,
        request: StarletteRequest,
        api: str,
        relative: str,
        base: str,
        body: bytes,
        spec_request: specs.Request,
    ) -> tuple[int, Any, bool]:
        if request.method == "POST":
            self.posts += 1
        if self.status is not None:
            return self.status, _problem(self.status, "Storing (test)", base, relative), False
        claims_problem = self._check_token(request.headers.get("authorization", ""))
        if claims_problem:
            return 401, _problem(401, claims_problem, base, relative), False
        openapi = wire_spec(api)
        try:
            openapi.validate_request(spec_request)
        except Exception as exc:  # openapi-core's errors: all of them make a 400
            cause = exc.__cause__ or exc
            self.violations.append(f"{request.method} {relative}: {exc}: {cause}")
            return 400, _problem(400, "Ongeldig verzoek (spec)", base, relative), False
        endpoint, match = self._endpoint(api, request.method, relative)
        if endpoint is None or match is None:
            self.violations.append(f"{request.method} {relative}: niet in de fake")
            return 404, _problem(404, "Niet gevonden", base, relative), False
        parsed: Any = None
        if request.method in ("PUT", "PATCH"):
            parsed = json.loads(body)
        if request.method == "POST":
            parsed = json.loads(body)
            if endpoint.schema:
                errors = strict_errors(api, endpoint.schema, parsed, reading=False)
                if errors:
                    self.violations.append(f"POST {relative}: {errors}")
                    return 400, _problem(400, "Ongeldig verzoek (spec)", base, relative), False
            if self.fail_post == self.posts:
                self.fail_post = None
                return 500, _problem(500, "Storing (test)", base, relative), False
            if self.refuse == endpoint.collection:
                problem = _problem(400, "Invalid input.", base, relative, "waarde", "zaak")
                return 400, problem, False
        try:
            status, payload = endpoint.handler(
                base=base, query=dict(request.query_params), body=parsed, **match.groupdict()
            )
        except _Refused as refused:
            problem = _problem(refused.status, refused.title, base, relative, *refused.names)
            return refused.status, problem, False
        stall = request.method == "POST" and self.stall_after == endpoint.collection
        if stall:
            self.stall_after = None
        return status, payload, stall

    def _endpoint(
        self, api: str, method: str, relative: str
    ) -> tuple[_Endpoint | None, re.Match[str] | None]:
        for endpoint in self.endpoints:
            if endpoint.api == api and endpoint.method == method:
                match = endpoint.pattern.match(relative)
                if match:
                    return endpoint, match
        return None, None

    def _check_token(self, authorization: str) -> str | None:
        """Why the bearer token is refused, or None. A token without the claims ZGW asks is a
        violation as well: our client must send them."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            self.violations.append("geen Bearer-token")
            return "Authenticatiegegevens ontbreken"
        try:
            decoded = jwt.decode(token, self.key, algorithms=["HS256"])
        except (JoseError, ValueError):
            return "Ongeldige handtekening"
        claims = decoded.claims
        missing = [c for c in CLAIMS if c not in claims]
        if missing or decoded.header.get("alg") != "HS256":
            self.violations.append(f"JWT zonder {missing} of niet HS256")
            return "Onvolledige JWT"
        if claims["client_id"] != self.client_id or claims["iss"] != self.client_id:
            return "Onbekende client"
        if not isinstance(claims["iat"], int) or abs(time.time() - claims["iat"]) > 300:
            self.violations.append(f"JWT iat {claims['iat']!r}")
            return "Verlopen JWT"
        return None

    def _check_answer(
        self,
        api: str,
        spec_request: specs.Request,
        status: int,
        data: bytes,
        content_type: str,
        headers: Mapping[str, str],
        payload: Any,
    ) -> None:
        """The fake's own answer must be one the spec allows."""
        try:
            wire_spec(api).validate_response(
                spec_request, specs.Response(status, data, content_type, headers)
            )
        except Exception as exc:  # openapi-core's errors: the fake is wrong
            self.violations.append(f"antwoord {status} op {spec_request.path}: {exc}")
        schema = {"/rollen": "Rol", "/zaakobjecten": "ZaakObject"}.get(spec_request.path)
        if schema and status < 300:
            items = payload.get("results", []) if "count" in payload else [payload]
            for item in items:
                errors = strict_errors(api, schema, item, reading=True)
                if errors:
                    self.violations.append(f"antwoord op {spec_request.path}: {errors}")

    # -- the resources -------------------------------------------------------------------------

    def _page(
        self, items: list[dict[str, Any]], base: str, path: str, query: Mapping[str, str]
    ) -> tuple[int, Any]:
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            raise _Refused(404, "Ongeldige pagina") from None
        start = (page - 1) * self.page_size
        if page < 1 or (start >= len(items) and page > 1):
            raise _Refused(404, "Ongeldige pagina")
        rest = {k: v for k, v in query.items() if k != "page"}

        def link(n: int) -> str:
            return f"{base}{path}?{urlencode({**rest, 'page': n})}"

        more = start + self.page_size < len(items)
        return 200, {
            "count": len(items),
            "next": link(page + 1) if more else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": items[start : start + self.page_size],
        }

    def _zaak_by_url(self, url: Any, name: str = "zaak") -> dict[str, Any]:
        for zaak in self.zaken.values():
            if zaak["url"] == url:
                return zaak
        raise _Refused(400, "Invalid input.", name)

    def _zaken_list(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        found = [
            z
            for z in self.zaken.values()
            if all(z.get(k) == query[k] for k in ("identificatie", "bronorganisatie") if k in query)
        ]
        return self._page(found, base, "/zaken", query)

    def _zaak_create(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        identificatie = body.get("identificatie") or f"ZAAK-{len(self.zaken) + 1}"
        if any(
            z["identificatie"] == identificatie and z["bronorganisatie"] == body["bronorganisatie"]
            for z in self.zaken.values()
        ):
            raise _Refused(400, "Invalid input.", "identificatie")
        key = _uuid()
        zaak = {
            **body,
            "identificatie": identificatie,
            "url": f"{base}/zaken/{key}",
            "uuid": key,
            "betalingsindicatieWeergave": "",
            "deelzaken": [],
            "eigenschappen": [],
            "einddatum": None,
            "resultaat": None,
            "rollen": [],
            "status": None,
            "zaakinformatieobjecten": [],
            "zaakobjecten": [],
        }
        self.zaken[key] = zaak
        return 201, zaak

    def _rollen_list(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        found = [
            r
            for r in self.rollen.values()
            if all(r.get(k) == query[k] for k in ("zaak", "betrokkeneType") if k in query)
        ]
        return self._page(found, base, "/rollen", query)

    def _rol_create(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        zaak = self._zaak_by_url(body["zaak"])
        key = _uuid()
        rol = {
            **body,
            "url": f"{base}/rollen/{key}",
            "uuid": key,
            "omschrijving": body["roltype"].rsplit("/", 1)[-1],
            "omschrijvingGeneriek": "initiator",
            "registratiedatum": _now(),
            "statussen": [],
        }
        self.rollen[key] = rol
        zaak["rollen"].append(rol["url"])
        return 201, rol

    def _zaakobjecten_list(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        found = [
            o
            for o in self.zaakobjecten.values()
            if all(o.get(k) == query[k] for k in ("zaak", "objectType") if k in query)
        ]
        return self._page(found, base, "/zaakobjecten", query)

    def _zaakobject_create(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        zaak = self._zaak_by_url(body["zaak"])
        key = _uuid()
        made = {**body, "url": f"{base}/zaakobjecten/{key}", "uuid": key}
        self.zaakobjecten[key] = made
        zaak["zaakobjecten"].append(made["url"])
        return 201, made

    def _eigenschappen_list(
        self, base: str, query: Mapping[str, str], body: Any, uuid: str
    ) -> tuple[int, Any]:
        if uuid not in self.zaken:
            raise _Refused(404, "Niet gevonden")
        return 200, [e for e in self.zaakeigenschappen.values() if e["zaak"].endswith(uuid)]

    def _eigenschap_create(
        self, base: str, query: Mapping[str, str], body: Any, uuid: str
    ) -> tuple[int, Any]:
        zaak = self.zaken.get(uuid)
        if zaak is None or body["zaak"] != zaak["url"]:
            raise _Refused(400, "Invalid input.", "zaak")
        key = _uuid()
        made = {
            **body,
            "url": f"{zaak['url']}/zaakeigenschappen/{key}",
            "uuid": key,
            "naam": body["eigenschap"].rsplit("/", 1)[-1],
        }
        self.zaakeigenschappen[key] = made
        zaak["eigenschappen"].append(made["url"])
        return 201, made

    def _eigenschap_update(
        self, base: str, query: Mapping[str, str], body: Any, zaak_uuid: str, uuid: str
    ) -> tuple[int, Any]:
        """PUT or PATCH of a zaakeigenschap: "Alleen de ``waarde`` mag gewijzigd worden" (the
        spec's description of both)."""
        zaak = self.zaken.get(zaak_uuid)
        found = self.zaakeigenschappen.get(uuid)
        if zaak is None or found is None or found["zaak"] != zaak["url"]:
            raise _Refused(404, "Niet gevonden")
        for name in ("zaak", "eigenschap"):
            if name in body and body[name] != found[name]:
                raise _Refused(400, "Invalid input.", name)
        if "waarde" in body:
            found["waarde"] = body["waarde"]
        self.updates.append(f"{uuid}: {found['waarde']}")
        return 200, found

    def _zio_list(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        return 200, [
            z
            for z in self.zaakinformatieobjecten.values()
            if all(z.get(k) == query[k] for k in ("zaak", "informatieobject") if k in query)
        ]

    def _zio_create(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        zaak = self._zaak_by_url(body["zaak"])
        if body["informatieobject"] not in self.inhoud:
            raise _Refused(400, "Invalid input.", "informatieobject")
        if any(
            z["zaak"] == body["zaak"] and z["informatieobject"] == body["informatieobject"]
            for z in self.zaakinformatieobjecten.values()
        ):
            raise _Refused(400, "Invalid input.", "nonFieldErrors")
        key = _uuid()
        made = {
            **body,
            "url": f"{base}/zaakinformatieobjecten/{key}",
            "uuid": key,
            "aardRelatieWeergave": "Hoort bij, omgekeerd: kent",
            "registratiedatum": _now(),
        }
        self.zaakinformatieobjecten[key] = made
        zaak["zaakinformatieobjecten"].append(made["url"])
        return 201, made

    def _eio_list(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        found = [
            d
            for d in self.informatieobjecten.values()
            if all(d.get(k) == query[k] for k in ("identificatie", "bronorganisatie") if k in query)
        ]
        return self._page(found, base, "/enkelvoudiginformatieobjecten", query)

    def _eio_create(self, base: str, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        identificatie = body.get("identificatie") or f"DOC-{len(self.informatieobjecten) + 1}"
        if any(
            d["identificatie"] == identificatie and d["bronorganisatie"] == body["bronorganisatie"]
            for d in self.informatieobjecten.values()
        ):
            raise _Refused(400, "Invalid input.", "identificatie")
        try:
            data = base64.b64decode(body.get("inhoud") or "", validate=True)
        except binascii.Error:
            raise _Refused(400, "Invalid input.", "inhoud") from None
        if body.get("bestandsomvang") not in (None, len(data)):
            raise _Refused(400, "Invalid input.", "bestandsomvang")
        key = _uuid()
        url = f"{base}/enkelvoudiginformatieobjecten/{key}"
        made = {
            **body,
            "identificatie": identificatie,
            "url": url,
            "inhoud": f"{url}/download?versie=1",
            "versie": 1,
            "beginRegistratie": _now(),
            "locked": False,
            "bestandsdelen": [],
        }
        self.informatieobjecten[key] = made
        self.inhoud[url] = data
        return 201, made


def _problem(status: int, title: str, base: str, path: str, *names: str) -> dict[str, Any]:
    """A ValidatieFout (400) or Fout body. Each ``reason`` quotes a value, as real APIs do, so
    a test can show that the client never passes a reason on."""
    body: dict[str, Any] = {
        "type": f"{base}/ref/fouten/{status}/",
        "code": "invalid" if status == 400 else f"fout-{status}",
        "title": title,
        "status": status,
        "detail": title,
        "instance": f"urn:uuid:{uuid.uuid4()}",
    }
    if status == 400:
        body["invalidParams"] = [
            {"name": n, "code": "invalid", "reason": f"Waarde 999990007 van {n} is ongeldig."}
            for n in names
        ]
    return body


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _uuid() -> str:
    return str(uuid.uuid4())
