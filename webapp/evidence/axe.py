"""Run the vendored axe-core in a page with ``page.evaluate`` (works under a strict CSP)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webapp.evidence import assets
from webapp.evidence.model import AxeNode, AxeRule, AxeRun
from webapp.evidence.wcag import BEST_PRACTICE_TAGS, WCAG_TAGS, criteria_from_tags

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_DIR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_FILE = AXE_DIR / "axe.min.js"
AXE_VERSION = "4.14.1"
MAX_NODES = 10  # nodes kept per rule in the report
MAX_HTML = 300


@cache
def axe_source() -> str:
    # The trailing expression keeps page.evaluate from serialising the axe object back.
    return AXE_FILE.read_text(encoding="utf-8") + "\n;true"


@cache
def axe_sha256() -> str:
    return hashlib.sha256(AXE_FILE.read_bytes()).hexdigest()


def inject(page: Page) -> str:
    """Define ``window.axe`` in the page (once per document); return its version."""
    if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
        page.evaluate(axe_source())
    return str(page.evaluate("() => window.axe.version"))


@cache
def _run_source() -> str:
    return assets.js("axe-run.js").replace("MAX_NODES", str(MAX_NODES))


def run(page: Page, tags: tuple[str, ...] = WCAG_TAGS) -> AxeRun:
    inject(page)
    raw = page.evaluate(_run_source(), list(tags))
    return parse(raw)


def run_best_practice(page: Page) -> AxeRun:
    return run(page, BEST_PRACTICE_TAGS)


def parse(raw: dict[str, Any]) -> AxeRun:
    def rule(item: dict[str, Any]) -> AxeRule:
        tags = [str(t) for t in item.get("tags", [])]
        return AxeRule(
            id=str(item["id"]),
            impact=item.get("impact"),
            help=str(item.get("help", "")),
            help_url=str(item.get("helpUrl", "")),
            tags=tags,
            criteria=criteria_from_tags(tags),
            nodes=[
                AxeNode(
                    target=str(n.get("target", "")),
                    html=str(n.get("html", ""))[:MAX_HTML],
                    summary=str(n.get("summary", "")),
                )
                for n in item.get("nodes", [])
            ],
            node_count=int(item.get("nodeCount", len(item.get("nodes", [])))),
        )

    return AxeRun(
        violations=[rule(i) for i in raw.get("violations", [])],
        incomplete=[rule(i) for i in raw.get("incomplete", [])],
        passes=[rule(i) for i in raw.get("passes", [])],
        inapplicable=[str(i) for i in raw.get("inapplicable", [])],
    )
