"""JSON Schema of the scenario format, for editors that validate as you type.

Write it with ``python -m webapp.scenarios.schema`` (``--check`` only compares).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from webapp.resources import DEFAULT_CONFIG_DIR
from webapp.scenarios.model import (
    AdresAntwoord,
    ContactAntwoord,
    ScenarioBestand,
    VergunningAlAanwezig,
)

SCHEMA_FILE = "scenario.schema.json"
DEFAULT_DIR = DEFAULT_CONFIG_DIR / "scenarios"

# The editor shows these to the tester, so in Dutch (the models' docstrings are for developers).
DESCRIPTIONS = {
    "ScenarioBestand": "De scenario's van één gemeente: config/gemeenten/scenarios/<slug>.yaml.",
    "Scenario": "Eén reis door de melding: wie logt in, wat antwoordt die, wat verwacht u.",
    "Verwacht": "Wat u onderweg verwacht te zien.",
    "AdresAntwoord": "Het nieuwe adres, zoals een inwoner het intypt.",
    "ContactAntwoord": "E-mailadres en telefoonnummer; wat ontbreekt, blijft leeg.",
    "VergunningAlAanwezig": "De inwoner heeft al een huisvestingsvergunning, met dit nummer.",
}


def json_schema() -> dict[str, Any]:
    base = ScenarioBestand.model_json_schema(ref_template="#/$defs/{model}")
    defs = base.setdefault("$defs", {})
    answers: list[dict[str, Any]] = [
        {"type": "string", "description": "Een keuze (waarde of label), tekst, of een datum."},
        {"type": "number"},
        {"type": "boolean", "description": "controleren: true is akkoord."},
        {
            "type": "array",
            "items": {"type": ["string", "integer"]},
            "description": "Meeverhuizers (namen of BSN's) of de keuzes van een checkboxvraag.",
        },
    ]
    for model in (AdresAntwoord, VergunningAlAanwezig, ContactAntwoord):
        own = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(own.pop("$defs", {}))
        defs[model.__name__] = own
        answers.append({"$ref": f"#/$defs/{model.__name__}"})
    answers.append(
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Documenten: per document-id een bestand uit scenarios/bestanden, of test.pdf / test.png.",
        }
    )
    for name, text in DESCRIPTIONS.items():
        (base if name == "ScenarioBestand" else defs[name])["description"] = text
    antwoorden = defs["Scenario"]["properties"]["antwoorden"]
    antwoorden["additionalProperties"] = {"anyOf": answers}
    antwoorden["propertyNames"] = {"pattern": "^[a-z][a-z0-9_]*$"}
    base["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    base["title"] = "Scenario's van een gemeente (eDienst Verhuizen)"
    return base


def render() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    path = DEFAULT_DIR / SCHEMA_FILE
    if "--check" in argv:
        if not path.exists() or path.read_text(encoding="utf-8") != render():
            print(f"{path} is niet actueel: voer 'python -m webapp.scenarios.schema' uit")
            return 1
        print(f"{path} is actueel")
        return 0
    path.write_text(render(), encoding="utf-8")
    print(f"geschreven: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
