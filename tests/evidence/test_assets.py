"""The QA tools' own files: the checks' JavaScript in ``webapp/evidence/js``, the report templates.

No browser: a fake page records what each check evaluates. The guards at the end keep HTML
documents and JavaScript sources from creeping back into Python strings.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest

from webapp.evidence import assets, axe, checks

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = ROOT / "webapp" / "evidence"
SCENARIOS = ROOT / "webapp" / "scenarios"
HELPERS = ("helpers.js", "measure.js")  # put in front of a check's body, never run alone
WHOLE = ("axe-run.js",)  # a complete function, run as it is by axe.py


def js_files() -> set[str]:
    return {p.name for p in assets.JS_DIR.glob("*.js")}


def check_files() -> set[str]:
    return js_files() - set(HELPERS) - set(WHOLE)


def evaluated(name: str) -> str:
    """The source a check evaluates for the file ``name``: the Tab-loop files use measure.js."""
    measured = name.startswith("focus-") and name != "focus-reset.js"
    return checks._js("measure.js", name) if measured else checks._js(name)


def referenced(source: Path) -> set[str]:
    """Every file name named in an ``_js(...)`` or ``assets.js(...)`` call of a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("_js", "js"):
                names |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    return names


# -- the JavaScript files ---------------------------------------------------------------------


def test_every_referenced_js_file_exists_and_every_file_is_used():
    used = referenced(EVIDENCE / "checks.py") | referenced(EVIDENCE / "axe.py")
    assert used, "no _js(...) calls found"
    assert used <= js_files(), f"missing in webapp/evidence/js: {sorted(used - js_files())}"
    used |= {"helpers.js"}  # _js puts it in front of every check
    assert js_files() <= used, f"not used by any check: {sorted(js_files() - used)}"


@pytest.mark.parametrize("name", sorted(js_files()))
def test_js_file_is_loaded_once_and_not_empty(name):
    text = assets.js(name)
    assert text.strip() and not text.lstrip().startswith("<")
    assert assets.js(name) is text  # read once, then from the cache
    assert text == (assets.JS_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(check_files()))
def test_check_source_is_helpers_and_the_file_as_one_function(name):
    source = evaluated(name)
    assert source.startswith("(arg) => {\n") and source.endswith("\n}")
    assert assets.js("helpers.js") in source and assets.js(name) in source
    assert source.index(assets.js("helpers.js")) < source.index(assets.js(name))


def test_axe_run_source_is_the_file_with_max_nodes_filled_in():
    source = axe._run_source()
    assert "MAX_NODES" not in source
    assert f".slice(0, {axe.MAX_NODES})" in source
    assert source == assets.js("axe-run.js").replace("MAX_NODES", str(axe.MAX_NODES))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for a syntax check")
def test_every_evaluated_source_is_valid_javascript(tmp_path):
    sources = [evaluated(name) for name in sorted(check_files())] + [axe._run_source()]
    script = tmp_path / "all.js"
    script.write_text("const all = [\n" + ",\n".join(f"({s})" for s in sources) + "\n];\n")
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- what each check evaluates ------------------------------------------------------------------

# Facts each collector returns to the fake page: enough for the checks to judge them.
ANSWERS: dict[str, Any] = {
    "a1-title.js": {"title": "t", "h1": [], "counter": None, "errors": False},
    "a2-step-counter.js": [],
    "a3-headings.js": {"h1": ["h"], "ungrouped": [], "dateParts": [], "groups": 0},
    "a5-submit-button.js": None,
    "a6-summary-focused.js": True,
    "a6-error-summary.js": {
        "found": True,
        "focused": True,
        "alertInside": True,
        "beforeH1": True,
        "textBefore": "",
        "heading": True,
        "links": [
            {
                "href": "#dag",
                "text": "Vul de dag in",
                "target": "input#dag",
                "isField": True,
                "describedBy": ["dag-fout"],
                "msgId": "dag-fout",
                "msgText": "Fout: Vul de dag in",
                "hiddenPrefix": True,
                "invalid": True,
            }
        ],
        "root": "div.fouten",
        "active": "div.fouten",
    },
    "a6-field-value.js": "12",
    "a7-form-validation.js": {"forms": [], "required": [], "fields": []},
    "a9-autocomplete.js": [],
    "a11-change-links.js": [],
    "a13-timeout-dialog.js": None,
    "a14-reflow.js": {"vw": 320, "sw": 320, "wide": [], "inner": 320},
    "a15-target-size.js": [],
    "a17-tabindex.js": [],
    "a21-status.js": {"targets": [], "statuses": [], "active": "body", "lost": False},
    "a24-borders.js": [],
    "focus-each.js": [],
    "focus-reset.js": None,
    "focus-stop.js": None,
}


