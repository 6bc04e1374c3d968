"""A test double of BAG Individuele Bevragingen v2 (``GET /adressenuitgebreid``,
``GET /bronhouders``), serving the addresses of ``webapp/registers/testdata/adressen.json``
converted to the BAG shape.

- Every request is checked against ``../shared/specs/bag-individuele-bevragingen/openapi.yaml``
  (2.0.0) by openapi-core, the ``X-Api-Key`` included; a wrong one gets the spec's 400 and is
  remembered in :attr:`FakeBag.problemen`, so a test fails on it. A missing key gets 401, a
  wrong key 403.
- Every answer it gives (except the deliberately broken ones) is checked against the spec too;
  one that is not valid is remembered in :attr:`FakeBag.problemen` as well.
- ``exacteMatch`` behaves as lvbag's ``exacte_match.feature`` says: without it, a missing
  huisletter or toevoeging matches any; with it, only none.

The test data are Locatieserver-shaped; the BAG identifications it lacks (woonplaats, openbare
ruimte) are made up here, the same on every run. A woonplaats's bronhouder is the gemeente of
its addresses.

A test can make it fail (:attr:`FakeBag.storing`, one of :data:`STORINGEN`).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.deserializing.media_types.util import json_loads
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests import specs
from webapp.registers.adressen import DEFAULT_PATH

SPEC = "bag-individuele-bevragingen"
HAL = "application/hal+json"
PROBLEM = "application/problem+json"
API_VERSION = "2.0.0"
BASE = "http://127.0.0.1/lvbag/individuelebevragingen/v2"

STORINGEN = ("traag", "404", "500", "503", "kapotte-json", "geen-spec", "onleesbaar")
"""What :attr:`FakeBag.storing` can be: slow, an HTTP status, a body that is not JSON, JSON
not in the spec's shape, an address without its required fields."""

_TITLES = {
    400: ("Ten minste één parameter moet worden opgegeven.", "paramsRequired"),
    401: ("Niet correct geauthenticeerd.", "authentication"),
    403: ("U bent niet geautoriseerd voor deze operatie.", "autorisation"),
    404: ("Opgevraagde resource bestaat niet.", "notFound"),
    500: ("Interne server fout.", "serverError"),
    503: ("Bronservice BAG is tijdelijk niet beschikbaar.", "notAvailable"),
}


@functools.cache
def _openapi() -> OpenAPI:
    """The spec as :func:`tests.specs.openapi` reads it, told that BAG's HAL and problem bodies
    are JSON (openapi-core would take them for bytes)."""
    config = Config(
        spec_validator_cls=None,  # tests.specs validated it already
        extra_media_type_deserializers={HAL: json_loads, PROBLEM: json_loads},
    )
    return OpenAPI(specs.openapi(SPEC).spec, config=config)


