"""What goes on the wire: pages and static files compressed for a browser that accepts gzip,
static files by content-hashed names cached for a year, pages never cached, and a later step
small once the first visit brought the CSS and JS (bytes, not timings)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.driver import Resident
from webapp.resources import STATIC
from webapp.web.assets import IMMUTABLE, REVALIDATE, digest

GZIP = {"Accept-Encoding": "gzip"}
LATER_STEP_BUDGET = 10 * 1024


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_compressed_and_never_cached(client: TestClient):
    page = client.get("/voorbeeld/", headers=GZIP)
    assert page.headers["content-encoding"] == "gzip"
    assert page.num_bytes_downloaded < len(page.content) / 2
    assert page.headers["cache-control"] == "no-store"
    plain = client.get("/voorbeeld/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == page.text


def test_static_files_by_hashed_name_are_immutable(client: TestClient):
    urls = asset_urls(client.get("/voorbeeld/").text)
    assert len(urls) >= 3  # the theme, the components, the script
    for url in urls:
        name = re.sub(r"^/static/", "", url)
        match = re.fullmatch(r"(.+)\.([0-9a-f]{12})(\.[a-z]+)", name)
        assert match, url
        assert match[2] == digest(STATIC / (match[1] + match[3]))
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["content-encoding"] == "gzip"
        # The plain name still works, revalidated on every use.
        plain = client.get(f"/static/{match[1]}{match[3]}")
        assert plain.headers["cache-control"] == REVALIDATE and plain.content == response.content


def test_an_old_hash_is_served_but_not_cached_and_nothing_escapes_the_folder(client: TestClient):
    old = client.get("/static/css/components.000000000000.css")
    assert old.status_code == 200 and old.headers["cache-control"] == REVALIDATE
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/..%2Fpyproject.0123456789ab.toml").status_code == 404


def test_a_later_step_is_small_once_the_assets_are_cached(client: TestClient):
    r = Resident(client, "voorbeeld")
    r.login("999990238")
    first = client.get("/voorbeeld/stap/situatie", headers=GZIP)
    cached = set(asset_urls(first.text))
    r.answer({"waarde": "binnenland"})
    later = client.get(r.url, headers=GZIP)
    assert later.status_code == 200 and later.headers["content-encoding"] == "gzip"
    new_assets = [u for u in asset_urls(later.text) if u not in cached]
    assert new_assets == []  # the same names: nothing to fetch again
    assert later.num_bytes_downloaded <= LATER_STEP_BUDGET
