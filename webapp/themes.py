"""The known NL Design System themes: a gemeente's ``thema`` names one of these.

Each theme is one CSS file with only custom properties, built by ``scripts/build_css.py`` from
the vendored token packages (static/vendor/README.md): the complete base (the NL Design System
``voorbeeld`` tokens, mapped so that every ``--utrecht-*`` property the pages use is set)
underneath, the gemeente's own tokens on top. The tokens apply to the classes on ``<body>``
(``body_classes``, base first); base.html sets them, tests/test_static.py checks it does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenSource:
    """A vendored token file and the class its custom properties are set on."""

    file: str  # below static/vendor/
    selector: str  # e.g. ".rotterdam-theme"

    @property
    def body_class(self) -> str:
        return self.selector.removeprefix(".")


@dataclass(frozen=True)
class Theme:
    name: str
    tokens: TokenSource | None  # the gemeente's own tokens; None: the base alone

    @property
    def css(self) -> str:
        """The URL of the theme's CSS file."""
        return f"/static/themes/{self.name}.css"

    @property
    def body_classes(self) -> tuple[str, ...]:
        own = (self.tokens.body_class,) if self.tokens else ()
        return (BASE.body_class, *own)


BASE = TokenSource("voorbeeld-design-tokens/theme.css", ".voorbeeld-theme")
NEUTRAAL = "neutraal"

THEMES: dict[str, Theme] = {
    theme.name: theme
    for theme in (
        Theme(NEUTRAAL, None),
        # Rotterdam's and Utrecht's token packages are not free to redistribute (their
        # LICENSE files reserve the house style to the gemeente), so they are not vendored
        # here; those gemeenten run on the neutral base until they supply their tokens.
        Theme(
            "den-haag",
            TokenSource("denhaag-design-tokens-components/theme.css", ".denhaag-theme"),
        ),
    )
}


def known() -> list[str]:
    return sorted(THEMES)
