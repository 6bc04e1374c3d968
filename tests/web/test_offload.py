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
    real = store.session
    release = threading.Event()
    waiting = threading.Event()

    def slow_session(*args, **kwargs):
        waiting.set()
        release.wait(timeout=10)  # in a worker thread: the loop stays free
        return real(*args, **kwargs)

    store.session = slow_session
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
        store.session = real
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
