"""The official OpenAPI specifications in ``../shared/specs`` (see its README), for contract tests.

Tests validate our clients' requests and our test servers' responses against them. The folder is
not part of this repository: ``VERHUIZEN_SPECS_DIR`` names it, by default ``../shared/specs``
next to the checkout. Without it a contract validation is skipped and says so; in CI
(``CI=true``) a missing folder fails instead, because CI has it.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

ROOT = Path(__file__).resolve().parent.parent
HOST_URL = "http://127.0.0.1"


def specs_dir() -> Path | None:
    folder = Path(os.environ.get("VERHUIZEN_SPECS_DIR") or ROOT.parent / "shared" / "specs")
    return folder if folder.is_dir() else None


def require_specs() -> Path:
    """The specs folder; skips the calling test (fails it in CI) when it is absent."""
    folder = specs_dir()
    if folder is not None:
        return folder
    message = (
        "../shared/specs ontbreekt (of VERHUIZEN_SPECS_DIR): de contractvalidatie tegen de "
        "officiële OpenAPI-specificaties is overgeslagen"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; in CI hoort de map er te zijn")
    pytest.skip(message)


@functools.cache
def _openapi(name: str) -> OpenAPI:
    with (require_specs() / name / "openapi.yaml").open(encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    # Paths are matched relative to the API's root, wherever the test server runs it.
    spec["servers"] = [{"url": HOST_URL}]
    return OpenAPI.from_dict(spec)


def openapi(name: str) -> OpenAPI:
    """The spec in ``<specs>/<name>/openapi.yaml`` (e.g. ``brp-personen``), parsed once."""
    require_specs()
    return _openapi(name)


def example(*parts: str) -> Any:
    """A JSON file from the specs folder, e.g. ``example("vrijbrp-dossiers", "examples", ...)``."""
    with require_specs().joinpath(*parts).open(encoding="utf-8") as f:
        return json.load(f)


class Request:
    """An HTTP request as openapi-core reads it (its ``Request`` protocol). ``path`` is the
    path relative to the API's server URL (e.g. ``/personen``)."""

    def __init__(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        host_url: str = HOST_URL,
    ) -> None:
        split = urlsplit(path)
        self.method = method.lower()
        self.host_url = host_url
        self.path = split.path
        self.body = body
        self.content_type = content_type
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list((query or {}).items())),
            header=Headers(dict(headers or {})),
            cookie=ImmutableMultiDict(),
        )


class Response:
    """An HTTP response as openapi-core reads it."""

    def __init__(
        self,
        status_code: int,
        data: bytes,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.data = data
        self.content_type = content_type
        self.headers = Headers(dict(headers or {}))
