"""A test double of the BRP API Personen 2.x (Haal Centraal, ``POST /personen``).

It serves the persons of a JSON test data file (by default the shipped
``webapp/registers/testdata/brp-personen.json``) and behaves as the standard describes:

- every request is checked against ``../shared/specs/brp-personen/openapi.yaml`` (2.7.0): the
  wire format through openapi-core, the body against the schema its ``type`` names (openapi-core
  does not follow OAS 3.1 discriminators, :class:`StrictSpec` does), no parameter the search type
  does not have, and every ``fields`` path must exist in the answer's person schema and not be an
  automatically delivered one; a wrong request gets the spec's 400 and is remembered in
  :attr:`FakeHaalCentraal.problemen`, so a test fails on it;
- answers hold only the fields asked (a date or a waardetabel whole, the ``type`` of a
  verblijfplaats with any of its fields, the ``verblijfplaatsBinnenland`` alias); a search gives
  only what ``GezagPersoonBeperkt`` has;
- a missing or wrong API key gets 401, a missing required header 403.

A test can make it fail (:attr:`FakeHaalCentraal.storing`): slow, 5xx, broken JSON, an answer
not in the spec's shape. Every exchange is kept (:attr:`FakeHaalCentraal.uitwisselingen`) so a
test can check what was asked and validate every answer (:meth:`FakeHaalCentraal.check_answers`).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from tests import specs
from webapp.registers.brp import DEFAULT_PATH

SPEC = "brp-personen"
JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json"
INSTANCE = "http://127.0.0.1/haalcentraal/api/brp/personen"
AUTOMATISCH = frozenset(
    {"inOnderzoek", "geheimhoudingPersoonsgegevens", "opschortingBijhouding", "rni", "verificatie"}
)
"""Delivered without being asked; asking them in ``fields`` is a 400 (the spec says so)."""
ALIASSEN = {"verblijfplaatsBinnenland": "verblijfplaats"}

# What each question answers with: the schema of one person in its ``personen``.
PERSOON_SCHEMA = {
    "RaadpleegMetBurgerservicenummer": "Persoon",
    "ZoekMetAdresseerbaarObjectIdentificatie": "GezagPersoonBeperkt",
    "ZoekMetGeslachtsnaamEnGeboortedatum": "PersoonBeperkt",
    "ZoekMetNaamEnGemeenteVanInschrijving": "PersoonBeperkt",
    "ZoekMetPostcodeEnHuisnummer": "PersoonBeperkt",
    "ZoekMetStraatHuisnummerEnGemeenteVanInschrijving": "PersoonBeperkt",
    "ZoekMetNummeraanduidingIdentificatie": "PersoonBeperkt",
}

STORINGEN = (
    "traag",
    "400",
    "500",
    "503",
    "404",
    "kapotte-json",
    "geen-spec",
    "html",
    "vreemde-bsn",
    "ander-type",
)
"""What :attr:`FakeHaalCentraal.storing` can be. 400, 500, 503 and 404 are still answers the
spec allows (404 through its ``default`` response); the others are not, and ``traag`` answers
as usual, too late."""
BUITEN_DE_SPEC = frozenset({"kapotte-json", "geen-spec", "html", "vreemde-bsn", "ander-type"})


@functools.cache
def _spec_dict() -> dict[str, Any]:
    with (specs.require_specs() / SPEC / "openapi.yaml").open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
    return loaded


class StrictSpec:
    """The spec's schemas with their discriminators applied, and its ``fields`` paths.

    In OAS 3.1 a ``discriminator`` is only an annotation, so a plain JSON Schema validator checks
    a ``RaadpleegMetBurgerservicenummer`` body only against ``PersonenQuery`` (``type`` and
    ``fields``) and an ``Adres`` only against ``AbstractVerblijfplaats`` (``type``). Here each
    discriminated schema becomes its own properties plus, per mapping value, ``if type is X then
    X``; the mapped schemas refer to the base without its discriminator, so nothing recurses.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.schemas: dict[str, Any] = spec["components"]["schemas"]
        self.mappings: dict[str, dict[str, str]] = {
            name: {k: v.rsplit("/", 1)[1] for k, v in s["discriminator"]["mapping"].items()}
            for name, s in self.schemas.items()
            if "discriminator" in s
        }
        self._strict = {"components": {"schemas": self._transform()}}

    def _transform(self) -> dict[str, Any]:
        schemas = copy.deepcopy(self.schemas)
        for base, mapping in self.mappings.items():
            original = schemas[base]
            prop = original["discriminator"]["propertyName"]
            core = {k: v for k, v in original.items() if k != "discriminator"}
            schemas[f"{base}__kern"] = core
            branches: list[dict[str, Any]] = [
                {
                    "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                    "then": {"$ref": f"#/components/schemas/{target}"},
                }
                for value, target in mapping.items()
            ]
            schemas[base] = {
                "allOf": [
                    {"$ref": f"#/components/schemas/{base}__kern"},
                    {"properties": {prop: {"enum": sorted(mapping)}}},
                    *branches,
                ]
            }
        for base, mapping in self.mappings.items():
            for target in mapping.values():
                for part in schemas[target].get("allOf", []):
                    if part.get("$ref") == f"#/components/schemas/{base}":
                        part["$ref"] = f"#/components/schemas/{base}__kern"
        return schemas

    def errors(self, instance: Any, schema: str) -> list[str]:
        """What is wrong with ``instance`` as a ``schema`` (a name under components/schemas)."""
        validator = OAS31Validator(
            {"$ref": f"#/components/schemas/{schema}", **self._strict},
            format_checker=oas31_format_checker,
        )
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    # -- fields -------------------------------------------------------------------------------

    def _resolve(self, schema: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
        ref = schema.get("$ref")
        if ref is None:
            return None, schema
        name = ref.rsplit("/", 1)[1]
        return name, self.schemas[name]

    def properties(
        self, schema: Mapping[str, Any], *, mapped: bool = True, seen: frozenset[str] = frozenset()
    ) -> dict[str, list[Mapping[str, Any]]]:
        """Every property an instance of ``schema`` can have, each with the schemas it can have:
        through $ref, allOf and (``mapped``) the schemas a discriminator maps to; an array's
        are its items'. A mapped schema's own allOf base does not map again."""
        name, resolved = self._resolve(schema)
        if name in seen:
            return {}
        seen = seen | {name} if name else seen
        if resolved.get("type") == "array" and "items" in resolved:
            return self.properties(resolved["items"], mapped=mapped, seen=seen)
        found: dict[str, list[Mapping[str, Any]]] = {
            k: [v] for k, v in resolved.get("properties", {}).items()
        }
        parts = [self.properties(p, mapped=False, seen=seen) for p in resolved.get("allOf", [])]
        if mapped:
            parts += [
                self.properties({"$ref": f"#/components/schemas/{target}"}, seen=seen)
                for target in self.mappings.get(name or "", {}).values()
            ]
        for part in parts:
            for key, options in part.items():
                found.setdefault(key, []).extend(options)
        return found

    def field_error(self, path: str, persoon_schema: str) -> str | None:
        """Why ``path`` is not a field of ``persoon_schema``, or None when it is one."""
        parts = path.split(".")
        if persoon_schema == "Persoon" and parts[0] in ALIASSEN:
            parts[0] = ALIASSEN[parts[0]]
        if AUTOMATISCH & set(parts):
            return f"{path} wordt automatisch geleverd"
        current: list[Mapping[str, Any]] = [{"$ref": f"#/components/schemas/{persoon_schema}"}]
        for part in parts:
            current = [s for c in current for s in self.properties(c).get(part, [])]
            if not current:
                return f"{path} bestaat niet"
        return None

    def query_parameters(self, soort: str) -> set[str]:
        """The body parameters a question of type ``soort`` may have."""
        return set(self.properties({"$ref": f"#/components/schemas/{soort}"}, mapped=False))


@functools.cache
def strict_spec() -> StrictSpec:
    return StrictSpec(_spec_dict())


@functools.cache
def wire_spec() -> OpenAPI:
    """The spec for openapi-core, which also reads the error answers' problem+json as JSON
    (``tests.specs.openapi`` knows only application/json)."""
    spec = copy.deepcopy(_spec_dict())
    spec["servers"] = [{"url": specs.HOST_URL}]
    config = Config(extra_media_type_deserializers={PROBLEM: json.loads})
    return OpenAPI.from_dict(spec, config=config)


# -- answering with only the fields asked ------------------------------------------------------


def _tree(paths: Iterable[str]) -> dict[str, Any]:
    """The paths as a tree; an empty node is asked whole."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        *parents, last = path.split(".")
        for part in parents:
            if node.get(part, None) == {}:
                break  # this part is asked whole already
            node = node.setdefault(part, {})
        else:
            node[last] = {}
    return tree


def _whole(value: Mapping[str, Any]) -> bool:
    """A date (it has langFormaat) or a waardetabel comes whole, whatever part is asked."""
    return "langFormaat" in value or (
        bool(value) and set(value) <= {"code", "omschrijving", "soort"}
    )


def _project(value: Any, tree: Mapping[str, Any]) -> Any:
    if not tree or not isinstance(value, (dict, list)):
        return copy.deepcopy(value)
    if isinstance(value, list):
        items = [_project(item, tree) for item in value]
        return [item for item in items if item not in (None, {}, [])]
    if _whole(value):
        return copy.deepcopy(value)
    result = {}
    for key, sub in tree.items():
        if key in value:
            projected = _project(value[key], sub)
            if projected not in (None, {}, []):
                result[key] = projected
    if result and "type" in value:
        result = {"type": value["type"], **result}
    return result


def project(persoon: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """``persoon`` with only the fields ``paths`` ask, as the API answers it."""
    tree = _tree(paths)
    for alias, name in ALIASSEN.items():
        if alias in tree:
            sub = tree.pop(alias)
            # The alias is for a consumer not authorised for addresses abroad: none is given.
            if (persoon.get(name) or {}).get("type") != "VerblijfplaatsBuitenland":
                tree.setdefault(name, {}).update(sub)
    result = _project(persoon, tree)
    return result if isinstance(result, dict) else {}


# -- the double --------------------------------------------------------------------------------


@dataclass
class Uitwisseling:
    """One request and the answer the double gave."""

    headers: dict[str, str]
    body: bytes
    status: int = 0
    antwoord: bytes = b""
    content_type: str = ""
    buiten_de_spec: bool = False
    """The answer is off-spec on purpose (a storing the test asked for)."""

    @property
    def vraag(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class FakeHaalCentraal:
    path: Path = DEFAULT_PATH
    api_key: str | None = "geheime-test-sleutel"
    api_key_header: str = "X-API-KEY"
    verplichte_headers: Mapping[str, str] = field(default_factory=dict)
    """Fixed headers a gateway demands (e.g. x-doelbinding); missing or different: 403."""
    storing: str | None = None
    vertraging: float = 0.0
    """Seconds the ``traag`` storing waits before it answers."""
    uitwisselingen: list[Uitwisseling] = field(default_factory=list)
    problemen: list[str] = field(default_factory=list)
    """Requests that were not what the spec allows; a test expects none."""

    def __post_init__(self) -> None:
        raw = json.loads(Path(self.path).read_text(encoding="utf-8"))
        self.personen: list[dict[str, Any]] = raw["personen"]
        self.spec = strict_spec()
        self.openapi = wire_spec()
        self.app = Starlette(routes=[Route("/personen", self._personen, methods=["POST"])])

    # -- what tests look at -------------------------------------------------------------------

    def vragen(self, soort: str | None = None) -> list[dict[str, Any]]:
        """The bodies of the requests, of one ``type`` if given."""
        bodies = [u.vraag for u in self.uitwisselingen]
        return [b for b in bodies if isinstance(b, dict) and soort in (None, b.get("type"))]

    def check_answers(self) -> None:
        """Every answer given (except deliberately broken ones) is valid under the spec: the
        wire format by openapi-core, the body by the discriminated schema of its question."""
        for u in self.uitwisselingen:
            if u.buiten_de_spec:
                continue
            request = specs.Request(
                "POST", "/personen", body=u.body, content_type=JSON, headers=u.headers
            )
            response = specs.Response(u.status, u.antwoord, content_type=u.content_type)
            self.openapi.validate_response(request, response)
            data = json.loads(u.antwoord)
            if u.status == 200:
                schema = f"{data['type']}Response"
            elif u.status == 400:
                schema = "BadRequestFoutbericht"
            else:
                schema = "Foutbericht"
            errors = self.spec.errors(data, schema)
            assert not errors, f"antwoord {u.status} buiten de spec: {errors}"

    # -- the endpoint -------------------------------------------------------------------------

    async def _personen(self, request: StarletteRequest) -> StarletteResponse:
        u = Uitwisseling(headers=dict(request.headers), body=await request.body())
        self.uitwisselingen.append(u)
        response = await self._answer(request, u)
        u.status = response.status_code
        u.antwoord = bytes(response.body)
        u.content_type = response.headers.get("content-type", "")
        return response

    async def _answer(self, request: StarletteRequest, u: Uitwisseling) -> StarletteResponse:
        if self.api_key is not None and request.headers.get(self.api_key_header) != self.api_key:
            return problem(401, "Niet correct geauthenticeerd.", "authentication")
        for name, value in self.verplichte_headers.items():
            if request.headers.get(name) != value:
                return problem(403, "U bent niet geautoriseerd voor deze operatie.", "autorisation")
        accept = request.headers.get("accept", "*/*")
        if not any(t in accept for t in ("application/json", "*/*", "application/*")):
            self.problemen.append(f"Accept {accept!r}")
            return problem(406, "Gevraagde contenttype wordt niet ondersteund.", "notAcceptable")
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip() != "application/json":
            self.problemen.append(f"Content-Type {content_type!r}")
            return problem(415, "Unsupported Media Type", "unsupported")
        try:
            self.openapi.validate_request(
                specs.Request(
                    "POST",
                    "/personen",
                    body=u.body,
                    content_type=content_type,
                    headers=dict(request.headers),
                )
            )
        except Exception as exc:  # openapi-core's validation errors
            return self._bad_request(f"openapi-core: {exc}")
        body = json.loads(u.body)
        soort = body["type"]
        if soort not in PERSOON_SCHEMA:
            return self._bad_request(f"onbekend type {soort!r}", "type")
        errors = self.spec.errors(body, soort)
        if errors:
            return self._bad_request(f"{soort}: {errors}")
        unknown = set(body) - self.spec.query_parameters(soort)
        if unknown:
            return self._bad_request(f"onbekende parameters {sorted(unknown)}", *sorted(unknown))
        bad_fields = [
            e for f in body["fields"] if (e := self.spec.field_error(f, PERSOON_SCHEMA[soort]))
        ]
        if bad_fields:
            return self._bad_request(f"fields: {bad_fields}", "fields")
        return await self._found(soort, body, u)

    async def _found(self, soort: str, body: dict[str, Any], u: Uitwisseling) -> StarletteResponse:
        if self.storing == "traag":
            await asyncio.sleep(self.vertraging)
        elif self.storing in ("500", "503"):
            status = int(self.storing)
            return problem(
                status,
                "Interne server fout."
                if status == 500
                else "Bronservice BRP is tijdelijk niet beschikbaar.",
                "serverError" if status == 500 else "notAvailable",
            )
        elif self.storing == "400":
            return problem(
                400, "Een of meerdere parameters zijn niet correct.", "paramsValidation", invalid=[]
            )
        elif self.storing == "404":
            return problem(404, "Opgevraagde resource bestaat niet.", "notFound")
        elif self.storing in BUITEN_DE_SPEC:
            u.buiten_de_spec = True
            return broken(self.storing, soort)
        if soort == "RaadpleegMetBurgerservicenummer":
            wanted = body["burgerservicenummer"]
            by_bsn = {p["burgerservicenummer"]: p for p in self.personen}
            found = [by_bsn[b] for b in dict.fromkeys(wanted) if b in by_bsn]
        elif soort == "ZoekMetAdresseerbaarObjectIdentificatie":
            target = body["adresseerbaarObjectIdentificatie"]
            found = [
                p
                for p in self.personen
                if (p.get("verblijfplaats") or {}).get("adresseerbaarObjectIdentificatie") == target
            ]
        else:
            found = []  # the other searches are not served: nobody is found
        answer = {"type": soort, "personen": [project(p, body["fields"]) for p in found]}
        return StarletteResponse(json.dumps(answer).encode(), 200, media_type=JSON)

    def _bad_request(self, why: str, *names: str) -> StarletteResponse:
        self.problemen.append(why)
        return problem(
            400,
            "Een of meerdere parameters zijn niet correct.",
            "paramsValidation",
            invalid=[n for n in names if n.replace(".", "").replace("_", "").isalnum()][:5],
        )


def problem(
    status: int, title: str, code: str, *, invalid: list[str] | None = None
) -> StarletteResponse:
    """An error answer as the spec gives it (``application/problem+json``, a Foutbericht)."""
    body: dict[str, Any] = {
        "type": "https://datatracker.ietf.org/doc/html/rfc7231",
        "title": title,
        "status": status,
        "detail": f"Status {status}",
        "instance": INSTANCE,
        "code": code,
    }
    if invalid is not None:
        body["invalidParams"] = [
            {"name": n[:30], "code": "unknownParam", "reason": "Parameter is niet correct."}
            for n in invalid
        ]
    return StarletteResponse(json.dumps(body).encode(), status, media_type=PROBLEM)


def broken(storing: str, soort: str) -> StarletteResponse:
    """An answer that is not what the spec promises."""
    if storing == "kapotte-json":
        return StarletteResponse(
            b'{"type": "' + soort.encode() + b'", "personen": [', 200, media_type=JSON
        )
    if storing == "html":
        return StarletteResponse(b"<html><body>Gateway</body></html>", 200, media_type="text/html")
    if storing == "vreemde-bsn":
        data = {"type": soort, "personen": [{"burgerservicenummer": "12345"}]}
        return StarletteResponse(json.dumps(data).encode(), 200, media_type=JSON)
    if storing == "ander-type":  # the shape of an answer, but to another question
        data = {"type": "ZoekMetPostcodeEnHuisnummer", "personen": []}
        return StarletteResponse(json.dumps(data).encode(), 200, media_type=JSON)
    wrong = {"type": soort, "personen": {"burgerservicenummer": "999990007"}}  # not a list
    return StarletteResponse(json.dumps(wrong).encode(), 200, media_type=JSON)
