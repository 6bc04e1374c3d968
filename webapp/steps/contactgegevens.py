"""E-mail address and phone number, optional unless the gemeente requires them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from webapp.i18n import N_, _
from webapp.steps.base import (
    Example,
    FieldError,
    FormAnswer,
    FormInput,
    Getypt,
    Outcome,
    ScenarioReader,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld
from webapp.validators import ValidationError, normalise_email, normalise_phone


class ContactAntwoord(BaseModel):
    """The answer of a ``contactgegevens`` step in a scenario file; a missing field stays empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = None
    telefoon: Getypt | None = None


class ContactgegevensConfig(StepConfig):
    type: Literal["contactgegevens"]
    titel: TekstVeld = N_("Hoe kunnen wij u bereiken?")
    email_verplicht: bool = False
    telefoon_verplicht: bool = False


@registry.register("contactgegevens")
class Contactgegevens(StepType[ContactgegevensConfig]):
    Config = ContactgegevensConfig
    default_field = "email"

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"email": None, "telefoon": None}

    def parse(self, cfg: ContactgegevensConfig, form: FormInput, ctx: StepContext) -> Outcome:
        values = {"email": form.get("email"), "telefoon": form.get("telefoon")}
        answer: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, required, normalise, missing in (
            ("email", cfg.email_verplicht, normalise_email, _("Vul uw e-mailadres in.")),
            ("telefoon", cfg.telefoon_verplicht, normalise_phone, _("Vul uw telefoonnummer in.")),
        ):
            raw = values[name]
            if not raw:
                if required:
                    errors.append(FieldError(name, missing))
                answer[name] = None
                continue
            try:
                answer[name] = normalise(raw)
            except ValidationError as exc:
                errors.append(FieldError(name, exc.message))
        if errors:
            return Outcome(None, errors, values)
        return Outcome(answer, values=values)

    def summary(
        self, cfg: ContactgegevensConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        niet_ingevuld = _("Niet ingevuld")
        return [
            SummaryRow(_("E-mailadres"), answer.get("email") or niet_ingevuld, "email"),
            SummaryRow(_("Telefoonnummer"), answer.get("telefoon") or niet_ingevuld, "telefoon"),
        ]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: ContactgegevensConfig, ex: Example) -> FormAnswer:
        return FormAnswer(
            {"email": "test@example.org", "telefoon": "06 12345678"},
            description="test@example.org, 06 12345678",
        )

    def invalid_example(
        self, cfg: ContactgegevensConfig, ex: Example
    ) -> tuple[str, FormAnswer] | None:
        if cfg.email_verplicht or cfg.telefoon_verplicht:
            return "leeg", FormAnswer()
        wrong = "geen-e-mailadres"
        return "met een ongeldig e-mailadres", FormAnswer({"email": wrong}, description=wrong)

    def what_if_answer(
        self, cfg: ContactgegevensConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        return {"email": None, "telefoon": None}

    def scenario_answer(
        self, cfg: ContactgegevensConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        typed = reader.model(ContactAntwoord, raw)
        if typed is None:
            return None
        fields = {"email": typed.email or "", "telefoon": typed.telefoon or ""}
        return FormAnswer(
            fields, description=", ".join(v for v in fields.values() if v) or "niets ingevuld"
        )
