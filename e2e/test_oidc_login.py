"""DigiD through an OpenID Connect broker in a real browser: our server (uvicorn) sends Chromium
to a real provider (``tests/oidc``) on another site, the resident logs in there and is sent back
to the first step; logging out takes the browser to the broker's end-session page."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from e2e.helpers import ROOT, gemeenten
from tests.oidc.broker import SECRET_ENV, Broker, login_block, running_broker, write_config
from tests.servers import E2E_RATE_LIMITS, SECRET, clean_env, free_port, serving
from webapp.testing.resident import BrowserResident

pytestmark = pytest.mark.e2e

SLUG = "voorbeeld"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Broker]]:
    """Our server on 127.0.0.1 with the broker login, and the broker on localhost: two sites,
    so the pending-login cookie must survive a cross-site return (SameSite=Lax)."""
    folder = tmp_path_factory.mktemp("oidc-e2e")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running_broker(
        folder / "broker",
        host="localhost",
        redirect_uris=[f"{url}/{SLUG}/inloggen/terug"],
        post_logout_redirect_uris=[f"{url}/{SLUG}/uitloggen"],
    ) as broker:
        config = write_config(folder / "config", login_block(broker.url))
        env = clean_env(
            VERHUIZEN_MODE="development",
            VERHUIZEN_DATA_DIR=str(folder / "data"),
            VERHUIZEN_SECRET_KEY=SECRET,
            VERHUIZEN_CONFIG_DIR=str(config),
            VERHUIZEN_RATE_LIMITS=E2E_RATE_LIMITS,
            **{SECRET_ENV: broker.client_secret},
        )
        cmd = [sys.executable, "-m", "uvicorn", "webapp.web.asgi:app"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-server-header"]
        logs = Path(folder / "server")
        with serving(cmd, port=port, env=env, cwd=ROOT, logs=logs, what="server") as served:
            yield served, broker


def test_log_in_at_the_broker_and_land_on_the_first_step(
    browser: Browser, site: tuple[str, Broker]
) -> None:
    url, broker = site
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        resident = BrowserResident(page, url, gemeenten()[SLUG])
        resident.goto("/")
        page.get_by_role("button", name="Start: inloggen met DigiD").click()
        page.wait_for_url(f"{broker.url}/interaction/**")
        page.get_by_role("button", name="Inloggen bij de testmakelaar").click()
        page.wait_for_url(f"{url}/{SLUG}/stap/**")
        assert resident.step_id() == gemeenten()[SLUG].stappen[0].id, resident.text(400)

        # Logging out ends our session, then the broker's, which sends the browser back.
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_url(f"{broker.url}/session/end?**")
        assert "id_token_hint" not in page.url
        page.get_by_role("button", name="Yes, sign me out").click()
        page.wait_for_url(f"{url}/{SLUG}/uitloggen")
        assert page.get_by_role("heading", level=1).inner_text() == "U bent uitgelogd"
    finally:
        context.close()
