"""The ``verhuizen`` command: serve, check-config, schema, migrate, opschonen, toegankelijkheid, ..."""

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
    serve.add_argument(
        "--proxy",
        action="append",
        default=[],
        metavar="ADRES",
        help="het adres van de proxy ervoor (herhaalbaar): diens X-Forwarded-For geldt dan als "
        "het adres van de inwoner (voor de limieten per client)",
    )
    check = sub.add_parser("check-config", help="controleer gemeente-configuratie")
    check.add_argument(
        "path", nargs="?", help="een bestand of map (standaard: VERHUIZEN_CONFIG_DIR)"
    )
    schema = sub.add_parser("schema", help="schrijf het JSON Schema van het configuratieformaat")
    schema.add_argument(
        "--check", action="store_true", help="alleen controleren of het bestand actueel is"
    )
    sub.add_parser("migrate", help="breng het databaseschema op de laatste versie")
    opschonen = sub.add_parser(
        "opschonen",
        help="verwijder verlopen sessies en wat over de bewaartermijn is (voor cron; herhaalbaar)",
    )
    opschonen.add_argument(
        "--droog", action="store_true", help="niets verwijderen, alleen tellen wat weg zou gaan"
    )
    sub.add_parser(
        "sleutels-roteren",
        help="versleutel alle persoonsgegevens opnieuw met de eerste sleutel van "
        "VERHUIZEN_ENCRYPTION_KEYS",
    )
    toegankelijk = sub.add_parser(
        "toegankelijkheid", help="toegankelijkheidsbewijs (axe-core en controles) voor een gemeente"
    )
    toegankelijk.add_argument("--base-url", required=True, help="bijv. http://127.0.0.1:8000")
    toegankelijk.add_argument("--gemeente", required=True, help="de slug, bijv. rotterdam")
    toegankelijk.add_argument(
        "--uit", default="reports", help="map voor het rapport (standaard: reports)"
    )
    check_scenarios = sub.add_parser(
        "check-scenarios", help="controleer scenariobestanden tegen de gemeente-configuratie"
    )
    check_scenarios.add_argument(
        "path", nargs="?", help="een bestand of map (standaard: VERHUIZEN_CONFIG_DIR/scenarios)"
    )
    scenarios = sub.add_parser("scenarios", help="speel de scenario's af in een browser")
    scenarios.add_argument("--base-url", required=True, help="bijv. https://staging.example")
    scenarios.add_argument("--gemeente", help="alleen deze gemeente (slug, bijv. rotterdam)")
    scenarios.add_argument("--scenario", help="alleen het scenario met deze naam")
    scenarios.add_argument(
        "--uit",
        default="reports/scenarios",
        help="map voor de rapporten (standaard: reports/scenarios)",
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"verhuizen: {exc}", file=sys.stderr)
        return 2

    if args.command == "check-config":
        return _check_config(Path(args.path) if args.path else None, settings.config_dir)
    if args.command == "schema":
        return _schema(settings.config_dir, args.check)
    if args.command == "toegankelijkheid":
        return _toegankelijkheid(args.base_url, args.gemeente, Path(args.uit), settings.config_dir)
    if args.command == "check-scenarios":
        return _check_scenarios(Path(args.path) if args.path else None, settings.config_dir)
    if args.command == "scenarios":
        return _scenarios(args, settings.config_dir)
    if args.command == "migrate":
        if not _migrate(settings):
            return 1
        print("database bijgewerkt")
        return 0
    if args.command == "opschonen":
        return _opschonen(settings, args.droog)
    if args.command == "sleutels-roteren":
        return _sleutels_roteren(settings)
    return _serve(settings, args.host, args.port, args.workers, args.proxy)


