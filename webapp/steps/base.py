"""What every step type has: its configuration model, its answer handling, its summary rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from webapp.conditions import Conditie
from webapp.i18n import _

if TYPE_CHECKING:
    from webapp.config.models import Gemeente
    from webapp.registers.adressen import AdresRegister
    from webapp.registers.brp import Brp, Persoon


class StepConfig(BaseModel):
    """The keys every step in a gemeente's ``stappen`` list has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="Unieke naam van de stap (in de URL)."
    )
    type: str = Field(description="Het staptype, bijvoorbeeld verhuisdatum of vraag.")
    titel: str | None = Field(default=None, description="De vraag bovenaan de pagina (h1).")
    uitleg: str | None = Field(default=None, description="Toelichting onder de vraag.")
    als: Conditie | None = Field(
        default=None, description="Voorwaarde: de stap geldt alleen als deze klopt."
    )


@dataclass(frozen=True)
class FieldError:
    """An error shown next to a field (``field`` is the id of the input) and in the summary."""

    field: str
    message: str


@dataclass(frozen=True)
class Upload:
    """A file as received from the form, already read into memory (size-limited)."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class FormInput:
    """Form fields as the web layer received them, without Starlette types."""

    values: Mapping[str, str]
    lists: Mapping[str, Sequence[str]] = field(default_factory=dict)
    files: Mapping[str, Upload] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def getlist(self, name: str) -> list[str]:
        return [v for v in self.lists.get(name, ()) if v]


@dataclass
class StepContext:
    """What a step needs to validate and display: the gemeente, the registers, the resident."""

    gemeente: Gemeente
    aangever: Persoon
    brp: Brp
    adressen: AdresRegister
    today: date
    answers: Mapping[str, Any]
    """Answers of the applicable steps before this one, by step id."""
    evaluate: Callable[[Conditie | None], bool]
    """Evaluates a condition against the answers so far (False when not known yet)."""
    uploads: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Files already stored for this draft, by field name."""


@dataclass
class Outcome:
    """The result of parsing a submitted step form."""

    answer: dict[str, Any] | None
    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    """What the resident typed, to show again when there are errors."""
    uploads: list[Upload] = field(default_factory=list)
    """Valid files to store with the draft."""

    @property
    def ok(self) -> bool:
        return not self.errors and self.answer is not None


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    field: str | None = None
    """The id of the input the "Wijzigen" link should lead to."""


@dataclass(frozen=True)
class Stop:
    """A step answer that ends the online journey (another service handles it)."""

    titel: str
    tekst: str
    link: str | None = None
    link_tekst: str | None = None


class StepType:
    """Base class of the step types in the registry.

    A subclass keeps in one place its configuration model, the fields a condition may name,
    the facts it derives, its form parsing and validation, and its summary rows.
    """

    name: ClassVar[str]
    Config: ClassVar[type[StepConfig]] = StepConfig
    default_field: ClassVar[str] = "waarde"
    multipart: ClassVar[bool] = False

    @property
    def template(self) -> str:
        return f"steps/{self.name}.html"

    def fields(self, cfg: Any, gemeente: Gemeente) -> Mapping[str, frozenset[str] | None]:
        """Answer fields a condition may compare, with their allowed values where fixed."""
        return {self.default_field: None}

    def provided_facts(self, cfg: Any, gemeente: Gemeente) -> frozenset[str]:
        return frozenset()

    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Gemeente) -> dict[str, Any]:
        """Facts derived from this step's answer, visible to later conditions."""
        return {}

    def condition_values(self, cfg: Any, answer: Mapping[str, Any]) -> dict[str, Any]:
        """Answer fields by name, as conditions see them."""
        return {k: answer[k] for k in self.fields(cfg, None) if k in answer}  # type: ignore[arg-type]

    def is_relevant(
        self, cfg: Any, gemeente: Gemeente, evaluate: Callable[[Any], bool | None]
    ) -> bool | None:
        """Beyond its ``als`` condition, whether the step has anything to ask."""
        return True

    def stop(self, cfg: Any, answer: Mapping[str, Any], gemeente: Gemeente) -> Stop | None:
        return None

    def question(self, cfg: Any, gemeente: Gemeente) -> str:
        """The page's question, used for the h1 and the title (a default title is translated)."""
        return _(cfg.titel) if cfg.titel else self.name

    def view(self, cfg: Any, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        """Extra template data (choices, household, documents)."""
        return {}

    def initial_values(
        self, cfg: Any, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        """Form values when the page is shown: the stored answer, or a prefill."""
        return dict(answer or {})

    def parse(self, cfg: Any, form: FormInput, ctx: StepContext) -> Outcome:
        raise NotImplementedError

    def summary(self, cfg: Any, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        raise NotImplementedError
