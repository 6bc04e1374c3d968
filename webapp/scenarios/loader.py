"""Load scenario files and check them against the gemeente's configuration.

Every problem names the file, the line and the key path, like a configuration error
(:class:`webapp.config.loader.Locator`). A loaded scenario is a :class:`Plan`: its answers are
already resolved to what the runner types and clicks (an option's waarde, a person's BSN, a file).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from webapp.config.loader import ConfigError, Locator, Problem, _display, parse_yaml
from webapp.config.loader import load_dir as load_config_dir
from webapp.config.models import Gemeente
from webapp.registers.brp import BestandsBrp, Brp
from webapp.scenarios import dates
from webapp.scenarios.model import (
    AdresAntwoord,
    ContactAntwoord,
    Scenario,
    ScenarioBestand,
    VergunningAlAanwezig,
    Verwacht,
)
from webapp.steps import registry
from webapp.steps.documenten import Documenten

SCENARIO_DIR = "scenarios"
FILES_DIR = "bestanden"
# Built-in files, so a scenario needs no files of its own: a minimal PDF and a 1x1 PNG.
BUILTIN_FILES: dict[str, tuple[bytes, str]] = {
    "test.pdf": (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        "application/pdf",
    ),
    "test.png": (
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        ),
        "image/png",
    ),
}

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Bestand:
    """A file to upload: one from the ``bestanden`` folder, or a built-in test file."""

    naam: str
    path: Path | None  # None: one of BUILTIN_FILES


@dataclass(frozen=True)
class Vergunning:
    keuze: str  # "aanvragen" or "heb_al"
    nummer: str = ""


@dataclass(frozen=True)
class Plan:
    """A scenario ready to run: answers per step id, as the runner enters them."""

    naam: str
    testpersoon: str
    answers: Mapping[str, Any]
    verwacht: Verwacht
    line: int | None = None


@dataclass(frozen=True)
class Suite:
    """The scenarios of one gemeente."""

    slug: str
    gemeente: Gemeente
    path: Path
    plans: list[Plan] = field(default_factory=list)


def scenarios_dir(config_dir: Path) -> Path:
    return config_dir / SCENARIO_DIR


def load_dir(
    directory: Path, gemeenten: Mapping[str, Gemeente], brp: Brp | None = None
) -> dict[str, Suite]:
    """Every ``<slug>.yaml`` in a scenarios folder; one ConfigError listing all problems."""
    brp = brp or BestandsBrp()
    suites: dict[str, Suite] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            suites[path.stem] = load_file(path, gemeenten, brp)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return suites


def load_beside(config_dir: Path) -> dict[str, Suite]:
    """The scenarios next to a configuration folder, checked against its gemeenten."""
    return load_dir(scenarios_dir(config_dir), load_config_dir(config_dir))


def load_file(
    path: Path,
    gemeenten: Mapping[str, Gemeente],
    brp: Brp | None = None,
    display: str | None = None,
) -> Suite:
    name = display or _display(path)
    gemeente = gemeenten.get(path.stem)
    if gemeente is None:
        known = ", ".join(sorted(gemeenten)) or "geen"
        raise ConfigError(
            [
                Problem(
                    name,
                    None,
                    "",
                    f"er is geen gemeente {path.stem!r}: een scenariobestand heet zoals het "
                    f"gemeentebestand (bekend: {known})",
                )
            ]
        )
    text = path.read_text(encoding="utf-8")
    plans = load_text(text, gemeente, name, path.parent / FILES_DIR, brp or BestandsBrp())
    return Suite(path.stem, gemeente, path, plans)


def load_text(text: str, gemeente: Gemeente, name: str, files: Path, brp: Brp) -> list[Plan]:
    root, data = parse_yaml(text, name)
    locator = Locator(name, root)
    if not isinstance(data, dict):
        raise ConfigError([locator.problem((), "verwacht een mapping met de sleutel scenarios")])
    try:
        bestand = ScenarioBestand.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(locator.from_validation(exc, ())) from None
    check = _Check(gemeente, brp, files, locator)
    plans = [check.scenario(i, scenario) for i, scenario in enumerate(bestand.scenarios)]
    if check.problems:
        raise ConfigError(check.problems)
    return plans


class _Check:
    """Cross-checks one file against the configuration, collecting problems as it goes."""

    def __init__(self, gemeente: Gemeente, brp: Brp, files: Path, locator: Locator) -> None:
        self.gemeente = gemeente
        self.brp = brp
        self.files = files
        self.locator = locator
        self.problems: list[Problem] = []
        self.names: set[str] = set()
        self.personen = {p.burgerservicenummer: p for p in brp.testpersonen()}
        self.step_ids = [s.id for s in gemeente.stappen]

    def fail(self, loc: Loc, message: str) -> None:
        self.problems.append(self.locator.problem(loc, message))

    def scenario(self, index: int, scenario: Scenario) -> Plan:
        loc: Loc = ("scenarios", index)
        if scenario.naam in self.names:
            self.fail((*loc, "naam"), f"de naam {scenario.naam!r} komt twee keer voor")
        self.names.add(scenario.naam)
        self.person(scenario.testpersoon, (*loc, "testpersoon"))
        answers: dict[str, Any] = {}
        for step_id, raw in scenario.antwoorden.items():
            at = (*loc, "antwoorden", step_id)
            if step_id not in self.step_ids:
                self.fail(
                    at,
                    f"onbekende stap {step_id!r}; {self.gemeente.naam} heeft de stappen: "
                    + ", ".join(self.step_ids),
                )
                continue
            before = len(self.problems)
            answer = self.answer(self.gemeente.step(step_id), raw, at)
            if len(self.problems) == before:
                answers[step_id] = answer
        self.expected(scenario, (*loc, "verwacht"))
        line = self.locator.problem(loc, "").line
        return Plan(scenario.naam, scenario.testpersoon, answers, scenario.verwacht, line)

    def person(self, bsn: str, at: Loc) -> None:
        if bsn in self.personen:
            return
        persoon = self.brp.raadpleeg(bsn)
        if persoon is None:
            self.fail(
                at,
                f"onbekende testpersoon {bsn}: kies een BSN uit webapp/registers/testdata/README.md",
            )
        else:
            self.fail(
                at, f"{persoon.naam()} ({bsn}) staat niet op de testlogin (woont niet in Nederland)"
            )

    # -- answers, per step type ------------------------------------------------------------

    def answer(self, cfg: Any, raw: Any, at: Loc) -> Any:
        check = ANSWER_CHECKS.get(cfg.type)
        if check is None:
            self.fail(at, f"stappen van type {cfg.type!r} kunnen nog niet in een scenario")
            return None
        return check(self, cfg, raw, at)

    def _vraag(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if cfg.invoer == "checkbox":
            if not isinstance(raw, list):
                self.fail(at, "verwacht een lijst met keuzes, bijv. [ja]")
                return None
            return [self.choice(cfg.id, cfg.opties, item, (*at, i)) for i, item in enumerate(raw)]
        if isinstance(raw, list | dict):
            self.fail(at, "verwacht één antwoord (tekst of getal)")
            return None
        if cfg.invoer == "radio":
            return self.choice(cfg.id, cfg.opties, raw, at)
        return "" if raw is None else _text(raw)

    def _woonsituatie(self, cfg: Any, raw: Any, at: Loc) -> Any:
        return self.choice(cfg.id, cfg.vormen, raw, at)

    def choice(self, step_id: str, options: Iterable[Any], raw: Any, at: Loc) -> str | None:
        options = list(options)
        wanted = " ".join(_text(raw).split()).casefold()
        for option in options:
            if wanted in (option.waarde, " ".join(option.label.split()).casefold()):
                return str(option.waarde)
        self.fail(
            at,
            f"onbekende keuze {raw!r} voor stap {step_id!r}; kies uit: "
            + ", ".join(o.waarde for o in options)
            + " (of het label)",
        )
        return None

    def _verhuisdatum(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if not isinstance(raw, str | date):
            self.fail(at, f"verwacht een datum: {dates.FORMS}")
            return None
        try:
            dates.resolve(raw, date.today())
        except dates.DateError as exc:
            self.fail(at, str(exc))
        return raw

    def _nieuw_adres(self, cfg: Any, raw: Any, at: Loc) -> Any:
        return self.model(AdresAntwoord, raw, at)

    def _contactgegevens(self, cfg: Any, raw: Any, at: Loc) -> Any:
        return self.model(ContactAntwoord, raw, at)

    def _meeverhuizers(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if not isinstance(raw, list):
            self.fail(
                at, "verwacht een lijst met namen of BSN's; [] als de inwoner alleen verhuist"
            )
            return None
        chosen: dict[str, str] = {}  # BSN: name
        for i, item in enumerate(raw):
            wanted = " ".join(_text(item).split()).casefold()
            found = [
                p
                for p in self.personen.values()
                if wanted in (p.burgerservicenummer, p.naam().casefold())
            ]
            if found:
                chosen[found[0].burgerservicenummer] = found[0].naam()
            else:
                self.fail(
                    (*at, i),
                    f"onbekende persoon {item!r}: geen testpersoon met deze naam of dit BSN",
                )
        return chosen

    def _huisvestingsvergunning(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if raw == "aanvragen":
            return Vergunning("aanvragen")
        if isinstance(raw, dict) and "heb_al" in raw:
            held = self.model(VergunningAlAanwezig, raw, at)
            return Vergunning("heb_al", held.heb_al) if held else None
        self.fail(at, f"onbekende keuze {raw!r}; verwacht 'aanvragen' of {{heb_al: <nummer>}}")
        return None

    def _documenten(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if not isinstance(raw, dict):
            self.fail(at, "verwacht per document-id een bestand, bijv. {huurcontract: test.pdf}")
            return None
        step_type = registry[cfg.type]
        assert isinstance(step_type, Documenten)
        known = [d.id for d in step_type.candidates(cfg, self.gemeente)]
        files: dict[str, Bestand] = {}
        for doc_id, name in raw.items():
            if doc_id not in known:
                self.fail(
                    (*at, doc_id),
                    f"onbekend document {doc_id!r}; bekend zijn: {', '.join(known) or 'geen'}",
                )
            elif not isinstance(name, str) or not name or "/" in name or "\\" in name:
                self.fail((*at, doc_id), "verwacht een bestandsnaam, bijv. test.pdf")
            elif (self.files / name).is_file():
                files[doc_id] = Bestand(name, (self.files / name).resolve())
            elif name in BUILTIN_FILES:
                files[doc_id] = Bestand(name, None)
            else:
                self.fail(
                    (*at, doc_id),
                    f"bestand {name!r} niet gevonden in {_display(self.files)}/; "
                    f"zet het daar, of gebruik {' of '.join(BUILTIN_FILES)}",
                )
        return files

    def _controleren(self, cfg: Any, raw: Any, at: Loc) -> Any:
        if raw not in ("akkoord", True):
            self.fail(
                at, "verwacht 'akkoord' (of laat het antwoord weg: dan wordt akkoord gegeven)"
            )
        return True

    def model(self, model: type[BaseModel], raw: Any, at: Loc) -> Any:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            self.problems.extend(self.locator.from_validation(exc, at))
            return None

    # -- what is expected ------------------------------------------------------------------

    def expected(self, scenario: Scenario, at: Loc) -> None:
        verwacht = scenario.verwacht
        last = self.gemeente.stappen[-1].id  # always the check-answers step
        for i, step_id in enumerate(verwacht.stappen):
            where = (*at, "stappen", i)
            if step_id not in self.step_ids:
                self.fail(
                    where, f"onbekende stap {step_id!r}; bekend zijn: {', '.join(self.step_ids)}"
                )
            elif verwacht.stappen.index(step_id) != i:
                self.fail(where, f"de stap {step_id!r} staat twee keer in de lijst")
            elif step_id != last and step_id not in scenario.antwoorden:
                self.fail(
                    where,
                    f"de stap {step_id!r} wordt verwacht, maar heeft geen antwoord onder antwoorden",
                )
        known_docs = [d.id for d in self.gemeente.documenten]
        for i, doc_id in enumerate(verwacht.documenten or []):
            if doc_id not in known_docs:
                self.fail(
                    (*at, "documenten", i),
                    f"onbekend document {doc_id!r}; bekend zijn: {', '.join(known_docs) or 'geen'}",
                )
        if verwacht.uitkomst == "verstuurd":
            if verwacht.stappen[-1] != last:
                self.fail((*at, "stappen"), f"een verstuurde melding eindigt met de stap {last!r}")
            if verwacht.melding is not None:
                self.fail((*at, "melding"), "een melding hoort alleen bij uitkomst: gestopt")
        else:
            if verwacht.melding is None:
                self.fail(
                    (*at, "uitkomst"),
                    "bij uitkomst gestopt hoort een melding: de tekst van de stoppagina of de foutmelding",
                )
            if verwacht.vergunning_aangevraagd is not None:
                self.fail(
                    (*at, "vergunning_aangevraagd"),
                    "vergunning_aangevraagd hoort alleen bij uitkomst: verstuurd",
                )


# Per step type: check a scenario answer and resolve it to what the runner enters.
ANSWER_CHECKS: dict[str, Callable[[_Check, Any, Any, Loc], Any]] = {
    "vraag": _Check._vraag,
    "verhuisdatum": _Check._verhuisdatum,
    "nieuw_adres": _Check._nieuw_adres,
    "meeverhuizers": _Check._meeverhuizers,
    "woonsituatie": _Check._woonsituatie,
    "huisvestingsvergunning": _Check._huisvestingsvergunning,
    "documenten": _Check._documenten,
    "contactgegevens": _Check._contactgegevens,
    "controleren": _Check._controleren,
}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
