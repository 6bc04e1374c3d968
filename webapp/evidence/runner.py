"""Launch Chromium, crawl one gemeente, write ``<slug>-toegankelijkheid.html`` and ``.json``."""

from __future__ import annotations

import os
from pathlib import Path

from webapp.evidence.model import EvidenceResult

SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    """$VERHUIZEN_CHROMIUM, else the system Chromium, else None (Playwright's own)."""
    executable = os.environ.get("VERHUIZEN_CHROMIUM") or SYSTEM_CHROMIUM
    return executable if Path(executable).exists() else None


def run_evidence(
    base_url: str, slug: str, out_dir: Path, config_dir: Path, bsn: str | None = None
) -> EvidenceResult:
    """Crawl gemeente ``slug`` on the server at ``base_url``; write the reports to ``out_dir``."""
    from playwright.sync_api import sync_playwright

    from webapp.config.loader import load_dir
    from webapp.evidence.crawler import DEFAULT_BSN, crawl
    from webapp.evidence.report import write_reports

    gemeenten = load_dir(config_dir)
    if slug not in gemeenten:
        known = ", ".join(sorted(gemeenten))
        raise ValueError(f"onbekende gemeente {slug!r}; bekend: {known}")
    executable = chromium_executable()
    with sync_playwright() as p:
        if executable:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        else:
            browser = p.chromium.launch()
        try:
            evidence = crawl(browser, base_url, gemeenten[slug], bsn=bsn or DEFAULT_BSN)
        finally:
            browser.close()
    html_path, json_path = write_reports(evidence, Path(out_dir))
    return EvidenceResult(evidence, html_path, json_path)
