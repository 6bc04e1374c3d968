"""``python -m bench``: start what is needed on 127.0.0.1, run bounded load, stop, report.

    .venv/bin/python -m bench                 # the full run (about 3 minutes)
    .venv/bin/python -m bench --snel          # quick (about 1 minute): 0.7 s figures, 1/8 clients
    .venv/bin/python -m bench --postgres      # also 1 versus 2 workers on a temporary PostgreSQL
    .venv/bin/python -m bench --json out.json --readme   # also write JSON and bench/README.md

Sections: load (app against baseline), sql, configs (3 versus 342), pg, bytes (per theme).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from bench import fixtures, load, report
from bench.servers import ROOT, Server, Servers, base_env

PASSWORD = "bench-staging-wachtwoord"
SECRET = "bench-secret-key-0123456789abcdefghijklmnop"
# Per client address, and every load client is 127.0.0.1: without this the login limit (20 a
# minute) would end the load after 20 logins. The limiter still counts every hit.
RATE_LIMITS = (
    "login=1000000/minute,lookup=1000000/minute,upload=1000000/minute,submit=1000000/minute"
)
SECTIONS = ("load", "sql", "profile", "configs", "pg", "bytes")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path, servers: Servers) -> None:
        self.args = args
        self.tmp = tmp
        self.servers = servers
        self.quick: bool = args.snel
        self.seconds: float = args.seconds or (0.7 if self.quick else 3.0)
        self.client_counts: tuple[int, ...] = (1, 8) if self.quick else (1, 8, 32)
        self.today = date.today()
        self.testdata = tmp / "testdata"
        self.bsns = fixtures.make_testdata(self.testdata, max(self.client_counts) + 2)
        self.shipped = ROOT / "config" / "gemeenten"
        answers = fixtures.journey_answers(self.shipped, self.testdata, self.today)
        self.journey = load.Journey(answers)
        self.results: dict[str, Any] = {}
        from cryptography.fernet import Fernet

        # One key for every server of the run: they may share a PostgreSQL database.
        self.encryption_key = Fernet.generate_key().decode()

    def env(self, name: str, mode: str = "staging", **extra: str) -> dict[str, str]:
        data = self.tmp / f"data-{name}"
        data.mkdir(exist_ok=True)
        env = base_env()
        env.update(
            VERHUIZEN_MODE=mode,
            VERHUIZEN_DATA_DIR=str(data),
            VERHUIZEN_CONFIG_DIR=str(self.shipped),
            VERHUIZEN_SECRET_KEY=SECRET,
            VERHUIZEN_TESTDATA_DIR=str(self.testdata),
            VERHUIZEN_RATE_LIMITS=RATE_LIMITS,
            VERHUIZEN_ENCRYPTION_KEYS=self.encryption_key,
        )
        if mode == "staging":
            env["VERHUIZEN_STAGING_WACHTWOORD"] = PASSWORD
        env.update(extra)
        return env

    def figure(
        self,
        server: Server,
        unit: str,
        clients: int,
        units: dict[str, Any],
        seconds: float | None = None,
        other_cpu: Callable[[], float] | None = None,
        fresh: bool = False,
    ) -> Any:
        setup, work = units[unit]
        fig = asyncio.run(
            load.run_figure(
                server,
                unit,
                clients,
                seconds or self.seconds,
                setup,
                work,
                PASSWORD,
                other_cpu=other_cpu,
                fresh_connections=fresh,
            )
        )
        log(
            f"{server.name:<10} {unit:<9} x{clients:<3} {fig.rate:8.1f}/s  p99 {fig.p99_ms:7.1f} ms"
            f"  cpu {fig.server_cpu_ms:6.2f} ms"
        )
        return fig

    # -- sections ----------------------------------------------------------------------------

    def section_load(self) -> None:
        log("load: app (staging, SQLite) against the baseline")
        with self.servers.app("app", self.env("load")) as app:
            # The journey's shape, once: how many GETs and POSTs the baseline journey makes.
            client = load.make_client(app, PASSWORD)
            requests, gets = asyncio.run(self._one_journey(client))
            step_page = asyncio.run(self._step_page_bytes(app))
            with self.servers.baseline(base_env(), step_page) as base:
                app_units = load.app_units(self.bsns, self.journey)
                base_units = load.baseline_units(gets, requests - gets)
                figures = []
                for unit in ("step GET", "step POST", "journey"):
                    for n in self.client_counts:
                        figures.append(self.figure(app, unit, n, app_units).as_dict())
                        figures.append(self.figure(base, unit, n, base_units).as_dict())
        self.results["load"] = {
            "mode": "staging",
            "database": "sqlite",
            "seconds_per_figure": self.seconds,
            "journey_requests": requests,
            "journey_gets": gets,
            "step_page_bytes": step_page,
            "figures": figures,
        }

    async def _one_journey(self, client: Any) -> tuple[int, int]:
        try:
            return await self.journey.run(client, self.bsns[-1])
        finally:
            await client.close()

    async def _step_page_bytes(self, app: Server) -> int:
        client = load.make_client(app, PASSWORD)
        try:
            _n, target = await load.login(client, self.bsns[-2])
            return len((await client.get(target)).body)
        finally:
            await client.close()

    def section_sql(self) -> None:
        log("sql: statements and connections per request (in-process, SQLite)")
        from bench.inprocess import count_sql

        env = self.env("sql")
        self.results["sql"] = {
            "database": "sqlite",
            "counts": count_sql(env, PASSWORD, (self.bsns[0], self.bsns[1]), self.journey.answers),
        }
        if self.args.postgres and self.pg is not None:
            env = self.env("sql-pg", DATABASE_URL=self.pg.url)  # migrated at start-up
            self.results["sql_pg"] = {
                "database": "postgresql",
                "counts": count_sql(
                    env, PASSWORD, (self.bsns[2], self.bsns[3]), self.journey.answers
                ),
            }

    def section_profile(self) -> None:
        log("profile: where a step GET's time goes (in-process, cProfile)")
        from bench.profile import profile_config_load, profile_startup, profile_step_get

        requests = 100 if self.quick else 200
        self.results["profile"] = profile_step_get(
            self.env("profile"), PASSWORD, self.bsns[4], requests
        )
        self.results["profile"]["config_load"] = profile_config_load(fixtures.SOURCE_CONFIG)
        startup = []
        for mode in ("staging", "production"):
            n = 10
            folder = fixtures.make_configs(
                self.tmp / f"profile-{mode}", n, production=mode == "production"
            )
            extra = {"VERHUIZEN_CONFIG_DIR": str(folder)}
            if mode == "production":
                extra.update(fixtures.PRODUCTION_ENV)
            startup.append(profile_startup(self.env(f"profile-{mode}", mode, **extra), n))
        self.results["profile"]["startup"] = startup

    def section_configs(self) -> None:
        # The quick run starts 30, not 342: the 342 take over half a minute to start.
        counts = (3, 30) if self.quick else (3, 342)
        modes = ("staging",) if self.quick else ("staging", "production")
        log(f"configs: {' versus '.join(map(str, counts))} configurations, {', '.join(modes)}")
        rows = []
        for mode in modes:
            for n in counts:
                folder = fixtures.make_configs(
                    self.tmp / f"configs-{mode}-{n}", n, production=mode == "production"
                )
                extra = {"VERHUIZEN_CONFIG_DIR": str(folder)}
                if mode == "production":
                    extra.update(fixtures.PRODUCTION_ENV)
                env = self.env(f"configs-{mode}-{n}", mode, **extra)
                with self.servers.app(f"{mode}-{n}", env, timeout=120) as app:
                    row: dict[str, Any] = {
                        "mode": mode,
                        "configs": n,
                        "startup_s": app.startup_seconds,
                        "startup_cpu_s": app.startup_cpu_seconds,
                        "rss_mb_ready": app.rss() / 2**20,
                    }
                    start = {"start page": load.start_page_unit()}
                    short = min(self.seconds, 2.0)
                    fig = self.figure(app, "start page", 8, start, short)
                    row["start_page"] = fig.as_dict()
                    if mode != "production":
                        units = load.app_units(self.bsns, self.journey)
                        row["step_get"] = self.figure(app, "step GET", 8, units, short).as_dict()
                    row["rss_mb_after"] = app.rss() / 2**20
                rows.append(row)
                shutil.rmtree(folder, ignore_errors=True)
        self.results["configs"] = {"rows": rows}

    def section_pg(self) -> None:
        if self.pg is None:
            self.results["pg"] = {"skipped": self.pg_reason}
            return
        log("pg: 1 versus 2 workers on PostgreSQL")
        rows = []
        pg_cpu = self._pg_cpu
        for workers in (1, 2):
            env = self.env(f"pg-{workers}", DATABASE_URL=self.pg.url)
            with self.servers.app(f"pg-{workers}w", env, workers=workers) as app:
                units = load.app_units(self.bsns, self.journey)
                n = max(self.client_counts)
                rows.append(
                    {
                        "workers": workers,
                        "processes": len(app.pids()),
                        "step_get": self.figure(
                            app, "step GET", n, units, other_cpu=pg_cpu
                        ).as_dict(),
                        "step_post": self.figure(
                            app, "step POST", n, units, other_cpu=pg_cpu
                        ).as_dict(),
                        # Kept-alive connections stay with the worker that accepted them (one
                        # worker's event loop may accept them all); a new connection per
                        # request spreads the load as many separate visitors would.
                        "step_get_fresh": self.figure(
                            app, "step GET", n, units, other_cpu=pg_cpu, fresh=True
                        ).as_dict(),
                    }
                )
        self.results["pg"] = {"clients": max(self.client_counts), "rows": rows}

    def section_bytes(self) -> None:
        log("bytes: first visit and later steps per theme")
        from bench.wire import theme_bytes
        from webapp.config.loader import load_dir

        gemeenten = load_dir(self.shipped)
        per_theme: dict[str, str] = {}
        for slug, g in sorted(gemeenten.items(), key=lambda kv: kv[0] != fixtures.GEMEENTE):
            per_theme.setdefault(g.thema, slug)
        out = []
        with self.servers.app("bytes", self.env("bytes")) as app:
            for i, (theme, slug) in enumerate(sorted(per_theme.items())):
                answers = fixtures.journey_answers(self.shipped, self.testdata, self.today, slug)
                journey = load.Journey(answers, slug)
                bsn = self.bsns[-1 - i]
                tb = asyncio.run(theme_bytes(app, PASSWORD, theme, journey, bsn))
                out.append(tb.as_dict())
        self.results["bytes"] = {"themes": out}

    def _pg_cpu(self) -> float:
        """CPU seconds of the PostgreSQL server (postmaster and its backends)."""
        from bench.servers import cpu_seconds, process_tree

        try:
            pid = int((self.pg.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        return cpu_seconds(process_tree(pid))

    # -- the run -----------------------------------------------------------------------------

    pg: Any = None
    pg_reason: str | None = None

    def run(self, sections: list[str]) -> dict[str, Any]:
        started = time.perf_counter()
        self.results["machine"] = machine()
        self.results["run"] = {
            "quick": self.quick,
            "seconds_per_figure": self.seconds,
            "clients": list(self.client_counts),
            "sections": sections,
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        }
        if self.args.postgres and ("pg" in sections or "sql" in sections):
            self.pg, self.pg_reason = start_pg(self.tmp)
        elif "pg" in sections:
            self.pg_reason = "not asked (--postgres)"
        try:
            steps: dict[str, Callable[[], None]] = {
                "load": self.section_load,
                "sql": self.section_sql,
                "profile": self.section_profile,
                "configs": self.section_configs,
                "pg": self.section_pg,
                "bytes": self.section_bytes,
            }
            for name in sections:
                steps[name]()
        finally:
            if self.pg is not None:
                self.pg.stop()
        self.results["run"]["seconds"] = round(time.perf_counter() - started, 1)
        self.results["machine"]["loadavg_after"] = os.getloadavg()
        return self.results


def start_pg(tmp: Path) -> tuple[Any, str | None]:
    try:
        from tests._pg import postgres_unavailable_reason, start_postgres
    except ImportError as exc:
        return None, f"tests/_pg.py not importable: {exc}"
    reason = postgres_unavailable_reason()
    if reason is not None:
        return None, reason
    log("starting a temporary PostgreSQL")
    return start_postgres(tmp), None


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    import sqlalchemy
    import starlette
    import uvicorn

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "starlette": starlette.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "loadavg_before": os.getloadavg(),
        "shared": "yes: shared with other engineers running tests",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--snel",
        "--quick",
        action="store_true",
        help="a quick run (~1 minute; 3 versus 30 configurations)",
    )
    parser.add_argument("--postgres", action="store_true", help="start a temporary PostgreSQL")
    parser.add_argument("--seconds", type=float, help="seconds per figure (default 3, quick 1)")
    parser.add_argument(
        "--alleen", "--only", help=f"comma-separated sections of: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON here")
    parser.add_argument(
        "--readme", action="store_true", help="write the table into bench/README.md"
    )
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.alleen.split(",")] if args.alleen else list(SECTIONS)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    if args.seconds is not None and not 0.2 <= args.seconds <= 10:
        parser.error("--seconds must be between 0.2 and 10 (the run stays bounded)")

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    tmp = Path(tempfile.mkdtemp(prefix="verhuizen-bench-"))
    try:
        with Servers(tmp) as servers:
            results = Bench(args, tmp, servers).run(sections)
    except KeyboardInterrupt:
        log("interrupted: servers stopped")
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["goals"] = report.goals(results)
    text = report.render(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    else:
        print("\nJSON:\n" + json.dumps(results, default=str))
    if args.readme:
        report.write_readme(ROOT / "bench" / "README.md", text, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
