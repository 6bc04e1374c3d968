"""The accessibility report writer and the WCAG mapping, on fabricated results (no browser)."""

from __future__ import annotations

import json

import pytest

from webapp.evidence import checks
from webapp.evidence.axe import AXE_FILE, AXE_VERSION, axe_sha256, parse
from webapp.evidence.model import (
    FAIL,
    MANUAL,
    PASS,
    REVIEW,
    AxeNode,
    AxeRule,
    AxeRun,
    Check,
    Evidence,
    State,
    Tools,
    ViewportResult,
)
from webapp.evidence.report import criteria_results, render_html, report_data, write_reports
from webapp.evidence.wcag import BY_SC, CHECKS, CRITERIA, criteria_from_tags, sc_from_tag


def rule(id: str, tags: list[str], *targets: str) -> AxeRule:
    return AxeRule(
        id=id,
        impact="serious",
        help=f"help for {id}",
        help_url=f"https://dequeuniversity.com/rules/axe/4.14/{id}",
        tags=tags,
        criteria=criteria_from_tags(tags),
        nodes=[AxeNode(target=t, html=f"<a id='{t}'>x</a>", summary="Fix this") for t in targets],
    )


def viewport(width: int, axe: AxeRun, *found: Check) -> ViewportResult:
    return ViewportResult(width=width, height=800, axe=axe, checks=list(found))


def chk(id: str, outcome: str, evidence: str = "evidence") -> Check:
    return Check(id=id, outcome=outcome, evidence=evidence, criteria=list(CHECKS[id].criteria))


CONTRAST = ["cat.color", "wcag2aa", "wcag143"]
LABEL = ["cat.forms", "wcag2a", "wcag412", "wcag131"]
REFLOW_TAGS = ["wcag21aa", "wcag1410"]


@pytest.fixture
def evidence() -> Evidence:
    start = State(
        id="start",
        label="Startpagina",
        kind="start",
        url="http://x/voorbeeld/",
        title="Verhuizing doorgeven - Gemeente Voorbeeldstad",
        viewports=[
            viewport(
                1280,
                AxeRun(passes=[rule("color-contrast", CONTRAST)]),
                chk("A1", PASS),
                chk("A17", PASS),
            ),
            viewport(
                320,
                AxeRun(
                    violations=[rule("color-contrast", CONTRAST, ".button")],
                    passes=[rule("meta-viewport", ["wcag2aa", "wcag144"])],
                ),
                chk("A14", FAIL, "scrollWidth 340px > 320px"),
            ),
        ],
    )
    fout = State(
        id="stap-02-verhuisdatum-fout",
        label="Stap 2 na leeg verzenden",
        kind="error",
        step_id="verhuisdatum",
        step_type="verhuisdatum",
        viewports=[
            viewport(
                1280,
                AxeRun(
                    incomplete=[rule("aria-valid-attr-value", LABEL, "#dag")],
                    passes=[rule("label", LABEL)],
                ),
                chk("A6", FAIL, "de samenvatting krijgt geen focus <b>"),
            ),
            viewport(320, AxeRun(passes=[rule("label", LABEL)])),
        ],
    )
    dialoog = State(
        id="sessie-dialoog",
        label="Sessiedialoog",
        kind="dialog",
        present=False,
        note="geen dialog",
    )
    return Evidence(
        slug="voorbeeld",
        gemeente="Voorbeeldstad",
        config_version="2026.11.1",
        theme="neutraal",
        base_url="http://127.0.0.1:8000",
        date="2026-11-27T10:00:00+00:00",
        tools=Tools(
            axe_version="4.14.1",
            axe_sha256="ab" * 32,
            browser="chromium",
            browser_version="156.0",
            playwright_version="1.65.2",
        ),
        states=[start, fout, dialoog],
        log=["stap-04-meeverhuizers: geen fouttoestand"],
    )


# -- WCAG data and the tag mapping --------------------------------------------------------


def test_wcag22_a_and_aa_are_55_criteria():
    assert len(CRITERIA) == 55
    assert len(BY_SC) == 55, "duplicate criterion"
    assert sum(c.level == "A" for c in CRITERIA) == 31
    assert sum(c.level == "AA" for c in CRITERIA) == 24
    assert "4.1.1" not in BY_SC  # obsolete in WCAG 2.2
    for sc in ("2.4.11", "2.5.7", "2.5.8", "3.2.6", "3.3.7", "3.3.8"):  # new in 2.2
        assert sc in BY_SC
    assert all(c.nl and c.en for c in CRITERIA)


@pytest.mark.parametrize(
    ("tag", "sc"),
    [
        ("wcag143", "1.4.3"),
        ("wcag1410", "1.4.10"),
        ("wcag2411", "2.4.11"),
        ("wcag258", "2.5.8"),
        ("wcag412", "4.1.2"),
        ("wcag2a", None),
        ("wcag21aa", None),
        ("wcag22aa", None),
        ("best-practice", None),
        ("cat.color", None),
        ("EN-301-549", None),
    ],
)
def test_axe_tags_map_to_success_criteria(tag, sc):
    assert sc_from_tag(tag) == sc


