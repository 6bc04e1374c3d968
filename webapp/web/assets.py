"""Static files with their content hash in the name, cached for a year.

A page names ``css/components.css`` as ``/static/css/components.3f9a1c2b7d40.css``: the first
twelve hex digits of the file's sha256 before the extension. Such a URL is served with
``Cache-Control: public, max-age=31536000, immutable``, so a browser never asks for it again;
when the file changes, its name changes, and pages name the new one. The plain name still
works (tools, old pages), with ``no-cache``: revalidated on every use. A hashed name whose hash
is not the file's (an old page after a deployment) is served too, uncached, rather than a 404.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")


@cache
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def digest(path: Path) -> str:
    """The file's content hash (cached per modification time and size)."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def hashed_name(directory: Path, name: str) -> str:
    """``css/app.css`` as ``css/app.<hash>.css``; the name unchanged when there is no file."""
    path = directory / name
    if not path.is_file():
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest(path)}.{suffix}" if dot else name


class HashedStaticFiles(StaticFiles):
    """StaticFiles that also serves the hashed names of its files (see the module)."""

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self.root = Path(directory)

    async def get_response(self, path: str, scope: Scope) -> Response:
        wanted = None
        match = _HASHED.match(path)
        if match is not None:
            plain = match["stem"] + match["suffix"]
            file = self.root / plain
            if file.is_file() and file.resolve().is_relative_to(self.root.resolve()):
                wanted = match["hash"] == digest(file)
                path = plain
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE if wanted else REVALIDATE
        return response
