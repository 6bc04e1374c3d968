"""Bounded closed-loop load: N clients, each with its own cookies, for a fixed time.

A figure is one kind of unit (a step GET, a step POST, a whole journey) at one number of
clients against one server. Each client does its set-up first (logging in), outside the
measurement; then the server's CPU time is read, every client repeats its unit until the
deadline (a unit started before it is finished), and the CPU time is read again. The server
CPU per unit is the difference divided by the units served; latencies are per unit.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.fixtures import GEMEENTE, Answer
from bench.httpc import Client, HttpError, Response, path_of
from bench.servers import HOST, Server, cpu_seconds

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
STEP_ID = re.compile(r'data-step-id="([^"]+)"')
ACTION = re.compile(r'<form method="post" action="([^"]+)"')
FIRST_STEP = "situatie"
FIRST_ANSWER = {"waarde": "binnenland"}


class LoadError(Exception):
    pass


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class Figure:
    server: str
    unit: str
    clients: int
    units: int
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_ms: float
    """Server CPU time per unit (all processes of the server)."""
    server_cpu_ms_per_request: float
    client_cpu_ms: float
    """The load generator's own CPU time per unit (it shares the machine)."""
    errors: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise LoadError(f"{what}: HTTP {response.status}, expected {status}: {response.text[:300]}")
    return response


def _found(pattern: re.Pattern[str], page: str, what: str) -> str:
    match = pattern.search(page)
    if match is None:
        raise LoadError(f"no {what} on the page: {page[:300]}")
    return match.group(1)


def make_client(server: Server, password: str | None, fresh: bool = False) -> Client:
    headers = {"accept-encoding": "identity"}
    if password:
        token = base64.b64encode(f"tester:{password}".encode()).decode()
        headers["authorization"] = f"Basic {token}"
    return Client(HOST, server.port, default_headers=headers, fresh_connections=fresh)


async def login(client: Client, bsn: str, slug: str = GEMEENTE) -> tuple[int, str]:
    """Log in on the test login page from a fresh visit; the requests made and the path of
    the first step (after starting over when an earlier draft was found)."""
    client.clear_cookies()
    page = expect(await client.get(f"/{slug}/inloggen"), 200, "login page").text
    csrf = _found(CSRF, page, "csrf")
    r = expect(
        await client.post_form(f"/{slug}/inloggen", {"csrf": csrf, "bsn": bsn}), 303, "login"
    )
    requests = 2
    target = path_of(r.header("location") or "")
    if target.endswith("/verder"):
        # A draft of an earlier run: start over (GET asks, POST confirms).
        page = expect(await client.get(f"/{slug}/opnieuw"), 200, "start over").text
        r = expect(
            await client.post_form(f"/{slug}/opnieuw", {"csrf": _found(CSRF, page, "csrf")}),
            303,
            "start over",
        )
        requests += 2
        target = path_of(r.header("location") or "")
    return requests, target


@dataclass
class Journey:
    """A whole report: log in, every step (GET, then POST its example answer), confirmation."""

    answers: dict[str, Answer]
    slug: str = GEMEENTE

    async def run(
        self, client: Client, bsn: str, pages: list[Response] | None = None
    ) -> tuple[int, int]:
        """Walk it; the requests made and how many of them were GETs. The pages seen are
        appended to ``pages`` when given."""
        requests, target = await login(client, bsn, self.slug)
        gets = 1
        for _ in range(40):
            r = expect(await client.get(target), 200, f"GET {target}")
            requests += 1
            gets += 1
            if pages is not None:
                pages.append(r)
            if target.endswith("/bevestiging"):
                return requests, gets
            page = r.text
            step = _found(STEP_ID, page, "step")
            answer = self.answers.get(step)
            if answer is None:
                raise LoadError(f"no example answer for step {step}")
            data: dict[str, Any] = {"csrf": _found(CSRF, page, "csrf"), **answer.data}
            action = _found(ACTION, page, "form action")
            r = await client.post_form(action, data, answer.files or None)
            requests += 1
            if r.status != 303:
                raise LoadError(f"step {step}: HTTP {r.status}: {r.text[:400]}")
            target = path_of(r.header("location") or "")
        raise LoadError("journey did not end in 40 steps")


Setup = Callable[[Client, int], Awaitable[Any]]
Unit = Callable[[Client, int, Any], Awaitable[int]]
"""One unit of work for client ``i`` with its set-up state; returns the requests it made."""


