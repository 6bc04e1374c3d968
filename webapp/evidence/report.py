"""The evidence as an auditor reads it: one self-contained HTML file and the same data as JSON.

The HTML is rendered from ``templates/report.html`` (Jinja, autoescaped); this module prepares
the data it shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Template

from webapp.evidence import assets
from webapp.evidence.model import FAIL, MANUAL, PASS, REVIEW, Evidence, State
from webapp.evidence.wcag import BY_SC, CHECKS, CRITERIA, sort_key

OUTCOME_NL = {
    PASS: "Geen fouten gevonden (automatisch)",
    FAIL: "Voldoet niet",
    REVIEW: "Te beoordelen",
    MANUAL: "Handmatig te testen",
}
KIND_NL = {
    "start": "startpagina",
    "login": "inloggen",
    "login-error": "foutmelding",
    "step": "stap",
    "error": "foutmelding",
    "lookup": "na htmx-swap",
    "stop": "eindpagina",
    "confirmation": "bevestiging",
    "expired": "sessie verlopen",
    "dialog": "dialoog",
    "other": "overig",
}


@dataclass
class Finding:
    """Where a criterion failed or needs review: the state, viewport and what said so."""

    state: str
    viewport: str
    source: str  # "axe color-contrast" or "check A6"
    detail: str


@dataclass
class CriterionResult:
    sc: str
    level: str
    nl: str
    en: str
    outcome: str  # PASS, FAIL, REVIEW or MANUAL
    sources: list[str] = field(default_factory=list)  # axe rules and checks that covered it
    failures: list[Finding] = field(default_factory=list)
    reviews: list[Finding] = field(default_factory=list)

    @property
    def failed_states(self) -> list[str]:
        return sorted({f.state for f in self.failures})

    @property
    def shown_states(self) -> list[str]:
        """The states the report names: those to review for "review", else the failed ones."""
        if self.outcome == REVIEW:
            return sorted({f.state for f in self.reviews})
        return self.failed_states


def criteria_results(evidence: Evidence) -> list[CriterionResult]:
    """Every WCAG 2.2 A/AA criterion with its outcome over all states and viewports.

    Fail if any axe violation or machine check failed for it; otherwise "review" if axe could
    not decide (incomplete) or a check asks for a person; otherwise "pass" if any automated test
    covered it; otherwise "manual". Criteria outside the 2.2 A/AA list (such as 4.1.1, obsolete)
    are added at the end when an axe rule names them.
    """
    results = {c.sc: CriterionResult(c.sc, c.level, c.nl, c.en, MANUAL) for c in CRITERIA}

    def entry(sc: str) -> CriterionResult:
        if sc not in results:
            results[sc] = CriterionResult(sc, "?", "", "(niet in WCAG 2.2 A/AA)", MANUAL)
        return results[sc]

    def covered(sc: str, source: str) -> CriterionResult:
        r = entry(sc)
        if source not in r.sources:
            r.sources.append(source)
        return r

    for state in evidence.states:
        for vp in state.viewports:
            for rule in vp.axe.passes:
                for sc in rule.criteria:
                    covered(sc, f"axe {rule.id}")
            for rule in vp.axe.violations:
                for sc in rule.criteria:
                    targets = ", ".join(n.target for n in rule.nodes[:3])
                    covered(sc, f"axe {rule.id}").failures.append(
                        Finding(state.id, vp.label, f"axe {rule.id}", f"{rule.help}: {targets}")
                    )
            for rule in vp.axe.incomplete:
                for sc in rule.criteria:
                    targets = ", ".join(n.target for n in rule.nodes[:3])
                    covered(sc, f"axe {rule.id}").reviews.append(
                        Finding(state.id, vp.label, f"axe {rule.id}", f"{rule.help}: {targets}")
                    )
            for chk in vp.checks:
                for sc in chk.criteria:
                    r = covered(sc, f"controle {chk.id}")
                    finding = Finding(state.id, vp.label, f"controle {chk.id}", chk.evidence)
                    if chk.outcome == FAIL:
                        r.failures.append(finding)
                    elif chk.outcome == REVIEW:
                        r.reviews.append(finding)

    for r in results.values():
        if r.failures:
            r.outcome = FAIL
        elif r.reviews:
            r.outcome = REVIEW
        elif r.sources:
            r.outcome = PASS
        r.sources.sort()
    return sorted(results.values(), key=lambda r: sort_key(r.sc))


def summary(evidence: Evidence, results: list[CriterionResult]) -> dict[str, Any]:
    present = [s for s in evidence.states if s.present]
    counts = {k: sum(1 for r in results if r.outcome == k) for k in (PASS, FAIL, REVIEW, MANUAL)}
    return {
        "states": len(present),
        "states_not_present": len(evidence.states) - len(present),
        "viewports_tested": sum(len(s.viewports) for s in present),
        "axe_violations": len(evidence.violations()),
        "axe_violation_nodes": sum(len(r.nodes) for _, _, r in evidence.violations()),
        "failed_checks": len(evidence.failed_checks()),
        "incomplete": len(evidence.incomplete()),
        "best_practice_violations": len(evidence.best_practice_violations()),
        "criteria": counts,
    }


def report_data(evidence: Evidence) -> dict[str, Any]:
    """Everything the HTML shows, as plain data (the JSON file)."""
    results = criteria_results(evidence)
    return {
        "report": "toegankelijkheid",
        "standard": "WCAG 2.2 niveau A en AA",
        "summary": summary(evidence, results),
        "evidence": evidence.to_dict(),
        "criteria": [
            {
                "sc": r.sc,
                "level": r.level,
                "name_nl": r.nl,
                "name_en": r.en,
                "outcome": r.outcome,
                "sources": r.sources,
                "failed_states": r.failed_states,
                "failures": [f.__dict__ for f in r.failures],
                "reviews": [f.__dict__ for f in r.reviews],
            }
            for r in results
        ],
        "checks": {c.id: {"title": c.title, "criteria": list(c.criteria)} for c in CHECKS.values()},
        "manual": [r.sc for r in results if r.outcome == MANUAL],
    }


def write_json(evidence: Evidence, path: Path) -> Path:
    path.write_text(
        json.dumps(report_data(evidence), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return path


# -- HTML -------------------------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class StateRow:
    """A state as the table of states shows it: failures and reviews over its viewports."""

    state: State
    fails: int
    reviews: int
    widths: str


@dataclass
class BestPracticeGroup:
    rule: str
    help: str
    states: list[str]


def _state_rows(evidence: Evidence) -> list[StateRow]:
    rows = []
    for state in evidence.states:
        if not state.present:
            rows.append(StateRow(state, 0, 0, "-"))
            continue
        fails = sum(
            len(v.axe.violations) + sum(ch.failed for ch in v.checks) for v in state.viewports
        )
        reviews = sum(len(v.axe.incomplete) for v in state.viewports)
        rows.append(StateRow(state, fails, reviews, ", ".join(v.label for v in state.viewports)))
    return rows


def _best_practice(evidence: Evidence) -> list[BestPracticeGroup]:
    grouped: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for state, _vp, rule in evidence.best_practice_violations():
        grouped.setdefault(rule.id, []).append(state.id)
        helps[rule.id] = rule.help
    return [BestPracticeGroup(rid, helps[rid], states) for rid, states in sorted(grouped.items())]


@cache
def _template() -> Template:
    return assets.make_environment(TEMPLATES).get_template("report.html")


def render_html(evidence: Evidence) -> str:
    results = criteria_results(evidence)
    return _template().render(
        evidence=evidence,
        summary=summary(evidence, results),
        results=results,
        states=_state_rows(evidence),
        violations=evidence.violations(),
        failed=evidence.failed_checks(),
        incomplete=evidence.incomplete(),
        best_practice=_best_practice(evidence),
        manual=[r for r in results if r.outcome == MANUAL],
        checks=CHECKS,
        by_sc=BY_SC,
        outcome_nl=OUTCOME_NL,
        kind_nl=KIND_NL,
        PASS=PASS,
        FAIL=FAIL,
        REVIEW=REVIEW,
        MANUAL=MANUAL,
    )


def write_html(evidence: Evidence, path: Path) -> Path:
    path.write_text(render_html(evidence), encoding="utf-8")
    return path


def write_reports(evidence: Evidence, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"{evidence.slug}-toegankelijkheid"
    return (
        write_html(evidence, out_dir / f"{base}.html"),
        write_json(evidence, out_dir / f"{base}.json"),
    )
