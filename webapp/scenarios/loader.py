"""Load scenario files and check them against the gemeente's configuration.

Every problem names the file, the line and the key path, like a configuration error
(:class:`webapp.config.loader.Locator`). A loaded scenario is a :class:`Plan`: its answers are
already resolved to what the runner types and clicks (an option's waarde, a person's BSN, a file).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from webapp.config.loader import ConfigError, Locator, Problem, _display, parse_yaml
from webapp.config.loader import load_dir as load_config_dir
from webapp.config.models import Gemeente
from webapp.registers.brp import BestandsBrp, Persoon
from webapp.scenarios import dates
from webapp.scenarios.model import Scenario, ScenarioBestand, Verwacht
from webapp.steps import registry
from webapp.steps.base import FilePart, FormAnswer
from webapp.testing.testdata import resident_data
from webapp.uploads import MINIMAL_PDF, MINIMAL_PNG

SCENARIO_DIR = "scenarios"
FILES_DIR = "bestanden"
# Built-in files, so a scenario needs no files of its own: a minimal PDF and a 1x1 PNG (real
# files, which the upload check parses).
BUILTIN_FILES: dict[str, tuple[bytes, str]] = {
    "test.pdf": (MINIMAL_PDF, "application/pdf"),
    "test.png": (MINIMAL_PNG, "image/png"),
}

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Plan:
    """A scenario ready to run: answers per step id, as the form fields the runner enters."""

    naam: str
    testpersoon: str
    answers: Mapping[str, FormAnswer]
    verwacht: Verwacht
    line: int | None = None
    taal: str = "nl"
    """The language the resident chooses before logging in."""


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
    directory: Path, gemeenten: Mapping[str, Gemeente], brp: BestandsBrp | None = None
) -> dict[str, Suite]:
    """Every ``<slug>.yaml`` in a scenarios folder; one ConfigError listing all problems."""
    brp = brp or resident_data().brp
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
    brp: BestandsBrp | None = None,
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
    plans = load_text(text, gemeente, name, path.parent / FILES_DIR, brp or resident_data().brp)
    return Suite(path.stem, gemeente, path, plans)


def load_text(
    text: str, gemeente: Gemeente, name: str, files: Path, brp: BestandsBrp
) -> list[Plan]:
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

    def __init__(self, gemeente: Gemeente, brp: BestandsBrp, files: Path, locator: Locator) -> None:
        self.gemeente = gemeente
        self.brp = brp
        self.files = files
        self.locator = locator
        self.problems: list[Problem] = []
        self.names: set[str] = set()
        self.personen: dict[str, Persoon] = {p.burgerservicenummer: p for p in brp.testpersonen()}
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
            if answer is None and len(self.problems) == before:
                self.fail(at, f"het antwoord voor stap {step_id!r} kan niet worden gelezen")
            if answer is not None and len(self.problems) == before:
                answers[step_id] = answer
        self.expected(scenario, (*loc, "verwacht"))
        line = self.locator.problem(loc, "").line
        return Plan(
            scenario.naam, scenario.testpersoon, answers, scenario.verwacht, line, scenario.taal
        )

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

    # -- answers: each step type reads its own (StepType.scenario_answer) ------------------

    def answer(self, cfg: Any, raw: Any, at: Loc) -> FormAnswer | None:
        return registry[cfg.type].scenario_answer(cfg, raw, _Reader(self, cfg.id, at))

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


class _Reader:
    """What a step type reads its scenario answer with (:class:`ScenarioReader`): problems
    land at the answer's place in the file, with the step's id in the message."""

    def __init__(self, check: _Check, step_id: str, at: Loc) -> None:
        self.check = check
        self.step_id = step_id
        self.at = at
        self.today = date.today()
        self.gemeente = check.gemeente

    def fail(self, message: str, *at: Any) -> None:
        self.check.fail((*self.at, *at), message)

    def choice(self, options: Iterable[Any], raw: Any, *at: Any) -> str | None:
        options = list(options)
        wanted = " ".join(_text(raw).split()).casefold()
        for option in options:
            labels = [option.label, *getattr(option.label, "vertalingen", {}).values()]
            if wanted in (option.waarde, *(" ".join(lb.split()).casefold() for lb in labels)):
                return str(option.waarde)
        self.fail(
            f"onbekende keuze {raw!r} voor stap {self.step_id!r}; kies uit: "
            + ", ".join(o.waarde for o in options)
            + " (of het label)",
            *at,
        )
        return None

    def model(self, model: type[BaseModel], raw: Any) -> Any:
        return self.check.model(model, raw, self.at)

    def person(self, raw: Any, *at: Any) -> Persoon | None:
        wanted = " ".join(_text(raw).split()).casefold()
        for persoon in self.check.personen.values():
            if wanted in (persoon.burgerservicenummer, persoon.naam().casefold()):
                return persoon
        self.fail(f"onbekende persoon {raw!r}: geen testpersoon met deze naam of dit BSN", *at)
        return None

    def file(self, name: Any, *at: Any) -> FilePart | None:
        files = self.check.files
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            self.fail("verwacht een bestandsnaam, bijv. test.pdf", *at)
            return None
        if (files / name).is_file():
            path = (files / name).resolve()
            return FilePart(name, path.read_bytes(), _media_type(name))
        if name in BUILTIN_FILES:
            data, media_type = BUILTIN_FILES[name]
            return FilePart(name, data, media_type)
        self.fail(
            f"bestand {name!r} niet gevonden in {_display(files)}/; "
            f"zet het daar, of gebruik {' of '.join(BUILTIN_FILES)}",
            *at,
        )
        return None

    def date(self, raw: Any) -> date | None:
        if not isinstance(raw, str | date):
            self.fail(f"verwacht een datum: {dates.FORMS}")
            return None
        try:
            return dates.resolve(raw, self.today)
        except dates.DateError as exc:
            self.fail(str(exc))
            return None


def _media_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