async def run_figure(
    server: Server,
    unit_name: str,
    clients: int,
    seconds: float,
    setup: Setup,
    unit: Unit,
    password: str | None = None,
    warmup: float = 0.3,
    other_cpu: Callable[[], float] | None = None,
    fresh_connections: bool = False,
) -> Figure:
    """``other_cpu``: CPU seconds of another process to charge per unit too (PostgreSQL)."""
    pool = [make_client(server, password, fresh_connections) for _ in range(clients)]
    try:
        states = await asyncio.gather(*(setup(c, i) for i, c in enumerate(pool)))
        latencies: list[float] = []
        counts = {"units": 0, "requests": 0, "errors": 0}
        first_error: list[BaseException] = []

        async def loop(i: int, until: float, record: bool) -> None:
            c, state = pool[i], states[i]
            while time.perf_counter() < until:
                t = time.perf_counter()
                try:
                    n = await unit(c, i, state)
                except (LoadError, HttpError) as exc:
                    counts["errors"] += 1
                    if not first_error:
                        first_error.append(exc)
                    if counts["errors"] > 20:
                        raise
                    continue
                if record:
                    latencies.append(time.perf_counter() - t)
                    counts["units"] += 1
                    counts["requests"] += n

        if warmup:
            warm_until = time.perf_counter() + warmup
            await asyncio.gather(*(loop(i, warm_until, False) for i in range(clients)))
            counts["errors"] = 0
        pids = server.pids()
        per0 = {p: cpu_seconds([p]) for p in pids}
        cpu0, own0 = server.cpu(), _own_cpu()
        other0 = other_cpu() if other_cpu else 0.0
        t0 = time.perf_counter()
        await asyncio.gather(*(loop(i, t0 + seconds, True) for i in range(clients)))
        elapsed = time.perf_counter() - t0
        cpu1, own1 = server.cpu(), _own_cpu()
        per1 = {p: cpu_seconds([p]) for p in pids}
        other1 = other_cpu() if other_cpu else 0.0
    finally:
        await asyncio.gather(*(c.close() for c in pool))
    units = counts["units"]
    if units == 0:
        raise LoadError(f"{server.name} {unit_name}: no unit completed: {first_error!r}")
    latencies.sort()
    extra: dict[str, Any] = {"first_error": repr(first_error[0])[:300]} if first_error else {}
    if other_cpu:
        extra["other_cpu_ms"] = (other1 - other0) * 1000 / units
    if len(pids) > 1:
        # CPU seconds per process of the server during the figure: are the workers both busy?
        extra["cpu_s_by_process"] = [round(per1[p] - per0[p], 3) for p in pids]
    if fresh_connections:
        extra["fresh_connections"] = True
    return Figure(
        server=server.name,
        unit=unit_name,
        clients=clients,
        units=units,
        requests=counts["requests"],
        seconds=round(elapsed, 3),
        rate=units / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        server_cpu_ms=(cpu1 - cpu0) * 1000 / units,
        server_cpu_ms_per_request=(cpu1 - cpu0) * 1000 / max(1, counts["requests"]),
        client_cpu_ms=(own1 - own0) * 1000 / units,
        errors=counts["errors"],
        extra=extra,
    )


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


# -- the units -----------------------------------------------------------------------------


def app_units(bsns: Sequence[str], journey: Journey) -> dict[str, tuple[Setup, Unit]]:
    """The app's units: client ``i`` is test person ``bsns[i]`` (a draft of its own)."""

    async def logged_in(c: Client, i: int) -> str:
        _n, target = await login(c, bsns[i])
        if target.split("?")[0] != f"/{GEMEENTE}/stap/{FIRST_STEP}":
            raise LoadError(f"login went to {target}, not the first step")
        page = expect(await c.get(target), 200, "first step").text
        return _found(CSRF, page, "csrf")

    async def step_get(c: Client, i: int, csrf: str) -> int:
        expect(await c.get(f"/{GEMEENTE}/stap/{FIRST_STEP}"), 200, "step GET")
        return 1

    async def step_post(c: Client, i: int, csrf: str) -> int:
        data = {"csrf": csrf, **FIRST_ANSWER}
        expect(await c.post_form(f"/{GEMEENTE}/stap/{FIRST_STEP}", data), 303, "step POST")
        return 1

    async def nothing(c: Client, i: int) -> None:
        return None

    async def whole(c: Client, i: int, state: None) -> int:
        n, _gets = await journey.run(c, bsns[i])
        return n

    return {
        "step GET": (logged_in, step_get),
        "step POST": (logged_in, step_post),
        "journey": (nothing, whole),
    }


def baseline_units(gets: int, posts: int) -> dict[str, tuple[Setup, Unit]]:
    """The baseline's units; its "journey" makes as many GETs and POSTs as the app's."""

    async def visited(c: Client, i: int) -> str:
        page = expect(await c.get("/stap/een"), 200, "baseline GET").text
        return _found(CSRF, page, "csrf")

    async def step_get(c: Client, i: int, csrf: str) -> int:
        expect(await c.get("/stap/een"), 200, "baseline GET")
        return 1

    async def step_post(c: Client, i: int, csrf: str) -> int:
        expect(await c.post_form("/stap/een", {"csrf": csrf, **FIRST_ANSWER}), 303, "POST")
        return 1

    async def whole(c: Client, i: int, csrf: str) -> int:
        for k in range(max(gets, posts)):
            if k < gets:
                await step_get(c, i, csrf)
            if k < posts:
                await step_post(c, i, csrf)
        return gets + posts

    return {
        "step GET": (visited, step_get),
        "step POST": (visited, step_post),
        "journey": (visited, whole),
    }


def start_page_unit(slug: str = GEMEENTE) -> tuple[Setup, Unit]:
    """The start page of a gemeente: no login, so it works in production too."""

    async def nothing(c: Client, i: int) -> None:
        return None

    async def start(c: Client, i: int, state: None) -> int:
        expect(await c.get(f"/{slug}/"), 200, "start page")
        return 1

    return nothing, start