def test_criteria_from_tags_keeps_order_without_duplicates():
    assert criteria_from_tags(["wcag2a", "wcag412", "wcag131", "wcag412"]) == ["4.1.2", "1.3.1"]


def test_every_check_names_known_criteria():
    for info in CHECKS.values():
        assert info.criteria and all(sc in BY_SC for sc in info.criteria), info.id


def test_parse_keeps_criteria_and_nodes():
    raw = {
        "violations": [
            {
                "id": "target-size",
                "impact": "serious",
                "help": "Touch targets",
                "helpUrl": "u",
                "tags": ["wcag22aa", "wcag258"],
                "nodeCount": 2,
                "nodes": [{"target": "#a", "html": "<a>" + "x" * 1000, "summary": "too small"}],
            }
        ],
        "passes": [{"id": "label", "tags": ["wcag2a", "wcag412"], "nodes": []}],
        "inapplicable": ["video-caption"],
    }
    run = parse(raw)
    assert run.violations[0].criteria == ["2.5.8"]
    assert run.violations[0].node_count == 2
    assert len(run.violations[0].nodes[0].html) <= 300
    assert run.passes[0].criteria == ["4.1.2"]
    assert run.inapplicable == ["video-caption"]


def test_vendored_axe_is_the_pinned_version():
    head = AXE_FILE.read_text(encoding="utf-8")[:200]
    assert f"axe v{AXE_VERSION}" in head
    readme = (AXE_FILE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert axe_sha256() in readme and AXE_VERSION in readme
    assert (AXE_FILE.parent / "LICENSE").exists()


# -- results per criterion ------------------------------------------------------------------


def test_outcome_per_criterion(evidence):
    results = {r.sc: r for r in criteria_results(evidence)}
    assert len(results) == 55
    # an axe violation at 320 px fails 1.4.3 although it passed at 1280 px
    assert results["1.4.3"].outcome == FAIL
    assert results["1.4.3"].failed_states == ["start"]
    # a failed machine check fails its criteria, with the check named as a source
    assert results["1.4.10"].outcome == FAIL
    assert "controle A14" in results["1.4.10"].sources
    assert results["3.3.1"].outcome == FAIL  # A6
    # incomplete only: needs review, not a pass
    assert results["4.1.2"].outcome == FAIL  # A6 also names 4.1.2
    assert results["1.4.4"].outcome == PASS  # meta-viewport passed
    assert results["2.4.2"].outcome == PASS  # A1 passed
    # nothing covered them
    for sc in ("1.2.1", "1.3.3", "2.4.5", "3.3.4", "3.1.2"):
        assert results[sc].outcome == MANUAL, sc


def test_incomplete_is_review_not_pass(evidence):
    evidence.states[1].viewports[0].checks = []  # leave only the axe incomplete on 4.1.2
    results = {r.sc: r for r in criteria_results(evidence)}
    assert results["4.1.2"].outcome == REVIEW
    assert results["4.1.2"].reviews[0].state == "stap-02-verhuisdatum-fout"


def test_criteria_outside_the_list_are_kept():
    ev = Evidence(
        slug="x",
        gemeente="X",
        config_version="1",
        theme="neutraal",
        base_url="u",
        date="d",
        tools=Tools("4.14.1", "s", "chromium", "1", "1"),
        states=[
            State(
                id="s",
                label="s",
                kind="start",
                viewports=[viewport(1280, AxeRun(violations=[rule("old", ["wcag411"], "#x")]))],
            )
        ],
    )
    results = {r.sc: r for r in criteria_results(ev)}
    assert results["4.1.1"].outcome == FAIL
    assert len(results) == 56


# -- the report files -------------------------------------------------------------------------


def test_html_report_is_self_contained_and_complete(evidence):
    html = render_html(evidence)
    assert html.startswith("<!doctype html>") and '<html lang="nl">' in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "src=" not in html
    for state in evidence.states:
        assert f'id="toestand-{state.id}"' in html
    for text in (
        "Reikwijdte",
        "Voorbeeldstad",
        "2026.11.1",
        "2026-11-27T10:00:00+00:00",
        "4.14.1",
        "156.0",
        "1.65.2",
        "Resultaten per succescriterium",
        "Te beoordelen",
        "Handmatig te testen",
        "aria-valid-attr-value",
        "scrollWidth 340px &gt; 320px",
        "niet aanwezig",
        "geen dialog",
        "Meerdere manieren",  # 2.4.5 in the manual list
        "Foutpreventie (wettelijk, financieel, gegevens)",  # 3.3.4
    ):
        assert text in html, text
    # evidence text is escaped, never markup
    assert "geen focus <b>" not in html and "geen focus &lt;b&gt;" in html


EVIL = "<script>alert('x')</script>"


def test_html_report_escapes_every_text_from_the_evidence(evidence):
    start = evidence.states[0]
    start.label = start.note = start.title = EVIL
    start.url = 'http://x/"><script>alert(1)</script>'
    evidence.gemeente = EVIL
    evidence.log.append(EVIL)
    evidence.states[1].viewports[0].checks.append(chk("A1", FAIL, EVIL))
    bad = rule("color-contrast", CONTRAST, EVIL)
    bad.help, bad.help_url, bad.nodes[0].html = EVIL, '"><script>alert(1)</script>', EVIL
    evidence.states[0].viewports[1].axe.violations.append(bad)
    evidence.states[0].viewports[1].best_practice = AxeRun(violations=[rule("region", [], EVIL)])
    html = render_html(evidence)
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 8
    assert 'href="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "Gemeente &lt;script&gt;" in html.split("</title>")[0]


def test_html_report_sections_without_findings(evidence):
    for state in evidence.states:
        for vp in state.viewports:
            vp.axe.violations, vp.axe.incomplete, vp.checks = [], [], []
    evidence.log = []
    html = render_html(evidence)
    for text in (
        "axe-core vond geen overtredingen.",
        "Alle machinale controles zijn geslaagd.",
        "axe-core liet niets onbeslist.",
        "Geen meldingen.",
    ):
        assert text in html, text
    assert "Logboek" not in html and html.rstrip().endswith("</html>")


def test_report_files_and_json(evidence, tmp_path):
    html_path, json_path = write_reports(evidence, tmp_path / "uit")
    assert html_path.name == "voorbeeld-toegankelijkheid.html"
    assert json_path.name == "voorbeeld-toegankelijkheid.json"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(report_data(evidence)))
    assert [s["id"] for s in data["evidence"]["states"]] == [
        "start",
        "stap-02-verhuisdatum-fout",
        "sessie-dialoog",
    ]
    summary = data["summary"]
    assert summary["states"] == 2 and summary["states_not_present"] == 1
    assert summary["axe_violations"] == 1 and summary["failed_checks"] == 2
    assert summary["incomplete"] == 1
    assert sum(summary["criteria"].values()) == 55
    by_sc = {c["sc"]: c for c in data["criteria"]}
    assert by_sc["1.4.3"]["failed_states"] == ["start"]
    assert "2.4.5" in data["manual"] and "1.4.3" not in data["manual"]