def bag_adressen(docs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The Locatieserver docs as ``AdresUitgebreidHal`` objects, and the bronhouder of each
    woonplaats identification."""
    woonplaatsen = sorted({d["woonplaatsnaam"] for d in docs})
    woonplaats_id = {naam: str(1001 + i) for i, naam in enumerate(woonplaatsen)}
    straten = sorted({(d["gemeentecode"], d["straatnaam"]) for d in docs})
    straat_id = {s: f"{s[0]}30{i + 1:010d}" for i, s in enumerate(straten)}
    adressen = []
    bronhouders: dict[str, Any] = {}
    for d in docs:
        wid = woonplaats_id[d["woonplaatsnaam"]]
        bronhouders[wid] = {"code": d["gemeentecode"], "naam": d["gemeentenaam"]}
        straat = d["straatnaam"]
        adres: dict[str, Any] = {
            "openbareRuimteNaam": straat,
            "korteNaam": straat[:24],
            # 2.0.0 requires "kortNaam" (sic) while it describes "korteNaam"; both, to be valid.
            "kortNaam": straat[:24],
            "huisnummer": d["huisnummer"],
            "postcode": d["postcode"],
            "woonplaatsNaam": d["woonplaatsnaam"],
            "nummeraanduidingIdentificatie": d["nummeraanduiding_id"],
            "openbareRuimteIdentificatie": straat_id[(d["gemeentecode"], straat)],
            "woonplaatsIdentificatie": wid,
            "adresseerbaarObjectIdentificatie": d["adresseerbaarobject_id"],
            "typeAdresseerbaarObject": "Verblijfsobject",
            "adresseerbaarObjectStatus": "Verblijfsobject in gebruik",
            "gebruiksdoelen": list(d["gebruiksdoelen"]),
            "oppervlakte": d["oppervlakte"],
            "_links": {
                "self": {"href": f"{BASE}/adressenuitgebreid/{d['nummeraanduiding_id']}"},
                "adresseerbaarObject": {
                    "href": f"{BASE}/verblijfsobjecten/{d['adresseerbaarobject_id']}"
                },
            },
        }
        for ours, theirs in (
            ("huisletter", "huisletter"),
            ("huisnummertoevoeging", "huisnummertoevoeging"),
        ):
            if d.get(ours):
                adres[theirs] = d[ours]
        adressen.append(adres)
    return adressen, bronhouders


def _same(given: str | None, actual: str | None, exact: bool) -> bool:
    if not given:
        return not exact or not actual
    return given.upper() == (actual or "").upper()


@dataclass
class FakeBag:
    path: Path = DEFAULT_PATH
    api_key: str = "bag-test-sleutel"
    storing: str | None = None
    vertraging: float = 0.5
    verzoeken: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    """Path, query parameters and headers of every request, in order."""
    problemen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        raw = json.loads(Path(self.path).read_text(encoding="utf-8"))
        self.adressen, self.bronhouders = bag_adressen(raw["response"]["docs"])
        self.openapi = _openapi()
        self.app = Starlette(
            routes=[
                Route("/adressenuitgebreid", self._adressen_uitgebreid, methods=["GET"]),
                Route("/bronhouders", self._bronhouders, methods=["GET"]),
            ]
        )

    def reset(self) -> None:
        self.storing = None
        self.verzoeken.clear()
        self.problemen.clear()

    def paden(self) -> list[str]:
        return [path for path, _, _ in self.verzoeken]

    # -- the endpoints ------------------------------------------------------------------------

    async def _adressen_uitgebreid(self, request: Request) -> Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        q = request.query_params
        if "postcode" not in q or "huisnummer" not in q:
            # The double knows only the question the client asks.
            self.problemen.append(f"adressenuitgebreid zonder postcode en huisnummer: {dict(q)}")
            return self._problem(request, 400)
        exact = q.get("exacteMatch") == "true"
        found = [
            a
            for a in self.adressen
            if a["postcode"] == q["postcode"].upper()
            and a["huisnummer"] == int(q["huisnummer"])
            and _same(q.get("huisletter"), a.get("huisletter"), exact)
            and _same(q.get("huisnummertoevoeging"), a.get("huisnummertoevoeging"), exact)
        ]
        body: dict[str, Any] = {"_links": {"self": {"href": f"{BASE}{request.url.path}"}}}
        if found:  # as BAG does, an empty collection has no _embedded
            body["_embedded"] = {"adressen": found}
        return await self._answer(request, body)

    async def _bronhouders(self, request: Request) -> Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        bronhouder = self.bronhouders.get(request.query_params.get("objectIdentificatie", ""))
        body: dict[str, Any] = {"_links": {"self": {"href": f"{BASE}{request.url.path}"}}}
        if bronhouder is not None:
            body["_embedded"] = {
                "bronhouders": [
                    {
                        "bronhouder": bronhouder,
                        "_links": {"self": {"href": f"{BASE}/bronhouders/{bronhouder['code']}"}},
                    }
                ]
            }
        return await self._answer(request, body)

    # -- checking and answering ---------------------------------------------------------------

    def _spec_request(self, request: Request) -> specs.Request:
        return specs.Request(
            "GET",
            request.url.path,
            headers=dict(request.headers),
            query=dict(request.query_params),
        )

    def _check(self, request: Request) -> Response | None:
        """None when the request may be answered, else the refusal."""
        self.verzoeken.append((request.url.path, dict(request.query_params), dict(request.headers)))
        key = request.headers.get("x-api-key")
        if key is None:
            self.problemen.append("geen X-Api-Key")
            return self._problem(request, 401)
        if key != self.api_key:
            return self._problem(request, 403)
        try:
            self.openapi.validate_request(self._spec_request(request))
        except Exception as exc:  # openapi-core's validation errors
            self.problemen.append(f"{request.url.path}: {type(exc).__name__}: {exc}")
            return self._problem(request, 400)
        return None

    def _problem(self, request: Request, status: int) -> Response:
        title, code = _TITLES[status]
        body = {
            "status": status,
            "title": title,
            "type": f"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#{status}",
            "detail": title,
            "instance": f"{BASE}{request.url.path}",
            "code": code,
        }
        return self._respond(request, status, json.dumps(body).encode(), PROBLEM)

    async def _answer(self, request: Request, body: dict[str, Any]) -> Response:
        storing = self.storing
        if storing == "traag":
            await asyncio.sleep(self.vertraging)
        elif storing is not None and storing.isdigit():
            return self._problem(request, int(storing))
        elif storing == "kapotte-json":
            return Response(b'{"_embedded": {"adressen": [', media_type=HAL)
        elif storing == "geen-spec":
            return Response(b'{"_embedded": {"adressen": "geen lijst"}}', media_type=HAL)
        elif storing == "onleesbaar":
            body = copy.deepcopy(body)  # it holds the double's own addresses
            for adres in body.get("_embedded", {}).get("adressen", []):
                adres.pop("nummeraanduidingIdentificatie", None)
                adres.pop("huisnummer", None)
            return Response(json.dumps(body).encode(), media_type=HAL)
        return self._respond(request, 200, json.dumps(body).encode(), HAL)

    def _respond(self, request: Request, status: int, data: bytes, media_type: str) -> Response:
        headers = {"api-version": API_VERSION}
        try:
            self.openapi.validate_response(
                self._spec_request(request),
                specs.Response(status, data, content_type=media_type, headers=headers),
            )
        except Exception as exc:  # the double itself is wrong: the test must not pass
            self.problemen.append(f"antwoord {status} buiten de spec: {type(exc).__name__}: {exc}")
        return Response(data, status, headers=headers, media_type=media_type)
