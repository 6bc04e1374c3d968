"""The reports of a scenario run: one self-contained HTML page and a JUnit XML file for CI.

The HTML is rendered from ``templates/report.html`` (Jinja, autoescaped); the JUnit XML is
built with ElementTree.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Template

from webapp.evidence import assets
from webapp.scenarios.result import ScenarioResult

HTML_FILE = "rapport.html"
JUNIT_FILE = "junit.xml"


def write_reports(
    results: Sequence[ScenarioResult], out_dir: Path, base_url: str, started: datetime
) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / HTML_FILE
    html_path.write_text(render_html(results, base_url, started), encoding="utf-8")
    junit_path = out_dir / JUNIT_FILE
    junit_path.write_bytes(render_junit(results))
    return html_path, junit_path


def count(n: int, one: str, more: str) -> str:
    """1 stap, 2 stappen."""
    return f"{n} {one if n == 1 else more}"


def seconds(value: float) -> str:
    """4,2 s: Dutch decimal comma."""
    return f"{value:.1f}".replace(".", ",") + " s"


# -- JUnit -------------------------------------------------------------------------------------


def render_junit(results: Sequence[ScenarioResult]) -> bytes:
    root = ET.Element(
        "testsuites",
        name="scenarios",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if not r.ok)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for slug in dict.fromkeys(r.gemeente for r in results):
        own = [r for r in results if r.gemeente == slug]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=slug,
            tests=str(len(own)),
            failures=str(sum(1 for r in own if not r.ok)),
            errors="0",
            skipped="0",
            time=f"{sum(r.seconds for r in own):.3f}",
        )
        for result in own:
            case = ET.SubElement(
                suite, "testcase", classname=slug, name=result.naam, time=f"{result.seconds:.3f}"
            )
            if result.failures:
                failure = ET.SubElement(
                    case, "failure", message=str(result.failures[0]).split("\n")[0]
                )
                failure.text = "\n\n".join(str(f) for f in result.failures)
            out = ET.SubElement(case, "system-out")
            out.text = _summary(result)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _summary(result: ScenarioResult) -> str:
    lines = [f"stappen: {' > '.join(result.path) or '-'}", f"uitkomst: {result.outcome or '-'}"]
    if result.reference:
        lines.append(f"referentie: {result.reference}")
    if result.resumed:
        lines.append("er was een onvoltooide melding van deze testpersoon: opnieuw begonnen")
    return "\n".join(lines)


# -- HTML --------------------------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _oneline(text: str) -> str:
    """Whitespace and line breaks squeezed to single spaces (for alt texts)."""
    return " ".join(text.split())


@cache
def _template() -> Template:
    env = assets.make_environment(TEMPLATES, {"base64": _base64, "oneline": _oneline})
    return env.get_template("report.html")


def render_html(results: Sequence[ScenarioResult], base_url: str, started: datetime) -> str:
    return _template().render(
        results=list(results),
        base_url=base_url,
        started=started,
        count=count,
        seconds=seconds,
    )
