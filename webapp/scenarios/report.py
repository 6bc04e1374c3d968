"""The reports of a scenario run: one self-contained HTML page and a JUnit XML file for CI."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from webapp.scenarios.result import Failure, PageVisit, ScenarioResult

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

_CSS = """
body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a;background:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 4rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ccc;vertical-align:top}
.ok{color:#0b6b2f;font-weight:bold}.fout{color:#a4001c;font-weight:bold}
section{border-top:3px solid #ccc;margin-top:2.5rem;padding-top:.5rem}
section.mislukt{border-top-color:#a4001c}
.failures{background:#fff3f3;border-left:4px solid #a4001c;padding:.5rem 1rem;margin:1rem 0}
.page{border:1px solid #ccc;padding:.5rem 1rem;margin:1rem 0}
.page.mislukt{border-color:#a4001c;border-width:2px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}
img{display:block;max-width:min(100%,48rem);border:1px solid #999;margin-top:.5rem}
blockquote{margin:.5rem 0;padding:.3rem .8rem;border-left:3px solid #999;background:#f6f6f6}
summary{cursor:pointer;font-weight:bold;padding:.3rem 0}
a{color:#0645ad}a:focus,summary:focus{outline:3px solid #f9b000;outline-offset:2px}
"""


def render_html(results: Sequence[ScenarioResult], base_url: str, started: datetime) -> str:
    failed = sum(1 for r in results if not r.ok)
    verdict = "alle scenario's geslaagd" if not failed else f"{failed} van {len(results)} mislukt"
    sections = [_section(i, r) for i, r in enumerate(results)]
    rows = "".join(
        f"<tr><td>{escape(r.gemeente)}</td><td><a href='#s{i}'>{escape(r.naam)}</a></td>"
        f"<td>{escape(r.outcome or '-')}</td><td>{r.steps}</td><td>{seconds(r.seconds)}</td>"
        f"<td>{_status(r.ok)}</td></tr>"
        for i, r in enumerate(results)
    )
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scenario's: {escape(verdict)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>Scenario's eDienst Verhuizen: {escape(verdict)}</h1>
<p>Server: {escape(base_url)}. Gestart: {started:%Y-%m-%d %H:%M}. {count(len(results), "scenario", "scenario&#x27;s")} in {seconds(sum(r.seconds for r in results))}.</p>
<table>
<caption>Overzicht</caption>
<thead><tr><th scope="col">Gemeente</th><th scope="col">Scenario</th><th scope="col">Uitkomst</th><th scope="col">Stappen</th><th scope="col">Tijd</th><th scope="col">Resultaat</th></tr></thead>
<tbody>{rows}</tbody>
</table>
{"".join(sections)}
</main>
</body>
</html>
"""


def _status(ok: bool) -> str:
    return "<span class='ok'>geslaagd</span>" if ok else "<span class='fout'>mislukt</span>"


def _section(index: int, result: ScenarioResult) -> str:
    pages = "".join(_page(f"s{index}-p{j}", visit) for j, visit in enumerate(result.pages))
    failures = "".join(_failure(f) for f in result.failures)
    facts = [f"<dt>Stappen</dt><dd>{escape(' → '.join(result.path) or '-')}</dd>"]
    facts.append(f"<dt>Uitkomst</dt><dd>{escape(result.outcome or '-')}</dd>")
    if result.reference:
        facts.append(f"<dt>Referentie</dt><dd>{escape(result.reference)}</dd>")
    if result.resumed:
        facts.append(
            "<dt>Let op</dt><dd>Deze testpersoon had een onvoltooide melding; de runner is "
            "opnieuw bij de eerste stap begonnen.</dd>"
        )
    facts.append(f"<dt>Tijd</dt><dd>{seconds(result.seconds)}</dd>")
    state = "geslaagd" if result.ok else "mislukt"
    return f"""
<section id="s{index}" class="{state}" aria-labelledby="s{index}-h">
<h2 id="s{index}-h">{escape(result.gemeente)}: {escape(result.naam)}: {_status(result.ok)}</h2>
<dl>{"".join(facts)}</dl>
{f'<div class="failures"><h3>Wat misging</h3><ol>{failures}</ol></div>' if failures else ""}
<details{"" if result.ok else " open"}>
<summary>Pagina's ({len(result.pages)}), met schermafbeeldingen</summary>
{pages}
</details>
</section>"""


def _failure(failure: Failure) -> str:
    parts = [f"<li><strong>{escape(failure.where)}</strong>: {escape(failure.message)}"]
    if failure.page_text:
        parts.append(f"<blockquote>De pagina toonde: {escape(failure.page_text)}</blockquote>")
    if failure.screenshot is not None:
        parts.append(_img(failure.screenshot, f"Schermafbeelding bij: {failure.where}"))
    return "".join(parts) + "</li>"


def _page(anchor: str, visit: PageVisit) -> str:
    rows = [
        ("Adres", visit.url),
        ("Paginatitel", visit.title),
        ("Verwacht", visit.expected),
        ("Gevonden", visit.found),
    ]
    if visit.answer:
        rows.append(("Ingevuld", visit.answer))
    if visit.errors:
        rows.append(("Foutmeldingen", " / ".join(visit.errors)))
    axe = (
        "; ".join(
            f"{r.id} ({r.impact or '?'}, {r.node_count}x): {r.help}" for r in visit.violations
        )
        if visit.violations
        else "geen fouten"
    )
    rows.append(("axe", axe))
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    state = "" if visit.ok else " mislukt"
    return (
        f"<div class='page{state}' id='{anchor}'><h3>{escape(visit.label)}</h3><dl>{dl}</dl>"
        f"{_img(visit.screenshot, 'Schermafbeelding: ' + visit.title)}</div>"
    )


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' alt='{escape(' '.join(alt.split()))}'>"
