"""The baseline: a bare Starlette app on the same server software and options as the app.

One GET route renders a Jinja page of about the size of a step page (``--bytes``), with a CSRF
token derived from a token in a cookie (set on the first visit); one POST route reads the form,
checks the token against the cookie and redirects (303), as a step does. What the app costs
above this is the app's own work.

    python -m bench.baseline --port 8001 [--bytes 5730]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

SECRET = secrets.token_bytes(32)
COOKIE = "baseline-token"

TEMPLATE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} - {{ site }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body class="theme">
<header><a href="/">{{ site }}</a></header>
<main>
<h1>{{ title }}</h1>
<form method="post" action="/stap/een" data-step-id="een">
<input type="hidden" name="csrf" value="{{ csrf }}">
{% for item in items %}<div class="field"><input type="radio" name="waarde" id="w{{ loop.index }}" value="{{ item.value }}"><label for="w{{ loop.index }}">{{ item.label }}</label></div>
{% endfor %}<button type="submit">Volgende</button>
</form>
</main>
<footer>{{ footer }}</footer>
</body>
</html>
"""

env = Environment(autoescape=True)
template = env.from_string(TEMPLATE)
ITEMS: list[dict[str, str]] = []


def _token_of(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    return token if token and len(token) == 43 else None


def _csrf(token: str) -> str:
    return hmac.new(SECRET, token.encode(), hashlib.sha256).hexdigest()


def render(csrf: str) -> str:
    return template.render(
        title="Wat wilt u doorgeven?",
        site="Baseline",
        csrf=csrf,
        items=ITEMS,
        footer="Een kale Starlette-app als maat",
    )


def size_items(target: int) -> None:
    """Add radio options until the page is about ``target`` bytes."""
    ITEMS.clear()
    while len(render("x" * 64).encode()) < target:
        n = len(ITEMS)
        ITEMS.append({"value": f"keuze-{n}", "label": f"Keuze nummer {n} met wat uitleg & tekst"})


async def step_get(request: Request) -> Response:
    token = _token_of(request)
    fresh = token is None
    if token is None:
        token = secrets.token_urlsafe(32)
    response = HTMLResponse(render(_csrf(token)))
    if fresh:
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/")
    return response


async def step_post(request: Request) -> Response:
    token = _token_of(request)
    async with request.form() as form:
        given = str(form.get("csrf", ""))
        if token is None or not hmac.compare_digest(given, _csrf(token)):
            return PlainTextResponse("forbidden", status_code=403)
        _ = form.get("waarde")
    return RedirectResponse("/stap/een", status_code=303)


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/gezond", health),
        Route("/stap/een", step_get, methods=["GET"]),
        Route("/stap/een", step_post, methods=["POST"]),
    ]
)


def main() -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description="baseline server for the benchmark")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bytes", type=int, default=5730, help="page size to aim at")
    args = parser.parse_args()
    size_items(args.bytes)
    # The same server options as `verhuizen serve` (webapp/cli.py _serve).
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        workers=1,
        log_level="info",
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
