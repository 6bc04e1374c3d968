"""Build the served CSS from the vendored NL Design System packages (no Node needed).

    .venv/bin/python scripts/build_css.py           # write the files
    .venv/bin/python scripts/build_css.py --check   # exit 1 when a committed file is stale

Writes
- ``static/css/components.css``: the rules of the Utrecht component library
  (static/vendor/utrecht-component-library-css/index.css) whose classes the templates use, then
  our own layout rules (static/css/app.css). A rule stays when one of its selectors names only
  ``utrecht-*`` classes that occur in templates/** (classes inside ``:not()`` do not count).
- ``static/themes/<thema>.css`` per theme in webapp/themes.py: only custom properties. The base
  (voorbeeld tokens plus BASE_MAPPING) on ``.voorbeeld-theme``, the gemeente's own tokens on its
  class, both limited to the properties components.css reads, directly or through other tokens.

tests/test_static.py checks that the committed files equal a fresh build.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp.themes import BASE, THEMES, TokenSource  # noqa: E402

STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"
TEMPLATES = ROOT / "templates"
LIBRARY = VENDOR / "utrecht-component-library-css" / "index.css"
APP_CSS = STATIC / "css" / "app.css"
COMPONENTS_CSS = STATIC / "css" / "components.css"
THEMES_DIR = STATIC / "themes"

# --utrecht-* properties the pages read that the voorbeeld tokens (7.4.1) leave unset, mapped to
# voorbeeld's own basis tokens so that the base theme is complete. A gemeente's tokens override.
BASE_MAPPING: dict[str, str] = {
    "--utrecht-document-color": "var(--basis-color-default-color-document)",
    "--utrecht-document-background-color": "var(--basis-color-default-bg-document)",
    "--utrecht-document-font-family": "var(--basis-text-font-family-default)",
    "--utrecht-document-font-size": "var(--basis-text-font-size-md)",
    "--utrecht-document-font-weight": "var(--basis-text-font-weight-default)",
    "--utrecht-document-line-height": "var(--basis-text-line-height-md)",
    "--utrecht-focus-outline-color": "var(--basis-focus-outline-color)",
    "--utrecht-focus-outline-offset": "var(--basis-focus-outline-offset)",
    "--utrecht-focus-outline-style": "var(--basis-focus-outline-style)",
    "--utrecht-focus-outline-width": "var(--basis-focus-outline-width)",
    "--utrecht-focus-inverse-outline-color": "var(--basis-focus-inverse-outline-color)",
    "--utrecht-pointer-target-min-size": "var(--basis-pointer-target-min-block-size)",
    "--utrecht-feedback-danger-color": "var(--basis-color-negative-color-default)",
    "--utrecht-feedback-invalid-color": "var(--basis-color-negative-color-default)",
    "--utrecht-feedback-safe-color": "var(--basis-color-positive-color-default)",
    "--utrecht-feedback-valid-color": "var(--basis-color-positive-color-default)",
    "--utrecht-feedback-warning-color": "var(--basis-color-warning-color-default)",
    "--utrecht-form-control-background-color": "var(--basis-form-control-background-color)",
    "--utrecht-form-control-border-color": "var(--basis-form-control-border-color)",
    "--utrecht-form-control-border-radius": "var(--basis-form-control-border-radius)",
    "--utrecht-form-control-border-width": "var(--basis-border-width-md)",
    "--utrecht-form-control-color": "var(--basis-form-control-color)",
    "--utrecht-form-control-focus-background-color": "var(--basis-form-control-focus-background-color)",
    "--utrecht-form-control-focus-border-color": "var(--basis-form-control-focus-border-color)",
    "--utrecht-form-control-focus-color": "var(--basis-form-control-focus-color)",
    "--utrecht-form-control-font-family": "var(--basis-form-control-font-family)",
    "--utrecht-form-control-font-size": "var(--basis-form-control-font-size)",
    "--utrecht-form-control-font-weight": "var(--basis-form-control-font-weight)",
    "--utrecht-form-control-invalid-background-color": "var(--basis-form-control-background-color)",
    "--utrecht-form-control-invalid-border-color": "var(--basis-form-control-invalid-border-color)",
    "--utrecht-form-control-invalid-border-width": "var(--basis-form-control-invalid-border-width)",
    "--utrecht-form-control-invalid-color": "var(--basis-form-control-color)",
    "--utrecht-form-control-line-height": "var(--basis-form-control-line-height)",
    "--utrecht-form-control-max-inline-size": "var(--basis-form-control-max-inline-size)",
    "--utrecht-form-control-padding-block-end": "var(--basis-form-control-padding-block-end)",
    "--utrecht-form-control-padding-block-start": "var(--basis-form-control-padding-block-start)",
    "--utrecht-form-control-padding-inline-end": "var(--basis-form-control-padding-inline-end)",
    "--utrecht-form-control-padding-inline-start": "var(--basis-form-control-padding-inline-start)",
    "--utrecht-form-control-placeholder-color": "var(--basis-form-control-placeholder-color)",
    "--utrecht-form-fieldset-legend-color": "var(--basis-color-default-color-document)",
    "--utrecht-form-fieldset-legend-font-family": "var(--basis-text-font-family-default)",
    "--utrecht-form-fieldset-legend-font-size": "var(--basis-text-font-size-md)",
    "--utrecht-form-fieldset-legend-font-weight": "var(--basis-text-font-weight-bold)",
    "--utrecht-form-fieldset-legend-line-height": "var(--basis-text-line-height-md)",
    "--utrecht-heading-font-family": "var(--basis-heading-font-family)",
    "--utrecht-heading-font-weight": "var(--basis-heading-font-weight)",
    "--utrecht-data-list-item-key-font-weight": "var(--basis-text-font-weight-bold)",
    "--utrecht-data-list-rows-border-bottom-color": "var(--basis-color-default-border-subtle)",
    "--utrecht-data-list-rows-border-bottom-width": "var(--basis-border-width-sm)",
    "--utrecht-data-list-rows-gap": "var(--basis-space-column-xl)",
    "--utrecht-data-list-rows-item-padding-block-end": "var(--basis-space-block-lg)",
    "--utrecht-data-list-rows-item-padding-block-start": "var(--basis-space-block-lg)",
    "--utrecht-page-body-content-padding-inline-start": "var(--basis-space-inline-4xl)",
    "--utrecht-page-body-content-padding-inline-end": "var(--basis-space-inline-4xl)",
    "--utrecht-action-activate-cursor": "pointer",
    "--utrecht-action-submit-cursor": "pointer",
    "--utrecht-action-navigate-cursor": "pointer",
    "--utrecht-action-disabled-cursor": "not-allowed",
    "--utrecht-layer-focus-z-index": "10",
    "--utrecht-select-background-image": (
        "url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E"
        "%3Cpath d='M6 9l6 6 6-6' fill='none' stroke='%23000' stroke-width='2'/%3E%3C/svg%3E\")"
    ),
    "--utrecht-page-header-border-block-end-color": "var(--basis-color-default-border-subtle)",
    "--utrecht-page-header-border-block-end-width": "var(--basis-border-width-sm)",
}


# --utrecht-* properties the component CSS reads that the base leaves unset on purpose: the
# component then uses its fallback (another token, or inherit / initial: no extra border, margin
# or padding, normal font style). Everything else the pages read is set by the base theme;
# tests/test_static.py fails when the two lists drift apart.
OPTIONAL: frozenset[str] = frozenset(
    "--utrecht-" + name
    for name in """
    alert-error-border-width alert-info-border-width alert-ok-border-width
    alert-warning-border-width
    button-border-bottom-color button-border-bottom-width button-focus-scale button-hover-scale
    button-icon-gap button-inline-size button-justify-content button-max-inline-size
    button-primary-action-border-width button-secondary-action-border-width
    button-text-transform
    checkbox-active-color checkbox-color checkbox-disabled-border-width
    checkbox-margin-block-start checkbox-margin-inline-end
    data-list-item-key-color data-list-item-key-font-size data-list-item-key-line-height
    data-list-item-value-color data-list-item-value-font-size data-list-item-value-font-weight
    data-list-item-value-line-height data-list-margin-block-end data-list-margin-block-start
    data-list-rows-column-inline-size data-list-rows-column-min-inline-size
    data-list-rows-item-margin-block-start data-list-rows-item-value-margin-block-start
    form-control-border-bottom-width form-control-disabled-background-color
    form-control-hover-background-color form-control-hover-border-color form-control-hover-color
    form-control-disabled-border-color form-control-disabled-color
    form-control-invalid-border-bottom-width form-control-placeholder-font-style
    form-control-read-only-background-color form-control-read-only-border-color
    form-control-read-only-color
    form-field-description-font-style form-field-error-message-font-style
    form-field-label-margin-block-end
    form-fieldset-invalid-border-inline-start-color form-fieldset-invalid-border-inline-start-width
    form-fieldset-invalid-padding-inline-start form-fieldset-margin-block-end
    form-fieldset-margin-block-start
    heading-color link-focus-text-decoration link-focus-text-decoration-thickness
    page-body-content-background-color page-body-content-color
    page-footer-background-image page-footer-content-background-color page-footer-content-color
    page-footer-padding-block-end page-footer-padding-block-start
    page-footer-padding-inline-end page-footer-padding-inline-start
    page-header-content-background-color page-header-content-color
    page-header-padding-block-end page-header-padding-block-start
    page-padding-inline-end page-padding-inline-start
    ordered-list-margin-block-end ordered-list-margin-block-start
    paragraph-margin-block-end paragraph-margin-block-start
    radio-button-disabled-border-width radio-button-margin-inline-end
    skip-link-focus-text-decoration skip-link-z-index stack-focus-z-index
    textbox-autocomplete-ui-size textbox-border-bottom-width textbox-invalid-border-bottom-width
    unordered-list-margin-block-end unordered-list-margin-block-start
    table-border-color table-border-width table-caption-text-align table-cell-icon-size
    table-cell-line-height table-header-cell-color table-header-cell-font-size
    table-header-cell-text-transform table-header-font-weight table-header-text-transform
    table-row-padding-inline-end table-row-padding-inline-start
    space-around textbox-value-max-length
    """.split()  # noqa: SIM905 (a word list reads better than 82 quoted strings)
)

# -- a small CSS reader: enough for the compiled, nesting-free CSS of the packages -------------


@dataclass
class Rule:
    selector: str
    declarations: list[tuple[str, str]]


@dataclass
class Block:
    """An at-rule with rules inside (@media, @supports, @container) or without (@keyframes)."""

    prelude: str
    children: list[Rule | Block] = field(default_factory=list)
    raw: str | None = None  # the body of an at-rule we do not look into


def _strip_comments(css: str) -> str:
    out, i = [], 0
    while i < len(css):
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = len(css) if end < 0 else end + 2
            continue
        if css[i] in "\"'":
            quote, j = css[i], i + 1
            while j < len(css) and css[j] != quote:
                j += 2 if css[j] == "\\" else 1
            out.append(css[i : j + 1])
            i = j + 1
            continue
        out.append(css[i])
        i += 1
    return "".join(out)


def _scan(text: str, stops: str, i: int) -> int:
    """Index of the first character in ``stops`` at depth 0, outside strings."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and c in stops:
            return i
        i += 1
    return i


