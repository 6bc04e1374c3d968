"""What every step type has: its configuration model, its answer handling, its summary rows,
its example answer for drivers and the flow preview, and how a scenario file answers it.

A step type keeps everything the rest of the code needs to know about it here, found through
the registry: the web layer, the flow engine, the flow preview, the scenario loader, the test
drivers and the evidence crawler ask the type, never the type's name. ``tests/steps`` walks the
registry and fails when a type lacks any part.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from webapp.conditions import Conditie
from webapp.i18n import _
from webapp.tekst import TekstVeld

if TYPE_CHECKING:
    from webapp.config.models import Document, Gemeente
    from webapp.registers.adressen import AdresRegister
    from webapp.registers.brp import Brp, Persoon

Loc = tuple[Any, ...]


def _typed(value: Any) -> Any:
    # YAML reads 12 and 1050.5 as numbers; in a form field they are typed as text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


Getypt = Annotated[str, BeforeValidator(_typed), WithJsonSchema({"type": ["string", "number"]})]
"""Text a resident types; a scenario file may write it as a number."""


class StepNotice(BaseModel):
    """A notice inside a step, above its button, shown when its condition holds ("a flat over
    80 m2 needs at least 3 residents: contact us"). Information only: nothing to answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tekst: list[TekstVeld] = Field(min_length=1, description="De mededeling, een alinea per regel.")
    als: Conditie | None = Field(
        default=None, description="Voorwaarde over eerdere antwoorden; leeg: altijd."
    )
    waarschuwing: bool = Field(
        default=False, description="In een opvallend kader (een waarschuwing)."
    )


class StepConfig(BaseModel):
    """The keys every step in a gemeente's ``stappen`` list has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="Unieke naam van de stap (in de URL)."
    )
    type: str = Field(description="Het staptype, bijvoorbeeld verhuisdatum of vraag.")
    titel: TekstVeld | None = Field(default=None, description="De vraag bovenaan de pagina (h1).")
    uitleg: TekstVeld | None = Field(default=None, description="Toelichting onder de vraag.")
    als: Conditie | None = Field(
        default=None, description="Voorwaarde: de stap geldt alleen als deze klopt."
    )
    mededelingen: list[StepNotice] = Field(
        default_factory=list,
        description="Mededelingen in de stap, boven de knop, elk met een eigen voorwaarde.",
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
    scanner: Any = None
    """The virus scanner for uploads (``webapp.virusscan``), when one is configured."""


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


@dataclass(frozen=True)
class FilePart:
    """A file to send with a form, as a browser would: name, bytes and media type."""

    filename: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class FormAnswer:
    """The form fields that answer a step, exactly as a browser posts them.

    ``fields`` maps a field name to its value; a tuple holds the values of checkboxes that share
    a name (empty: none ticked). Every driver (the ASGI test client, the browser driver, the
    scenario runner, the evidence crawler) sends these, so they are what a resident types.
    """

    fields: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    files: Mapping[str, FilePart] = field(default_factory=dict)
    description: str = ""
    """The answer in words, for reports ("3083 AB 12 A", "niemand")."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """How a person names a value, where it is not the value itself (a BSN: the name)."""
    superset: bool = False
    """Holds fields for more than the page may show (a file for every document the step may
    ask for, whatever applies): a driver fills those the page has and ignores the rest."""

    def post_data(self) -> dict[str, str | list[str]]:
        """The fields as an HTTP client posts them (lists for repeated names)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.fields.items()}


@dataclass(frozen=True)
class Example:
    """What an example answer may use: the gemeente, the day, and a free test address in it."""

    gemeente: Gemeente
    today: date
    address: Mapping[str, Any]
    """A test address in the gemeente where nobody is registered: postcode, huisnummer,
    huisletter, huisnummertoevoeging (as in the test data)."""


