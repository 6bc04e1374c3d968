"""Where the product's own files are: templates, static files, default configuration, test data.

Found relative to the package, so the same code serves from a checkout (``templates/`` beside
``webapp/``) and from an installed wheel, where the build puts them inside the package
(``webapp/templates``, ``webapp/static``, ``webapp/gemeenten``; see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    inside = PACKAGE / installed
    return inside if inside.is_dir() else PACKAGE.parent / checkout


TEMPLATES = _find("templates", "templates")
STATIC = _find("static", "static")
DEFAULT_CONFIG_DIR = _find("gemeenten", "config/gemeenten")
DEFAULT_TESTDATA_DIR = PACKAGE / "registers" / "testdata"
