"""The evidence as an auditor reads it: one self-contained HTML file and the same data as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from webapp.evidence.model import FAIL, MANUAL, PASS, REVIEW, Evidence
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

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1a1a1a;margin:0 auto;max-width:72rem;padding:1rem 1.5rem 3rem}
h1{font-size:1.8rem;margin-bottom:.25rem}h2{margin-top:2.5rem;border-bottom:2px solid #1a1a1a}h3{margin-top:1.75rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.95rem}
th,td{border:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}caption{text-align:left;font-weight:700;padding:.25rem 0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
.fail{color:#8a0019;font-weight:700}.pass{color:#005a30;font-weight:700}.review{color:#6b4e00;font-weight:700}.manual{color:#444}
.note{background:#f3f3f3;border-left:5px solid #1d4f91;padding:.5rem 1rem}
dl.scope{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.scope dt{font-weight:700}dl.scope dd{margin:0}
a{color:#0b5394}
@media print{h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _outcome(outcome: str) -> str:
    return f'<span class="{_e(outcome)}">{_e(OUTCOME_NL.get(outcome, outcome))}</span>'


def _table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    """Cells in ``rows`` are HTML already (escaped by the caller)."""
    out = [f"<table><caption>{_e(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_html(evidence: Evidence) -> str:
    results = criteria_results(evidence)
    data = summary(evidence, results)
    tools = evidence.tools
    title = f"Toegankelijkheid (geautomatiseerd onderzoek) - Gemeente {evidence.gemeente}"
    parts: list[str] = [
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        "<p>eDienst Verhuizen: verhuizing doorgeven. Bewijs per gemeenteconfiguratie, "
        "volgens de opzet van een WCAG-EM-rapport.</p>",
    ]

    # Scope
    parts.append('<h2 id="reikwijdte">Reikwijdte</h2><dl class="scope">')
    for term, value in (
        ("Gemeente", f"{evidence.gemeente} ({evidence.slug})"),
        ("Configuratieversie", evidence.config_version),
        ("Thema", evidence.theme),
        ("Onderzochte omgeving", evidence.base_url),
        ("Datum", evidence.date),
        ("Norm", "WCAG 2.2, niveau A en AA (EN 301 549)"),
        (
            "Steekproef",
            "elke stap van de route voor deze configuratie, elke fouttoestand, de htmx-swap "
            "bij het adres, controleren, bevestiging, start, inloggen, eindpagina, sessie "
            "verlopen en de sessiedialoog; elk op 1280 en 320 CSS-pixels breed",
        ),
    ):
        parts.append(f"<dt>{_e(term)}</dt><dd>{_e(value)}</dd>")
    parts.append("</dl>")

    # Summary
    c = data["criteria"]
    parts.append('<h2 id="samenvatting">Samenvatting</h2><ul>')
    parts.append(
        f"<li>{data['states']} toestanden onderzocht in {data['viewports_tested']} weergaven"
        + (
            f"; {data['states_not_present']} toestand(en) niet aanwezig"
            if data["states_not_present"]
            else ""
        )
        + "</li>"
    )
    parts.append(
        f"<li>axe-core: {data['axe_violations']} overtreding(en) "
        f"({data['axe_violation_nodes']} elementen), {data['incomplete']} te beoordelen</li>"
    )
    parts.append(f"<li>Machinale controles: {data['failed_checks']} mislukt</li>")
    parts.append(
        f"<li>Succescriteria: {c[FAIL]} voldoet niet, {c[REVIEW]} te beoordelen, "
        f"{c[PASS]} zonder gevonden fouten, {c[MANUAL]} alleen handmatig te testen</li>"
    )
    parts.append("</ul>")
    parts.append(
        '<p class="note">Een geautomatiseerde test vindt een deel van de problemen. '
        "'Geen fouten gevonden' betekent dat de tests voor dat criterium niets vonden, niet dat "
        "het criterium is voldaan: elk criterium vraagt ook een handmatige beoordeling met "
        "toetsenbord, schermlezer en vergroting.</p>"
    )

    # Tools
    parts.append('<h2 id="hulpmiddelen">Gebruikte hulpmiddelen</h2>')
    parts.append(
        _table(
            "Hulpmiddelen",
            ["Hulpmiddel", "Versie", "Toelichting"],
            [
                [
                    "axe-core",
                    _e(tools.axe_version),
                    "regels met de tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa; "
                    f"best-practice apart gemeld; sha256 <code>{_e(tools.axe_sha256)}</code>",
                ],
                [_e(tools.browser), _e(tools.browser_version), "zonder scherm (headless)"],
                ["Playwright", _e(tools.playwright_version), "bediening van de browser"],
                [
                    "Machinale controles",
                    "eDienst Verhuizen",
                    "ACCESSIBILITY.md A1-A24, zie de lijst onderaan",
                ],
            ],
        )
    )

    # States
    parts.append('<h2 id="toestanden">Onderzochte pagina\'s en toestanden</h2>')
    rows = []
    for i, state in enumerate(evidence.states, 1):
        if not state.present:
            result = f'<span class="manual">niet aanwezig</span>: {_e(state.note)}'
            widths = "-"
        else:
            fails = sum(
                len(v.axe.violations) + sum(ch.failed for ch in v.checks) for v in state.viewports
            )
            reviews = sum(len(v.axe.incomplete) for v in state.viewports)
            result = (
                f'<span class="fail">{fails} fout(en)</span>'
                if fails
                else '<span class="pass">geen fouten gevonden</span>'
            )
            if reviews:
                result += f', <span class="review">{reviews} te beoordelen</span>'
            if state.note:
                result += f"<br>{_e(state.note)}"
            widths = ", ".join(v.label for v in state.viewports)
        rows.append(
            [
                str(i),
                f'<code id="toestand-{_e(state.id)}">{_e(state.id)}</code>',
                _e(state.label),
                _e(KIND_NL.get(state.kind, state.kind)),
                f"<code>{_e(state.url)}</code><br>{_e(state.title)}",
                _e(widths),
                result,
            ]
        )
    parts.append(
        _table(
            "Toestanden",
            ["#", "Toestand", "Beschrijving", "Soort", "URL en titel", "Breedte", "Resultaat"],
            rows,
        )
    )

    # Per criterion
    parts.append('<h2 id="criteria">Resultaten per succescriterium</h2>')
    rows = []
    for r in results:
        where = ", ".join(f"<code>{_e(s)}</code>" for s in r.failed_states)
        if r.outcome == REVIEW:
            where = ", ".join(sorted({f"<code>{_e(f.state)}</code>" for f in r.reviews}))
        rows.append(
            [
                f"<strong>{_e(r.sc)}</strong>",
                f"{_e(r.nl)}<br><small>{_e(r.en)}</small>",
                _e(r.level),
                _outcome(r.outcome),
                _e(", ".join(r.sources)) or "-",
                where or "-",
            ]
        )
    parts.append(
        _table(
            "WCAG 2.2 A en AA",
            ["SC", "Naam", "Niveau", "Uitkomst", "Getest met", "Waar (toestanden)"],
            rows,
        )
    )

    # Findings
    parts.append('<h2 id="bevindingen">Bevindingen</h2>')
    violations = evidence.violations()
    if violations:
        rows = []
        for state, vp, rule in violations:
            nodes = "".join(
                f"<li><code>{_e(n.target)}</code><br><code>{_e(n.html)}</code>"
                f"<br>{_e(n.summary)}</li>"
                for n in rule.nodes
            )
            rows.append(
                [
                    f'<a href="{_e(rule.help_url)}">{_e(rule.id)}</a> ({_e(rule.impact or "")})',
                    _e(", ".join(rule.criteria) or "-"),
                    f"<code>{_e(state.id)}</code> {_e(vp.label)}",
                    f"{_e(rule.help)}<ul>{nodes}</ul>",
                ]
            )
        parts.append(
            _table("axe-core: overtredingen", ["Regel", "SC", "Toestand", "Details"], rows)
        )
    else:
        parts.append("<p>axe-core vond geen overtredingen.</p>")
    failed = evidence.failed_checks()
    if failed:
        rows = [
            [
                f"{_e(chk.id)}: {_e(CHECKS[chk.id].title) if chk.id in CHECKS else ''}",
                _e(", ".join(chk.criteria)),
                f"<code>{_e(state.id)}</code> {_e(vp.label)}",
                _e(chk.evidence),
            ]
            for state, vp, chk in failed
        ]
        parts.append(
            _table("Machinale controles: mislukt", ["Controle", "SC", "Toestand", "Bewijs"], rows)
        )
    else:
        parts.append("<p>Alle machinale controles zijn geslaagd.</p>")

    # Incomplete
    parts.append('<h2 id="te-beoordelen">Te beoordelen (axe-core: incomplete)</h2>')
    incomplete = evidence.incomplete()
    if incomplete:
        rows = [
            [
                f'<a href="{_e(rule.help_url)}">{_e(rule.id)}</a>',
                _e(", ".join(rule.criteria) or "-"),
                f"<code>{_e(state.id)}</code> {_e(vp.label)}",
                _e(rule.help)
                + "<ul>"
                + "".join(
                    f"<li><code>{_e(n.target)}</code>: {_e(n.summary)}</li>" for n in rule.nodes
                )
                + "</ul>",
            ]
            for state, vp, rule in incomplete
        ]
        parts.append(
            _table(
                "Door axe niet beslist: een mens beoordeelt",
                ["Regel", "SC", "Toestand", "Details"],
                rows,
            )
        )
    else:
        parts.append("<p>axe-core liet niets onbeslist.</p>")

    # Best practice
    parts.append('<h2 id="best-practice">Best practices (axe-core, telt niet mee)</h2>')
    bp = evidence.best_practice_violations()
    if bp:
        grouped: dict[str, list[str]] = {}
        helps: dict[str, str] = {}
        for state, _vp, rule in bp:
            grouped.setdefault(rule.id, []).append(state.id)
            helps[rule.id] = rule.help
        rows = [
            [_e(rid), _e(helps[rid]), ", ".join(f"<code>{_e(s)}</code>" for s in states)]
            for rid, states in sorted(grouped.items())
        ]
        parts.append(_table("Best practices", ["Regel", "Beschrijving", "Toestanden"], rows))
    else:
        parts.append("<p>Geen meldingen.</p>")

    # Manual
    manual = [r for r in results if r.outcome == MANUAL]
    parts.append('<h2 id="handmatig">Handmatig te testen</h2>')
    parts.append(
        "<p>Voor deze criteria is er geen geautomatiseerde test; een deskundige beoordeelt ze "
        "(met toetsenbord, schermlezer, vergroting tot 400%, tekstafstand, inhoud):</p><ul>"
    )
    parts += [
        f"<li><strong>{_e(r.sc)}</strong> {_e(r.nl)} <small>({_e(r.en)}, {_e(r.level)})</small></li>"
        for r in manual
    ]
    parts.append("</ul>")

    # Checks list
    parts.append('<h2 id="controles">Machinale controles</h2>')
    parts.append(
        _table(
            "Wat de controles nagaan",
            ["Controle", "Wat", "SC"],
            [
                [
                    _e(ch.id),
                    _e(ch.title),
                    _e(", ".join(f"{sc} {BY_SC[sc].nl}" for sc in ch.criteria)),
                ]
                for ch in CHECKS.values()
            ],
        )
    )
    if evidence.log:
        parts.append('<h2 id="logboek">Logboek van de route</h2><ul>')
        parts += [f"<li>{_e(line)}</li>" for line in evidence.log]
        parts.append("</ul>")
    parts.append("</main></body></html>\n")
    return "".join(parts)


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
