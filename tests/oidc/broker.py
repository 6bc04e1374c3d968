"""A real OpenID Connect provider for the tests: ``provider.mjs`` (panva's certified
``oidc-provider``) in Node on a free port of 127.0.0.1, and a client that logs in there as a
resident's browser would, over real HTTP.

Without Node the tests that need it are skipped, except in CI (``CI=true``), where that is a
failure. ``node_modules`` is installed from the lock file (``npm ci``) when it is missing.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
import yaml

from tests.servers import free_port

HERE = Path(__file__).resolve().parent
CONFIG_DIR = HERE.parents[1] / "config" / "gemeenten"
SLUG = "voorbeeld"
START_TIMEOUT = 20.0
INSTALL_TIMEOUT = 300.0

CLIENT_ID = "verhuizen-test"
CLIENT_SECRET = "geheim:met%tekens+&=ook"
"""Characters that client_secret_basic must form-encode (RFC 6749 2.3.1) before base64."""

ACR = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
BASIS, MIDDEN = ACR + "PasswordProtectedTransport", ACR + "MobileTwoFactorContract"
SUBSTANTIEEL, HOOG = ACR + "Smartcard", ACR + "SmartcardPKI"

SECRET_ENV = "VERHUIZEN_TEST_DIGID_SECRET"
"""Where the app under test finds the client secret (``client_secret_env``)."""


def login_block(issuer: str, **extra: Any) -> dict[str, Any]:
    """A gemeente's ``koppelingen.login`` for the test broker at ``issuer``."""
    return {
        "soort": "digid-oidc",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret_env": SECRET_ENV,
        **extra,
    }


def write_config(
    folder: Path,
    login: dict[str, Any],
    slugs: Sequence[str] = (SLUG,),
    aflevering: Sequence[dict[str, Any]] = (),
    **koppelingen: Any,
) -> Path:
    """The shipped configurations of ``slugs``, each with this login (and, unless told, the
    settings' registers: the test data) and these delivery targets."""
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        text = (CONFIG_DIR / f"{slug}.yaml").read_text(encoding="utf-8")
        extra: dict[str, Any] = {"koppelingen": {"login": login, **koppelingen}}
        if aflevering:
            extra["aflevering"] = list(aflevering)
        block = yaml.safe_dump(extra, allow_unicode=True)
        (folder / f"{slug}.yaml").write_text(text + "\n" + block, encoding="utf-8")
    return folder


def require_node() -> str:
    """The node executable; skip without it (fail in CI), after installing the provider."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "Node.js (node en npm) ontbreekt: de OpenID Connect-tests hebben het nodig"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    _install(npm)
    return node


def _install(npm: str) -> None:
    if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    # Test processes running side by side install once.
    with (Path(tempfile.gettempdir()) / "verhuizen-oidc-npm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
            return
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {HERE} mislukt:\n{done.stderr[-3000:]}", pytrace=False)


@dataclass
class Broker:
    """A running provider and what a test needs of it."""

    url: str
    port: int
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    http: httpx2.Client = field(default_factory=lambda: httpx2.Client(timeout=5.0))

    def login(
        self,
        authorize_url: str,
        *,
        sub: str | None = None,
        acr: str | None = None,
        nonce: str | None = None,
        abort: bool = False,
        fresh: bool = True,
    ) -> str:
        """Follow ``authorize_url`` as the browser, log in (or cancel) on the provider's page
        and return the URL it sends the browser back to (our callback, with code and state).
        ``fresh``: a browser without the provider's session (else it may log in silently)."""
        assert authorize_url.startswith(self.url), authorize_url
        if fresh:
            self.http.cookies.clear()
        response = self.http.get(authorize_url)
        for _hop in range(10):
            if response.status_code not in (302, 303):
                break
            location = response.headers["location"]
            if not location.startswith(("/", self.url)):
                return location  # leaving the provider: the callback
            response = self.http.get(self._absolute(location))
        assert response.status_code == 200, (response.status_code, response.text[:500])
        action = re.search(r'action="(/interaction/[^"]+/(?:login|abort))"', response.text)
        assert action, response.text[:500]
        target = action.group(1)
        if abort:
            target = target.rsplit("/", 1)[0] + "/abort"
        form = {k: v for k, v in (("sub", sub), ("acr", acr), ("nonce", nonce)) if v}
        response = self.http.post(self._absolute(target), data=form)
        for _hop in range(10):
            assert response.status_code in (302, 303), (response.status_code, response.text[:500])
            location = response.headers["location"]
            if not location.startswith(("/", self.url)):
                return location
            response = self.http.get(self._absolute(location))
        raise AssertionError("the provider never sent the browser back")

    def _absolute(self, location: str) -> str:
        return location if location.startswith("http") else self.url + location

    def discovery(self) -> dict[str, object]:
        body = self.http.get(f"{self.url}/.well-known/openid-configuration").json()
        assert isinstance(body, dict)
        return body


def callback_params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@contextmanager
def running_broker(
    logs: Path,
    *,
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    port: int | None = None,
    host: str = "127.0.0.1",
    sub: str | None = None,
    acr: str | None = None,
    id_token_ttl: int | None = None,
    client_auth: str = "client_secret_basic",
    client_secret: str = CLIENT_SECRET,
) -> Iterator[Broker]:
    """``node provider.mjs`` until the block ends; its discovery document answers first. It
    listens on 127.0.0.1; ``host`` is the name in its issuer (``localhost`` makes it another
    site than an app on 127.0.0.1, as a real broker is)."""
    node = require_node()
    port = port or free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(logs)),
        "OIDC_PORT": str(port),
        "OIDC_ISSUER": f"http://{host}:{port}",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_CLIENT_AUTH": client_auth,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
    }
    for name, value in (("OIDC_SUB", sub), ("OIDC_ACR", acr), ("OIDC_ID_TOKEN_TTL", id_token_ttl)):
        if value is not None:
            env[name] = str(value)
    logs.mkdir(parents=True, exist_ok=True)
    stderr = logs / f"oidc-{port}.log"
    with stderr.open("wb") as err:
        proc = subprocess.Popen(
            [node, "provider.mjs"], cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    broker = Broker(url=f"http://{host}:{port}", port=port, client_secret=client_secret)
    try:
        _wait_for_discovery(proc, broker, stderr)
        yield broker
    finally:
        broker.http.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_discovery(proc: subprocess.Popen[bytes], broker: Broker, stderr: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if broker.http.get(f"{broker.url}/.well-known/openid-configuration").status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    state = f"exited with {proc.returncode}" if proc.poll() is not None else "not answering"
    log = stderr.read_text(errors="replace")[-3000:]
    pytest.fail(f"oidc-provider {state}; stderr:\n{log}", pytrace=False)
