"""The registry is complete: every step type carries all it needs, so none can be half-added.

Whatever the rest of the code knows about a step type is asked of the type (validating,
summarising, facts, its example answer, the form fields that answer it, the check-answers
marker, linked requests, how a scenario answers it). This walks the registry and checks each
type against its config model, its template, and every shipped configuration that uses it.
"""

from __future__ import annotations

import ast
import typing
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR
from webapp.config.loader import load_dir
from webapp.resources import TEMPLATES
from webapp.steps import registry
from webapp.steps.base import FormAnswer, FormInput, StepConfig, StepType
from webapp.testing.testdata import resident_data

ROOT = Path(__file__).resolve().parents[2]
TYPES = sorted(registry.names())
GEMEENTEN = load_dir(CONFIG_DIR)
TODAY = date(2026, 11, 27)
ABSTRACT = sorted(StepType.__abstractmethods__)


def steps_of(name: str) -> list[tuple[str, object]]:
    return [
        (slug, cfg)
        for slug, g in sorted(GEMEENTEN.items())
        for cfg in g.stappen
        if cfg.type == name
    ]


def test_the_base_declares_what_a_type_must_implement():
    assert set(ABSTRACT) == {"parse", "summary", "example", "what_if_answer", "scenario_answer"}


def test_a_type_missing_a_part_cannot_be_registered():
    from webapp.steps.registry import Registry

    class HalfDone(StepType[StepConfig]):
        def parse(self, cfg, form, ctx):  # pragma: no cover - never called
            raise AssertionError

        def summary(self, cfg, answer, ctx):  # pragma: no cover - never called
            raise AssertionError

    with pytest.raises(TypeError, match="abstract"):
        Registry().register("half")(HalfDone)


@pytest.mark.parametrize("name", TYPES)
def test_every_type_has_its_config_model_template_and_parts(name):
    step_type = registry[name]
    assert step_type.name == name
    for method in ABSTRACT:
        assert getattr(type(step_type), method) is not getattr(StepType, method), method
    # The config model is the type's own, discriminated by its name.
    config = step_type.Config
    assert issubclass(config, StepConfig) and config is not StepConfig
    assert typing.get_args(config.model_fields["type"].annotation) == (name,)
    # Generic over that model: StepType[ItsConfig].
    bases = [b for b in getattr(type(step_type), "__orig_bases__", ()) if typing.get_origin(b)]
    assert any(typing.get_args(b) == (config,) for b in bases), bases
    # Its template exists.
    assert (TEMPLATES / step_type.template).is_file(), step_type.template
    # An enhanced page has its live lookup.
    if step_type.enhanced:
        assert type(step_type).live_lookup is not StepType.live_lookup
    # Every type is used by a shipped configuration, so the checks below reach it.
    assert steps_of(name), f"no shipped configuration uses step type {name!r}"


def test_exactly_one_type_is_the_check_answers_step_and_it_ends_every_configuration():
    final = [t for t in registry if t.checks_answers]
    assert len(final) == 1
    for gemeente in GEMEENTEN.values():
        assert registry[gemeente.stappen[-1].type].checks_answers


@pytest.mark.parametrize("name", TYPES)
def test_the_example_of_every_shipped_step_is_form_fields_the_form_has(name):
    for slug, cfg in steps_of(name):
        gemeente = GEMEENTEN[slug]
        example = registry[name].example(cfg, resident_data().example_context(gemeente, TODAY))
        assert isinstance(example, FormAnswer)
        for value in example.fields.values():
            assert isinstance(value, str | tuple), (slug, cfg.id, value)
        template = (TEMPLATES / registry[name].template).read_text(encoding="utf-8")
        for field in example.fields:
            # The field is rendered by the step's template (an id or a name in it).
            assert f'"{field}"' in template or f"'{field}'" in template, (slug, cfg.id, field)
        # The what-if of the flow preview runs on a neutral answer for every step.
        answer = registry[name].what_if_answer(cfg, gemeente, {}, TODAY)
        assert isinstance(answer, dict)


def test_the_what_if_survives_hostile_values():
    """Untrusted query values never crash the preview (the fields come from the types)."""
    from webapp import preview

    hostile = ["inf", "-inf", "nan", "1e400", "999999999", "x", "", "-5"]
    for gemeente in GEMEENTEN.values():
        inputs = preview.what_if_inputs(gemeente, registry)
        for value in hostile:
            chosen = {i.name: ([value] if i.kind == "vinkjes" else value) for i in inputs}
            path, _stop = preview.what_if(gemeente, registry, chosen, TODAY)
            assert path


def test_a_free_text_question_gets_a_what_if_answer():
    cfg = registry["vraag"].Config.model_validate(
        {"id": "opmerking", "type": "vraag", "titel": "Opmerking?", "invoer": "tekst"}
    )
    gemeente = GEMEENTEN["voorbeeld"]
    assert registry["vraag"].what_if_answer(cfg, gemeente, {}, TODAY) == {"waarde": "Testantwoord"}
    assert registry["vraag"].what_if_inputs(cfg, gemeente) == []


def test_nothing_outside_the_steps_names_a_step_type():
    """The rest of the code asks the type; only the steps package knows the names."""
    names = set(TYPES)
    offenders = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        if "steps" in path.relative_to(ROOT / "webapp").parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and all(
                isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
            ):
                for part in [node.left, *node.comparators]:
                    if isinstance(part, ast.Constant) and part.value in names:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Constant)
                and node.slice.value in names
                and ast.unparse(node.value).endswith("registry")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "compare with a step type's marker instead: " + ", ".join(offenders)


def test_form_input_of_an_example_parses_as_a_browser_would_post_it():
    answer = FormAnswer({"a": "1", "b": ("x", "y"), "c": ()})
    assert answer.post_data() == {"a": "1", "b": ["x", "y"], "c": []}
    form = FormInput(
        {k: v[0] if isinstance(v, list) else v for k, v in answer.post_data().items() if v},
        {k: v for k, v in answer.post_data().items() if isinstance(v, list)},
    )
    assert form.get("a") == "1" and form.getlist("b") == ["x", "y"] and form.getlist("c") == []


def test_only_a_radio_question_can_end_the_journey():
    raw = {
        "id": "waar",
        "type": "vraag",
        "titel": "Waarheen?",
        "invoer": "checkbox",
        "opties": [
            {"waarde": "buitenland", "label": "Buitenland", "stop": {"titel": "t", "tekst": "x"}}
        ],
    }
    vraag = registry["vraag"]
    problems = list(vraag.check(vraag.Config.model_validate(raw), GEMEENTEN["voorbeeld"]))
    assert (
        ("opties",),
        "een keuze die de melding beëindigt (stop) kan alleen bij invoer radio",
    ) in problems
    assert vraag.stopping_choices(vraag.Config.model_validate(raw)) == []
    radio = vraag.Config.model_validate(
        {**raw, "invoer": "radio", "opties": [*raw["opties"], {"waarde": "hier", "label": "Hier"}]}
    )
    assert not list(vraag.check(radio, GEMEENTEN["voorbeeld"]))
    [choice] = vraag.stopping_choices(radio)
    assert (choice.waarde, choice.answer.fields) == ("buitenland", {"waarde": "buitenland"})
