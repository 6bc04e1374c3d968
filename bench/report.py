"""The table (plain text, also Markdown-friendly) and the goals, from one run's results."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

KB = 1024
GOALS = {
    "get_ratio": 0.5,
    "post_ratio": 0.5,
    "p99_ms": 50.0,
    "startup_s": 3.0,
    "rss_mb": 250.0,
    "cost_spread": 0.10,
    "workers_ratio": 1.8,
    "first_visit": 60 * KB,
    "js": 15 * KB,
    "later_step": 10 * KB,
}


def _figs(results: dict[str, Any]) -> list[dict[str, Any]]:
    return list(results.get("load", {}).get("figures", []))


def _pair(figs: list[dict[str, Any]], unit: str, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    app = next(f for f in figs if f["server"] == "app" and f["unit"] == unit and f["clients"] == n)
    base = next(
        f for f in figs if f["server"] == "baseline" and f["unit"] == unit and f["clients"] == n
    )
    return app, base


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(goal: str, measured: str, met: bool, amount: str = "", why: str = "") -> None:
        out.append(
            {"goal": goal, "measured": measured, "verdict": _verdict(met), "by": amount, "why": why}
        )

    figs = _figs(results)
    machine = results.get("machine", {})
    load_note = (
        f"load average {machine.get('loadavg_before', [0])[0]:.2f} on {machine.get('cores')} "
        "cores at the start (shared machine)"
    )
    if figs:
        counts = sorted({f["clients"] for f in figs})
        for unit, key, label in (
            ("step GET", "get_ratio", "step GET >= 0.5x baseline"),
            ("step POST", "post_ratio", "step POST >= 0.5x baseline POST"),
        ):
            ratios = []
            for n in counts:
                app, base = _pair(figs, unit, n)
                ratios.append((app["rate"] / base["rate"], n, app, base))
            worst = min(ratios, key=lambda r: r[0])
            ratio, n, app, base = worst
            measured = ", ".join(f"{r:.2f}x at {c}" for r, c, _a, _b in ratios)
            cpu_ratio = app["server_cpu_ms"] / max(base["server_cpu_ms"], 1e-9)
            cores = app["rate"] * app["server_cpu_ms"] / 1000
            why = (
                f"server CPU {app['server_cpu_ms']:.2f} ms per request against "
                f"{base['server_cpu_ms']:.2f} ms for the baseline ({cpu_ratio:.1f}x): the app's "
                f"own work (see the profile for where). At {n} clients the app kept "
                f"{cores:.2f} cores busy"
                + (
                    ": below one core, so it also waits (the database, or a core taken by other "
                    "work on the shared machine)"
                    if cores < 0.85
                    else ": CPU-bound"
                )
            )
            met = ratio >= GOALS[key]
            add(
                label,
                measured,
                met,
                "" if met else f"{ratio:.2f}x, {GOALS[key] / ratio:.1f}x short",
                "" if met else why,
            )
        top = max(counts)
        for unit in ("step GET", "step POST"):
            app, _base = _pair(figs, unit, top)
            met = top >= 32 and app["p99_ms"] < GOALS["p99_ms"]
            why = ""
            if not met:
                busy = app["rate"] * app["server_cpu_ms"] / 1000
                why = (
                    f"{top} clients queue on one process: {app['rate']:.0f}/s x "
                    f"{app['server_cpu_ms']:.1f} ms CPU = {busy:.2f} cores busy; a request waits "
                    f"for about {top} others ({top} x {app['server_cpu_ms']:.1f} ms = "
                    f"{top * app['server_cpu_ms']:.0f} ms); {load_note}"
                )
                if top < 32:
                    why = f"not measured at 32 clients (quick run: {top} at most)"
            add(
                f"{unit} p99 < 50 ms at 32 clients (SQLite)",
                f"p99 {app['p99_ms']:.1f} ms at {top} clients",
                met,
                "" if met else f"+{app['p99_ms'] - GOALS['p99_ms']:.0f} ms",
                why,
            )
    rows = results.get("configs", {}).get("rows", [])
    for mode in sorted({r["mode"] for r in rows}):
        mine = {r["configs"]: r for r in rows if r["mode"] == mode}
        big = mine.get(max(mine))
        small = mine.get(min(mine))
        if big is None or small is None:
            continue
        n = big["configs"]
        per_config = (big["startup_cpu_s"] - small["startup_cpu_s"]) / max(1, n - small["configs"])
        met = big["startup_s"] < GOALS["startup_s"]
        add(
            f"{n} configurations start in < 3 s ({mode})",
            f"{big['startup_s']:.1f} s (with {small['configs']}: {small['startup_s']:.1f} s)",
            met,
            "" if met else f"+{big['startup_s'] - GOALS['startup_s']:.1f} s",
            "" if met else _startup_why(mode, big, per_config, results),
        )
        rss = big["rss_mb_after"]
        per_mb = (rss - small["rss_mb_after"]) / max(1, n - small["configs"])
        met = rss < GOALS["rss_mb"]
        why = f"about {per_mb * 1024:.0f} KB per extra configuration"
        same = [r for r in rows if r["configs"] == n and r["mode"] != mode]
        if same and same[0]["rss_mb_after"] < rss:
            why += (
                f"; the same files take {same[0]['rss_mb_after']:.0f} MB in {same[0]['mode']}, so "
                "the rest is what production builds per gemeente: its koppelingen, each with "
                "HTTP clients and their SSL contexts (see the start-up profile; not measured "
                "per object)"
            )
        add(
            f"{n} configurations RSS < 250 MB ({mode})",
            f"{rss:.0f} MB (with {small['configs']}: {small['rss_mb_after']:.0f} MB)",
            met,
            "" if met else f"+{rss - GOALS['rss_mb']:.0f} MB",
            "" if met else why,
        )
        for key, label in (("start_page", "start page"), ("step_get", "step GET")):
            if key not in big or key not in small:
                continue
            a, b = small[key]["server_cpu_ms"], big[key]["server_cpu_ms"]
            spread = b / a - 1
            met = abs(spread) <= GOALS["cost_spread"]
            add(
                f"{label} costs the same with {n} as with {small['configs']} (+-10%, {mode})",
                f"{b:.2f} ms against {a:.2f} ms CPU ({spread:+.0%})",
                met,
                "" if met else f"{abs(spread) - GOALS['cost_spread']:.0%} over",
                "" if met else _spread_why(mode, key, results, load_note),
            )
    pg = results.get("pg", {})
    if pg.get("rows"):
        one, two = pg["rows"][0], pg["rows"][1]
        for key, label in (
            ("step_get_fresh", "step GET, a new connection per request"),
            ("step_get", "step GET, kept-alive connections"),
            ("step_post", "step POST, kept-alive connections"),
        ):
            if key not in two or key not in one:
                continue
            ratio = two[key]["rate"] / one[key]["rate"]
            met = ratio >= GOALS["workers_ratio"]
            client = two[key]["client_cpu_ms"] * two[key]["rate"] / 1000
            server = two[key]["server_cpu_ms"] * two[key]["rate"] / 1000
            db = two[key]["extra"].get("other_cpu_ms", 0.0) * two[key]["rate"] / 1000
            split = two[key]["extra"].get("cpu_s_by_process", [])
            busy = [c for c in split if c > 0.05]
            why = (
                f"with 2 workers the app used {server:.2f} cores, PostgreSQL {db:.2f} and the "
                f"load generator {client:.2f} of {machine.get('cores')} cores, shared with other "
                f"work ({load_note}); CPU seconds per server process {split}"
            )
            if split and len(busy) < 2:
                why += (
                    ": one worker did all the work. Each client keeps one connection, and one "
                    "worker's event loop accepted them all (uvicorn's workers share one socket), "
                    "so the second worker idles; a measurement artefact of kept-alive load as "
                    "much as a property of the deployment"
                )
            add(
                f"2 workers >= 1.8x one on PostgreSQL ({label}, {pg['clients']} clients)",
                f"{ratio:.2f}x ({one[key]['rate']:.0f}/s -> {two[key]['rate']:.0f}/s)",
                met,
                "" if met else f"{GOALS['workers_ratio'] - ratio:.2f}x short",
                "" if met else why,
            )
    elif pg.get("skipped"):
        add("2 workers >= 1.8x one on PostgreSQL", f"not measured: {pg['skipped']}", False)
    for theme in results.get("bytes", {}).get("themes", []):
        first, step = theme["first_visit"], theme["largest_step"]
        met = first["total_gzip"] <= GOALS["first_visit"]
        add(
            f"first visit <= 60 KB compressed ({theme['theme']})",
            f"{first['total_gzip'] / KB:.1f} KB gzip ({first['total_wire'] / KB:.1f} KB as sent)",
            met,
            "" if met else f"+{(first['total_gzip'] - GOALS['first_visit']) / KB:.1f} KB",
        )
        all_js = first["new_js_gzip"] + sum(s["new_js_gzip"] for s in theme["steps"])
        met = all_js <= GOALS["js"]
        add(
            f"JS <= 15 KB compressed ({theme['theme']})",
            f"{all_js / KB:.1f} KB over the journey (first visit {first['new_js_gzip'] / KB:.1f})",
            met,
            "" if met else f"+{(all_js - GOALS['js']) / KB:.1f} KB",
        )
        met = step["total_gzip"] <= GOALS["later_step"]
        add(
            f"a later step <= 10 KB ({theme['theme']})",
            f"largest {step['page']}: {step['total_gzip'] / KB:.1f} KB gzip "
            f"({step['total_wire'] / KB:.1f} KB as sent)",
            met,
            "" if met else f"+{(step['total_gzip'] - GOALS['later_step']) / KB:.1f} KB",
            ""
            if met
            else f"HTML {step['html_gzip'] / KB:.1f} KB + new CSS "
            f"{step['new_css_gzip'] / KB:.1f} KB + new JS {step['new_js_gzip'] / KB:.1f} KB",
        )
    return out


def _startup_why(mode: str, big: dict[str, Any], per_config: float, results: dict[str, Any]) -> str:
    why = (
        f"start-up CPU {big['startup_cpu_s']:.1f} s, {per_config * 1000:.0f} ms per extra "
        "configuration"
    )
    profile = results.get("profile", {})
    load = profile.get("config_load")
    if load:
        loads = per_config * 1000 / load["cpu_ms_per_load"]
        why += (
            f": about {loads:.1f}x the {load['cpu_ms_per_load']:.0f} ms one load of a file costs "
            "(`verhuizen serve` loads the folder before uvicorn starts, the app again), "
            f"{load['yaml_share']:.0%} of a load in PyYAML's pure-Python loader "
            "(webapp/config/loader.py parse_yaml parses each file twice, compose and safe_load; "
            f"libyaml is {'installed' if load['libyaml'] else 'not installed'})"
        )
    for st in profile.get("startup", []):
        if st["mode"] == mode and st["http_client_share"] >= 0.05:
            why += (
                f"; in {mode} also {st['http_client_share']:.0%} of building the app goes to "
                "HTTP clients for each gemeente's koppelingen (httpx2, an SSL context each)"
            )
    return why


def _spread_why(mode: str, key: str, results: dict[str, Any], load_note: str) -> str:
    counts = results.get("sql", {}).get("counts", {})
    scans = counts.get("step GET", {}).get("config_scans_per_request", 0) if counts else 0
    if mode != "production" and scans:
        what = "a step GET" if key == "step_get" else "a request"
        return (
            f"{what} checks the config folder for changes ({scans:g} scan per step GET in the "
            "SQL table: a glob and a stat of every file, webapp/config/source.py "
            "ConfigSource.current), so its cost grows with the number of files; production "
            f"does not scan. Part may be noise: {load_note}"
        )
    return (
        f"no config scans in production; not explained by this run, part may be noise: {load_note}"
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| "
        + " | ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        + " |"
        for r in rows
    ]
    return "\n".join([line, sep, *body])


def render(results: dict[str, Any]) -> str:
    parts: list[str] = []
    m = results.get("machine", {})
    run = results.get("run", {})
    parts.append(
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_mb')} MB, Linux "
        f"{m.get('kernel')}, Python {m.get('python')}, uvicorn {m.get('uvicorn')} (h11, asyncio), "
        f"starlette {m.get('starlette')}, SQLAlchemy {m.get('sqlalchemy')}. SHARED machine: load "
        f"average {m.get('loadavg_before', [0])[0]:.2f} before, "
        f"{m.get('loadavg_after', [0])[0]:.2f} after. Run: {run.get('started')}, "
        f"{'quick' if run.get('quick') else 'full'}, {run.get('seconds_per_figure')} s per "
        f"figure, {run.get('seconds')} s in all."
    )
    figs = _figs(results)
    if figs:
        ld = results["load"]
        parts.append(
            f"\nLoad: app in {ld['mode']} mode on {ld['database']} (one uvicorn worker), against "
            f"the baseline (bare Starlette + Jinja page of {ld['step_page_bytes']} B, token "
            f"cookie, same uvicorn options). A journey = {ld['journey_requests']} requests "
            f"({ld['journey_gets']} GET); the baseline's journey makes as many GETs and POSTs. "
            "Rate: units per second; CPU: server CPU ms per unit."
        )
        rows = []
        counts = sorted({f["clients"] for f in figs})
        for unit in ("step GET", "step POST", "journey"):
            for n in counts:
                app, base = _pair(figs, unit, n)
                rows.append(
                    [
                        unit,
                        str(n),
                        f"{app['rate']:.1f}",
                        f"{base['rate']:.1f}",
                        f"{app['rate'] / base['rate']:.2f}x",
                        f"{app['p50_ms']:.1f}",
                        f"{app['p95_ms']:.1f}",
                        f"{app['p99_ms']:.1f}",
                        f"{base['p99_ms']:.1f}",
                        f"{app['server_cpu_ms']:.2f}",
                        f"{base['server_cpu_ms']:.2f}",
                        f"{app['server_cpu_ms'] / max(base['server_cpu_ms'], 1e-9):.1f}x",
                        str(app["errors"] + base["errors"]),
                    ]
                )
        parts.append(
            _table(
                [
                    "unit",
                    "clients",
                    "app/s",
                    "base/s",
                    "rate ratio",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "base p99",
                    "app CPU ms",
                    "base CPU ms",
                    "CPU ratio",
                    "errors",
                ],
                rows,
            )
        )
    for key in ("sql", "sql_pg"):
        sql = results.get(key)
        if not sql:
            continue
        parts.append(
            f"SQL per request ({sql['database']}, in-process, event listeners; config scans = "
            "checks of the config folder for changes, a glob and a stat per file, outside "
            "production):"
        )
        rows = [
            [
                kind,
                str(c["requests"]),
                f"{c['statements_per_request']:.1f}",
                f"{c['connections_per_request']:.1f}",
                f"{c['config_scans_per_request']:.1f}" if "config_scans_per_request" in c else "",
                ", ".join(
                    f"{v} {round(n, 1):g}" for v, n in c.get("kinds_per_request", {}).items()
                ),
            ]
            for kind, c in sql["counts"].items()
        ]
        parts.append(
            _table(
                ["request", "measured", "statements", "connections", "config scans", "of which"],
                rows,
            )
        )
    rows_c = results.get("configs", {}).get("rows", [])
    if rows_c:
        parts.append(
            "\nConfigurations (start-up = spawn of `verhuizen serve` until /gereed is 200):"
        )
        rows = []
        for r in rows_c:
            step = r.get("step_get")
            rows.append(
                [
                    r["mode"],
                    str(r["configs"]),
                    f"{r['startup_s']:.2f}",
                    f"{r['startup_cpu_s']:.2f}",
                    f"{r['rss_mb_ready']:.0f}",
                    f"{r['rss_mb_after']:.0f}",
                    f"{r['start_page']['server_cpu_ms']:.2f}",
                    f"{step['server_cpu_ms']:.2f}" if step else "-",
                    f"{r['start_page']['rate']:.0f}",
                ]
            )
        parts.append(
            _table(
                [
                    "mode",
                    "configs",
                    "start-up s",
                    "start-up CPU s",
                    "RSS MB ready",
                    "RSS MB after",
                    "start page CPU ms",
                    "step GET CPU ms",
                    "start page /s",
                ],
                rows,
            )
        )
    pg = results.get("pg", {})
    if pg.get("rows"):
        parts.append(f"\nPostgreSQL, {pg['clients']} clients (staging):")
        rows = []
        for r in pg["rows"]:
            for key in ("step_get", "step_post", "step_get_fresh"):
                if key not in r:
                    continue
                f = r[key]
                rows.append(
                    [
                        str(r["workers"]),
                        f["unit"] + (", new connections" if key.endswith("fresh") else ""),
                        f"{f['rate']:.1f}",
                        f"{f['p99_ms']:.1f}",
                        f"{f['server_cpu_ms']:.2f}",
                        f"{f['extra'].get('other_cpu_ms', 0.0):.2f}",
                        f"{f['client_cpu_ms']:.2f}",
                        " / ".join(f"{c:.2f}" for c in f["extra"].get("cpu_s_by_process", [])),
                    ]
                )
        parts.append(
            _table(
                [
                    "workers",
                    "unit",
                    "rate/s",
                    "p99 ms",
                    "app CPU ms",
                    "PG CPU ms",
                    "client CPU ms",
                    "CPU s per process",
                ],
                rows,
            )
        )
    elif pg.get("skipped"):
        parts.append(f"\nPostgreSQL: not measured ({pg['skipped']}).")
    themes = results.get("bytes", {}).get("themes", [])
    if themes:
        parts.append(
            "\nBytes per theme (KB; gzip -6 of each body, as a compressing proxy sends it; "
            "'sent' = what the app sends itself, uncompressed, with headers):"
        )
        rows = []
        for t in themes:
            f = t["first_visit"]
            steps = t["steps"]
            median = sorted(s["total_gzip"] for s in steps)[len(steps) // 2]
            big = t["largest_step"]
            rows.append(
                [
                    f"{t['theme']} ({t['gemeente']})",
                    f"{f['html_gzip'] / KB:.1f}",
                    f"{f['new_css_gzip'] / KB:.1f}",
                    f"{f['new_js_gzip'] / KB:.1f}",
                    f"{f['total_gzip'] / KB:.1f}",
                    f"{f['total_wire'] / KB:.1f}",
                    f"{median / KB:.1f}",
                    f"{big['page']} {big['total_gzip'] / KB:.1f}",
                    f"{big['total_wire'] / KB:.1f}",
                ]
            )
        parts.append(
            _table(
                [
                    "theme",
                    "first html",
                    "first css",
                    "first js",
                    "first total",
                    "first sent",
                    "step median",
                    "largest step",
                    "largest sent",
                ],
                rows,
            )
        )
    profile = results.get("profile")
    if profile:
        parts.append(
            f"Profile of the step GET (in-process, cProfile, {profile['requests']} requests; "
            f"{profile['app_total_ms']:.2f} ms per request under the ASGI app, profiled; "
            "offloads inline). Own time per package, ms per request:"
        )
        parts.append(
            _table(["package", "ms"], [[p["where"], f"{p['ms']:.2f}"] for p in profile["packages"]])
        )
        parts.append("The app's costliest functions (cumulative ms per request):")
        parts.append(
            _table(["function", "ms"], [[p["where"], f"{p['ms']:.2f}"] for p in profile["top"]])
        )
        cl = profile.get("config_load")
        if cl:
            parts.append(
                f"Loading one configuration ({cl['file']}, {cl['bytes']} B): "
                f"{cl['cpu_ms_per_load']:.1f} ms CPU, {cl['yaml_share']:.0%} of it in PyYAML "
                f"(libyaml {'available' if cl['libyaml'] else 'not available'})."
            )
        for st in profile.get("startup", []):
            parts.append(
                f"Building the app (create_app) with {st['configs']} configurations, {st['mode']}, "
                f"under cProfile: {st['cpu_ms_per_config']:.0f} ms CPU per configuration, "
                f"{st['yaml_share']:.0%} "
                f"in PyYAML, {st['http_client_share']:.0%} in building HTTP clients (httpx2, SSL "
                "contexts) for the koppelingen."
            )
    gl = results.get("goals", [])
    if gl:
        parts.append("Goals:")
        parts.append(
            _table(
                ["goal", "measured", "verdict", "by"],
                [[g["goal"], g["measured"], g["verdict"], g["by"]] for g in gl],
            )
        )
        whys = [f"- {g['goal']}: {g['why']}" for g in gl if g["verdict"] != "met" and g["why"]]
        if whys:
            parts.append(
                "Why, for each missed goal (from this run's figures):\n\n" + "\n".join(whys)
            )
    return "\n\n".join(p.strip("\n") for p in parts)


START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"


def write_readme(path: Path, table: str, results: dict[str, Any]) -> None:
    """Put the table between the markers of bench/README.md (the rest stays as written)."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"# bench\n\n{START}\n{END}\n"
    block = f"{START}\n\n{table}\n\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
