"""The reports of a scenario run, from fabricated results (no browser)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import datetime

from webapp.evidence.model import AxeRule
from webapp.scenarios.command import line
from webapp.scenarios.report import render_html, render_junit, write_reports
from webapp.scenarios.result import Failure, PageVisit, ScenarioResult

PNG = b"\x89PNG\r\n\x1a\nnot-really-an-image"


def visit(label: str, expected: str, found: str, **extra) -> PageVisit:
    png = PNG + label.encode()  # each page its own screenshot
    return PageVisit(label, "/rotterdam/stap/x", "Titel", "Tekst", png, expected, found, **extra)


def results() -> list[ScenarioResult]:
    good = ScenarioResult("rotterdam", "Goed & wel", seconds=4.25, outcome="verstuurd")
    good.path = ["situatie", "controleren"]
    good.pages = [visit("stap 1 (situatie)", "situatie", "situatie")]
    bad = ScenarioResult("rotterdam", "Tarwewijk <kapot>", seconds=3.0, outcome=None)
    bad.path = ["situatie", "woonsituatie", "documenten"]
    bad.pages = [visit("stap 3 (documenten)", "vergunning", "documenten")]
    bad.failures = [
        Failure(
            "stap 3 (documenten)",
            "verwacht stap 'vergunning' na 'woonsituatie', gevonden 'documenten'",
            "Bewijsstukken uploaden",
            bad.pages[0].screenshot,
        )
    ]
    other = ScenarioResult("utrecht", "Kamer", seconds=1.0, outcome="verstuurd")
    rule = AxeRule("label", "critical", "Form elements must have labels", "", [], [], [], 2)
    other.pages = [visit("stap 1 (situatie)", "situatie", "situatie", violations=[rule])]
    other.failures = [
        Failure("stap 1 (situatie)", "axe vond fouten", "", other.pages[0].screenshot),
        Failure("teksten", "de tekst 'x' stond op geen enkele pagina", "", PNG),
    ]
    return [good, bad, other]


def test_junit_has_a_suite_per_gemeente_and_the_first_failure_as_message():
    root = ET.fromstring(render_junit(results()))
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "2"
    rotterdam, utrecht = root.findall("testsuite")
    assert (rotterdam.get("name"), rotterdam.get("tests"), rotterdam.get("failures")) == (
        "rotterdam",
        "2",
        "1",
    )
    assert utrecht.get("name") == "utrecht"
    good, bad = rotterdam.findall("testcase")
    assert good.get("name") == "Goed & wel" and good.find("failure") is None
    failure = bad.find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "stap 3 (documenten): verwacht stap 'vergunning' na 'woonsituatie', gevonden 'documenten'"
    )
    assert "de pagina toonde: Bewijsstukken uploaden" in (failure.text or "")


def test_html_is_self_contained_with_screenshots_and_escaped_names():
    html = render_html(results(), "http://127.0.0.1:8000", datetime(2026, 11, 27, 10, 0))
    assert html.startswith("<!doctype html>") and '<html lang="nl">' in html
    assert "2 van 3 mislukt" in html
    assert "Tarwewijk &lt;kapot&gt;" in html and "<kapot>" not in html
    screenshot = results()[0].pages[0].screenshot
    assert f"data:image/png;base64,{base64.b64encode(screenshot).decode()}" in html
    assert "label (critical, 2x): Form elements must have labels" in html
    assert "4,2 s" in html
    assert html.count("data:image/png") == 3 + 3  # every page, and with each failure
    assert "src=" not in html.replace("src='data:image/png", "")  # nothing loaded from elsewhere


def test_html_escapes_page_text_titles_and_attributes():
    evil = "<script>alert('x')</script>"
    runs = results()
    _, bad, other = runs
    bad.failures[0].page_text = evil
    bad.pages[0].title = evil  # the alt text of its screenshot, in a single-quoted attribute
    other.pages[0].errors = [evil]
    other.reference = evil
    html = render_html(runs, evil, datetime(2026, 11, 27, 10, 0))
    assert "<script" not in html
    assert "De pagina toonde: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "alt='Schermafbeelding: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;'" in html
    assert "Server: &lt;script&gt;" in html


def test_html_when_all_passed():
    good = results()[:1]
    html = render_html(good, "http://x", datetime(2026, 11, 27, 10, 0))
    assert "alle scenario&#39;s geslaagd" in html and "1 scenario in 4,2 s" in html
    assert "Wat misging" not in html and "<details>" in html
    assert "<span class='fout'>" not in html and 'class="mislukt"' not in html


def test_write_reports(tmp_path):
    html_path, junit_path = write_reports(results(), tmp_path / "uit", "http://x", datetime.now())
    assert html_path.name == "rapport.html" and junit_path.name == "junit.xml"
    assert html_path.stat().st_size > 0 and ET.parse(junit_path).getroot().tag == "testsuites"


def test_progress_line():
    good, bad, _ = results()
    assert line(good) == "geslaagd (2 stappen, 4,2 s)"
    assert line(bad).startswith("mislukt (3 stappen, 3,0 s)\n    stap 3 (documenten): verwacht")
