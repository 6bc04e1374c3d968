"""The QA tools' own files: the Jinja templates of the reports and the JavaScript of the checks.

They live beside the code (``webapp/evidence/js``, ``webapp/evidence/templates``,
``webapp/scenarios/templates``) and are found relative to this package, so the same code works
from a checkout and from an installed wheel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

JS_DIR = Path(__file__).resolve().parent / "js"


@cache
def js(name: str) -> str:
    """The text of ``webapp/evidence/js/<name>``, read once."""
    return (JS_DIR / name).read_text(encoding="utf-8")


def make_environment(
    directory: Path, filters: Mapping[str, Callable[..., Any]] | None = None
) -> Environment:
    """A Jinja environment for self-contained HTML reports: autoescape on, undefined is an error.

    Everything a template prints is escaped unless it is ``Markup``; a misspelt name fails the
    rendering instead of printing nothing.
    """
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters or {})
    return env
