"""E-mail address and phone number, optional unless the gemeente requires them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from webapp.i18n import N_, _
from webapp.steps.base import (
    FieldError,
    FormInput,
    Outcome,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
)
from webapp.steps.registry import registry
from webapp.validators import ValidationError, normalise_email, normalise_phone


class ContactgegevensConfig(StepConfig):
    type: Literal["contactgegevens"]
    titel: str = N_("Hoe kunnen wij u bereiken?")
    email_verplicht: bool = False
    telefoon_verplicht: bool = False


@registry.register("contactgegevens")
class Contactgegevens(StepType):
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
