"""A test double of PDOK Locatieserver v3.1 (``GET /free``), serving the addresses of
``webapp/registers/testdata/adressen.json``.

There is no Locatieserver specification in ``../shared/specs`` (its README, note 5): the double
follows the documented behaviour instead.

- Parameters it does not know are refused with 400, as Locatieserver v3.1 does ("niet toegestaan
  om query parameters op te geven die niet in de OpenAPI specificatie staan"); so are a ``q``,
  ``fq``, ``rows`` or ``start`` it cannot read, and ``rows`` above 100. Each refusal, and each
  ``fl`` field Locatieserver does not have, is remembered in :attr:`FakePdok.problemen`: a test
  expects none.
- It answers the documented envelope ``response.numFound`` / ``start`` / ``docs[]``, with only
  the ``fl`` fields. ``oppervlakte`` and ``gebruiksdoelen`` of the test data are BAG fields, not
  Locatieserver's, so it never gives them.

A test can make it fail (:attr:`FakePdok.storing`, one of :data:`STORINGEN`) and can make it
give fewer documents than asked (:attr:`FakePdok.max_rows`), to see the client page.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from webapp.registers.adressen import DEFAULT_PATH

PARAMETERS = frozenset(
    {"q", "fq", "fl", "rows", "start", "sort", "df", "bq", "wt", "indent", "lat", "lon"}
)
"""The query parameters of ``/free`` in Locatieserver v3.1."""
MAX_ROWS = 100
NOT_LOCATIESERVER = frozenset({"oppervlakte", "gebruiksdoelen"})
"""Fields of the test data that Locatieserver does not have (they come from BAG)."""

STORINGEN = ("traag", "401", "403", "404", "500", "503", "kapotte-json", "geen-spec", "onleesbaar")
"""What :attr:`FakePdok.storing` can be: slow, an HTTP status, a body that is not JSON, JSON
not in the documented shape, an address doc without its required fields."""

_Q = re.compile(
    r"postcode:(?P<postcode>[1-9][0-9]{3}[A-Z]{2}) AND huisnummer:(?P<huisnummer>[1-9][0-9]{0,4})"
)
_FQ = re.compile(r"type:(?P<type>[a-z]+)")


@dataclass
class FakePdok:
    path: Path = DEFAULT_PATH
    storing: str | None = None
    vertraging: float = 0.5
    """Seconds the ``traag`` storing waits before it answers."""
    max_rows: int = MAX_ROWS
    """The most documents one answer holds, whatever ``rows`` asks."""
    verzoeken: list[list[tuple[str, str]]] = field(default_factory=list)
    """The query parameters of every request, in order."""
    problemen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        raw = json.loads(Path(self.path).read_text(encoding="utf-8"))
        self.docs: list[dict[str, Any]] = [
            {k: v for k, v in doc.items() if k not in NOT_LOCATIESERVER}
            for doc in raw["response"]["docs"]
        ]
        self.fields = frozenset(k for doc in self.docs for k in doc) | {"id", "score"}
        self.app = Starlette(routes=[Route("/free", self._free, methods=["GET"])])

    def reset(self) -> None:
        self.storing = None
        self.max_rows = MAX_ROWS
        self.verzoeken.clear()
        self.problemen.clear()

    def param(self, name: str, index: int = -1) -> list[str]:
        """The values of parameter ``name`` in request ``index`` (the last by default)."""
        return [v for k, v in self.verzoeken[index] if k == name]

    # -- the endpoint -------------------------------------------------------------------------

    def _refuse(self, detail: str) -> Response:
        self.problemen.append(detail)
        return JSONResponse({"status": 400, "title": "Bad Request", "detail": detail}, 400)

    async def _free(self, request: Request) -> Response:
        items = list(request.query_params.multi_items())
        self.verzoeken.append(items)
        unknown = sorted({k for k, _ in items} - PARAMETERS)
        if unknown:
            return self._refuse(f"onbekende parameters: {unknown}")
        params = request.query_params
        try:
            rows = int(params.get("rows", "10"))
            start = int(params.get("start", "0"))
        except ValueError:
            return self._refuse("rows en start zijn gehele getallen")
        if not 0 <= rows <= MAX_ROWS or start < 0:
            return self._refuse(f"rows ligt tussen 0 en {MAX_ROWS}, start is niet negatief")
        docs = self.docs
        q = params.get("q")
        if q is not None:
            found = _Q.fullmatch(q)
            if found is None:
                return self._refuse(f"q niet begrepen: {q!r}")
            docs = [
                d
                for d in docs
                if d["postcode"] == found["postcode"]
                and d["huisnummer"] == int(found["huisnummer"])
            ]
        for fq in params.getlist("fq"):
            filtered = _FQ.fullmatch(fq)
            if filtered is None:
                return self._refuse(f"fq niet begrepen: {fq!r}")
            docs = [d for d in docs if d.get("type") == filtered["type"]]
        wanted = [f for f in re.split(r"[,\s]+", params.get("fl", "")) if f]
        strange = sorted(set(wanted) - self.fields)
        if strange:
            # Locatieserver ignores them, but asking for them is a mistake of ours.
            self.problemen.append(f"fl vraagt velden die Locatieserver niet heeft: {strange}")
        page = docs[start : start + min(rows, self.max_rows)]
        if wanted:
            page = [{k: v for k, v in d.items() if k in wanted} for d in page]
        return await self._answer(len(docs), start, page)

    async def _answer(self, num_found: int, start: int, docs: list[dict[str, Any]]) -> Response:
        storing = self.storing
        if storing == "traag":
            await asyncio.sleep(self.vertraging)
        elif storing is not None and storing.isdigit():
            status = int(storing)
            return JSONResponse({"status": status, "title": "storing"}, status)
        elif storing == "kapotte-json":
            return Response('{"response": {"numFound": 1, "docs": [', media_type="application/json")
        elif storing == "geen-spec":
            return JSONResponse({"response": {"numFound": "veel", "docs": {}}})
        elif storing == "onleesbaar":
            docs = [{"type": "adres", "weergavenaam": d.get("weergavenaam")} for d in docs]
        body = {
            "response": {
                "numFound": num_found,
                "start": start,
                "maxScore": 1.0,
                "numFoundExact": True,
                "docs": docs,
            }
        }
        return JSONResponse(body)
