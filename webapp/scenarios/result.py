"""What a scenario run found: every page with its screenshot and axe result, and the failures."""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.evidence.model import AxeRule


@dataclass
class PageVisit:
    """One page the runner saw (a step, its error state, the login or an end page)."""

    label: str  # "stap 6: documenten", "inloggen", "bevestiging"
    url: str
    title: str
    text: str  # the main text, for the texts to find and the failure excerpts
    screenshot: bytes
    expected: str
    found: str
    answer: str = ""  # what the runner entered on this page
    errors: list[str] = field(default_factory=list)  # error messages the page showed
    violations: list[AxeRule] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.expected == self.found and not self.violations


@dataclass
class Failure:
    where: str  # "stap 6 (documenten)"
    message: str
    page_text: str = ""  # the first ~300 characters of what the page showed
    screenshot: bytes | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        if self.page_text:
            text += f"\n  de pagina toonde: {self.page_text}"
        return text


@dataclass
class ScenarioResult:
    gemeente: str
    naam: str
    pages: list[PageVisit] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    outcome: str | None = None  # "verstuurd" or "gestopt"
    reference: str | None = None
    resumed: bool = False  # an unfinished report of this person was open: started over
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def steps(self) -> int:
        return len(self.path)