def _database_problem(exc: Exception) -> str:
    """What went wrong, without SQL parameters (they may hold personal data)."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        first_line = next(iter(str(exc.orig).strip().splitlines()), "")
        return f"{type(exc.orig).__name__}: {first_line}"
    return str(exc) or type(exc).__name__


WRONG_KEYS = (
    "VERHUIZEN_ENCRYPTION_KEYS opent de gegevens in de database niet: zet de sleutel waarmee "
    "ze zijn versleuteld in de lijst (een nieuwe sleutel vooraan, de oude erachter)"
)


def _migrate(settings: Settings) -> bool:
    """Bring the database to the newest schema under the migration lock; False on failure."""
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.storage.crypto import DecryptionError, verify_keys
    from webapp.storage.db import MigrationLockTimeout, make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        migrate(engine, keys=settings.encryption_keys)
        verify_keys(engine)
    except DecryptionError:
        print(f"verhuizen: {WRONG_KEYS}", file=sys.stderr)
        return False
    except (SQLAlchemyError, ValueError, MigrationLockTimeout, OSError) as exc:
        print(f"verhuizen: database niet bijgewerkt: {_database_problem(exc)}", file=sys.stderr)
        return False
    finally:
        engine.dispose()
    return True


def _opschonen(settings: Settings, droog: bool) -> int:
    """Exit 0 when done (or counted), 1 when the database fails, 2 when it cannot start."""
    from datetime import timedelta

    from sqlalchemy.exc import SQLAlchemyError

    from webapp.storage.db import make_engine, schema_is_current
    from webapp.storage.store import Bewaartermijn, Store

    if _config_dir_missing(settings.config_dir):
        return 2
    try:
        gemeenten = load_dir(settings.config_dir)
    except ConfigError as exc:
        # Without the configured retention periods nothing is deleted: a default could be shorter.
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("verhuizen: niets opgeschoond: de configuratie is niet in orde", file=sys.stderr)
        return 2

    def termijn(slug: str) -> Bewaartermijn | None:
        # A gemeente not in the configuration (renamed, or its file away for a while): its
        # data is left alone rather than deleted by a default period.
        if slug not in gemeenten:
            return None
        return Bewaartermijn(
            concept=timedelta(days=gemeenten[slug].bewaren.concept_dagen),
            # Submissions count from their delivery to the back office. Nothing delivers them
            # yet (webapp.delivery has no target but this database), so they are kept.
            na_aflevering=None,
        )

    engine = make_engine(settings.database_url, keys=settings.encryption_keys)
    try:
        if not schema_is_current(engine):
            print(
                "verhuizen: de database is niet op de laatste versie: voer eerst "
                "'verhuizen migrate' uit",
                file=sys.stderr,
            )
            return 2
        store = Store(engine, settings.secret_key)
        telling = store.opschonen(
            termijn, timedelta(minutes=settings.session_idle_minutes), droog=droog
        )
    except SQLAlchemyError as exc:
        print(f"verhuizen: opschonen mislukt: {_database_problem(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    wat = (
        f"{telling.sessies} sessie(s), {telling.concepten} concept(en), "
        f"{telling.meldingen} melding(en), {telling.bestanden} bestand(en), "
        f"{telling.gekoppelde_aanvragen} gekoppelde aanvra(a)g(en)"
    )
    print(f"droog: zou verwijderen: {wat}" if droog else f"verwijderd: {wat}")
    print(
        "meldingen worden bewaard: er is nog geen aflevering aan een backoffice, dus telt "
        "bewaren.na_aflevering_dagen nog niet"
    )
    return 0


def _sleutels_roteren(settings: Settings) -> int:
    """Exit 0 when every value is encrypted with the first key, 1 on a failure."""
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.storage.crypto import DecryptionError
    from webapp.storage.db import make_engine, reencrypt, schema_is_current

    engine = make_engine(settings.database_url, keys=settings.encryption_keys)
    try:
        if not schema_is_current(engine):
            print("verhuizen: voer eerst 'verhuizen migrate' uit", file=sys.stderr)
            return 2
        counts = reencrypt(engine)
    except (SQLAlchemyError, DecryptionError) as exc:
        print(f"verhuizen: sleutels roteren mislukt: {_database_problem(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        "opnieuw versleuteld met de eerste sleutel: "
        + ", ".join(f"{table} {n}" for table, n in counts.items())
    )
    return 0


CONFIG_DIR_HINT = "stel VERHUIZEN_CONFIG_DIR in op de map met de gemeente-bestanden (*.yaml)"


def _config_dir_missing(directory: Path) -> bool:
    """Say so when the configured folder does not exist; the caller then exits with 2."""
    if directory.is_dir():
        return False
    print(
        f"verhuizen: configuratiemap {directory} niet gevonden; {CONFIG_DIR_HINT}", file=sys.stderr
    )
    return True


def _check_config(path: Path | None, config_dir: Path) -> int:
    """Exit 0 when every file is in order, 1 with problems, 2 when there is nothing to check."""
    if path is None:
        if _config_dir_missing(config_dir):
            return 2
        path = config_dir
        hint = f"{CONFIG_DIR_HINT}, of geef een pad mee: verhuizen check-config PAD"
    elif not path.exists():
        print(
            f"verhuizen: {path} niet gevonden; geef een bestaand gemeente-bestand (*.yaml) of een "
            "map met gemeente-bestanden mee: verhuizen check-config PAD",
            file=sys.stderr,
        )
        return 2
    else:
        hint = "geef een map met gemeente-bestanden mee: verhuizen check-config PAD"
    if path.is_dir() and not any(path.glob("*.yaml")):
        print(f"verhuizen: geen gemeente-bestanden (*.yaml) in {path}; {hint}", file=sys.stderr)
        return 2
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
    """Exit 0 when written or up to date, 1 when stale, 2 when the folder or file is not found."""
    from webapp.config import schema
    from webapp.steps import registry

    if _config_dir_missing(directory):
        return 2
    path = directory / schema.SCHEMA_FILE
    if check_only:
        if not path.is_file():
            print(
                f"verhuizen: {path} niet gevonden; stel VERHUIZEN_CONFIG_DIR in op de map met de "
                f"gemeente-bestanden en {schema.SCHEMA_FILE}, of schrijf het bestand met "
                "'verhuizen schema'",
                file=sys.stderr,
            )
            return 2
        if path.read_text(encoding="utf-8") != schema.render(registry):
            print(f"{path} is niet actueel: voer 'verhuizen schema' uit", file=sys.stderr)
            return 1
        print(f"{path} is actueel")
        return 0
    print(f"geschreven: {schema.write(directory, registry)}")
    return 0


def _toegankelijkheid(base_url: str, slug: str, out_dir: Path, config_dir: Path) -> int:
    """Exit 0 without findings, 1 with axe violations or failed checks, 2 if no report."""
    if _config_dir_missing(config_dir):
        return 2
    try:
        from webapp.evidence import run_evidence

        result = run_evidence(base_url, slug, out_dir, config_dir)
    except ImportError as exc:
        print(f"verhuizen: Playwright ontbreekt ({exc}); installeer '.[tools]'", file=sys.stderr)
        return 2
    except (ValueError, ConfigError, OSError) as exc:
        print(f"verhuizen: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the browser or the journey failed: say where, no report
        print(f"verhuizen: toegankelijkheid mislukt: {exc}", file=sys.stderr)
        return 2
    evidence = result.evidence
    print(f"geschreven: {result.html_path}\ngeschreven: {result.json_path}")
    print(
        f"{len(evidence.states)} toestanden; {len(evidence.violations())} axe-overtreding(en), "
        f"{len(evidence.failed_checks())} mislukte controle(s), "
        f"{len(evidence.incomplete())} te beoordelen"
    )
    return 0 if result.ok else 1


def _check_scenarios(path: Path | None, config_dir: Path) -> int:
    """Exit 0 when in order, 1 with problems, 2 when the file or folder is not found."""
    from webapp.scenarios import command
    from webapp.scenarios.loader import scenarios_dir

    if path is not None and not path.exists():
        print(
            f"verhuizen: {path} niet gevonden; geef een bestaand scenariobestand (*.yaml) of een "
            "map met scenariobestanden mee: verhuizen check-scenarios PAD",
            file=sys.stderr,
        )
        return 2
    if path is None:
        if _config_dir_missing(config_dir):
            return 2
        if not scenarios_dir(config_dir).is_dir():
            print(
                f"verhuizen: {scenarios_dir(config_dir)} niet gevonden; de scenario's staan in de "
                f"submap scenarios van de configuratiemap: {CONFIG_DIR_HINT}, of geef een pad "
                "mee: verhuizen check-scenarios PAD",
                file=sys.stderr,
            )
            return 2
    return command.check(path, config_dir)


def _scenarios(args: argparse.Namespace, config_dir: Path) -> int:
    """Exit 0 when every scenario passes, 1 on a failure, 2 when nothing could run."""
    if _config_dir_missing(config_dir):
        return 2
    try:
        from webapp.scenarios import command

        return command.run(args.base_url, config_dir, args.gemeente, args.scenario, Path(args.uit))
    except ImportError as exc:
        print(f"verhuizen: Playwright ontbreekt ({exc}); installeer '.[tools]'", file=sys.stderr)
        return 2


def _serve(
    settings: Settings, host: str, port: int, workers: int, proxies: list[str] | None = None
) -> int:
    import uvicorn

    try:
        load_dir(settings.config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    # Once, before the workers start: each worker's start-up then finds the schema at head.
    if not _migrate(settings):
        return 1
    print(f"eDienst Verhuizen ({settings.mode}) op http://{host}:{port}/", flush=True)
    from webapp import logs

    logs.configure()
    uvicorn.run(
        "webapp.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=None,  # ours: JSON lines (webapp.logs), set up again in each worker
        access_log=False,  # one event per request comes from webapp.web.middleware.RequestLog
        server_header=False,
        # Behind a proxy the peer is the proxy: trust its X-Forwarded-For only when named.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
