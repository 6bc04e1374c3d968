"""The evidence of one run: every state tested, per viewport the axe results and machine checks.

Plain dataclasses, so the JSON report is ``dataclasses.asdict`` and the unit tests can fabricate
results without a browser.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PASS = "pass"
FAIL = "fail"
REVIEW = "review"  # a person must judge it (axe "incomplete", or a check that cannot decide)
MANUAL = "manual"  # no automated check covers the criterion
NOT_PRESENT = "not present"


@dataclass
class Check:
    """One machine check (ACCESSIBILITY.md row) on one state at one viewport."""

    id: str  # "A1"
    outcome: str  # PASS, FAIL or REVIEW
    evidence: str
    criteria: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome == FAIL


@dataclass
class AxeNode:
    target: str
    html: str
    summary: str = ""


@dataclass
class AxeRule:
    """A rule of an axe run with the nodes it flagged (passes keep only the node count)."""

    id: str
    impact: str | None
    help: str
    help_url: str
    tags: list[str]
    criteria: list[str]
    nodes: list[AxeNode] = field(default_factory=list)
    node_count: int = 0


@dataclass
class AxeRun:
    violations: list[AxeRule] = field(default_factory=list)
    incomplete: list[AxeRule] = field(default_factory=list)
    passes: list[AxeRule] = field(default_factory=list)
    inapplicable: list[str] = field(default_factory=list)


@dataclass
class ViewportResult:
    width: int
    height: int
    axe: AxeRun
    best_practice: AxeRun | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.width}px"


@dataclass
class State:
    """A page in a given state: a step untouched, after an error, after an htmx swap, a dialog."""

    id: str  # "stap-2-verhuisdatum-fout"
    label: str  # Dutch description for the auditor
    kind: str  # start, login, step, error, lookup, stop, confirmation, expired, dialog, other
    url: str = ""
    title: str = ""
    step_id: str | None = None
    step_type: str | None = None
    present: bool = True
    note: str = ""
    viewports: list[ViewportResult] = field(default_factory=list)


@dataclass
class Tools:
    axe_version: str
    axe_sha256: str
    browser: str
    browser_version: str
    playwright_version: str


@dataclass
class Evidence:
    slug: str
    gemeente: str
    config_version: str
    theme: str
    base_url: str
    date: str  # ISO 8601, UTC
    tools: Tools
    states: list[State] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    # -- findings, flat -------------------------------------------------------------------

    def violations(self) -> list[tuple[State, ViewportResult, AxeRule]]:
        return [(s, v, rule) for s in self.states for v in s.viewports for rule in v.axe.violations]

    def incomplete(self) -> list[tuple[State, ViewportResult, AxeRule]]:
        return [(s, v, rule) for s in self.states for v in s.viewports for rule in v.axe.incomplete]

    def failed_checks(self) -> list[tuple[State, ViewportResult, Check]]:
        return [(s, v, c) for s in self.states for v in s.viewports for c in v.checks if c.failed]

    def best_practice_violations(self) -> list[tuple[State, ViewportResult, AxeRule]]:
        return [
            (s, v, rule)
            for s in self.states
            for v in s.viewports
            if v.best_practice is not None
            for rule in v.best_practice.violations
        ]


@dataclass
class EvidenceResult:
    """What ``run_evidence`` returns: the evidence and the two files written."""

    evidence: Evidence
    html_path: Path
    json_path: Path

    @property
    def ok(self) -> bool:
        """No axe violation and no failed machine check (incomplete items still need review)."""
        return not self.evidence.violations() and not self.evidence.failed_checks()
