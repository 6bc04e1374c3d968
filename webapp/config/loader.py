"""Load and validate gemeente configuration files; every problem names file, line and key path."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from webapp.conditions import (
    AREAS_FACT,
    DATE_FACT,
    Alle,
    Antwoord,
    Conditie,
    EenVan,
    Feit,
    Gebied,
    Niet,
    answer_key,
)
from webapp.config.models import Gemeente, Koppelingen
from webapp.delivery import targets
from webapp.flow.facts import derivable
from webapp.koppelingen import ROLES
from webapp.options import Options, OptionsRegistry
from webapp.steps import registry as default_registry
from webapp.steps.registry import Registry
from webapp.tekst import VERTALINGEN, Tekst

SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(bestand)'}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_dir(directory: Path, registry: Registry = default_registry) -> dict[str, Gemeente]:
    """Load every ``*.yaml`` in a folder; raise one ConfigError listing all problems."""
    gemeenten: dict[str, Gemeente] = {}
    problems: list[Problem] = []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ConfigError(
            [Problem(str(directory), None, "", "geen gemeente-bestanden (*.yaml) gevonden")]
        )
    for path in files:
        try:
            gemeenten[path.stem] = load_file(path, registry)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return gemeenten


def load_file(
    path: Path, registry: Registry = default_registry, display: str | None = None
) -> Gemeente:
    name = display or _display(path)
    slug = path.stem
    if not SLUG.match(slug):
        raise ConfigError(
            [Problem(name, None, "", "de bestandsnaam moet een slug zijn als 'den-haag'")]
        )
    text = path.read_text(encoding="utf-8")
    return load_text(text, slug, name, registry)


_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (about fifteen times faster); its nodes keep
their line numbers, which the problems need."""