def _split(text: str, sep: str) -> list[str]:
    parts, start = [], 0
    while start <= len(text):
        end = _scan(text, sep, start)
        parts.append(text[start:end])
        start = end + 1
    return [p.strip() for p in parts if p.strip()]


def _squash(text: str) -> str:
    """Collapse whitespace outside strings."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = text.find(c, i + 1)
            j = len(text) - 1 if j < 0 else j
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if c.isspace():
            while i < len(text) and text[i].isspace():
                i += 1
            out.append(" ")
            continue
        out.append(c)
        i += 1
    return "".join(out).strip()


def _declarations(body: str) -> list[tuple[str, str]]:
    result = []
    for part in _split(body, ";"):
        name, _, value = part.partition(":")
        result.append((name.strip(), _squash(value)))
    return result


def parse(css: str) -> list[Rule | Block]:
    text = _strip_comments(css)
    nodes, _ = _parse_block(text, 0)
    return nodes


def _parse_block(text: str, i: int) -> tuple[list[Rule | Block], int]:
    nodes: list[Rule | Block] = []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] == "}":
            return nodes, i + 1
        end = _scan(text, "{;}", i)
        prelude = _squash(text[i:end])
        if end >= len(text) or text[end] in ";}":
            i = end + 1  # an at-statement such as @charset: dropped
            continue
        if prelude.startswith(("@media", "@supports", "@container", "@layer")):
            children, i = _parse_block(text, end + 1)
            nodes.append(Block(prelude, children))
        elif prelude.startswith("@"):
            close = _matching_brace(text, end)
            nodes.append(Block(prelude, raw=text[end + 1 : close]))
            i = close + 1
        else:
            close = _scan(text, "}", end + 1)
            nodes.append(Rule(prelude, _declarations(text[end + 1 : close])))
            i = close + 1


def _matching_brace(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text)


def serialize(nodes: list[Rule | Block], indent: str = "") -> str:
    lines = []
    for node in nodes:
        if isinstance(node, Rule):
            body = ";".join(f"{n}:{v}" for n, v in node.declarations)
            lines.append(f"{indent}{node.selector}{{{body}}}")
        elif node.raw is not None:
            lines.append(f"{indent}{node.prelude}{{{_squash(node.raw)}}}")
        else:
            inner = serialize(node.children, indent + "  ")
            lines.append(f"{indent}{node.prelude}{{\n{inner}\n{indent}}}")
    return "\n".join(lines)


# -- components.css ----------------------------------------------------------------------------

CLASS = re.compile(r"\butrecht-[a-z0-9]+(?:(?:-|--|__)[a-z0-9]+)*")
DYNAMIC = re.compile(r"\butrecht-[a-z0-9_-]*(?:-|_)\{\{")


def used_classes(templates: Path = TEMPLATES) -> set[str]:
    classes: set[str] = set()
    for path in sorted(templates.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if DYNAMIC.search(text):
            raise SystemExit(
                f"{path.relative_to(ROOT)}: write utrecht-* class names out in full "
                "(build_css.py keeps only the classes it finds)"
            )
        classes.update(CLASS.findall(text))
    return classes


def _without_not(selector: str) -> str:
    """The selector without the arguments of :not(...), which need not be in use."""
    out, i = [], 0
    while i < len(selector):
        if selector.startswith(":not(", i):
            close = _scan(selector, ")", i + 5)
            i = close + 1
            continue
        out.append(selector[i])
        i += 1
    return "".join(out)


def _selector_used(selector: str, used: set[str]) -> bool:
    classes = set(re.findall(r"\.(utrecht-[a-zA-Z0-9_-]+)", _without_not(selector)))
    return bool(classes) and classes <= used


def shake(nodes: list[Rule | Block], used: set[str]) -> list[Rule | Block]:
    kept: list[Rule | Block] = []
    for node in nodes:
        if isinstance(node, Rule):
            selectors = [s for s in _split(node.selector, ",") if _selector_used(s, used)]
            if selectors:
                kept.append(Rule(", ".join(selectors), node.declarations))
        elif node.raw is None:
            children = shake(node.children, used)
            if children:
                kept.append(Block(node.prelude, children))
        # @keyframes and the like: none of the used components animates.
    return kept


COMPONENTS_HEADER = """\
@charset "UTF-8";
/*
 * eDienst Verhuizen: component CSS. Built by scripts/build_css.py; do not edit, edit
 * static/css/app.css or the templates and run the script.
 * Contains the rules of @utrecht/component-library-css 9.0.4 that the templates use,
 * Copyright (c) 2020-2025 Gemeente Utrecht, Copyright (c) 2020-2025 Frameless B.V.,
 * licensed under the EUPL-1.2 (static/vendor/utrecht-component-library-css/LICENSE.md),
 * followed by static/css/app.css.
 */
