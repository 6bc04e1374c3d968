"""SQL statements and pooled connections per request, counted in-process.

The app runs inside this process (Starlette's TestClient) with SQLAlchemy event listeners on
its engine: ``before_cursor_execute`` counts statements, the pool's ``checkout`` counts
connections handed out. The background delivery thread is off here (``VERHUIZEN_BEZORGEN=0``)
so that only the requests' own statements are counted.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.fixtures import GEMEENTE, Answer
from bench.load import ACTION, CSRF, FIRST_ANSWER, FIRST_STEP, STEP_ID


@dataclass
class Counts:
    statements: int = 0
    checkouts: int = 0
    scans: int = 0
    verbs: dict[str, int] = field(default_factory=dict)


def _found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    if match is None:
        raise RuntimeError(f"not on the page ({pattern.pattern}): {text[:300]}")
    return match.group(1)


def count_sql(
    env: Mapping[str, str], password: str, bsns: tuple[str, str], answers: dict[str, Answer]
) -> dict[str, Any]:
    from sqlalchemy import event
    from starlette.testclient import TestClient

    from webapp.settings import Settings
    from webapp.web.app import create_app

    settings = Settings.from_env({**env, "VERHUIZEN_BEZORGEN": "0"})
    app = create_app(settings)
    engine = app.state.services.store.engine
    counts = Counts()

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counts.statements += 1
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        counts.verbs[verb] = counts.verbs.get(verb, 0) + 1

    def on_checkout(*args: Any) -> None:
        counts.checkouts += 1

    # How often a request checks the config folder for changes (outside production).
    source = app.state.services.config
    scan = source._scan

    def counted_scan() -> Any:
        counts.scans += 1
        return scan()

    source._scan = counted_scan
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "checkout", on_checkout)
    auth = base64.b64encode(f"tester:{password}".encode()).decode()
    per: dict[str, list[Counts]] = {}

    def measured(kind: str, call: Callable[[], Any]) -> Any:
        counts.statements = counts.checkouts = counts.scans = 0
        counts.verbs = {}
        response = call()
        per.setdefault(kind, []).append(
            Counts(counts.statements, counts.checkouts, counts.scans, dict(counts.verbs))
        )
        return response

    with TestClient(
        app, base_url="http://127.0.0.1", headers={"authorization": f"Basic {auth}"}
    ) as client:
        client.get("/gereed")  # the first connection and its set-up are not a request's

        def log_in(bsn: str) -> str:
            client.cookies.clear()
            page = measured("login page GET", lambda: client.get(f"/{GEMEENTE}/inloggen")).text
            data = {"csrf": _found(CSRF, page), "bsn": bsn}
            r = measured(
                "login POST",
                lambda: client.post(f"/{GEMEENTE}/inloggen", data=data, follow_redirects=False),
            )
            target = r.headers["location"]
            if target.endswith("/verder"):
                page = client.get(f"/{GEMEENTE}/opnieuw").text
                r = client.post(
                    f"/{GEMEENTE}/opnieuw",
                    data={"csrf": _found(CSRF, page)},
                    follow_redirects=False,
                )
                target = r.headers["location"]
            return str(target)

        # Step GET and POST of the first step, as the load does, a few times each.
        log_in(bsns[0])
        step = f"/{GEMEENTE}/stap/{FIRST_STEP}"
        page = ""
        for _ in range(5):
            page = measured("step GET", lambda: client.get(step)).text
        csrf = _found(CSRF, page)
        for _ in range(5):
            measured(
                "step POST",
                lambda: client.post(
                    step, data={"csrf": csrf, **FIRST_ANSWER}, follow_redirects=False
                ),
            )
        # A whole journey, each request counted under "journey".
        start = sum(c.statements for v in per.values() for c in v)
        start_checkouts = sum(c.checkouts for v in per.values() for c in v)
        target = log_in(bsns[1])  # another person: no draft yet
        requests = 2
        for _ in range(40):
            r = measured("journey GET", functools.partial(client.get, target))
            requests += 1
            if target.endswith("/bevestiging"):
                break
            text = r.text
            answer = answers[_found(STEP_ID, text)]
            data: dict[str, Any] = {"csrf": _found(CSRF, text), **answer.data}
            files = answer.files or None
            action = _found(ACTION, text)
            post = functools.partial(
                client.post, action, data=data, files=files, follow_redirects=False
            )
            r = measured("journey POST", post)
            requests += 1
            if r.status_code != 303:
                raise RuntimeError(f"journey POST {r.status_code}: {r.text[:300]}")
            target = r.headers["location"]
        total = sum(c.statements for v in per.values() for c in v) - start
        total_checkouts = sum(c.checkouts for v in per.values() for c in v) - start_checkouts

    out: dict[str, Any] = {}
    for kind, values in per.items():
        out[kind] = {
            "requests": len(values),
            "statements_per_request": sum(c.statements for c in values) / len(values),
            "connections_per_request": sum(c.checkouts for c in values) / len(values),
            "max_statements": max(c.statements for c in values),
            "config_scans_per_request": sum(c.scans for c in values) / len(values),
            "kinds_per_request": {
                verb: sum(c.verbs.get(verb, 0) for c in values) / len(values)
                for verb in sorted({v for c in values for v in c.verbs})
            },
        }
    out["whole journey"] = {
        "requests": requests,
        "statements_per_request": total / requests,
        "connections_per_request": total_checkouts / requests,
        "statements": total,
        "connections": total_checkouts,
    }
    return out
