"""The served CSS: built from the vendored NL Design System packages, current, complete per theme."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR, GEMEENTEN
from webapp.config.loader import ConfigError, load_text
from webapp.themes import BASE, THEMES

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
BUILD = ROOT / "scripts" / "build_css.py"

# What the pages rely on in every theme (ACCESSIBILITY.md "Theming"): text, link and error
# colours, the focus outline, form control borders, radio and checkbox sizes, the primary button.
# Alternatives in the order the component CSS falls back (var(--a, var(--b))).
REQUIRED_TOKENS = [
    ("--utrecht-document-color",),
    ("--utrecht-document-background-color",),
    ("--utrecht-document-font-family",),
    ("--utrecht-link-color",),
    ("--utrecht-focus-outline-color",),
    ("--utrecht-focus-outline-style",),
    ("--utrecht-focus-outline-width",),
    ("--utrecht-form-field-error-message-color",),
    ("--utrecht-form-label-color",),
    ("--utrecht-textbox-border-color", "--utrecht-form-control-border-color"),
    ("--utrecht-textbox-border-width", "--utrecht-form-control-border-width"),
    ("--utrecht-radio-button-size",),
    ("--utrecht-radio-button-border-color",),
    ("--utrecht-checkbox-size",),
    ("--utrecht-checkbox-border-color",),
    ("--utrecht-button-primary-action-background-color",),
    ("--utrecht-button-primary-action-color",),
    ("--utrecht-heading-1-font-size",),
]


def load_build():
    spec = importlib.util.spec_from_file_location("build_css", BUILD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return load_build()


def theme_layers(name: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, custom properties) per block of a built theme file."""
    text = (STATIC / "themes" / f"{name}.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [
        (selector.strip(), dict(re.findall(r"(--[\w-]+):\s*([^;]+);", body)))
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text)
    ]


def resolve(name: str, tokens: dict[str, str], depth: int = 0) -> str:
    """The value of a custom property with every var() replaced, as the browser would."""
    assert depth < 30, f"cycle at {name}"
    value = tokens[name]

    def sub(match: re.Match[str]) -> str:
        ref, fallback = match.group(1), match.group(2)
        if ref in tokens:
            return resolve(ref, tokens, depth + 1)
        assert fallback, f"{name} refers to {ref}, which the theme does not set"
        return fallback.strip()

    while "var(" in value:
        value = re.sub(r"var\(\s*(--[\w-]+)\s*(?:,([^()]*))?\)", sub, value)
    return value


def test_committed_css_equals_a_fresh_build(build):
    """Run `.venv/bin/python scripts/build_css.py` after changing templates, app.css or themes."""
    for path, text in build.build().items():
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: run scripts/build_css.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run .venv/bin/python scripts/build_css.py"
        )


def test_every_known_theme_has_its_file_and_nothing_else_is_built():
    built = {p.stem for p in (STATIC / "themes").glob("*.css")}
    assert built == set(THEMES)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_theme_is_only_custom_properties_on_its_body_classes(name):
    layers = theme_layers(name)
    assert [selector for selector, _ in layers] == [f".{c}" for c in THEMES[name].body_classes]
    text = re.sub(r"/\*.*?\*/", "", (STATIC / "themes" / f"{name}.css").read_text(), flags=re.S)
    for declaration in re.findall(r"\{([^{}]*)\}", text):
        for part in filter(str.strip, declaration.split(";")):
            assert part.strip().startswith("--"), f"{name}: not a custom property: {part.strip()}"


@pytest.mark.parametrize("name", sorted(THEMES))
def test_theme_sets_the_tokens_the_pages_rely_on(name):
    tokens: dict[str, str] = {}
    for _, layer in theme_layers(name):
        tokens.update(layer)  # later blocks win: the gemeente's tokens on top of the base
    missing = [alts for alts in REQUIRED_TOKENS if not any(t in tokens for t in alts)]
    assert not missing, f"theme {name} does not set {missing}"
    values = {
        alts[0]: resolve(next(t for t in alts if t in tokens), tokens) for alts in REQUIRED_TOKENS
    }
    assert values["--utrecht-focus-outline-style"] not in ("none", "hidden")
    width = re.fullmatch(r"([\d.]+)(px|rem)", values["--utrecht-focus-outline-width"])
    assert width and float(width.group(1)) > 0, values["--utrecht-focus-outline-width"]
    for size in ("--utrecht-radio-button-size", "--utrecht-checkbox-size"):
        # The component CSS has a 24px minimum as well; the token must not be absurd either.
        assert re.fullmatch(r"[\d.]+(px|rem|em)", values[size]), (size, values[size])


@pytest.mark.parametrize("name", sorted(THEMES))
def test_theme_leaves_no_token_pointing_at_nothing(name):
    tokens: dict[str, str] = {}
    for _, layer in theme_layers(name):
        tokens.update(layer)
    for token in tokens:
        resolve(token, tokens)