"""


def build_components() -> str:
    used = used_classes()
    library = shake(parse(LIBRARY.read_text(encoding="utf-8")), used)
    app = parse(APP_CSS.read_text(encoding="utf-8"))
    return (
        COMPONENTS_HEADER
        + "/* @utrecht/component-library-css 9.0.4 */\n"
        + serialize(library)
        + "\n/* static/css/app.css */\n"
        + serialize(app)
        + "\n"
    )


# -- themes ------------------------------------------------------------------------------------

VAR = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")


def tokens(source: TokenSource) -> dict[str, str]:
    """The custom properties the package sets on its theme class (not inside @media)."""
    result: dict[str, str] = {}
    for node in parse((VENDOR / source.file).read_text(encoding="utf-8")):
        if isinstance(node, Rule) and node.selector == source.selector:
            result.update((n, v) for n, v in node.declarations if n.startswith("--"))
    if not result:
        raise SystemExit(f"{source.file}: no custom properties on {source.selector}")
    return result


def base_tokens() -> dict[str, str]:
    base = tokens(BASE)
    clash = sorted(set(BASE_MAPPING) & set(base))
    if clash:
        raise SystemExit(f"BASE_MAPPING sets what the voorbeeld tokens already set: {clash}")
    return {**base, **BASE_MAPPING}


def needed(css: str, layers: list[dict[str, str]]) -> set[str]:
    """The custom properties ``css`` reads, directly or through the layers' values."""
    todo = set(VAR.findall(css))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        seen.add(name)
        for layer in layers:
            if name in layer:
                todo.update(set(VAR.findall(layer[name])) - seen)
    return seen


