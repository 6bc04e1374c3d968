"""Page weight in bytes (deterministic, so a test may hold the budget; bench/page_weight.py reports it)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "page_weight.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("page_weight", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_first_visit_and_heaviest_step_stay_within_budget():
    bench = load_bench()
    results = bench.measure()
    assert {w.page for w in results} == {"start", "adresstap"}
    for w in results:
        assert w.html > 0 and w.css > 0 and w.js > 0, w
        assert w.js <= bench.BUDGET_JS, f"{w.gemeente} {w.page}: {w.js} B JavaScript"
        assert w.total <= bench.BUDGET_TOTAL, f"{w.gemeente} {w.page}: {w.total} B in all"
