"""Jinja2 environment with the message catalogue, and the "is this an htmx request" helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from webapp.i18n import gettext, ngettext

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def make_environment(directory: Path = TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The callables read the current locale per call, so templates follow set_locale().
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def is_htmx(request: Request) -> bool:
    """One place decides: htmx sends HX-Request on its requests."""
    return request.headers.get("hx-request") == "true"


def render(
    env: Environment,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    tmpl = env.get_template(template)
    if block is None:
        html = tmpl.render(context)
    else:
        # Render one block of the same template for htmx swaps (full page and fragment stay one file).
        ctx = tmpl.new_context(context)
        html = "".join(tmpl.blocks[block](ctx))
    return HTMLResponse(html, status_code=status_code)
