"""``verhuizen check-scenarios`` and ``verhuizen scenarios``: check the files, or play them."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from webapp.config.loader import ConfigError
from webapp.config.loader import load_dir as load_config_dir
from webapp.scenarios.loader import (
    SCENARIO_DIR,
    Plan,
    Suite,
    load_beside,
    load_dir,
    load_file,
    scenarios_dir,
)
from webapp.scenarios.report import count, seconds, write_reports
from webapp.scenarios.result import ScenarioResult

SCENARIOS = "scenario's"


def check(path: Path | None, config_dir: Path) -> int:
    """Check one scenario file or a folder of them; 1 on any problem, with file:line: key."""
    target = path or scenarios_dir(config_dir)
    if target.is_dir() and scenarios_dir(target).is_dir():
        target = scenarios_dir(target)  # the configuration folder was given
    if not target.exists():
        print(f"verhuizen: {target} bestaat niet", file=sys.stderr)
        return 1
    folder = target if target.is_dir() else target.parent
    if folder.name == SCENARIO_DIR:  # the gemeenten are the ones beside the scenarios
        config_dir = folder.parent
    try:
        gemeenten = load_config_dir(config_dir)
        if target.is_dir():
            suites = load_dir(target, gemeenten)
        else:
            suites = {target.stem: load_file(target, gemeenten)}
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} fout(en) gevonden", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"verhuizen: {exc}", file=sys.stderr)
        return 1
    if not suites:
        print(f"geen scenariobestanden (*.yaml) in {target}", file=sys.stderr)
        return 1
    for slug, suite in suites.items():
        print(f"{slug}: in orde ({count(len(suite.plans), 'scenario', SCENARIOS)})")
    return 0


def run(
    base_url: str,
    config_dir: Path,
    gemeente: str | None,
    scenario: str | None,
    out_dir: Path,
) -> int:
    """Play the scenarios in Chromium; 0 when all pass, 1 on a failure, 2 when nothing can run."""
    try:
        suites = load_beside(config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    chosen = select(suites, gemeente, scenario)
    if isinstance(chosen, str):
        print(f"verhuizen: {chosen}", file=sys.stderr)
        return 2
    try:
        with urllib.request.urlopen(f"{base_url.rstrip('/')}/gezond", timeout=10):
            pass
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"verhuizen: de server op {base_url} antwoordt niet ({exc})", file=sys.stderr)
        return 2

    started = datetime.now()
    results = play(chosen, base_url, lambda text: print(text, end="", flush=True))
    html_path, junit_path = write_reports(results, out_dir, base_url, started)
    failed = sum(1 for r in results if not r.ok)
    total = count(len(results), "scenario", SCENARIOS)
    print(
        f"\n{total}: {len(results) - failed} geslaagd, {failed} mislukt.\n"
        f"Rapport: {html_path}\nJUnit: {junit_path}"
    )
    return 1 if failed else 0


def select(
    suites: dict[str, Suite], gemeente: str | None, scenario: str | None
) -> list[tuple[Suite, Plan]] | str:
    """The scenarios to run, or a message saying why none match."""
    if gemeente is not None and gemeente not in suites:
        return f"geen scenario's voor gemeente {gemeente!r}; wel voor: {', '.join(sorted(suites))}"
    chosen = [
        (suite, plan)
        for slug, suite in sorted(suites.items())
        if gemeente in (None, slug)
        for plan in suite.plans
    ]
    if scenario is not None:
        wanted = scenario.casefold()
        exact = [(s, p) for s, p in chosen if p.naam.casefold() == wanted]
        chosen = exact or [(s, p) for s, p in chosen if wanted in p.naam.casefold()]
        if not chosen:
            return f"geen scenario met de naam {scenario!r}"
    return chosen or "geen scenario's gevonden"


def play(
    chosen: list[tuple[Suite, Plan]], base_url: str, progress: Callable[[str], None]
) -> list[ScenarioResult]:
    from playwright.sync_api import sync_playwright

    from webapp.evidence.runner import CHROMIUM_ARGS, chromium_executable
    from webapp.scenarios.runner import run_scenario

    results = []
    with sync_playwright() as p:
        executable = chromium_executable()
        if executable:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        else:
            browser = p.chromium.launch()
        try:
            for suite, plan in chosen:
                progress(f"{suite.slug} / {plan.naam} ... ")
                result = run_scenario(browser, base_url, suite, plan)
                progress(line(result) + "\n")
                results.append(result)
        finally:
            browser.close()
    return results


def line(result: ScenarioResult) -> str:
    """geslaagd (9 stappen, 4,2 s), or mislukt with the failures indented below."""
    counts = f"({count(result.steps, 'stap', 'stappen')}, {seconds(result.seconds)})"
    if result.ok:
        return f"geslaagd {counts}"
    details = "".join("\n    " + str(f).replace("\n", "\n    ") for f in result.failures)
    return f"mislukt {counts}{details}"
