"""The delivery runner: works off the outbox, so every submitted report reaches each of its
gemeente's targets (``aflevering``), however often a back office is down or a process dies.

A submission is stored with one outbox row per target (``Store.submit``). A runner claims a due
row for a lease (``Store.claim_deliveries``), builds the target from the gemeente's current
configuration, calls ``deliver`` outside any database transaction, and settles the row:
afgeleverd with the target's kenmerk; tried again later with exponential backoff and jitter; or
mislukt, for an operator (``verhuizen bezorging``). A runner that dies mid-delivery leaves its
claim to expire, and the row is delivered again: the targets are idempotent on the reference,
so that finds what the first attempt made instead of making it twice.

Runners run in each server process (:class:`Background`, from the app's lifespan) and as
``verhuizen bezorgen`` on their own; any number may share one database.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from webapp.delivery import targets, verzoek
from webapp.delivery.bevestiging import BevestigingOptions
from webapp.delivery.contract import (
    ConsentTarget,
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryResult,
    DeliveryStatus,
    DeliveryTarget,
    Melding,
)
from webapp.delivery.opslag import melding_uit_opslag
from webapp.delivery.registry import DeliveryRegistry
from webapp.i18n import SOURCE_LOCALE, use_locale
from webapp.options import Options
from webapp.storage.crypto import DecryptionError, EncryptionKeyError
from webapp.storage.models import (
    AFGEROND,
    TAAK_MELDING,
    TAAK_TOESTEMMING,
    OutboxRow,
    OutboxStatus,
)
from webapp.storage.store import Store, options_hash, utc

if TYPE_CHECKING:
    from webapp.config.models import Gemeente
    from webapp.settings import Settings

log = logging.getLogger("verhuizen.bezorging")

BEVESTIGING = -1
"""The target index of the confirmation e-mail to the resident (``webapp.delivery.bevestiging``):
not in the gemeente's ``aflevering`` list; the outbox adds it when the gemeente sends one."""


TOESTEMMING_VERZOEK = -2
"""The target index of the e-mail to the hoofdbewoner that someone asks their consent
(``webapp.delivery.verzoek``), added when the gemeente's ``hoofdbewoner`` step asks for it."""


def deliveries_for(gemeente: Gemeente) -> list[tuple[int, Options]]:
    """The targets a report of this gemeente goes to, as (index, options) for its outbox rows:
    every ``aflevering`` entry, the confirmation e-mail when the gemeente sends one, and the
    request to the hoofdbewoner when it asks for their address (the targets themselves skip a
    report without an e-mail address)."""
    found: list[tuple[int, Options]] = list(enumerate(gemeente.aflevering))
    if gemeente.bevestiging.email:
        found.append((BEVESTIGING, BevestigingOptions()))
    if verzoek.wanted(gemeente):
        found.append((TOESTEMMING_VERZOEK, verzoek.VerzoekOptions()))
    return found


def consent_deliveries_for(
    gemeente: Gemeente, registry: DeliveryRegistry = targets
) -> list[tuple[int, Options]]:
    """The targets that hear the outcome of the hoofdbewoner's online consent: the gemeente's
    ``aflevering`` entries whose kind implements ``deliver_consent``
    (:class:`~webapp.delivery.contract.ConsentTarget`)."""
    return [
        (index, options)
        for index, options in enumerate(gemeente.aflevering)
        if registry.hears_consent(options.soort)
    ]


def configured(gemeente: Gemeente, index: int) -> Options | None:
    """The options now configured for the target at ``index``; None when there is none."""
    if index == BEVESTIGING:
        return BevestigingOptions() if gemeente.bevestiging.email else None
    if index == TOESTEMMING_VERZOEK:
        return verzoek.VerzoekOptions() if verzoek.wanted(gemeente) else None
    return gemeente.aflevering[index] if 0 <= index < len(gemeente.aflevering) else None


def current_target(gemeente: Gemeente, row: OutboxRow) -> Options | None:
    """The target the row goes to now: the one with the options it was written for, wherever
    that moved in ``aflevering`` (an entry added, removed or reordered before it). None when
    no target has those options any more: sending to whatever now stands at the row's index
    could hand the report to the wrong back office, so the operator decides
    (``verhuizen bezorging --opnieuw`` accepts the target now at that place)."""
    if row.target_index in (BEVESTIGING, TOESTEMMING_VERZOEK):
        return configured(gemeente, row.target_index)
    for options in gemeente.aflevering:
        if options.soort == row.soort and options_hash(options) == row.options_hash:
            found: Options = options
            return found
    return None


