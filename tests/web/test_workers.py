"""Several processes on one PostgreSQL (issue 8, item 9): the steps of one journey alternate
between two worker processes, and the journey ends with exactly one submission.

uvicorn's workers share one listening socket, and the kernel hands each new connection to
whichever worker accepts it, so a port cannot name a worker. Two tests, each honest about how
it reaches a process:

1. ``verhuizen serve --workers 2`` on a fresh database. Both workers come up (two "Started
   server process [pid]" events, both processes alive, children of the server, no worker
   restarted). Each step is then pinned to one worker by its connection: new connections are
   opened until ``/proc`` shows the wanted worker holds the server side of one, and the step
   (its POST and the redirect after it) goes over that keep-alive connection. Steps alternate
   between the two workers. Linux only (``/proc``).
2. Two ``verhuizen serve --workers 1`` on two ports sharing the database, which is what N
   workers behind a load balancer amount to; the requests alternate between the two servers.

Every step goes through a fresh HTTP client that gets the session cookie from the one before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests._pg import PgServer, postgres_available, postgres_unavailable_reason, start_postgres
from tests.driver import csrf_of
from tests.live import (
    LiveServer,
    answer_step,
    example,
    gemeenten,
    look,
    move,
    new_database,
    resident,
    resident_from_elsewhere,
    server_env,
)

SLUG = "rotterdam"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not postgres_available(), reason=postgres_unavailable_reason() or ""),
]


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    with start_postgres(tmp_path_factory.mktemp("pg")) as server:
        yield server


# -- which process holds a connection -----------------------------------------------------------


def client_port(response: httpx2.Response) -> int:
    """The local port of the connection the response came over."""
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def holder(server_port: int, port: int, pids: list[int]) -> int | None:
    """The pid among ``pids`` holding the server side of the connection from ``port``."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                if (
                    state == "01"  # established
                    and int(local.rsplit(":", 1)[1], 16) == server_port
                    and int(remote.rsplit(":", 1)[1], 16) == port
                ):
                    sockets.add(f"socket:[{inode}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):
                if os.readlink(fd) in sockets:
                    return pid
    return None


def pinned(server: LiveServer, pid: int, pids: list[int], cookies: httpx2.Cookies) -> httpx2.Client:
    """A fresh client whose open connection is held by worker ``pid``."""
    for _ in range(200):
        client = server.client(cookies)
        port = client_port(client.get("/gezond"))
        if holder(server.port, port, pids) == pid:
            return client
        client.close()
    pytest.fail(f"in 200 connections, worker {pid} accepted none")


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_steps_alternate_between_the_two_workers_of_one_server(
    pg: PgServer, tmp_path: Path
) -> None:
    g = gemeenten()[SLUG]
    bsn = resident_from_elsewhere(g.gemeentecode)
    env = server_env(tmp_path / "data", new_database(pg, "twee_workers"))  # fresh: no tables
    server = LiveServer(env, tmp_path / "logs", workers=2)
    clients: list[httpx2.Client] = []
    try:
        server.start()
        assert server.proc is not None
        pids = server.worker_pids()
        assert len(pids) == 2 and len(set(pids)) == 2, f"workers started: {pids}"
        for pid in pids:
            os.kill(pid, 0)  # alive
            assert parent_of(pid) == server.proc.pid

        # Log in through worker 0, then every step through the other worker than the last.
        first = pinned(server, pids[0], pids, httpx2.Cookies())
        r = resident(first, SLUG)
        r.login(bsn)
        served_by = []
        turn = 1
        while not r.url.endswith("/bevestiging"):
            pid = pids[turn % 2]
            client = move(r, pinned(server, pid, pids, r.client.cookies))
            port = client_port(client.get("/gezond"))
            step_id = r.step
            assert step_id, f"{r.url}: {r.status}"
            response = r.answer(*example(g, step_id))
            assert r.status == 200 and r.step != step_id, f"{step_id}: {r.errors()}"
            # The POST and the page after it came over that same connection, held by ``pid``.
            assert [client_port(hop) for hop in [*response.history, response]] == [port, port]
            assert holder(server.port, port, pids) == pid
            served_by.append(pid)
            turn += 1
        clients.append(r.client)
        assert len(served_by) >= 8
        assert served_by[::2] == [pids[1]] * len(served_by[::2])
        assert served_by[1::2] == [pids[0]] * len(served_by[1::2])

        with look(env) as db:
            draft = db.draft(SLUG, bsn)
            [submission] = db.submissions(draft.id)
            assert draft.submitted_reference == submission.reference
        assert submission.reference in r.page
        # Neither worker died and was replaced on the fresh database (migrations under a lock).
        assert server.worker_pids() == pids
        assert not [e for e in server.log_events() if e.get("level") in ("error", "critical")]
    finally:
        for client in clients:
            client.close()
        server.stop()


def test_steps_alternate_between_two_servers_on_one_database(pg: PgServer, tmp_path: Path) -> None:
    g = gemeenten()[SLUG]
    bsn = resident_from_elsewhere(g.gemeentecode)
    url = new_database(pg, "twee_servers")
    servers = [
        LiveServer(server_env(tmp_path / f"data-{i}", url), tmp_path / f"logs-{i}") for i in (0, 1)
    ]
    hops = 1  # the resident starts on server 0; the first hop goes to server 1

    def hop(r: Any) -> None:
        """The next request goes to the other server, through a fresh client."""
        nonlocal hops
        move(r, servers[hops % 2].client(r.client.cookies))
        hops += 1

    r = resident(servers[0].client(), SLUG)
    try:
        for server in servers:
            server.start()
        r.get(f"/{SLUG}/inloggen")  # server 0: the login form and its anonymous cookie
        hop(r)
        login = r.client.post(f"/{SLUG}/inloggen", data={"csrf": csrf_of(r.page), "bsn": bsn})
        r._record(login)  # server 1 logs in; the first step's page comes from it too
        assert r.step == g.stappen[0].id
        while not r.url.endswith("/bevestiging"):
            hop(r)
            answer_step(r, g)
        assert hops >= 10
        with look(servers[0].env) as db:
            draft = db.draft(SLUG, bsn)
            [submission] = db.submissions(draft.id)
        for server in servers:
            with server.client(r.client.cookies) as client:
                page = client.get(f"/{SLUG}/bevestiging")
                assert page.status_code == 200 and submission.reference in page.text
    finally:
        r.client.close()
        for server in servers:
            server.stop()