def shadows(css: str) -> dict[str, set[str]]:
    """For ``var(--a, var(--b, ...))`` in ``css``: --a shadows --b (and what --b shadows)."""
    direct: dict[str, set[str]] = {}
    for match in re.finditer(
        r"var\(\s*(--[A-Za-z0-9_-]+)(?=\s*,\s*var\(\s*(--[A-Za-z0-9_-]+))", css
    ):
        direct.setdefault(match.group(1), set()).add(match.group(2))
    closure: dict[str, set[str]] = {}
    for name in direct:
        seen: set[str] = set()
        todo = list(direct[name])
        while todo:
            other = todo.pop()
            if other not in seen:
                seen.add(other)
                todo.extend(direct.get(other, ()))
        closure[name] = seen
    return closure


def beneath(base: dict[str, str], own: dict[str, str], css: str) -> dict[str, str]:
    """The base without the tokens that would hide a more general token the gemeente sets.

    Components read ``var(--utrecht-heading-1-color, var(--utrecht-document-color))``: when a
    gemeente sets only the document colour, the base's heading colour must not win over it.
    The base also leaves out what the gemeente sets itself: its value would never be used.
    """
    hidden = shadows(css)
    return {
        name: value
        for name, value in base.items()
        if name not in own
        and not (hidden.get(name, set()) & own.keys())
        and _partner(name) not in own
    }


