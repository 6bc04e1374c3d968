"""Where a step GET's time goes: cProfile over the app in-process.

The app runs in this process behind httpx2's ASGI transport. Its offloads (database,
registers, uploads) run inline on the event loop while profiling, so one profiler sees all of
the work (the thread hop itself is left out). Reported per request: the total under the ASGI
app, the time spent in each package (own time, ``tottime``), and the app's costliest functions
(cumulative). The client's own share (httpx2) is listed apart.
"""

from __future__ import annotations

import asyncio
import base64
import cProfile
import os
import pstats
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.fixtures import GEMEENTE
from bench.load import CSRF, FIRST_STEP


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    match = re.search(r"/(webapp|bench|tests)/(.*?)(?:\.py)?$", filename)
    if match:
        parts = match.group(2).split("/")
        return f"{match.group(1)}.{parts[0]}"
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    match = re.search(r"/lib/python3\.\d+/([^/]+)", filename)
    return f"stdlib {match.group(1).removesuffix('.py')}" if match else filename


def profile_step_get(
    env: Mapping[str, str], password: str, bsn: str, requests: int = 200
) -> dict[str, Any]:
    import httpx2

    from webapp.settings import Settings
    from webapp.web.app import create_app

    settings = Settings.from_env({**env, "VERHUIZEN_BEZORGEN": "0"})
    app = create_app(settings)
    services = app.state.services

    async def inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    services.db = services.registers = services.uploads = inline
    auth = base64.b64encode(f"tester:{password}".encode()).decode()
    profiler = cProfile.Profile()

    async def run() -> None:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1",
            headers={"authorization": f"Basic {auth}"},
        ) as client:
            page = (await client.get(f"/{GEMEENTE}/inloggen")).text
            csrf = CSRF.search(page)
            assert csrf
            r = await client.post(f"/{GEMEENTE}/inloggen", data={"csrf": csrf.group(1), "bsn": bsn})
            step = f"/{GEMEENTE}/stap/{FIRST_STEP}"
            for _ in range(20):  # warm: templates compiled, caches filled
                assert (await client.get(step)).status_code == 200, r.text[:200]
            profiler.enable()
            for _ in range(requests):
                await client.get(step)
            profiler.disable()

    asyncio.run(run())
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = {}
    app_total = 0.0
    functions = []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in raw.items():
        package = f"C: {name}" if filename == "~" else _package(filename)
        by_package[package] = by_package.get(package, 0.0) + tottime
        if filename.endswith("starlette/applications.py") and name == "__call__":
            app_total = max(app_total, cumtime)
        if package.startswith("webapp."):
            short = filename.split("/webapp/", 1)[1]
            functions.append((cumtime, f"{short}:{line} {name}"))
    functions.sort(reverse=True)
    per = 1000 / requests
    packages = sorted(by_package.items(), key=lambda kv: -kv[1])
    return {
        "requests": requests,
        "app_total_ms": app_total * per,
        "packages": [{"where": k, "ms": v * per} for k, v in packages[:14]],
        "top": [{"where": name, "ms": t * per} for t, name in functions[:14]],
        "note": "profiled (cProfile inflates the time of many small calls); offloads inline",
    }


def profile_config_load(path: Path, repeat: int = 5) -> dict[str, Any]:
    """What loading one gemeente file costs (start-up loads every file): CPU ms per load and
    the share spent in PyYAML."""
    import yaml

    from webapp.config.loader import load_file

    load_file(path)
    t = time.process_time()
    for _ in range(repeat):
        load_file(path)
    ms = (time.process_time() - t) * 1000 / repeat
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        load_file(path)
    profiler.disable()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    in_yaml = sum(v[2] for k, v in raw.items() if "site-packages/yaml/" in k[0])
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "cpu_ms_per_load": ms,
        "yaml_share": in_yaml / total if total else 0.0,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
    }


def profile_startup(env: Mapping[str, str], configs: int) -> dict[str, Any]:
    """Where building the app's services goes per configuration (``create_app``, as each server
    process does at start-up): the share of PyYAML, of the HTTP clients built for the
    koppelingen (httpx2 with its SSL context), and the rest."""
    from webapp.settings import Settings
    from webapp.web.app import create_app

    settings = Settings.from_env({**env, "VERHUIZEN_BEZORGEN": "0"})
    # The koppelingen read their secrets from this process's environment.
    secrets = {k: v for k, v in env.items() if k.startswith("BENCH_")}
    saved = {k: os.environ.get(k) for k in secrets}
    os.environ.update(secrets)
    profiler = cProfile.Profile()
    try:
        t = time.process_time()
        profiler.enable()
        create_app(settings)
        profiler.disable()
        cpu = time.process_time() - t
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0

    def share(*needles: str) -> float:
        own = sum(float(v[2]) for k, v in raw.items() if any(n in k[0] for n in needles))
        return own / total

    return {
        "configs": configs,
        "mode": env.get("VERHUIZEN_MODE", "development"),
        "cpu_ms_per_config": cpu * 1000 / configs,
        "yaml_share": share("site-packages/yaml/"),
        "http_client_share": share("site-packages/httpx2/", "site-packages/httpcore", "/ssl.py")
        + sum(v[2] for k, v in raw.items() if k[0] == "~" and "SSLContext" in k[2]) / total,
    }
