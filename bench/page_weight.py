"""Page weight of a first visit per gemeente: HTML + CSS + JS as sent, against the budget.

    .venv/bin/python bench/page_weight.py [--json]

Measures in-process through the ASGI app (no network), so the numbers are bytes, not timings:
they do not depend on the machine. Bytes are those the server sends to a browser that accepts
gzip (the body as it goes on the wire, headers aside), not sizes computed here. The budget (issue 3): at most 15 KB of JavaScript and 60 KB
in all, fonts aside. Two pages are measured: the start page (the first visit) and the address
step (the heaviest step: it is the one that loads htmx).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET_JS = 15 * 1024
BUDGET_TOTAL = 60 * 1024


@dataclass
class Weight:
    gemeente: str
    page: str
    html: int
    css: int
    js: int

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


GZIP = {"Accept-Encoding": "gzip"}


def sent(client, url: str) -> int:
    """The body bytes the server sends for ``url`` to a browser that accepts gzip."""
    response = client.get(url, headers=GZIP)
    assert response.status_code == 200, url
    return int(response.num_bytes_downloaded)


def assets(html: str) -> tuple[list[str], list[str]]:
    css = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    js = re.findall(r'<script src="([^"]+)"', html)
    return css, js


def weigh(client, slug: str, page: str, url: str) -> Weight:
    html = client.get(url, headers=GZIP)
    css, js = assets(html.text)
    return Weight(
        gemeente=slug,
        page=page,
        html=int(html.num_bytes_downloaded),
        css=sum(sent(client, u) for u in css),
        js=sum(sent(client, u) for u in js),
    )


def measure() -> list[Weight]:
    from starlette.testclient import TestClient

    from tests.driver import Resident, run_until
    from webapp.settings import Settings
    from webapp.web.app import create_app

    today = date(2026, 11, 27)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(
            {
                "VERHUIZEN_DATA_DIR": tmp,
                "VERHUIZEN_CONFIG_DIR": str(ROOT / "config" / "gemeenten"),
                "VERHUIZEN_SECRET_KEY": "bench-secret-key-that-is-long-enough-12345",
            }
        )
        app = create_app(settings, today=lambda: today)
        with TestClient(app) as client:
            for slug, gemeente in app.state.services.gemeenten.items():
                results.append(weigh(client, slug, "start", f"/{slug}/"))
                r = Resident(client, slug)
                r.login("999990007")
                address_step = next(s.id for s in gemeente.stappen if s.type == "nieuw_adres")
                run_until(
                    r, gemeente, address_step, today, {"postcode": "9992EF", "huisnummer": 22}
                )
                results.append(weigh(client, slug, "adresstap", r.url))
                client.cookies.clear()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    results = measure()
    if args.json:
        print(json.dumps([{**asdict(w), "total": w.total} for w in results], indent=2))
        return 0
    print(
        f"{'gemeente':<12} {'pagina':<10} {'html':>7} {'css':>7} {'js':>7} {'totaal':>8}  js/budget  totaal/budget"
    )
    for w in results:
        print(
            f"{w.gemeente:<12} {w.page:<10} {w.html:>7} {w.css:>7} {w.js:>7} {w.total:>8}"
            f"  {w.js / BUDGET_JS:>9.2f}  {w.total / BUDGET_TOTAL:>13.2f}"
        )
    print(f"budget: js {BUDGET_JS} B, totaal {BUDGET_TOTAL} B (as sent, gzip; fonts aside)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