STATES = ("-focus-", "-hover-", "-active-", "-pressed-", "-disabled-")


def _partner(name: str) -> str | None:
    """The other half of a state's colour pair: text and background of one state (focus,
    hover, ...) come from one source.

    When a gemeente sets ``--utrecht-button-primary-action-focus-background-color`` but not the
    matching ``-focus-color``, the base's focus colour (meant for the base's yellow focus
    background) must not land on the gemeente's background: the component then falls back to
    its colour outside that state, as the gemeente's tokens intend. The default state keeps
    the base's other half (a gemeente may set only its button background).
    """
    if not any(state in name for state in STATES):
        return None
    if name.endswith("-background-color"):
        return name.removesuffix("-background-color") + "-color"
    if name.endswith("-color") and not name.endswith("-border-color"):
        return name.removesuffix("-color") + "-background-color"
    return None


def _block(selector: str, layer: dict[str, str], names: set[str]) -> str:
    body = "".join(f"\n  {n}: {v};" for n, v in layer.items() if n in names)
    return f"{selector} {{{body}\n}}\n"


def build_theme(name: str, components: str) -> str:
    theme = THEMES[name]
    base = base_tokens()
    own = tokens(theme.tokens) if theme.tokens else {}
    base = beneath(base, own, components)
    names = needed(components, [base, own])
    header = [
        "/*",
        f" * eDienst Verhuizen: theme {name!r}. Built by scripts/build_css.py; do not edit.",
        " * Only the custom properties that static/css/components.css reads.",
        " * Base: @nl-design-system-unstable/voorbeeld-design-tokens 7.4.1 (EUPL-1.2),",
        " * completed with scripts/build_css.py BASE_MAPPING.",
    ]
    if theme.tokens:
        header.append(
            f" * On top: static/vendor/{theme.tokens.file} (see static/vendor/README.md)."
        )
    header.append(" */\n")
    out = "\n".join(header) + _block(BASE.selector, base, names)
    if theme.tokens:
        out += _block(theme.tokens.selector, own, names)
    return out


def build() -> dict[Path, str]:
    components = build_components()
    files = {COMPONENTS_CSS: components}
    for name in THEMES:
        files[THEMES_DIR / f"{name}.css"] = build_theme(name, components)
    return files


def unset(components: str) -> list[str]:
    """The --utrecht-* properties components.css reads that the base leaves unset."""
    base = base_tokens()
    return sorted(
        n for n in needed(components, [base]) if n.startswith("--utrecht-") and n not in base
    )


def main(argv: list[str]) -> int:
    files = build()
    if "--unset" in argv:
        print("\n".join(unset(files[COMPONENTS_CSS])))
        return 0
    if "--check" in argv:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    THEMES_DIR.mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