@dataclass(frozen=True)
class Policy:
    """When to try again, when to give up, how long a claim lasts."""

    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 80
    max_age: timedelta = timedelta(hours=72)
    """A row that keeps failing this long after its round began is given up: long enough for
    a back office that is down for a weekend."""
    lease: timedelta = timedelta(minutes=2)
    """A claim lasts this long and is renewed while the delivery runs, so a dead runner's row
    is due again soon after it died."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            max_attempts=settings.delivery_max_attempts,
            max_age=timedelta(hours=settings.delivery_max_hours),
            lease=timedelta(seconds=settings.delivery_lease_seconds),
        )

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The wait after the ``attempt``-th failure: doubling from ``first_delay`` up to
        ``max_delay``, less a random quarter at most, so rows that failed together (a back
        office that was down) do not all come back in the same second."""
        doubled = self.first_delay * (1 << min(max(attempt - 1, 0), 30))
        return min(self.max_delay, doubled) * rng.uniform(0.75, 1.0)


@dataclass(frozen=True)
class Attempt:
    """What one claim of a row came to; no personal data."""

    reference: str
    gemeente: str
    soort: str
    target_index: int
    attempt: int
    status: OutboxStatus
    """What the row is now."""
    detail: str
    settled: bool = True
    """False when the claim was gone by the time the outcome came (another runner or an
    operator had the row)."""


class _NotTried(Exception):
    """The configuration lacks the row's gemeente or target: no delivery, the row waits."""


class _WaitsForReport(Exception):
    """A consent row whose target has not got the report itself yet: it waits (uncounted) and
    looks again soon, so the outcome never overtakes the report it belongs to."""


class _NotWanted(Exception):
    """The gemeente no longer wants this delivery (the confirmation e-mail is switched off):
    nothing to send, the row is settled."""


