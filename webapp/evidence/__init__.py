"""Accessibility evidence per gemeente configuration: axe-core and machine checks in a browser.

``run_evidence`` walks a gemeente's journey in Chromium and writes a WCAG-EM style report
(HTML and JSON). Playwright is a QA tool (the `.[tools]` extra): it is imported only when a crawl runs.
"""

from __future__ import annotations

from webapp.evidence.model import Evidence, EvidenceResult
from webapp.evidence.runner import run_evidence

__all__ = ["Evidence", "EvidenceResult", "run_evidence"]