def parse_yaml(text: str, name: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data from one pass over the text; a syntax
    error names file and line."""
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()
        # The data is built from the very nodes the locator reads: the text is parsed once.
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(name, line, "", f"geen geldige YAML: {problem}")]) from None
    finally:
        loader.dispose()


CACHE_SIZE = 2048
"""Loaded versions kept by content: a folder of 342 gemeenten with room for their edits."""
_cache: OrderedDict[tuple[str, str, str, Registry], Gemeente | list[Problem]] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded version (a process that checked the folder and serves nothing)."""
    with _cache_lock:
        _cache.clear()


def load_text(text: str, slug: str, name: str, registry: Registry = default_registry) -> Gemeente:
    """The gemeente of this text. A text loaded before (same content, slug, name and step
    types) is not parsed again: ``verhuizen serve`` checks the folder and then the app loads it
    in the same process, and a reload in staging reads every file but parses only the changed."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    key = (digest, slug, name, registry)
    with _cache_lock:
        known = _cache.get(key)
        if known is not None:
            _cache.move_to_end(key)
    if known is None:
        try:
            known = _load_text(text, slug, name, registry)
        except ConfigError as exc:
            known = exc.problems
        with _cache_lock:
            _cache[key] = known
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if isinstance(known, list):
        raise ConfigError(known)
    return known


def _load_text(text: str, slug: str, name: str, registry: Registry) -> Gemeente:
    root, data = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(name, 1, "", "verwacht een mapping met sleutels als naam, stappen")]
        )

    locator = _Locator(name, root)
    problems: list[Problem] = []
    try:
        gemeente = Gemeente.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(locator.from_validation(exc, ())) from None

    steps: list[Any] = []
    for index, raw in enumerate(data.get("stappen") or []):
        loc: tuple[Any, ...] = ("stappen", index)
        if not isinstance(raw, dict):
            problems.append(locator.problem(loc, "verwacht een stap met id en type"))
            continue
        type_name = raw.get("type")
        if type_name not in registry:
            known = ", ".join(registry.names())
            problems.append(
                locator.problem(
                    (*loc, "type"), f"onbekend staptype {type_name!r}; verwacht een van: {known}"
                )
            )
            continue
        try:
            steps.append(registry[str(type_name)].Config.model_validate(raw))
        except ValidationError as exc:
            problems.extend(locator.from_validation(exc, loc))
    koppelingen = _connections(data.get("koppelingen"), gemeente, locator, problems)
    aflevering = _deliveries(data.get("aflevering"), locator, problems)
    if problems:
        raise ConfigError(problems)

    gemeente = gemeente.model_copy(
        update={
            "stappen": steps,
            "slug": slug,
            "koppelingen": koppelingen,
            "aflevering": aflevering,
        }
    )
    problems.extend(_check_references(gemeente, registry, locator))
    if problems:
        raise ConfigError(problems)
    return gemeente


def _options(
    registry: OptionsRegistry[Any, Any],
    raw: Any,
    loc: tuple[Any, ...],
    locator: _Locator,
    problems: list[Problem],
) -> Options | None:
    if not isinstance(raw, dict):
        problems.append(locator.problem(loc, "verwacht een mapping met ten minste 'soort'"))
        return None
    soort = raw.get("soort")
    if soort not in registry:
        known = ", ".join(registry.soorten())
        problems.append(
            locator.problem(
                (*loc, "soort"), f"onbekende soort {soort!r}; verwacht een van: {known}"
            )
        )
        return None
    try:
        return registry.parse_options(raw)
    except ValidationError as exc:
        problems.extend(locator.from_validation(exc, loc))
        return None


def _connections(
    raw: Any, gemeente: Gemeente, locator: _Locator, problems: list[Problem]
) -> Koppelingen:
    parsed: dict[str, Any] = {}
    for role, (registry, _setting) in ROLES.items():
        value = (raw or {}).get(role) if isinstance(raw, dict) else None
        if value is not None:
            parsed[role] = _options(registry, value, ("koppelingen", role), locator, problems)
    return gemeente.koppelingen.model_copy(update=parsed)


def _deliveries(raw: Any, locator: _Locator, problems: list[Problem]) -> list[Options]:
    found: list[Options] = []
    for index, entry in enumerate(raw or []):
        options = _options(targets, entry, ("aflevering", index), locator, problems)
        if options is not None and options.soort == "bevestiging":
            # The outbox adds the resident's mail itself; as a target here it would reach no
            # back office and send the mail twice.
            problems.append(
                locator.problem(
                    ("aflevering", index, "soort"),
                    "'bevestiging' is de e-mail aan de inwoner, geen aflevering aan de gemeente; "
                    "zet die aan met bevestiging.email",
                )
            )
        elif options is not None:
            found.append(options)
    return found


def _check_references(
    gemeente: Gemeente, registry: Registry, locator: _Locator
) -> Iterable[Problem]:
    seen_ids: set[str] = set()
    known_fields: dict[str, frozenset[str] | None] = {}
    known_facts: set[str] = set()
    default_field: dict[str, str] = {}
    documents_checked = False
    for index, step in enumerate(gemeente.stappen):
        loc = ("stappen", index)
        step_type = registry[step.type]
        if step.id in seen_ids:
            yield locator.problem((*loc, "id"), f"de stap-id {step.id!r} komt twee keer voor")
        if step.als is not None:
            yield from _check_condition(
                step.als, (*loc, "als"), gemeente, known_fields, known_facts, default_field, locator
            )
        for m_index, notice in enumerate(step.mededelingen):
            if notice.als is not None:
                yield from _check_condition(
                    notice.als,
                    (*loc, "mededelingen", m_index, "als"),
                    gemeente,
                    known_fields,
                    known_facts,
                    default_field,
                    locator,
                )
        if step_type.asks_documents and not documents_checked:
            documents_checked = True
            for d_index, document in enumerate(gemeente.documenten):
                if document.als is not None:
                    yield from _check_condition(
                        document.als,
                        ("documenten", d_index, "als"),
                        gemeente,
                        known_fields,
                        known_facts,
                        default_field,
                        locator,
                    )
        yield from (
            locator.problem((*loc, *sub), msg)
            for sub, msg in step_type_problems(step, gemeente, registry)
        )
        seen_ids.add(step.id)
        default_field[step.id] = step_type.default_field
        for field, allowed in step_type.fields(step, gemeente).items():
            known_fields[f"{step.id}.{field}"] = allowed
        known_facts.update(step_type.provided_facts(step, gemeente))
        known_facts.update(derivable(known_facts))

    last = gemeente.stappen[-1]
    final = " of ".join(repr(t.name) for t in registry if t.checks_answers)
    if not registry[last.type].checks_answers:
        yield locator.problem(
            ("stappen", len(gemeente.stappen) - 1),
            f"de laatste stap moet van type {final} zijn",
        )
    if sum(1 for s in gemeente.stappen if registry[s.type].checks_answers) > 1:
        yield locator.problem(("stappen",), f"er mag maar één stap van type {final} zijn")
    if gemeente.documenten and not documents_checked:
        kinds = " of ".join(repr(t.name) for t in registry if t.asks_documents)
        yield locator.problem(
            ("documenten",), f"er zijn documenten maar geen stap van type {kinds}"
        )
    seen_documents: set[str] = set()
    for d_index, document in enumerate(gemeente.documenten):
        if document.id in seen_documents:
            yield locator.problem(
                ("documenten", d_index, "id"),
                f"het document-id {document.id!r} komt twee keer voor",
            )
        seen_documents.add(document.id)


def translation_warnings(
    path: Path, gemeente: Gemeente, display: str | None = None
) -> list[Problem]:
    """A warning, with file and line, for every resident text of the gemeente that has no
    translation: the resident who chose that language reads it in Dutch (marked ``lang="nl"``).
    A Dutch text that is one of the product's own defaults is translated by the catalogue."""
    name = display or _display(path)
    root, _data = parse_yaml(path.read_text(encoding="utf-8"), name)
    locator = _Locator(name, root)
    return [
        locator.problem(loc, f"geen vertaling in het {_LANGUAGE_NAMES.get(taal, taal)} ({taal})")
        for loc, taal in untranslated(gemeente)
    ]


_LANGUAGE_NAMES = {"en": "Engels"}


def untranslated(value: Any, loc: tuple[Any, ...] = ()) -> Iterable[tuple[tuple[Any, ...], str]]:
    """Key paths of the gemeente texts below ``value`` without a translation, with the
    language that lacks."""
    if isinstance(value, Tekst):
        for taal in VERTALINGEN:
            if taal not in value.vertalingen and value.catalogue_translation(taal) is None:
                yield loc, taal
    elif isinstance(value, BaseModel):
        for key, field in type(value).model_fields.items():
            if not field.exclude:
                yield from untranslated(getattr(value, key), (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from untranslated(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from untranslated(item, (*loc, key))


def step_type_problems(
    step: Any, gemeente: Gemeente, registry: Registry
) -> Iterable[tuple[tuple[Any, ...], str]]:
    return list(registry[step.type].check(step, gemeente))


def _check_condition(
    condition: Conditie,
    loc: tuple[Any, ...],
    gemeente: Gemeente,
    known_fields: dict[str, frozenset[str] | None],
    known_facts: set[str],
    default_field: dict[str, str],
    locator: _Locator,
) -> Iterable[Problem]:
    for leaf, sub in _leaves(condition, loc):
        if isinstance(leaf, (Antwoord, Feit)) and leaf.dated() and DATE_FACT not in known_facts:
            yield locator.problem(
                sub,
                "een grens met geldig_vanaf kan pas na de stap van type 'verhuisdatum': de "
                "verhuisdatum bepaalt welke waarde geldt",
            )
        if isinstance(leaf, Antwoord):
            key = answer_key(leaf.antwoord, default_field)
            step_id = leaf.antwoord.split(".")[0]
            if step_id not in default_field:
                yield locator.problem(
                    sub,
                    f"de voorwaarde noemt stap {step_id!r}, maar die stap staat niet eerder in de lijst",
                )
            elif key not in known_fields:
                fields = ", ".join(
                    sorted(k.split(".", 1)[1] for k in known_fields if k.startswith(step_id + "."))
                )
                yield locator.problem(
                    sub,
                    f"stap {step_id!r} heeft geen antwoord {key.split('.', 1)[1]!r}; wel: {fields}",
                )
            else:
                allowed = known_fields[key]
                op, value = leaf.operator()
                values = value if isinstance(value, list) else [value]
                if allowed is not None and op in ("is_", "is_niet", "in_", "bevat"):
                    for v in values:
                        if str(v) not in allowed:
                            yield locator.problem(
                                sub,
                                f"{v!r} is geen mogelijk antwoord van {leaf.antwoord!r}; kies uit: {', '.join(sorted(allowed))}",
                            )
        elif isinstance(leaf, Feit):
            if leaf.feit not in known_facts:
                yield locator.problem(
                    sub,
                    f"het feit {leaf.feit!r} is op dit punt niet bekend; wel: {', '.join(sorted(known_facts)) or 'geen'}",
                )
        elif isinstance(leaf, Gebied):
            if leaf.gebied not in gemeente.gebieden:
                yield locator.problem(
                    sub,
                    f"onbekend gebied {leaf.gebied!r}; gedefinieerd zijn: {', '.join(sorted(gemeente.gebieden)) or 'geen'}",
                )
            elif AREAS_FACT not in known_facts:
                yield locator.problem(
                    sub, "een gebied-voorwaarde kan pas na de stap van type 'nieuw_adres'"
                )


def _leaves(condition: Conditie, loc: tuple[Any, ...]) -> Iterable[tuple[Any, tuple[Any, ...]]]:
    """Leaves with their key path, so a problem points at the exact line."""
    if isinstance(condition, Alle):
        for i, c in enumerate(condition.alle):
            yield from _leaves(c, (*loc, "alle", i))
    elif isinstance(condition, EenVan):
        for i, c in enumerate(condition.een_van):
            yield from _leaves(c, (*loc, "een_van", i))
    elif isinstance(condition, Niet):
        yield from _leaves(condition.niet, (*loc, "niet"))
    else:
        yield condition, loc


class _Locator:
    """Finds the line of a key path in the composed YAML tree."""

    def __init__(self, name: str, root: yaml.Node | None) -> None:
        self.name = name
        self.root = root

    def problem(self, loc: Sequence[Any], message: str) -> Problem:
        line, path = self._resolve(loc)
        return Problem(self.name, line, path, message)

    def from_validation(self, exc: ValidationError, prefix: tuple[Any, ...]) -> list[Problem]:
        problems = []
        for err in exc.errors(include_url=False):
            message = _dutch(err)
            problems.append(self.problem((*prefix, *err["loc"]), message))
        return problems

    def _resolve(self, loc: Sequence[Any]) -> tuple[int | None, str]:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        parts: list[str] = []
        for index, key in enumerate(loc):
            child = _child(node, key)
            if child is None:
                # Pydantic inserts union tags and model names into locations: skip those.
                continue
            following = loc[index + 1] if index + 1 < len(loc) else None
            if (
                following is not None
                and _child(child[1], following) is None
                and _child(node, following) is not None
            ):
                # A union tag that is also a key here (a condition's tag "feit" beside its key
                # feit): the path goes on beside it, not inside it.
                continue
            key_node, node = child
            line = (key_node or node).start_mark.line + 1
            parts.append(
                f"[{key}]" if isinstance(key, int) else (("." if parts else "") + str(key))
            )
        return line, "".join(parts)


Locator = _Locator
"""The public name, for other YAML formats that report problems the same way (scenarios)."""


def _child(node: yaml.Node | None, key: Any) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return k, v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


_MESSAGES = {
    "missing": "deze sleutel ontbreekt",
    "extra_forbidden": "onbekende sleutel (tikfout?)",
    "string_type": "verwacht tekst",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "float_parsing": "verwacht een getal",
    "bool_parsing": "verwacht true of false",
    "bool_type": "verwacht true of false",
    "list_type": "verwacht een lijst",
    "dict_type": "verwacht een mapping",
    "model_type": "verwacht een mapping",
    "too_short": "deze lijst mag niet leeg zijn",
}


def _dutch(err: Any) -> str:
    kind = err["type"]
    if kind == "string_too_short":
        least = err.get("ctx", {}).get("min_length", 1)
        return "deze tekst mag niet leeg zijn" if least <= 1 else f"minstens {least} tekens"
    if kind == "string_too_long":
        return f"deze tekst is te lang (hoogstens {err.get('ctx', {}).get('max_length')} tekens)"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        return f"verwacht een van: {err['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return (
            f"de waarde {err.get('input')!r} heeft niet de verwachte vorm ({err['ctx']['pattern']})"
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(err["ctx"].values()))
        words = {
            "greater_than_equal": "minstens",
            "greater_than": "groter dan",
            "less_than_equal": "hoogstens",
            "less_than": "kleiner dan",
        }
        return f"verwacht een getal {words[kind]} {bound}"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
