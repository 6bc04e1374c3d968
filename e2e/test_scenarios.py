"""The gemeenten's own scenarios in a real browser (axe on every page), and a broken configuration.

Every scenario in ``config/gemeenten/scenarios/`` must pass against the real server. A copy of the
configuration with Tarwewijk taken out of Rotterdam's permit area must make the Tarwewijk scenario
fail at the step where the permit question should have come, also through ``verhuizen scenarios``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from e2e.helpers import CONFIG_DIR, ROOT
from tests.servers import SECRET, clean_env, free_port, serving
from webapp.scenarios.loader import Plan, Suite, load_beside
from webapp.scenarios.runner import run_scenario

pytestmark = pytest.mark.e2e

SUITES = load_beside(CONFIG_DIR)
# The command plays this gemeente's scenarios (test_command_passes_...): not twice.
BY_COMMAND = "voorbeeld"
CASES = [
    (slug, plan.naam)
    for slug, suite in sorted(SUITES.items())
    if slug != BY_COMMAND
    for plan in suite.plans
]
TARWEWIJK = "Huurder in Tarwewijk vraagt vergunning aan"
WRONG_STEP = "verwacht stap 'vergunning' na 'woonsituatie', gevonden 'documenten'"


def html_text(page: str) -> str:
    """The text of an HTML page, entities decoded (how a reader sees it)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def plan_of(slug: str, naam: str) -> tuple[Suite, Plan]:
    suite = SUITES[slug]
    [plan] = [p for p in suite.plans if p.naam == naam]
    return suite, plan


@pytest.mark.parametrize(("slug", "naam"), CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_scenario_passes_in_the_browser(browser, base_url, slug, naam):
    suite, plan = plan_of(slug, naam)

    result = run_scenario(browser, base_url, suite, plan)

    assert result.ok, "\n".join(str(f) for f in result.failures)
    assert result.path == plan.verwacht.stappen
    assert result.outcome == plan.verwacht.uitkomst
    if result.outcome == "verstuurd":
        assert result.reference
    steps = [p for p in result.pages if p.label.startswith("stap ")]
    assert len(steps) >= len(plan.verwacht.stappen)  # each step recorded (an error state too)
    assert all(p.screenshot.startswith(b"\x89PNG") for p in result.pages)
    assert not any(p.violations for p in result.pages)  # axe ran on every page


def test_a_step_without_an_answer_stops_the_run_and_says_so(browser, base_url):
    suite, plan = plan_of(BY_COMMAND, "Verhuisdatum over 6 weken wordt geweigerd")
    without = replace(plan, answers={"situatie": plan.answers["situatie"]})

    result = run_scenario(browser, base_url, suite, without)

    [failure] = result.failures
    assert failure.where == "stap 2 (verhuisdatum)"
    assert failure.message == "stap 'verhuisdatum': geen antwoord in het scenario"
    assert "Wanneer verhuist u?" in failure.page_text


# -- a deliberately broken configuration -------------------------------------------------------


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server whose Rotterdam no longer counts Tarwewijk as a permit area."""
    root = tmp_path_factory.mktemp("kapot")
    config = root / "gemeenten"
    shutil.copytree(CONFIG_DIR, config)
    rotterdam = config / "rotterdam.yaml"
    text = rotterdam.read_text()
    assert "      - BU05991571  # Tarwewijk\n" in text
    rotterdam.write_text(text.replace("      - BU05991571  # Tarwewijk\n", ""))
    port = free_port()
    env = clean_env(
        VERHUIZEN_MODE="development",
        VERHUIZEN_DATA_DIR=str(root / "data"),
        VERHUIZEN_SECRET_KEY=SECRET,
        VERHUIZEN_CONFIG_DIR=str(config),
    )
    cmd = [sys.executable, "-m", "uvicorn", "webapp.web.asgi:app", "--port", str(port)]
    with serving(cmd, port=port, env=env, cwd=ROOT, logs=root, what="broken server") as url:
        yield url


def test_broken_configuration_fails_at_the_step_that_went_missing(browser, broken_server):
    suite, plan = plan_of("rotterdam", TARWEWIJK)

    result = run_scenario(browser, broken_server, suite, plan)

    assert not result.ok
    first = result.failures[0]
    assert first.where == "stap 6 (documenten)"
    assert WRONG_STEP in first.message
    assert "Bewijsstukken" in first.page_text  # what the page showed instead
    assert first.screenshot is not None and first.screenshot.startswith(b"\x89PNG")
    assert result.path[-2:] == ["woonsituatie", "documenten"]


# -- the command -------------------------------------------------------------------------------


def scenarios_command(base_url: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "webapp.cli", "scenarios", "--base-url", base_url]
    cmd += ["--uit", str(out), *args]
    env = clean_env(VERHUIZEN_DATA_DIR=str(out / "data"), VERHUIZEN_CONFIG_DIR=str(CONFIG_DIR))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_command_passes_and_writes_both_reports(base_url, tmp_path):
    out = tmp_path / "uit"

    done = scenarios_command(base_url, out, "--gemeente", BY_COMMAND)

    assert done.returncode == 0, done.stdout + done.stderr
    plans = SUITES[BY_COMMAND].plans
    for plan in plans:
        assert f"{BY_COMMAND} / {plan.naam} ... geslaagd (" in done.stdout
    [suite] = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert suite.get("name") == BY_COMMAND
    assert (suite.get("tests"), suite.get("failures")) == (str(len(plans)), "0")
    assert [c.get("name") for c in suite.findall("testcase")] == [p.naam for p in plans]
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "alle scenario's geslaagd" in html_text(html)
    assert html.count("data:image/png;base64,") >= sum(len(p.verwacht.stappen) for p in plans)


def test_command_exits_non_zero_against_the_broken_configuration(broken_server, tmp_path):
    out = tmp_path / "uit"

    done = scenarios_command(broken_server, out, "--gemeente", "rotterdam", "--scenario", TARWEWIJK)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"rotterdam / {TARWEWIJK} ... mislukt" in done.stdout
    assert WRONG_STEP in done.stdout
    [suite] = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and WRONG_STEP in (failure.get("message") or "")
