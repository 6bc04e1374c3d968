"""The ``verhuizen`` command: serve, check-config, schema, migrate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from webapp.config.loader import ConfigError, load_dir, load_file
from webapp.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verhuizen", description="eDienst Verhuizen")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start de webserver")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    check = sub.add_parser("check-config", help="controleer gemeente-configuratie")
    check.add_argument(
        "path", nargs="?", help="een bestand of map (standaard: VERHUIZEN_CONFIG_DIR)"
    )
    schema = sub.add_parser("schema", help="schrijf het JSON Schema van het configuratieformaat")
    schema.add_argument(
        "--check", action="store_true", help="alleen controleren of het bestand actueel is"
    )
    sub.add_parser("migrate", help="breng het databaseschema op de laatste versie")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"verhuizen: {exc}", file=sys.stderr)
        return 2

    if args.command == "check-config":
        return _check_config(Path(args.path) if args.path else settings.config_dir)
    if args.command == "schema":
        return _schema(settings.config_dir, args.check)
    if args.command == "migrate":
        from webapp.storage.db import make_engine, migrate

        migrate(make_engine(settings.database_url))
        print("database bijgewerkt")
        return 0
    return _serve(settings, args.host, args.port, args.workers)


def _check_config(path: Path) -> int:
    try:
        gemeenten = load_dir(path) if path.is_dir() else {path.stem: load_file(path)}
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} fout(en) gevonden", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"verhuizen: {exc}", file=sys.stderr)
        return 1
    for slug, gemeente in gemeenten.items():
        print(
            f"{slug}: in orde ({gemeente.naam}, versie {gemeente.versie}, {len(gemeente.stappen)} stappen)"
        )
    return 0


def _schema(directory: Path, check_only: bool) -> int:
    from webapp.config import schema
    from webapp.steps import registry

    path = directory / schema.SCHEMA_FILE
    if check_only:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != schema.render(registry):
            print(f"{path} is niet actueel: voer 'verhuizen schema' uit", file=sys.stderr)
            return 1
        print(f"{path} is actueel")
        return 0
    print(f"geschreven: {schema.write(directory, registry)}")
    return 0


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    try:
        load_dir(settings.config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"eDienst Verhuizen ({settings.mode}) op http://{host}:{port}/", flush=True)
    uvicorn.run(
        "webapp.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
