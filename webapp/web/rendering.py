"""Jinja2 environment with the message catalogue, and rendering a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from webapp.i18n import gettext, ngettext
from webapp.resources import TEMPLATES
from webapp.tekst import Tekst, tonen


def make_environment(directory: Path = TEMPLATES, *, auto_reload: bool = True) -> Environment:
    """``auto_reload``: look at each template file's modification time on every use (for
    development); without it a template is compiled once per process."""
    env = Environment(
        loader=FileSystemLoader(directory),
        auto_reload=auto_reload,
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The callables read the current locale per call, so templates follow set_locale().
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    # A gemeente's text (webapp.tekst) shows itself in the current language, an untranslated
    # one marked lang="nl": ``{{ t }}``. Where no markup may go (<title>): ``{{ t|tekst }}``.
    # A config field whose default is a catalogue text (N_) goes through ``|toon``.
    env.filters["tekst"] = plain
    env.filters["toon"] = tonen
    return env


def plain(value: Any) -> str:
    """A gemeente text as plain text in the current language; any other value as it is."""
    return value.lokaal() if isinstance(value, Tekst) else str(value)


def render(
    env: Environment, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return HTMLResponse(env.get_template(template).render(context), status_code=status_code)
