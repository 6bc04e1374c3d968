"""The format of a scenario file (``config/gemeenten/scenarios/<slug>.yaml``), with Dutch keys.

The structure is checked here; whether step ids, choices, documents and persons exist is checked
against the gemeente's configuration in :mod:`webapp.scenarios.loader`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

# The answer formats of the step types that need a structure: each type owns its own.
from webapp.steps.contactgegevens import ContactAntwoord
from webapp.steps.huisvestingsvergunning import VergunningAlAanwezig
from webapp.steps.nieuw_adres import AdresAntwoord

__all__ = [
    "AdresAntwoord",
    "ContactAntwoord",
    "Scenario",
    "ScenarioBestand",
    "VergunningAlAanwezig",
    "Verwacht",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bsn(value: Any) -> Any:
    # An unquoted BSN is a YAML integer, and a leading zero would be lost.
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:09d}"
    if isinstance(value, str) and not value.strip().isdigit():
        raise ValueError(f"verwacht een BSN van 9 cijfers, niet {value!r}")
    return value.strip().zfill(9) if isinstance(value, str) else value


Bsn = Annotated[
    str,
    BeforeValidator(_bsn),
    WithJsonSchema(
        {
            "type": ["integer", "string"],
            "pattern": r"^\d{8,9}$",
            "description": "BSN van een testpersoon (webapp/registers/testdata/README.md).",
        }
    ),
]


class Verwacht(_Model):
    """What the tester expects to see on the way."""

    stappen: list[str] = Field(
        min_length=1, description="De ids van de stappen die de inwoner krijgt, in volgorde."
    )
    documenten: list[str] | None = Field(
        default=None,
        description="De ids van de documenten die gevraagd worden (weglaten: niet controleren).",
    )
    teksten: list[str] = Field(
        default_factory=list, description="Teksten die onderweg ergens op een pagina staan."
    )
    uitkomst: Literal["verstuurd", "gestopt"] = Field(
        description="verstuurd: de bevestiging met referentienummer; gestopt: een stoppagina of een foutmelding."
    )
    vergunning_aangevraagd: bool | None = Field(
        default=None,
        description="true: er is met de melding een huisvestingsvergunning aangevraagd; false: niet.",
    )
    melding: str | None = Field(
        default=None,
        description="Bij uitkomst gestopt: (een deel van) de tekst waar het stopt: de titel of tekst van de stoppagina, of een foutmelding.",
    )


class Scenario(_Model):
    naam: str = Field(min_length=1, description="Een korte, unieke naam.")
    testpersoon: Bsn
    taal: Literal["nl", "en"] = Field(
        default="nl",
        description="De taal van de inwoner: en kiest eerst 'English' op de pagina; teksten en "
        "melding onder verwacht zijn dan Engels. Antwoorden blijven waarden (of het label in "
        "een van beide talen).",
    )
    antwoorden: dict[str, Any] = Field(
        default_factory=dict,
        description="Per stap-id het antwoord; alleen stappen die de inwoner krijgt. "
        "De stap controleren heeft geen antwoord nodig.",
    )
    verwacht: Verwacht


class ScenarioBestand(_Model):
    scenarios: list[Scenario] = Field(min_length=1)
