"""The ``map`` target: each report becomes a folder of files, for a back office that picks
files up (a shared folder, an SFTP drop, a process of its own).

``<pad>/<reference>/melding.json`` holds the report as stored (:class:`Melding`, answers and
all) with a list of its files, which lie next to it as ``<document>.<pdf|jpg|png>``. The folder
appears whole or not at all: it is written under a hidden temporary name next to where it
belongs, every file synced, and renamed last. So a reader never sees half a report, and a
delivery that is repeated after a crash finds the folder and rewrites nothing.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError

from webapp.delivery import inhoud
from webapp.delivery.contract import (
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    Health,
    Melding,
)
from webapp.storage.store import Store, utc

MELDING = "melding.json"
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,63}$")
"""What our references look like (``VH-2026-ABCD-EFGH``): safe as a folder name."""
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
STALE_SECONDS = 3600
"""A temporary folder untouched this long was left by a delivery that died: cleared away."""


class MapOptions(DeliveryOptions):
    """Schrijf elke melding als map met bestanden: <pad>/<referentie>/melding.json en de
    bijlagen ernaast."""

    soort: Literal["map"] = "map"
    pad: str = Field(
        min_length=1,
        description="De map waarin elke melding een eigen map krijgt (bestaat al; de dienst "
        "moet erin kunnen schrijven).",
    )


class Map:
    soort: ClassVar[str] = "map"

    def __init__(self, pad: Path, store: Store) -> None:
        self.pad = pad
        self.store = store

    @classmethod
    def from_options(cls, options: MapOptions, deps: DeliveryDeps) -> Map:
        return cls(Path(options.pad), deps.store)

    def deliver(self, melding: Melding) -> DeliveryResult:
        if not _REFERENCE.match(melding.reference):
            return DeliveryResult(
                melding.reference, DeliveryStatus.MISLUKT, detail="referentie ongeschikt als map"
            )
        folder = self.pad / melding.reference
        if folder.exists():
            return self._found(melding, folder)
        try:
            files = inhoud.bijlagen(self.store, melding)
        except inhoud.InhoudOntbreekt as exc:
            return DeliveryResult(melding.reference, DeliveryStatus.MISLUKT, detail=str(exc))
        except SQLAlchemyError as exc:
            return DeliveryResult.database_down(melding.reference, exc)
        try:
            self._clear_stale(melding.reference)
            self._write(melding, folder, files)
        except OSError as exc:
            if folder.exists():  # another runner renamed its copy first: the same report
                return self._found(melding, folder)
            return DeliveryResult(
                melding.reference,
                DeliveryStatus.TIJDELIJK_MISLUKT,
                detail=f"kan niet schrijven in {self.pad} ({_reason(exc)})",
            )
        return DeliveryResult(
            melding.reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=os.path.abspath(folder),
            detail=f"geschreven: {MELDING} en {len(files)} bijlage(n)",
        )

    def _found(self, melding: Melding, folder: Path) -> DeliveryResult:
        if not (folder / MELDING).is_file():
            return DeliveryResult(
                melding.reference,
                DeliveryStatus.MISLUKT,
                detail=f"{folder} bestaat al, zonder {MELDING}: niet door deze dienst gemaakt",
            )
        return DeliveryResult(
            melding.reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=os.path.abspath(folder),
            detail="stond er al",
        )

    def _write(self, melding: Melding, folder: Path, files: list[inhoud.Bijlage]) -> None:
        temporary = self.pad / f".{melding.reference}.{secrets.token_hex(4)}.tmp"
        temporary.mkdir(mode=0o750)
        try:
            listed = []
            for f in files:
                name = f.document + _EXTENSIONS.get(f.content_type, ".bin")
                _write_file(temporary / name, f.data)
                listed.append(
                    {
                        "document": f.document,
                        "bestand": name,
                        "bestandsnaam": f.bestandsnaam,
                        "content_type": f.content_type,
                        "grootte": len(f.data),
                        "sha256": hashlib.sha256(f.data).hexdigest(),
                    }
                )
            record = json.dumps(_as_json(melding, listed), ensure_ascii=False, indent=2)
            _write_file(temporary / MELDING, record.encode())
            _sync(temporary)
            # A rename onto an existing folder fails (non-empty) or replaces an empty one;
            # either way there is one complete folder under the reference afterwards.
            os.rename(temporary, folder)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _sync(self.pad)

    def _clear_stale(self, reference: str) -> None:
        cutoff = time.time() - STALE_SECONDS
        for left in self.pad.glob(f".{reference}.*.tmp"):
            try:
                if left.stat().st_mtime < cutoff:
                    shutil.rmtree(left, ignore_errors=True)
            except FileNotFoundError:
                continue

    def check_at_start(self) -> str | None:
        """What is wrong before any delivery (a folder that is not there), checked at the
        server's start; None when nothing is."""
        health = self.health()
        return None if health.ok else health.detail

    def health(self) -> Health:
        if not self.pad.is_dir():
            return Health(False, f"{self.pad} bestaat niet of is geen map")
        if not os.access(self.pad, os.W_OK | os.X_OK):
            return Health(False, f"de dienst mag niet schrijven in {self.pad}")
        return Health(True, f"{self.pad} is schrijfbaar")


def _as_json(melding: Melding, bijlagen: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "reference": melding.reference,
        "gemeente": melding.gemeente,
        "config_versie": melding.config_versie,
        "aangever_bsn": melding.aangever_bsn,
        "answers": melding.answers,
        "signalen": list(melding.signalen),
        "linked": [{"soort": soort, "details": details} for soort, details in melding.linked],
        "is_test": melding.is_test,
        "created_at": utc(melding.created_at).isoformat(),
        "bijlagen": bijlagen,
    }


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync(folder: Path) -> None:
    """Make a folder's entries (new files, a rename) durable, as a file's fsync does its bytes."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    """The kind of failure, without the file name (it may be derived from the report)."""
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
