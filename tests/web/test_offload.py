"""Nothing blocks the event loop: while one request waits on the database, others are served
(issue 8, item 1). Ordering, not timing: a blocked loop could not answer at all."""

from __future__ import annotations

import asyncio
import threading

import httpx2 as httpx

from tests.driver import csrf_of

SANNE = "999990007"


def test_a_request_waiting_on_the_database_does_not_stall_the_others(app, client):
    page = client.get("/rotterdam/inloggen").text
    client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": SANNE})
    name = app.state.services.cookies.name("rotterdam")
    cookie = {"cookie": f"{name}={client.cookies.get(name)}"}
    store = app.state.services.store
    real = store.visit
    release = threading.Event()
    waiting = threading.Event()

    def slow_session(*args, **kwargs):
        waiting.set()
        release.wait(timeout=10)  # in a worker thread: the loop stays free
        return real(*args, **kwargs)

    store.visit = slow_session
    finished: list[str] = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=cookie
        ) as http:

            async def slow() -> None:
                response = await http.get("/rotterdam/stap/situatie")
                assert response.status_code == 200, (response.headers, response.text[:300])
                finished.append("stap")

            async def others() -> None:
                while not waiting.is_set():
                    await asyncio.sleep(0.01)
                for path in ("/gezond", "/", "/rotterdam/toegankelijkheid"):
                    response = await http.get(path)
                    assert response.status_code == 200
                    finished.append(path)
                release.set()

            await asyncio.wait_for(asyncio.gather(slow(), others()), timeout=20)

    try:
        asyncio.run(run())
    finally:
        store.visit = real
        release.set()
    assert finished == ["/gezond", "/", "/rotterdam/toegankelijkheid", "stap"]


def test_readiness_checks_the_database(app, client, monkeypatch):
    assert client.get("/gereed").text == "ok"
    assert client.get("/gezond").text == "ok"
    engine = app.state.services.store.engine

    def down(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(engine, "connect", down)
    response = client.get("/gereed")
    assert response.status_code == 503
    assert client.get("/gezond").status_code == 200  # liveness needs no database


def test_a_slow_register_does_not_take_the_database_threads(tmp_path):
    """More residents waiting on the BRP than the database has threads: the database still
    answers (the registers have a pool of their own)."""
    from starlette.testclient import TestClient

    from tests.conftest import TODAY, make_settings
    from webapp.web.app import create_app

    app = create_app(make_settings(tmp_path, VERHUIZEN_DB_THREADS="2"), today=lambda: TODAY)
    with TestClient(app) as client:
        page = client.get("/rotterdam/inloggen").text
        client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": SANNE})
        name = app.state.services.cookies.name("rotterdam")
        cookie = {"cookie": f"{name}={client.cookies.get(name)}"}
    brp = app.state.services.brp
    real = brp.raadpleeg
    release = threading.Event()
    waiting = threading.Semaphore(0)
    blocked = 4  # twice the database's threads

    def slow_raadpleeg(bsn: str):
        waiting.release()
        release.wait(timeout=10)
        return real(bsn)

    brp.raadpleeg = slow_raadpleeg
    finished: list[str] = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=cookie
        ) as http:

            async def slow() -> None:
                response = await http.get("/rotterdam/stap/situatie")
                assert response.status_code == 200
                finished.append("stap")

            async def database() -> None:
                for _ in range(blocked):
                    await asyncio.to_thread(waiting.acquire, timeout=10)
                response = await http.get("/gereed")  # needs a database thread
                assert response.text == "ok"
                finished.append("gereed")
                release.set()

            await asyncio.wait_for(
                asyncio.gather(*(slow() for _ in range(blocked)), database()), timeout=20
            )

    try:
        asyncio.run(run())
    finally:
        brp.raadpleeg = real
        release.set()
    assert finished == ["gereed"] + ["stap"] * blocked


def test_a_refused_upload_is_not_read(tmp_path, monkeypatch):
    """Past the upload limit the request is refused before its body is parsed."""
    from starlette.testclient import TestClient

    from tests.conftest import TODAY, make_settings
    from webapp.web.app import create_app
    from webapp.web.pages import steps

    app = create_app(
        make_settings(tmp_path, VERHUIZEN_RATE_LIMITS="upload=1/minute"), today=lambda: TODAY
    )
    reads: list[str] = []
    real = steps.read_form

    async def counting(request, **kwargs):
        reads.append(request.url.path)
        return await real(request, **kwargs)

    monkeypatch.setattr(steps, "read_form", counting)
    g = app.state.services.gemeenten["rotterdam"]
    step = next(s for s in g.stappen if s.type == "documenten")
    with TestClient(app) as client:
        page = client.get("/rotterdam/inloggen").text
        client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": SANNE})
        path = f"/rotterdam/stap/{step.id}"
        files = {"bestand": ("a.pdf", b"%PDF-1.4\n", "application/pdf")}
        first = client.post(path, data={"csrf": "x"}, files=files)
        second = client.post(path, data={"csrf": "x"}, files=files)
    assert first.status_code in (303, 403, 409)  # read: not at that step yet, or a bad token
    assert second.status_code == 429
    assert reads == [path]


def test_a_register_that_cannot_answer_gets_the_503_page(app, client, caplog):
    from webapp.registers.errors import RegisterOnbereikbaar

    page = client.get("/rotterdam/inloggen").text
    client.post("/rotterdam/inloggen", data={"csrf": csrf_of(page), "bsn": SANNE})
    brp = app.state.services.brp

    def down(bsn: str):
        raise RegisterOnbereikbaar("BRP: time-out na 5 s")

    brp.raadpleeg = down
    try:
        response = client.get("/rotterdam/stap/situatie")
    finally:
        del brp.raadpleeg
    assert response.status_code == 503
    assert "Probeer het over een paar minuten opnieuw" in response.text
    assert response.headers["retry-after"]
    assert "content-security-policy" in response.headers
    assert any(getattr(r, "event", None) == "register_unavailable" for r in caplog.records)
    assert client.get("/rotterdam/stap/situatie").status_code == 200  # back: the draft is intact