def worker_name() -> str:
    """Who holds a claim: the host, the process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Runner:
    store: Store
    gemeenten: Callable[[], Mapping[str, Gemeente]]
    """The current configuration, by slug (``ConfigSource.current``)."""
    registry: DeliveryRegistry = field(default_factory=lambda: targets)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    """Where the variables that targets' options name are read."""
    policy: Policy = field(default_factory=Policy)
    worker: str = field(default_factory=worker_name)
    rng: random.Random = field(default_factory=random.Random)

    def run_once(self) -> Attempt | None:
        """Claim one due row and deliver it; None when nothing is due. One row at a time, so
        a claim is not waiting behind other deliveries while its lease runs."""
        claimed = self.store.claim_deliveries(self.worker, self.policy.lease, limit=1)
        return self._attempt(claimed[0]) if claimed else None

    def close_expired_consents(self) -> list[str]:
        """Close the consent requests past their deadline ("no consent received"), each with
        outbox rows for the targets that hear it; the references closed."""
        gemeenten = self.gemeenten()

        def hearing(slug: str) -> list[tuple[int, Options]] | None:
            gemeente = gemeenten.get(slug)
            return None if gemeente is None else consent_deliveries_for(gemeente, self.registry)

        closed = self.store.verloop_toestemmingen(hearing)
        for reference in closed:
            log.info(
                "toestemming verlopen", extra={"event": "consent_expired", "reference": reference}
            )
        return closed

    def run_until_idle(self, limit: int = 10_000) -> list[Attempt]:
        """Close expired consent requests, then deliver every row that is due now
        (``verhuizen bezorgen --eenmalig``). A row that fails is due again only later, so this
        ends."""
        self.close_expired_consents()
        done: list[Attempt] = []
        while len(done) < limit:
            attempt = self.run_once()
            if attempt is None:
                break
            done.append(attempt)
        return done

    # -- one row --------------------------------------------------------------------------

    def _attempt(self, row: OutboxRow) -> Attempt:
        assert row.id is not None
        started = time.monotonic()
        with self._holding(row.id):
            try:
                result = self._deliver(row)
            except _NotWanted as reason:
                # Nothing to deliver any more: settled, so retention is not held up by it.
                done = DeliveryResult(row.reference, DeliveryStatus.AFGELEVERD, detail=str(reason))
                return self._settle(row, done, OutboxStatus.AFGELEVERD, str(reason), started)
            except (_NotTried, _WaitsForReport) as reason:
                # Not tried: the row waits, uncounted; a consent row looks again soon, a row
                # the configuration lacks a target for after the longest delay.
                soon = isinstance(reason, _WaitsForReport)
                return self._settle(
                    row,
                    None,
                    OutboxStatus.WACHTEND,
                    str(reason),
                    started,
                    next_in=self.policy.first_delay if soon else self.policy.max_delay,
                    uncount=True,
                )
        if result.status is DeliveryStatus.AFGELEVERD:
            return self._settle(row, result, OutboxStatus.AFGELEVERD, result.detail, started)
        if result.status is DeliveryStatus.MISLUKT:
            return self._settle(row, result, OutboxStatus.MISLUKT, result.detail, started)
        age = utc(self.store.clock()) - utc(row.round_started_at)
        if row.attempts >= self.policy.max_attempts or age >= self.policy.max_age:
            given_up = f"{result.detail} (opgegeven na {row.attempts} poging(en))".lstrip()
            return self._settle(row, result, OutboxStatus.MISLUKT, given_up, started)
        return self._settle(
            row,
            result,
            OutboxStatus.WACHTEND,
            result.detail,
            started,
            next_in=self.policy.delay(row.attempts, self.rng),
        )

    def _deliver(self, row: OutboxRow) -> DeliveryResult:
        """The target's answer; a broken environment, database or target is a temporary
        failure with a detail for the operator, never an exception out of the runner."""
        if row.taak == TAAK_TOESTEMMING:
            self._after_the_report(row)
        try:
            target = self._target(row)
        except DeliveryConfigError as exc:  # a variable not set: fixed by the operator
            return _temporary(row, str(exc))
        except (_NotTried, _NotWanted, _WaitsForReport):
            raise
        except Exception as exc:  # e.g. a secret that is no key: the message might show it
            return _temporary(
                row, f"aflevering {row.soort} is niet te maken ({type(exc).__name__})"
            )
        try:
            submission = self.store.submission(row.submission_id)
            if submission is None or submission.id is None:
                return DeliveryResult(
                    row.reference,
                    DeliveryStatus.MISLUKT,
                    detail="de melding staat niet meer in de database",
                )
            melding = melding_uit_opslag(
                submission,
                self.store.linked_requests(submission.id),
                self.store.toestemming_van(submission.id),
            )
        except (DecryptionError, EncryptionKeyError):
            return _temporary(row, "de melding is niet te ontsleutelen (VERHUIZEN_ENCRYPTION_KEYS)")
        except SQLAlchemyError as exc:
            return _temporary(row, f"database niet bereikbaar ({type(exc).__name__})")
        try:
            # What a back office receives is Dutch, whatever language the resident used (the
            # confirmation e-mail to the resident picks its own: webapp.delivery.bevestiging).
            with use_locale(SOURCE_LOCALE):
                if row.taak == TAAK_TOESTEMMING:
                    return _deliver_consent(row, target, melding)
                return target.deliver(melding)
        except Exception as exc:  # the contract says a target returns; this is a bug in one
            log.error(
                "aflevering gaf een fout",
                exc_info=True,  # the formatter logs the type only: the text may hold values
                extra={"event": "delivery_error", "reference": row.reference, "soort": row.soort},
            )
            return _temporary(row, f"fout in de aflevering {row.soort} ({type(exc).__name__})")

    def _after_the_report(self, row: OutboxRow) -> None:
        """A consent row goes only after its target has the report (afgeleverd, or handled by
        hand): vrijBRP needs the dossier, a map its folder. While the report's row is open,
        mislukt included (an operator will look at it), the consent waits."""
        try:
            rows = self.store.deliveries(reference=row.reference)
        except SQLAlchemyError:
            return  # the delivery will say so
        for other in rows:
            if (
                other.taak == TAAK_MELDING
                and other.target_index == row.target_index
                and other.status not in AFGEROND
            ):
                raise _WaitsForReport(
                    f"wacht tot de melding zelf bij {row.soort} is afgeleverd ({other.status})"
                )

    def _target(self, row: OutboxRow) -> DeliveryTarget:
        gemeente = self.gemeenten().get(row.gemeente)
        if gemeente is None:
            raise _NotTried(
                f"gemeente {row.gemeente!r} staat niet (meer) in de configuratie; de aflevering "
                "wacht tot ze terug is, of handel haar af met verhuizen bezorging --afgehandeld"
            )
        if row.target_index == BEVESTIGING and not gemeente.bevestiging.email:
            raise _NotWanted("de gemeente stuurt geen bevestiging per e-mail meer")
        if row.target_index == TOESTEMMING_VERZOEK and not verzoek.wanted(gemeente):
            raise _NotWanted("de gemeente stuurt de hoofdbewoner geen bericht meer")
        options = current_target(gemeente, row)
        if options is None:
            raise _NotTried(
                f"aflevering {row.target_index} ({row.soort}) van {row.gemeente}: geen doel in "
                "de configuratie heeft nog de opties waarvoor deze melding is geschreven; de "
                "aflevering wacht. Bevestig het doel dat nu op die plaats staat met verhuizen "
                "bezorging --opnieuw, of handel haar af met --afgehandeld"
            )
        deps = DeliveryDeps(self.store, self.env, gemeenten=lambda slug: self.gemeenten().get(slug))
        return self.registry.build(options, deps)

    @contextmanager
    def _holding(self, row_id: int) -> Iterator[None]:
        """Renew the claim while the delivery runs: a slow back office keeps its row, a dead
        runner's claim runs out within one lease."""
        done = threading.Event()
        every = max(self.policy.lease.total_seconds() / 3, 0.05)

        def renew() -> None:
            while not done.wait(every):
                try:
                    if not self.store.renew_claim(row_id, self.worker, self.policy.lease):
                        return
                except SQLAlchemyError:
                    continue  # the database is away; the delivery will say so too

        renewer = threading.Thread(target=renew, name=f"bezorging-claim-{row_id}", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            done.set()
            renewer.join()

    def _settle(
        self,
        row: OutboxRow,
        result: DeliveryResult | None,
        status: OutboxStatus,
        detail: str,
        started: float,
        *,
        next_in: timedelta | None = None,
        uncount: bool = False,
    ) -> Attempt:
        assert row.id is not None
        settled = self.store.settle_delivery(
            row.id,
            self.worker,
            status,
            detail=detail,
            kenmerk=result.kenmerk if result is not None else None,
            next_attempt_at=self.store.clock() + next_in if next_in is not None else None,
            uncount=uncount,
        )
        attempt = row.attempts - 1 if uncount else row.attempts
        level = logging.WARNING if status is OutboxStatus.MISLUKT or not settled else logging.INFO
        log.log(
            level,
            "aflevering",
            extra={
                "event": "delivery",
                "reference": row.reference,
                "gemeente": row.gemeente,
                "soort": row.soort,
                "target": row.target_index,
                "taak": row.taak,
                "outcome": result.status.value if result is not None else "niet_geprobeerd",
                "status": status.value if settled else "claim_kwijt",
                "attempt": attempt,
                "ms": round((time.monotonic() - started) * 1000),
            },
        )
        return Attempt(
            row.reference,
            row.gemeente,
            row.soort,
            row.target_index,
            attempt,
            status,
            detail,
            settled,
        )


def _deliver_consent(row: OutboxRow, target: DeliveryTarget, melding: Melding) -> DeliveryResult:
    """The consent task of a row: the outcome, once it is final, to a target that hears it."""
    if not isinstance(target, ConsentTarget):
        # The row was written for a kind that heard consent; the configuration changed since.
        detail = f"aflevering {row.soort} krijgt de toestemming van de hoofdbewoner niet door"
        return DeliveryResult(row.reference, DeliveryStatus.AFGELEVERD, detail=detail)
    if melding.toestemming is None or not melding.toestemming.status.besloten:
        detail = "de toestemming van de hoofdbewoner is (nog) niet beslist"
        return DeliveryResult(row.reference, DeliveryStatus.MISLUKT, detail=detail)
    return target.deliver_consent(melding)


def _temporary(row: OutboxRow, detail: str) -> DeliveryResult:
    return DeliveryResult(row.reference, DeliveryStatus.TIJDELIJK_MISLUKT, detail=detail)


def configured_hash(gemeenten: Mapping[str, Gemeente], row: OutboxRow) -> str | None:
    """The hash of the options now configured for the row's target; None when there is none
    (any more). Differs from ``row.options_hash`` when the configuration changed."""
    gemeente = gemeenten.get(row.gemeente)
    options = configured(gemeente, row.target_index) if gemeente is not None else None
    return options_hash(options) if options is not None and options.soort == row.soort else None


class Background:
    """A runner in a thread of its own, in a server process: the event loop never waits for
    a back office, and a stop waits at most ``timeout`` for the delivery in hand (an
    unfinished one is taken over by another runner when its claim runs out)."""

    def __init__(self, runner: Runner, interval: float) -> None:
        self.runner = runner
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bezorging", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        run(self.runner, self._stop, self.interval)


def in_server(
    store: Store, gemeenten: Callable[[], Mapping[str, Gemeente]], settings: Settings
) -> Background | None:
    """The runner of a server process, started; None when the settings switch it off."""
    if not settings.delivery_in_server:
        return None
    runner = Runner(store, gemeenten, policy=Policy.from_settings(settings))
    return Background(runner, settings.delivery_interval).start()


def run(runner: Runner, stop: threading.Event, interval: float) -> None:
    """Deliver until ``stop`` is set: at once while rows are due, else every ``interval``."""
    trouble = False
    while not stop.is_set():
        try:
            attempt = runner.run_once()
        except SQLAlchemyError as exc:
            if not trouble:  # once per outage, not every interval
                log.warning(
                    "bezorging: database niet bereikbaar",
                    extra={"event": "delivery_unavailable", "error": type(exc).__name__},
                )
            trouble = True
            attempt = None
        except Exception:  # a bug: say so, and keep the other reports moving
            log.error("bezorging: fout", exc_info=True, extra={"event": "delivery_error"})
            attempt = None
        else:
            trouble = False
        if attempt is None:
            try:
                runner.close_expired_consents()  # when idle: one indexed query per interval
            except SQLAlchemyError:
                trouble = True
            except Exception:
                log.error("bezorging: fout", exc_info=True, extra={"event": "delivery_error"})
            stop.wait(interval)
