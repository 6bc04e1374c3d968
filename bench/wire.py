"""Bytes on the wire per theme: a first visit, and each later step of a journey.

Fetched over HTTP from the running server, one gemeente per theme. Two sizes per response:
``wire`` is what the server sent (status line, headers, body; it does not compress), ``gzip``
is the body at gzip -6, as a compressing proxy in front would send it (the budget counts
compressed bytes, fonts aside, like ``bench/page_weight.py``). A later step counts its HTML
and any stylesheet or script it loads that an earlier page of the visit did not (a browser
cache keeps those).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bench.httpc import Client
from bench.load import Journey, expect, make_client
from bench.page_weight import assets, gz
from bench.servers import Server


@dataclass
class PageBytes:
    page: str
    html_gzip: int
    html_wire: int
    new_css_gzip: int = 0
    new_js_gzip: int = 0
    new_assets_wire: int = 0

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + self.new_css_gzip + self.new_js_gzip

    @property
    def total_wire(self) -> int:
        return self.html_wire + self.new_assets_wire


@dataclass
class ThemeBytes:
    theme: str
    gemeente: str
    first_visit: PageBytes
    steps: list[PageBytes] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def one(p: PageBytes) -> dict[str, Any]:
            return {**asdict(p), "total_gzip": p.total_gzip, "total_wire": p.total_wire}

        return {
            "theme": self.theme,
            "gemeente": self.gemeente,
            "first_visit": one(self.first_visit),
            "steps": [one(p) for p in self.steps],
            "largest_step": one(self.largest_step) if self.steps else None,
        }

    @property
    def largest_step(self) -> PageBytes:
        return max(self.steps, key=lambda p: p.total_gzip)


async def _weigh(client: Client, name: str, html: str, wire: int, seen: set[str]) -> PageBytes:
    out = PageBytes(name, gz(html.encode()), wire)
    css, js = assets(html)
    for url in css + js:
        if url in seen:
            continue
        seen.add(url)
        r = expect(await client.get(url), 200, url)
        size = gz(r.body)
        if url in css:
            out.new_css_gzip += size
        else:
            out.new_js_gzip += size
        out.new_assets_wire += r.wire_bytes
    return out


async def theme_bytes(
    server: Server, password: str, theme: str, journey: Journey, bsn: str
) -> ThemeBytes:
    client = make_client(server, password)
    try:
        seen: set[str] = set()
        r = expect(await client.get(f"/{journey.slug}/"), 200, "start page")
        first = await _weigh(client, "start", r.text, r.wire_bytes, seen)
        result = ThemeBytes(theme, journey.slug, first)
        pages: list[Any] = []
        await journey.run(client, bsn, pages)
        for page in pages:
            name = (
                page.text.split('data-step-id="', 1)[1].split('"', 1)[0]
                if ('data-step-id="' in page.text)
                else "bevestiging"
            )
            result.steps.append(await _weigh(client, name, page.text, page.wire_bytes, seen))
        return result
    finally:
        await client.close()
