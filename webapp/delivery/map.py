"""The ``map`` target: each report becomes a folder of files, for a back office that picks
files up (a shared folder, an SFTP drop, a process of its own).

``<pad>/<reference>/melding.json`` holds the report as stored (:class:`Melding`, answers and
all) with a list of its files, which lie next to it as ``<document>.<pdf|jpg|png>``. The folder
appears whole or not at all: it is written under a hidden temporary name next to where it
belongs, every file synced, and renamed last. So a reader never sees half a report, and a
delivery that is repeated after a crash finds the folder and rewrites nothing.

When the hoofdbewoner decides on their online consent, or the deadline passes,
``<pad>/<reference>/toestemming.json`` follows next to ``melding.json``: the outcome, written
under a hidden temporary name in that folder and renamed, so it too appears whole.
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
    Toestemming,
)
from webapp.storage.store import Store, utc

MELDING = "melding.json"
TOESTEMMING = "toestemming.json"
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

    def deliver_consent(self, melding: Melding) -> DeliveryResult:
        """The outcome of the hoofdbewoner's consent as ``toestemming.json`` in the report's
        folder, once; while the folder is not there yet, later."""
        reference = melding.reference
        toestemming = melding.toestemming
        if not _REFERENCE.match(reference):
            return DeliveryResult(
                reference, DeliveryStatus.MISLUKT, detail="referentie ongeschikt als map"
            )
        if toestemming is None or not toestemming.status.besloten:
            return DeliveryResult(
                reference, DeliveryStatus.MISLUKT, detail="de melding heeft geen beslissing"
            )
        folder = self.pad / reference
        target = folder / TOESTEMMING
        if not (folder / MELDING).is_file():
            if folder.exists():
                return self._found(melding, folder)  # not ours: says so
            return DeliveryResult(
                reference,
                DeliveryStatus.TIJDELIJK_MISLUKT,
                detail=f"de map van de melding staat er (nog) niet; {TOESTEMMING} volgt daarna",
            )
        if target.is_file():
            return DeliveryResult(
                reference,
                DeliveryStatus.AFGELEVERD,
                kenmerk=os.path.abspath(target),
                detail="stond er al",
            )
        record = json.dumps(_consent_json(melding, toestemming), ensure_ascii=False, indent=2)
        temporary = folder / f".{TOESTEMMING}.{secrets.token_hex(4)}.tmp"
        try:
            _clear_stale(folder, f".{TOESTEMMING}.*.tmp")
            try:
                _write_file(temporary, record.encode())
                os.rename(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
            _sync(folder)
        except OSError as exc:
            return DeliveryResult(
                reference,
                DeliveryStatus.TIJDELIJK_MISLUKT,
                detail=f"kan niet schrijven in {self.pad} ({_reason(exc)})",
            )
        return DeliveryResult(
            reference,
            DeliveryStatus.AFGELEVERD,
            kenmerk=os.path.abspath(target),
            detail=f"geschreven: {TOESTEMMING} ({toestemming.status.value})",
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
        _clear_stale(self.pad, f".{reference}.*.tmp")

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
        "toestemming": None
        if melding.toestemming is None
        else _toestemming_json(melding.toestemming),
    }


def _toestemming_json(toestemming: Toestemming) -> dict[str, Any]:
    """The hoofdbewoner's online consent as it stands, with the same words the other targets
    use ("gegeven op 4 januari 2027 door de hoofdbewoner") and vrijBRP's value."""
    besloten = toestemming.besloten_op
    return {
        "status": toestemming.status.value,
        "tekst": inhoud.toestemming_tekst(toestemming),
        "vrijbrp": toestemming.vrijbrp,
        "hoofdbewoner_bsn": toestemming.hoofdbewoner_bsn,
        "termijn": utc(toestemming.termijn).isoformat(),
        "besloten_op": None if besloten is None else utc(besloten).isoformat(),
        "gever_bsn": toestemming.gever_bsn,
    }


def _consent_json(melding: Melding, toestemming: Toestemming) -> dict[str, Any]:
    return {"reference": melding.reference, **_toestemming_json(toestemming)}


def _clear_stale(folder: Path, pattern: str) -> None:
    """Clear away what a delivery that died left under a temporary name."""
    cutoff = time.time() - STALE_SECONDS
    for left in folder.glob(pattern):
        try:
            if left.stat().st_mtime >= cutoff:
                continue
            if left.is_dir():
                shutil.rmtree(left, ignore_errors=True)
            else:
                left.unlink(missing_ok=True)
        except FileNotFoundError:
            continue


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
