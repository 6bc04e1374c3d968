"""The ``verhuizen`` command: serve, check-config, schema, migrate, opschonen, bezorgen,
bezorging, toegankelijkheid, ..."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from webapp.config.loader import ConfigError, load_dir, load_file, translation_warnings
from webapp.settings import Settings, SettingsError

if TYPE_CHECKING:
    from webapp.storage.store import Store


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
    bezorgen = sub.add_parser(
        "bezorgen",
        help="lever verstuurde meldingen af bij de backoffices van de gemeenten (een aparte "
        "worker naast de webserver; stopt netjes op SIGTERM)",
    )
    bezorgen.add_argument(
        "--eenmalig", action="store_true", help="lever af wat nu klaarstaat en stop dan"
    )
    bezorging = sub.add_parser(
        "bezorging",
        help="toon de afleveringen die nog niet zijn afgeleverd; probeer er een opnieuw of "
        "markeer haar als met de hand afgehandeld",
    )
    bezorging.add_argument(
        "--alle", action="store_true", help="ook de afgeleverde en afgehandelde afleveringen"
    )
    wat = bezorging.add_mutually_exclusive_group()
    wat.add_argument(
        "--opnieuw",
        metavar="REF",
        help="probeer de afleveringen van melding REF nu opnieuw, ook als ze mislukt zijn",
    )
    wat.add_argument(
        "--afgehandeld",
        metavar="REF",
        help="markeer de afleveringen van melding REF als met de hand afgehandeld",
    )
    bezorging.add_argument(
        "--doel",
        type=int,
        metavar="N",
        help="met --opnieuw of --afgehandeld: alleen aflevering N (de kolom doel)",
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
    if args.command == "bezorgen":
        return _bezorgen(settings, args.eenmalig)
    if args.command == "bezorging":
        return _bezorging(settings, args)
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
        bewaren = gemeenten[slug].bewaren
        return Bewaartermijn(
            concept=timedelta(days=bewaren.concept_dagen),
            # Counted from the delivery to every target (the outbox); a report of a gemeente
            # without aflevering from the moment it was sent.
            na_aflevering=timedelta(days=bewaren.na_aflevering_dagen),
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
        "een melding gaat weg bewaren.na_aflevering_dagen na haar aflevering bij alle doelen "
        "(zonder aflevering: na het versturen); wat nog niet is afgeleverd, blijft"
    )
    return 0


def _open_store(settings: Settings) -> Store | int:
    """The store for a command that works on submissions; an exit code (2) when the database
    is not at the newest schema or the keys do not open it."""
    from webapp.storage.crypto import DecryptionError, verify_keys
    from webapp.storage.db import make_engine, schema_is_current
    from webapp.storage.store import Store

    engine = make_engine(
        settings.database_url,
        keys=settings.encryption_keys,
        timeout=settings.db_timeout_seconds,
        pool_size=2,
    )
    try:
        if not schema_is_current(engine):
            print("verhuizen: voer eerst 'verhuizen migrate' uit", file=sys.stderr)
        else:
            verify_keys(engine)
            return Store(engine, settings.secret_key)
    except DecryptionError:
        print(f"verhuizen: {WRONG_KEYS}", file=sys.stderr)
    except BaseException:
        engine.dispose()
        raise
    engine.dispose()
    return 2


def _bezorgen(settings: Settings, eenmalig: bool) -> int:
    """Deliver until SIGTERM (or once: ``--eenmalig``). Exit 0 when done, 1 when the database
    fails, 2 when it cannot start."""
    import signal
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from webapp import logs
    from webapp.config.source import ConfigSource
    from webapp.delivery import outbox
    from webapp.storage.models import OutboxStatus

    if _config_dir_missing(settings.config_dir):
        return 2
    try:
        # As the server: an edit to a gemeente's targets counts from the next delivery on,
        # outside production; an invalid edit keeps the last valid version.
        config = ConfigSource(settings.config_dir, reload=not settings.is_production)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    try:
        store = _open_store(settings)
    except SQLAlchemyError as exc:
        print(f"verhuizen: database niet bereikbaar: {_database_problem(exc)}", file=sys.stderr)
        return 1
    if isinstance(store, int):
        return store
    logs.configure()
    runner = outbox.Runner(store, config.current, policy=outbox.Policy.from_settings(settings))
    try:
        if eenmalig:
            done = runner.run_until_idle()
            telling = {status: 0 for status in OutboxStatus}
            for attempt in done:
                telling[attempt.status] += 1
            print(
                f"{len(done)} poging(en): {telling[OutboxStatus.AFGELEVERD]} afgeleverd, "
                f"{telling[OutboxStatus.WACHTEND]} later opnieuw, "
                f"{telling[OutboxStatus.MISLUKT]} mislukt"
            )
            return 0
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda _number, _frame: stop.set())
        print(f"verhuizen bezorgen: gestart ({runner.worker})", flush=True)
        outbox.run(runner, stop, settings.delivery_interval)
        print("verhuizen bezorgen: gestopt", flush=True)
        return 0
    except SQLAlchemyError as exc:
        print(f"verhuizen: bezorgen mislukt: {_database_problem(exc)}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()


def _bezorging(settings: Settings, args: argparse.Namespace) -> int:
    """List the deliveries, or retry or mark one. Exit 0 when done, 1 when the reference has
    nothing to retry or mark (or the database fails), 2 when it cannot start."""
    from sqlalchemy.exc import SQLAlchemyError

    if args.doel is not None and not (args.opnieuw or args.afgehandeld):
        print("verhuizen: --doel hoort bij --opnieuw of --afgehandeld", file=sys.stderr)
        return 2
    try:
        store = _open_store(settings)
    except SQLAlchemyError as exc:
        print(f"verhuizen: database niet bereikbaar: {_database_problem(exc)}", file=sys.stderr)
        return 1
    if isinstance(store, int):
        return store
    try:
        if args.opnieuw or args.afgehandeld:
            return _bezorging_wijzigen(store, settings, args)
        return _bezorging_lijst(store, settings, args.alle)
    except SQLAlchemyError as exc:
        print(f"verhuizen: bezorging mislukt: {_database_problem(exc)}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()


def _bezorging_wijzigen(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    reference = str(args.opnieuw or args.afgehandeld).strip().upper()
    if args.opnieuw:
        changed = store.retry_delivery(reference, args.doel)
        accepted = _accept_current_targets(store, settings, reference, args.doel)
        if accepted:
            print(
                f"{reference}: {accepted} aflevering(en) gaan naar het doel dat nu op hun plaats staat"
            )
        done = "staan klaar; de eerstvolgende bezorger pakt ze op"
    else:
        changed = store.mark_delivery_handled(reference, args.doel)
        done = "gemarkeerd als afgehandeld"
    if changed:
        print(f"{reference}: {changed} aflevering(en) {done}")
        return 0
    rows = [
        r
        for r in store.deliveries(reference=reference)
        if args.doel is None or r.target_index == args.doel
    ]
    if not rows:
        print(f"verhuizen: geen aflevering van melding {reference}", file=sys.stderr)
    else:
        states = ", ".join(f"doel {r.target_index}: {r.status}" for r in rows)
        why = "wordt nu afgeleverd of is al klaar" if args.opnieuw else "is al klaar"
        print(f"verhuizen: niets te doen voor {reference} ({states}): {why}", file=sys.stderr)
    return 1


def _accept_current_targets(
    store: Store, settings: Settings, reference: str, doel: int | None
) -> int:
    """An operator's retry accepts the target now at a row's place in ``aflevering`` when its
    options changed since the report (a new URL, another secret variable)."""
    from webapp.delivery.outbox import configured_hash

    try:
        gemeenten = load_dir(settings.config_dir)
    except ConfigError:
        return 0
    accepted = 0
    for row in store.deliveries(reference=reference, open_only=True):
        if doel is not None and row.target_index != doel:
            continue
        now = configured_hash(gemeenten, row)
        if now is not None and now != row.options_hash and row.id is not None:
            accepted += store.accept_delivery_options(row.id, now)
    return accepted


def _bezorging_lijst(store: Store, settings: Settings, alle: bool) -> int:
    from webapp.delivery.outbox import configured_hash
    from webapp.storage.models import TAAK_MELDING, OutboxStatus
    from webapp.storage.store import utc

    rows = store.deliveries(open_only=not alle)
    try:
        gemeenten = load_dir(settings.config_dir) if settings.config_dir.is_dir() else None
    except ConfigError:
        gemeenten = None  # the list is still worth having; only the configuration check is lost
    table = [("referentie", "gemeente", "doel", "status", "pogingen", "volgende poging", "detail")]
    for row in rows:
        due = row.status in (OutboxStatus.WACHTEND, OutboxStatus.BEZIG)
        detail = row.detail
        if gemeenten is not None:
            now = configured_hash(gemeenten, row)
            if now is None:
                detail = f"[doel niet meer in de configuratie] {detail}"
            elif now != row.options_hash:
                detail = f"[configuratie gewijzigd sinds de melding] {detail}"
        table.append(
            (
                row.reference,
                row.gemeente,
                f"{row.target_index} {row.soort}"
                + ("" if row.taak == TAAK_MELDING else f" ({row.taak})"),
                str(row.status),
                str(row.attempts),
                utc(row.next_attempt_at).strftime("%Y-%m-%d %H:%M:%SZ") if due else "-",
                detail.strip() or "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]) - 1)]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)), end=""
        )
        print(f"  {line[-1]}")
    open_rows = sum(
        1 for r in rows if r.status not in (OutboxStatus.AFGELEVERD, OutboxStatus.AFGEHANDELD)
    )
    print(f"{open_rows} aflevering(en) niet afgeleverd" if open_rows else "alles is afgeleverd")
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
    warnings = 0
    for slug, gemeente in gemeenten.items():
        file = path / f"{slug}.yaml" if path.is_dir() else path
        found = translation_warnings(file, gemeente)
        for warning in found:
            print(f"waarschuwing: {warning}", file=sys.stderr)
        warnings += len(found)
        extra = f"; {len(found)} waarschuwing(en)" if found else ""
        print(
            f"{slug}: in orde ({gemeente.naam}, versie {gemeente.versie}, "
            f"{len(gemeente.stappen)} stappen{extra})"
        )
    if warnings:
        print(
            f"{warnings} waarschuwing(en): teksten zonder Engelse vertaling worden in het "
            "Nederlands getoond; geef ze als {nl: ..., en: ...}",
            file=sys.stderr,
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
