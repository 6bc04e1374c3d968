"""The shape of the house: no import cycles, a pure engine, and QA tools apart from the server."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "webapp"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """The webapp modules a module imports when it is loaded (not under TYPE_CHECKING, not
    inside functions): ``from a import b`` is module ``a.b`` when that is a module, else ``a``."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                subs = [f"{node.module}.{a.name}" for a in node.names]
                modules = [s for s in subs if s in MODULES]
                found.update(modules)
                if len(modules) < len(subs):
                    found.add(node.module)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in found if m in MODULES}


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_between_modules():
    cycles = sorted(name for name in GRAPH if name in _reachable(name))
    assert not cycles, f"modules in an import cycle: {cycles}"


def test_the_cycle_check_can_fail():
    GRAPH["webapp.conditions"].add("webapp.flow.journey")  # journey imports conditions
    try:
        assert "webapp.conditions" in _reachable("webapp.conditions")
    finally:
        GRAPH["webapp.conditions"].discard("webapp.flow.journey")


def test_the_engine_imports_neither_web_nor_database_code():
    for engine in ("webapp.flow.journey", "webapp.flow.facts", "webapp.conditions"):
        reached = _reachable(engine)
        assert not {m for m in reached if m.startswith(("webapp.web", "webapp.storage"))}, engine
        source = MODULES[engine].read_text(encoding="utf-8")
        for library in ("starlette", "sqlalchemy", "sqlmodel"):
            assert f"import {library}" not in source and f"from {library}" not in source


def test_the_server_loads_no_qa_tool(tmp_path):
    """Serving imports neither the evidence and scenario tools, the drivers, nor Playwright."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERHUIZEN_")}
    env.pop("DATABASE_URL", None)
    env["VERHUIZEN_DATA_DIR"] = str(tmp_path / "data")
    code = (
        "import sys, webapp.web.asgi\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'playwright' or "
        "m.startswith(('webapp.evidence', 'webapp.scenarios', 'webapp.testing')))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", done.stdout