def test_the_base_theme_sets_every_utrecht_token_the_pages_read(build):
    """Set by the voorbeeld tokens or BASE_MAPPING, or knowingly left to the component's fallback."""
    css = (STATIC / "css" / "components.css").read_text(encoding="utf-8")
    unset = set(build.unset(css))
    assert not unset - build.OPTIONAL, (
        f"map these in BASE_MAPPING: {sorted(unset - build.OPTIONAL)}"
    )
    assert not build.OPTIONAL - unset, f"no longer unset: {sorted(build.OPTIONAL - unset)}"


def test_components_css_holds_only_used_utrecht_components(build):
    css = (STATIC / "css" / "components.css").read_text(encoding="utf-8")
    used = build.used_classes()
    library_part = css.split("/* static/css/app.css */")[0]
    shipped = set(re.findall(r"\.(utrecht-[\w-]+)", re.sub(r":not\([^()]*\)", "", library_part)))
    assert shipped <= used, f"shipped but not used: {sorted(shipped - used)}"
    library = (STATIC / "vendor" / "utrecht-component-library-css" / "index.css").read_text()
    known = set(re.findall(r"\.(utrecht-[\w-]+)", library))
    themes = {c for t in THEMES.values() for c in t.body_classes}
    # A block or element named only through its modifiers (utrecht-x__y next to utrecht-x__y--z).
    unknown = {c for c in used - known - themes if not any(k.startswith(c + "--") for k in known)}
    assert not unknown, f"templates use classes the library does not have: {unknown}"


def test_templates_have_no_inline_styles_or_scripts():
    """The Content-Security-Policy allows style-src 'self' and script-src 'self' only."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        assert not re.search(r"\sstyle=", text), f"{where}: inline style attribute"
        assert "<style" not in text, f"{where}: <style> element"
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), f"{where}: inline script"
        assert not re.search(r"\son[a-z]+=", text), f"{where}: inline event handler"


def test_each_page_links_its_theme_and_sets_the_theme_classes(client):
    for slug in GEMEENTEN:
        page = client.get(f"/{slug}/").text
        thema = load_text(
            (CONFIG_DIR / f"{slug}.yaml").read_text(encoding="utf-8"), slug, f"{slug}.yaml"
        ).thema
        theme = THEMES[thema]
        # By their content-hashed names (webapp.web.assets), cached for a year.
        assert re.search(rf'<link rel="stylesheet" href="{hashed(theme.css)}">', page)
        assert re.search(
            rf'<link rel="stylesheet" href="{hashed("/static/css/components.css")}">', page
        )
        body = re.search(r'<body class="([^"]+)"', page)
        assert body, slug
        classes = body.group(1).split()
        assert set(theme.body_classes) <= set(classes), (slug, classes)
        assert f"theme-{thema}" in classes
    index = client.get("/").text
    assert re.search(
        rf'<link rel="stylesheet" href="{hashed("/static/themes/neutraal.css")}">', index
    )
    assert f'class="utrecht-document utrecht-document--surface {BASE.body_class} ' in index
    for theme in THEMES.values():
        assert client.get(theme.css).status_code == 200


def test_unknown_thema_is_refused_with_file_and_line():
    text = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
    assert "\nthema: neutraal" in text
    text = text.replace("\nthema: neutraal", "\nthema: amsterdam")
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    [problem] = info.value.problems
    assert problem.path == "thema"
    assert problem.line == next(
        i for i, line in enumerate(text.splitlines(), 1) if line.startswith("thema:")
    )
    assert problem.message == ("onbekend thema 'amsterdam'; bekend zijn: den-haag, neutraal")


def test_vendored_files_match_the_readme():
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme, re.M)
    assert (
        len(rows) >= 8
    )  # htmx, component CSS, voorbeeld and Den Haag tokens, each with its licence
    listed = set()
    for name, digest in rows:
        path = STATIC / "vendor" / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name
        listed.add(path)
    on_disk = {p for p in (STATIC / "vendor").rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == listed, f"not in README: {sorted(map(str, on_disk - listed))}"


def test_a_state_takes_text_and_background_from_one_source(build):
    """When a gemeente sets a state's background but not its text colour, the base's text
    colour for that state (meant for the base's background) is left out, so the component
    falls back to its colour outside the state; the default state keeps the base's half."""
    base = {
        "--utrecht-button-primary-action-focus-color": "#0b0c0c",
        "--utrecht-button-primary-action-color": "#ffffff",
        "--utrecht-button-primary-action-hover-background-color": "#eeeeee",
        "--utrecht-link-focus-border-color": "#000000",
    }
    own = {
        "--utrecht-button-primary-action-focus-background-color": "#1e6c3a",
        "--utrecht-button-primary-action-background-color": "#238a46",
        "--utrecht-button-primary-action-hover-color": "#ffffff",
        "--utrecht-link-focus-background-color": "#ffdd00",
    }
    kept = build.beneath(base, own, "")
    assert "--utrecht-button-primary-action-focus-color" not in kept  # the pair's other half
    assert "--utrecht-button-primary-action-hover-background-color" not in kept
    assert kept["--utrecht-button-primary-action-color"] == "#ffffff"  # default state stays
    assert kept["--utrecht-link-focus-border-color"] == "#000000"  # a border is no pair


def hashed(url: str) -> str:
    """A pattern for ``url`` with a content hash before its extension."""
    stem, _dot, suffix = url.rpartition(".")
    return rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.{re.escape(suffix)}"
