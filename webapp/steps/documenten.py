"""Uploads of the documents a gemeente asks for, each document with its own condition."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import Field

from webapp.config.models import Document
from webapp.i18n import N_, _
from webapp.steps.base import (
    Example,
    FieldError,
    FilePart,
    FormAnswer,
    FormInput,
    Outcome,
    ScenarioReader,
    StepConfig,
    StepContext,
    StepType,
    SummaryRow,
    Upload,
)
from webapp.steps.registry import registry
from webapp.tekst import TekstVeld
from webapp.uploads import CONTENT_TYPES, MINIMAL_PDF, inspect, message
from webapp.virusscan import Scanner


class DocumentenConfig(StepConfig):
    type: Literal["documenten"]
    titel: TekstVeld = N_("Bewijsstukken uploaden")
    documenten: list[str] | None = Field(
        default=None, description="Ids uit de lijst documenten; leeg: alle documenten."
    )


FIELD_PREFIX = "doc-"

# The example file: the smallest PDF the step accepts (a real one: one empty page).
EXAMPLE_PDF = MINIMAL_PDF


def field_name(document_id: str) -> str:
    return f"{FIELD_PREFIX}{document_id}"


def document_id(name: str) -> str:
    """The document id of a file field (the inverse of :func:`field_name`)."""
    return name.removeprefix(FIELD_PREFIX)


@registry.register("documenten")
class Documenten(StepType[DocumentenConfig]):
    Config = DocumentenConfig
    default_field = "aantal"
    multipart = True
    asks_documents = True

    def fields(self, cfg: Any, gemeente: Any) -> Mapping[str, frozenset[str] | None]:
        return {"aantal": None}

    def condition_values(self, cfg: Any, answer: Mapping[str, Any]) -> dict[str, Any]:
        return {"aantal": len(answer.get("bestanden", {}))}

    def check(self, cfg: DocumentenConfig, gemeente: Any) -> Iterable[tuple[tuple[Any, ...], str]]:
        known = {d.id for d in gemeente.documenten}
        for i, doc_id in enumerate(cfg.documenten or []):
            if doc_id not in known:
                yield (
                    ("documenten", i),
                    f"onbekend document {doc_id!r}; bekend zijn: {', '.join(sorted(known)) or 'geen'}",
                )

    def documents(self, cfg: DocumentenConfig, gemeente: Any) -> list[Document]:
        return self.candidates(cfg, gemeente)

    def candidates(self, cfg: DocumentenConfig, gemeente: Any) -> list[Document]:
        if cfg.documenten is None:
            return list(gemeente.documenten)
        return [d for d in gemeente.documenten if d.id in cfg.documenten]

    def is_relevant(
        self, cfg: DocumentenConfig, gemeente: Any, evaluate: Callable[[Any], bool | None]
    ) -> bool | None:
        results = [
            True if d.als is None else evaluate(d.als) for d in self.candidates(cfg, gemeente)
        ]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False

    def applicable(self, cfg: DocumentenConfig, ctx: StepContext) -> list[Document]:
        return [
            d for d in self.candidates(cfg, ctx.gemeente) if d.als is None or ctx.evaluate(d.als)
        ]

    def view(
        self, cfg: DocumentenConfig, ctx: StepContext, answer: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        limits = ctx.gemeente.uploads
        return {
            "documenten": [
                {"doc": d, "field": field_name(d.id), "bestaand": ctx.uploads.get(d.id)}
                for d in self.applicable(cfg, ctx)
            ],
            "toegestaan": ", ".join(t.upper() for t in limits.types),
            "max_mb": _mb(limits.max_mb),
            "accept": ",".join(CONTENT_TYPES[t] for t in limits.types),
        }

    def parse(self, cfg: DocumentenConfig, form: FormInput, ctx: StepContext) -> Outcome:
        limits = ctx.gemeente.uploads
        max_bytes = int(limits.max_mb * 1024 * 1024)
        errors: list[FieldError] = []
        uploads: list[Upload] = []
        bestanden: dict[str, dict[str, Any]] = {}
        for doc in self.applicable(cfg, ctx):
            name = field_name(doc.id)
            upload = form.files.get(name)
            if upload is None or not upload.data:
                existing = ctx.uploads.get(doc.id)
                if existing:
                    bestanden[doc.id] = dict(existing)
                elif doc.verplicht:
                    errors.append(
                        FieldError(
                            name, _("Kies een bestand voor: %(titel)s.") % {"titel": doc.titel}
                        )
                    )
                continue
            if len(upload.data) > max_bytes:
                errors.append(
                    FieldError(
                        name,
                        _(
                            "Het bestand %(bestand)s is te groot. Een bestand mag hoogstens %(max_mb)s MB zijn."
                        )
                        % {"bestand": upload.filename, "max_mb": _mb(limits.max_mb)},
                    )
                )
                continue
            verdict = inspect(
                upload.data,
                limits.types,
                filename=upload.filename,
                content_type=upload.content_type,
                scanner=scanner_of(ctx),
            )
            if not verdict.ok:
                errors.append(FieldError(name, message(verdict, upload.filename, limits.types)))
                continue
            stored = Upload(doc.id, upload.filename, verdict.content_type, upload.data)
            uploads.append(stored)
            bestanden[doc.id] = {
                "bestandsnaam": upload.filename,
                "grootte": len(upload.data),
                "type": verdict.kind,
            }
        if errors:
            return Outcome(None, errors, {})
        return Outcome({"bestanden": bestanden}, uploads=uploads)

    def summary(
        self, cfg: DocumentenConfig, answer: Mapping[str, Any], ctx: StepContext
    ) -> list[SummaryRow]:
        titles = {d.id: d.titel for d in ctx.gemeente.documenten}
        rows = []
        for doc_id, info in answer.get("bestanden", {}).items():
            rows.append(
                SummaryRow(
                    titles.get(doc_id, doc_id),
                    f"{info['bestandsnaam']} ({_kb(info['grootte'])})",
                    field_name(doc_id),
                )
            )
        return rows or [SummaryRow(_("Bewijsstukken"), _("Geen bestanden"), None)]

    # -- examples and scenarios ------------------------------------------------------------

    def example(self, cfg: DocumentenConfig, ex: Example) -> FormAnswer:
        """A PDF for every required document this step may ask (the page shows the ones that
        apply; a file for a document not asked is ignored)."""
        files = {
            field_name(d.id): FilePart(f"{field_name(d.id)}.pdf", EXAMPLE_PDF, "application/pdf")
            for d in self.candidates(cfg, ex.gemeente)
            if d.verplicht
        }
        return FormAnswer(
            files=files, description=", ".join(files) or "geen bestanden", superset=True
        )

    def what_if_answer(
        self, cfg: DocumentenConfig, gemeente: Any, chosen: Mapping[str, Any], today: date
    ) -> dict[str, Any]:
        return {"bestanden": {}}

    def scenario_answer(
        self, cfg: DocumentenConfig, raw: Any, reader: ScenarioReader
    ) -> FormAnswer | None:
        if not isinstance(raw, dict):
            reader.fail("verwacht per document-id een bestand, bijv. {huurcontract: test.pdf}")
            return None
        known = [d.id for d in self.candidates(cfg, reader.gemeente)]
        files: dict[str, FilePart] = {}
        names: list[str] = []
        for doc_id, name in raw.items():
            if doc_id not in known:
                reader.fail(
                    f"onbekend document {doc_id!r}; bekend zijn: {', '.join(known) or 'geen'}",
                    doc_id,
                )
                continue
            part = reader.file(name, doc_id)
            if part is not None:
                files[field_name(doc_id)] = part
                names.append(f"{doc_id}: {part.filename}")
        return FormAnswer(files=files, description=", ".join(names))


def scanner_of(ctx: StepContext) -> Scanner | None:
    """The virus scanner of this request, when one is configured (``StepContext.scanner``)."""
    scanner: Scanner | None = ctx.scanner
    return scanner


def _mb(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024))} kB"
