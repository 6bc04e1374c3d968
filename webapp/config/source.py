"""Where the running app gets its gemeente configurations: loaded once, or re-read on change.

In development and staging a functional administrator edits a file while the server runs: the
next request sees the change. An invalid edit never takes the service down: the last valid
version stays in use and the problem is shown on every page until the file is fixed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from webapp.config.loader import ConfigError, load_dir
from webapp.config.models import Gemeente

Stamp = tuple[tuple[str, int, int], ...]


class ConfigSource:
    def __init__(self, directory: Path, *, reload: bool) -> None:
        self.directory = directory
        self.reload = reload
        self.error: ConfigError | None = None
        self._lock = threading.Lock()
        self._stamp = self._scan()
        self._gemeenten = load_dir(directory)  # an invalid start fails loudly, in every mode

    def _scan(self) -> Stamp:
        stamp = []
        for path in sorted(self.directory.glob("*.yaml")):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed between glob and stat
                continue
            stamp.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(stamp)

    def current(self) -> dict[str, Gemeente]:
        if not self.reload:
            return self._gemeenten
        stamp = self._scan()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._gemeenten = load_dir(self.directory)
                        self.error = None
                    except ConfigError as exc:
                        self.error = exc
        return self._gemeenten