@dataclass(frozen=True)
class WhatIfInput:
    """One field of the flow preview's "wat als" form."""

    name: str
    label: str
    kind: str  # "keuze" | "getal" | "vinkjes"
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LinkedRequest:
    """A request that goes along with the move, e.g. a housing permit application."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ConsentRequest:
    """A hoofdbewoner's online consent a report asks: of whom, how long they have, and what
    they are shown and checked against (``webapp.storage.store.ToestemmingVraag``)."""

    hoofdbewoner_bsn: str
    termijn_dagen: int
    details: dict[str, Any]


@dataclass(frozen=True)
class StoppingChoice:
    """An answer that ends the online journey: its value, label, the stop page's title, and
    the form fields that give it."""

    waarde: str
    label: str
    titel: str
    answer: FormAnswer


class ScenarioReader(Protocol):
    """What a step type may use to read its answer in a scenario file (webapp.scenarios)."""

    today: date
    gemeente: Gemeente

    def fail(self, message: str, *at: Any) -> None:
        """Record a problem at this answer (``at``: a key path below it)."""

    def choice(self, options: Iterable[Any], raw: Any, *at: Any) -> str | None:
        """An option's ``waarde`` for a value or a label; a problem when there is none."""

    def model(self, model: type[BaseModel], raw: Any) -> Any:
        """``raw`` validated against a pydantic model, or None with the problems recorded."""

    def person(self, raw: Any, *at: Any) -> Persoon | None:
        """A test person by name or BSN."""

    def file(self, name: Any, *at: Any) -> FilePart | None:
        """A file from the scenarios' ``bestanden`` folder or a built-in test file."""

    def date(self, raw: Any) -> date | None:
        """A date or a phrase such as "over 7 dagen", resolved against ``today``."""


C = TypeVar("C", bound=StepConfig)


