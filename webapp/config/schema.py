"""JSON Schema of the configuration format, for editors that validate as you type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from webapp.config.models import Gemeente
from webapp.delivery import targets
from webapp.koppelingen import ROLES
from webapp.options import Options
from webapp.steps.registry import Registry

SCHEMA_FILE = "gemeente.schema.json"


def json_schema(registry: Registry) -> dict[str, Any]:
    configs = tuple(step_type.Config for step_type in registry)
    step_union = Annotated[Union[configs], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
    base = Gemeente.model_json_schema()
    steps = TypeAdapter(list[step_union]).json_schema(ref_template="#/$defs/{model}")
    defs = {**base.pop("$defs", {}), **steps.pop("$defs", {})}
    base["properties"]["stappen"] = {
        **steps,
        "description": "De stappen, in volgorde.",
        "minItems": 1,
    }
    base["properties"].pop("slug", None)
    # Connections and delivery targets: one schema per registered soort.
    koppelingen = defs["Koppelingen"]["properties"]
    for role, (kinds, _setting) in ROLES.items():
        schema = _union(kinds.models(), defs)
        koppelingen[role] = {"description": koppelingen[role]["description"], **schema}
    base["properties"]["aflevering"] = {
        "description": base["properties"]["aflevering"]["description"],
        "type": "array",
        "items": _union(targets.models(), defs),
    }
    base["$defs"] = defs
    base["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    base["title"] = "Gemeente-configuratie eDienst Verhuizen"
    return base


def _union(models: tuple[type[Options], ...], defs: dict[str, Any]) -> dict[str, Any]:
    union = Annotated[Union[models], Field(discriminator="soort")]  # type: ignore[valid-type]  # noqa: UP007
    schema = TypeAdapter(union).json_schema(ref_template="#/$defs/{model}")
    defs.update(schema.pop("$defs", {}))
    return schema


def render(registry: Registry) -> str:
    return json.dumps(json_schema(registry), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(directory: Path, registry: Registry) -> Path:
    path = directory / SCHEMA_FILE
    path.write_text(render(registry), encoding="utf-8")
    return path