class FakePage:
    """Answers ``evaluate`` by which JavaScript file it was given; remembers the files."""

    def __init__(self) -> None:
        self.used: list[str] = []
        self.args: dict[str, Any] = {}
        self.keyboard = self
        self.by_source = {evaluated(name): name for name in check_files()}

    def _run(self, source: str, arg: Any) -> Any:
        assert source in self.by_source, f"not a source from webapp/evidence/js: {source[:80]!r}"
        name = self.by_source[source]
        self.used.append(name)
        self.args[name] = arg
        return ANSWERS[name]

    def evaluate(self, source: str, arg: Any = None) -> Any:
        return self._run(source, arg)

    def wait_for_function(self, source: str, timeout: float) -> Any:
        return self._run(source, None)

    def press(self, key: str) -> None:
        pass

    def emulate_media(self, **media: Any) -> None:
        pass


def test_every_check_evaluates_its_file():
    page: Any = FakePage()
    found = []
    for ctx in (
        checks.Context(kind="error", gemeente="X", step_type="verhuisdatum", typed={"dag": "12"}),
        checks.Context(kind="lookup", gemeente="X", step_type="adres"),
        checks.Context(
            kind="step",
            gemeente="X",
            step_type="controleren",
            expected_button="Versturen",
            checks_answers=True,
        ),
    ):
        found += checks.first_render_checks(page, ctx)
    ctx = checks.Context(kind="step", gemeente="X")
    found += checks.layout_checks(page, ctx, 1280, narrow=False, forced=True)
    found += checks.layout_checks(page, ctx, 320, narrow=True, forced=False)
    found.append(checks.check_timeout_dialog(page, ctx, "sessie-dialoog", "", 300))
    assert set(page.used) == check_files()
    assert page.args["a6-field-value.js"] == "dag"
    assert page.args["a13-timeout-dialog.js"] == "sessie-dialoog"
    ids = {c.id for c in found}
    for id in ("A1", "A2", "A3", "A5", "A6", "A11", "A13", "A14", "A16", "A17", "A21", "A24"):
        assert id in ids, id
    a6 = next(c for c in found if c.id == "A6")
    assert a6.outcome == checks.PASS and "ingevulde waarden bewaard (dag)" in a6.evidence


# -- the template environment -------------------------------------------------------------------


def test_report_environment_escapes_and_refuses_unknown_names(tmp_path):
    (tmp_path / "t.html").write_text("<p title='{{ x }}'>{{ x }}</p>", encoding="utf-8")
    env = assets.make_environment(tmp_path)
    html = env.get_template("t.html").render(x="<script>alert('x')</script>")
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ y }}").render()


@pytest.mark.parametrize(
    "template",
    [
        EVIDENCE / "templates" / "report.html",
        SCENARIOS / "templates" / "report.html",
    ],
)
def test_report_templates_exist_with_inline_style(template):
    assert template.is_file()
    style = (template.parent / "_style.html").read_text(encoding="utf-8")
    assert "<style>" in style and "</style>" in style


# -- guards: no HTML documents or JavaScript in Python strings --------------------------------

MARKUP = re.compile(
    r"<!doctype|<html|<head\b|<body\b|<table\b|<t[rdh]\b|<li\b|<dl\b|<d[td]\b|<style\b|<img\b|"
    r"<section\b|<span\b|<ul\b|<ol\b",
    re.IGNORECASE,
)
JS_MARKERS = (
    "=>",
    "document.",
    "window.",
    "querySelector",
    "getComputedStyle",
    "getBoundingClientRect",
    "activeElement",
)
WRAPPER = {"(arg) => {\n"}  # checks._js: the head of the function round a check's body


def string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@pytest.mark.parametrize(
    "module",
    sorted([*EVIDENCE.glob("*.py"), *SCENARIOS.glob("*.py")]),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_html_in_python_strings(module):
    found = [
        f"{module.name}:{line}: {text[:60]!r}"
        for line, text in string_literals(module)
        if MARKUP.search(text)
    ]
    assert not found, "HTML belongs in a template: " + "; ".join(found)


def test_no_javascript_in_python_strings_of_the_checks():
    found = [
        f"checks.py:{line}: {text[:60]!r}"
        for line, text in string_literals(EVIDENCE / "checks.py")
        if text not in WRAPPER and any(marker in text for marker in JS_MARKERS)
    ]
    assert not found, "JavaScript belongs in webapp/evidence/js: " + "; ".join(found)