# -- pure helpers of the machine checks ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("email", True),
        ("postal-code", True),
        ("shipping postal-code", True),
        ("section-nieuw tel", True),
        ("mobile tel", True),
        ("off", True),
        ("one-time-code", True),
        ("postcode", False),
        ("e-mail", False),
        ("", False),
    ],
)
def test_autocomplete_tokens(value, valid):
    assert checks.autocomplete_valid(value) is valid


@pytest.mark.parametrize(
    ("styles", "shadow_counts", "visible"),
    [
        ([{"outline": "solid", "width": 2, "color": "rgb(0, 0, 0)", "shadow": "none"}], True, True),
        ([{"outline": "auto", "width": 1, "color": "rgb(0, 0, 0)", "shadow": "none"}], True, True),
        ([{"outline": "none", "width": 3, "color": "rgb(0, 0, 0)", "shadow": "none"}], True, False),
        (
            [{"outline": "solid", "width": 2, "color": "rgba(0, 0, 0, 0)", "shadow": "none"}],
            True,
            False,
        ),
        (
            [
                {
                    "outline": "none",
                    "width": 0,
                    "color": "",
                    "shadow": "rgb(0, 0, 0) 0px 0px 0px 4px",
                }
            ],
            True,
            True,
        ),
        (
            [
                {
                    "outline": "none",
                    "width": 0,
                    "color": "",
                    "shadow": "rgb(0, 0, 0) 0px 0px 0px 4px",
                }
            ],
            False,  # forced colours drop box-shadow
            False,
        ),
    ],
)
def test_focus_visible(styles, shadow_counts, visible):
    assert checks._focus_visible(styles, shadow_counts=shadow_counts) is visible


def stop(desc: str, x: float, y: float, w: float = 100, h: float = 30) -> dict[str, object]:
    return {"desc": desc, "x": x, "y": y, "w": w, "h": h, "positioned": False}


def test_focus_order_follows_reading_order():
    reading = [stop("a", 0, 0), stop("b", 200, 0), stop("c", 0, 50), stop("d", 0, 100)]
    assert checks._order_problems(reading) == []
    jumbled = [stop("a", 0, 100), stop("b", 0, 0)]
    assert checks._order_problems(jumbled) == ["b (hoger) na a"]
    backwards = [stop("a", 200, 0), stop("b", 0, 0)]
    assert checks._order_problems(backwards) == ["b (links) na a op dezelfde regel"]