class StepType(ABC, Generic[C]):
    """Base class of the step types in the registry.

    A subclass keeps in one place its configuration model, the fields a condition may name, the
    facts it derives, its form parsing and validation, its summary rows, the requests it links
    to the move, its example answer and how a scenario answers it. The abstract methods must
    be implemented, so a type cannot be registered half-done.
    """

    name: ClassVar[str]
    Config: ClassVar[type[StepConfig]] = StepConfig
    default_field: ClassVar[str] = "waarde"
    multipart: ClassVar[bool] = False
    checks_answers: ClassVar[bool] = False
    """The check-answers step: shows the summary and submits the report (always the last)."""
    one_question: ClassVar[bool] = False
    """The page asks one question, so its fields sit in one fieldset (an accessibility check)."""
    asks_documents: ClassVar[bool] = False
    """The step asks for the gemeente's ``documenten`` (their conditions are checked here)."""
    enhanced: ClassVar[bool] = False
    """The page loads htmx for a live check as the resident types (see ``live_lookup``)."""

    @property
    def template(self) -> str:
        return f"steps/{self.name}.html"

    # -- configuration ---------------------------------------------------------------------

    def check(self, cfg: C, gemeente: Gemeente) -> Iterable[tuple[Loc, str]]:
        """Problems of this step's configuration beyond its model: (key path, message)."""
        return ()

    def fields(self, cfg: C, gemeente: Gemeente | None) -> Mapping[str, frozenset[str] | None]:
        """Answer fields a condition may compare, with their allowed values where fixed."""
        return {self.default_field: None}

    def choices(self, cfg: C, gemeente: Gemeente) -> dict[str, str]:
        """Fixed answer values with their labels (for the flow preview's wording)."""
        return {}

    def stopping_choices(self, cfg: C) -> list[StoppingChoice]:
        """The answers that end the online journey (e.g. a move abroad)."""
        return []

    def documents(self, cfg: C, gemeente: Gemeente) -> list[Document]:
        """The gemeente's documents this step may ask for, each with its own condition."""
        return []

    # -- the flow --------------------------------------------------------------------------

    def provided_facts(self, cfg: C, gemeente: Gemeente) -> frozenset[str]:
        return frozenset()

    def facts(self, cfg: C, answer: Mapping[str, Any], gemeente: Gemeente) -> dict[str, Any]:
        """Facts derived from this step's answer, visible to later conditions."""
        return {}

    def condition_values(self, cfg: C, answer: Mapping[str, Any]) -> dict[str, Any]:
        """Answer fields by name, as conditions see them."""
        return {k: answer[k] for k in self.fields(cfg, None) if k in answer}

    def is_relevant(
        self, cfg: C, gemeente: Gemeente, evaluate: Callable[[Any], bool | None]
    ) -> bool | None:
        """Beyond its ``als`` condition, whether the step has anything to ask."""
        return True

    def stop(self, cfg: C, answer: Mapping[str, Any], gemeente: Gemeente) -> Stop | None:
        return None

    # -- the page --------------------------------------------------------------------------

    def question(self, cfg: C, gemeente: Gemeente) -> str:
        """The page's question, used for the h1 and the title (a default title is translated)."""
        return _(cfg.titel) if cfg.titel else self.name

    def view(self, cfg: C, ctx: StepContext, answer: Mapping[str, Any] | None) -> dict[str, Any]:
        """Extra template data (choices, household, documents)."""
        return {}

    def initial_values(
        self, cfg: C, answer: Mapping[str, Any] | None, ctx: StepContext
    ) -> dict[str, Any]:
        """Form values when the page is shown: the stored answer, or a prefill."""
        return dict(answer or {})

    def button(self, cfg: C) -> str:
        """The label of the button that sends the step."""
        return _("Volgende stap")

    def live_lookup(self, cfg: C, form: FormInput, ctx: StepContext) -> tuple[str | None, bool]:
        """For an ``enhanced`` step: the message to show as the resident types, and whether it
        is good news. Only called for enhanced types."""
        raise NotImplementedError(f"{self.name} has no live lookup")

    @abstractmethod
    def parse(self, cfg: C, form: FormInput, ctx: StepContext) -> Outcome:
        """Validate the submitted form: the answer to store, or errors next to the fields."""

    @abstractmethod
    def summary(self, cfg: C, answer: Mapping[str, Any], ctx: StepContext) -> list[SummaryRow]:
        """The rows on the check-answers page (and in the stored submission)."""

    # -- the submission --------------------------------------------------------------------

    def linked_requests(self, cfg: C, answer: Mapping[str, Any]) -> list[LinkedRequest]:
        """Requests submitted together with the move because of this answer."""
        return []

    def consent_request(
        self, cfg: C, answer: Mapping[str, Any], ctx: StepContext
    ) -> ConsentRequest | None:
        """The hoofdbewoner's online consent this answer asks (the ``hoofdbewoner`` step)."""
        return None

    def consent_email(self, cfg: C) -> bool:
        """Whether the hoofdbewoner hears of the request by e-mail when an address was given."""
        return False

    # -- examples, for drivers, the evidence crawler and the flow preview ------------------

    @abstractmethod
    def example(self, cfg: C, ex: Example) -> FormAnswer:
        """A valid answer for this configuration, as form fields (the journey goes on)."""

    def invalid_example(self, cfg: C, ex: Example) -> tuple[str, FormAnswer] | None:
        """An answer the step refuses, with how it is wrong, to show its error state; None when
        every answer is valid. By default: the form sent empty."""
        return "leeg", FormAnswer()

    def what_if_inputs(self, cfg: C, gemeente: Gemeente) -> list[WhatIfInput]:
        """Fields of the preview's "wat als" form that choose this step's answer."""
        choices = self.choices(cfg, gemeente)
        if choices:
            return [
                WhatIfInput(cfg.id, self.question(cfg, gemeente), "keuze", tuple(choices.items()))
            ]
        return []

    @abstractmethod
    def what_if_answer(
        self, cfg: C, gemeente: Gemeente, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        """A stored answer made from the "wat als" form (``chosen``, never trusted), or a
        neutral one, for the flow engine to run on."""

    # -- scenario files --------------------------------------------------------------------

    @abstractmethod
    def scenario_answer(self, cfg: C, raw: Any, reader: ScenarioReader) -> FormAnswer | None:
        """A scenario file's answer for this step as form fields; None (with the problems
        given to ``reader``) when it cannot be read."""
