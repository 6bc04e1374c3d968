"""Where the running app gets its gemeente configurations: loaded once, or re-read on change.

In development and staging a functional administrator edits a file while the server runs: a
page shortly after sees the change. An invalid edit never takes the service down: the last
valid version of that file stays in use and the problem is shown on every page until the file
is fixed.

A request never reads the folder and never parses YAML. It only looks at the clock: at most once
a second (:attr:`ConfigSource.interval`) it starts a check in a thread of its own, which stats
the folder's files (an edit in place changes a file's time, not the folder's) and loads only the
files whose time, size or inode changed. The request that started the check, and those during
it, get the configurations as they were; the next ones get the new.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from webapp.config.loader import ConfigError, Problem, load_dir, load_file
from webapp.config.models import Gemeente

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int]
"""A file's modification time (ns), size and inode: any edit or replacement changes one."""


class ConfigSource:
    interval = 1.0
    """Seconds between two checks of the folder, at most."""

    def __init__(
        self,
        directory: Path,
        *,
        reload: bool,
        clock: Callable[[], float] = time.monotonic,
        interval: float | None = None,
    ) -> None:
        self.directory = directory
        self.reload = reload
        self.error: ConfigError | None = None
        self.scans = 0
        """How many times the folder was read (for the tests: a request does not read it)."""
        self._clock = clock
        if interval is not None:
            self.interval = interval
        self._lock = threading.Lock()  # guards _checking and _checked
        self._refreshing = threading.Lock()  # one refresh at a time
        self._checking: threading.Thread | None = None
        self._stamps = self._scan() or {}
        self._gemeenten = load_dir(directory)  # an invalid start fails loudly, in every mode
        self._valid = {f"{slug}.yaml": gemeente for slug, gemeente in self._gemeenten.items()}
        """The last valid version of each file, by file name."""
        self._problems: dict[str, list[Problem]] = {}
        """The problems of each file whose current version is not valid."""
        self._checked = clock()
        """When the last check started."""

    def current(self) -> dict[str, Gemeente]:
        """The configurations in use; outside production this may start a check (not wait
        for it)."""
        if self.reload and self._clock() - self._checked >= self.interval:
            self._start_check()
        return self._gemeenten

    def _start_check(self) -> None:
        with self._lock:
            now = self._clock()
            if self._checking is not None or now - self._checked < self.interval:
                return
            self._checked = now
            self._checking = threading.Thread(
                target=self._check, name="configuratie-controle", daemon=True
            )
            thread = self._checking
        thread.start()

    def _check(self) -> None:
        try:
            self.refresh()
        except Exception:  # a bug here must not stop later checks; the old version stays
            log.exception("configuratie: controle van %s mislukt", self.directory)
        finally:
            with self._lock:
                self._checking = None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a check in progress (tests, and a command that wants the newest)."""
        with self._lock:
            thread = self._checking
        if thread is not None:
            thread.join(timeout)

    def refresh(self) -> bool:
        """Look at the folder now and load the files that changed; True when any did."""
        with self._refreshing:
            stamps = self._scan()
            if stamps is None:
                self.error = ConfigError(
                    [Problem(str(self.directory), None, "", "de map is niet te lezen")]
                )
                return True
            if stamps == self._stamps:
                return False
            if not stamps:
                self.error = ConfigError(
                    [
                        Problem(
                            str(self.directory),
                            None,
                            "",
                            "geen gemeente-bestanden (*.yaml) gevonden",
                        )
                    ]
                )
                self._stamps = stamps
                return True
            valid = {name: g for name, g in self._valid.items() if name in stamps}
            problems = {name: p for name, p in self._problems.items() if name in stamps}
            for name, stamp in stamps.items():
                if self._stamps.get(name) == stamp:
                    continue
                try:
                    valid[name] = load_file(self.directory / name)
                    problems.pop(name, None)
                except ConfigError as exc:
                    problems[name] = exc.problems
                except OSError as exc:  # removed or unreadable between the scan and the read
                    problems[name] = [
                        Problem(
                            str(self.directory / name),
                            None,
                            "",
                            f"niet te lezen: {exc.strerror or type(exc).__name__}",
                        )
                    ]
            self._stamps = stamps
            self._valid = valid
            self._problems = problems
            self._gemeenten = {name[: -len(".yaml")]: valid[name] for name in sorted(valid)}
            self.error = (
                ConfigError([p for name in sorted(problems) for p in problems[name]])
                if problems
                else None
            )
            return True

    def _scan(self) -> dict[str, Stamp] | None:
        """Each ``*.yaml`` file's stamp, by name; None when the folder cannot be read."""
        self.scans += 1
        found: dict[str, Stamp] = {}
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    if not entry.name.endswith(".yaml"):  # as load_dir's glob
                        continue
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:  # removed while the folder was read
                        continue
                    found[entry.name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            return None
        return found
