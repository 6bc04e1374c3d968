"""What an uploaded file really is: its kind by its content, proven by a real parser.

A file's first bytes only say what it claims to be. :func:`inspect` takes the kind from them and
then parses the whole file as that kind: an image must decode (Pillow, JPEG and PNG only, with a
limit on its pixels before anything is decoded), a PDF must parse (pypdf) and may hold nothing
that runs or hides another file: no JavaScript, no launch or other dangerous actions, no
automatic actions other than going to a page, no embedded files or file attachments, no XFA
forms or rich media. A file that is also something else (a polyglot: a PDF that is a web page
or a ZIP archive as well, an image with data after its end) is refused, and so is a file whose
name or declared type says another kind than its content, a truncated or damaged file, and a PDF
that is encrypted with a password (it cannot be checked). A PDF that is encrypted without a
password to open it (only "owner" restrictions, as bank statements often are) opens, so it is
checked like any other.

Nothing here raises on a hostile file: every parser error becomes a :class:`Verdict` with the
:class:`Reason`, and :func:`message` says it to the resident in Dutch. A virus scanner (see
:mod:`webapp.virusscan`) runs last, on files that passed.

The work is CPU-bound (a 10 MB scanned PDF takes about 0.2 s, a hostile one at the limits about
2 s): the web layer should call it outside the event loop.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO
from typing import Any

from PIL import ImageFile, JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

from webapp.i18n import _
from webapp.virusscan import Scanner, ScannerUnavailable

log = logging.getLogger("verhuizen.uploads")  # under our logger: JSON, with the request id
# pypdf logs what it repairs in a damaged PDF, sometimes quoting the file: a resident's document
# stays out of the log (what the check decided is logged below, without the file's content).
logging.getLogger("pypdf").setLevel(logging.ERROR)

KINDS = ("pdf", "jpeg", "png")
SIGNATURES = {
    "pdf": b"%PDF-",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


MAX_PIXELS = 40_000_000
"""An image with more pixels is refused before it is decoded (a decompression bomb: a few MB of
PNG can unpack to gigabytes). 40 megapixels holds a phone photo and an A4 scan at 600 dpi; at
the limit a progressive JPEG needs about 120 MB to decode, an RGBA PNG about 160 MB."""

MAX_PDF_OBJECTS = 25_000
"""A PDF with more objects than this is refused before they are walked: parsing and walking
cost up to 70 µs and 2 kB each (at the limit: under 2 s, 55 MB); a contract or a bank statement of
some pages has a few hundred, a tagged 100-page report some 10,000."""

CONCURRENT_CHECKS = 2
"""Files parsed at the same time in one process (the rest wait): bounds the memory of the
checks when the web layer runs them in threads (at the limits about 160 MB each)."""

MAX_NESTING = 64
"""Direct objects nested deeper than this in a PDF: refused (no real document comes close)."""


_parsing = threading.BoundedSemaphore(CONCURRENT_CHECKS)


class Reason(StrEnum):
    """Why a file is refused."""

    SOORT = "soort"
    """Not one of the kinds the gemeente accepts."""
    BESCHADIGD = "beschadigd"
    """Does not parse as its kind: damaged, truncated, or only the first bytes of one."""
    INGEWIKKELD = "ingewikkeld"
    """A PDF with more objects (or deeper nesting) than a check may take time for."""
    AFMETINGEN = "afmetingen"
    """An image with more pixels than :data:`MAX_PIXELS`."""
    VERSLEUTELD = "versleuteld"
    """A PDF that needs a password to open: it cannot be checked."""
    ACTIEF = "actief"
    """A PDF with JavaScript, a launch action or another action that runs by itself."""
    BIJLAGE = "bijlage"
    """A PDF with embedded files or file attachments."""
    GEMENGD = "gemengd"
    """A polyglot: the file is also another kind of file (a web page, an archive)."""
    VIRUS = "virus"
    """The virus scanner found something."""
    NIET_GECONTROLEERD = "niet_gecontroleerd"
    """The virus scanner is configured but could not be reached (fail-closed)."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`inspect`: the kind by content, or why the file is refused.

    ``detail`` is for the log and for tests (what the check found, never personal data); the
    resident reads :func:`message`."""

    kind: str | None
    reason: Reason | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None and self.kind is not None

    @property
    def content_type(self) -> str:
        assert self.kind is not None
        return CONTENT_TYPES[self.kind]


def inspect(
    data: bytes,
    allowed: Iterable[str],
    *,
    filename: str = "",
    content_type: str = "",
    scanner: Scanner | None = None,
    max_pixels: int = MAX_PIXELS,
) -> Verdict:
    """Check a file completely: kind by content, the parser accepts it, no active content, no
    second file type inside, and (when configured) no virus. ``filename`` and
    ``content_type`` are what the browser claimed: they decide nothing."""
    allowed = tuple(allowed)
    kind = next((k for k in KINDS if data.startswith(SIGNATURES[k])), None)
    if kind is None or kind not in allowed:
        return Verdict(None, Reason.SOORT, "signature")
    # The content decides, not the name or the declared type: a phone's PNG saved as .jpg is
    # a good PNG, and the file is stored (and served to the back office) as what it is.
    verdict = _check_polyglot(data, kind)
    if verdict is None:
        try:
            with _parsing:
                if kind == "pdf":
                    verdict = _check_pdf(data)
                else:
                    verdict = _check_image(data, kind, max_pixels)
        except Exception as exc:  # a parser's bug on a hostile file is a refusal, never a 500
            # Only the exception's type: its message may quote the file's bytes.
            verdict = Verdict(kind, Reason.BESCHADIGD, type(exc).__name__)
    if verdict.ok and scanner is not None:
        verdict = _scan(data, kind, scanner)
    if not verdict.ok:
        log.info("upload refused: %s (%s)", verdict.reason, verdict.detail)
    return verdict


def message(verdict: Verdict, filename: str, allowed: Iterable[str]) -> str:
    """What the resident reads next to the file field, in their language."""
    soort = LABELS.get(verdict.kind or "", "")
    values = {"bestand": filename, "soort": soort}
    reason = verdict.reason
    if reason is Reason.BESCHADIGD:
        return (
            _(
                "Het bestand %(bestand)s is beschadigd of niet volledig en kan niet worden geopend als %(soort)s. Kies een ander bestand."
            )
            % values
        )
    if reason is Reason.INGEWIKKELD:
        return (
            _(
                "Het bestand %(bestand)s is te ingewikkeld om te controleren. Maak er een eenvoudiger PDF van (bijvoorbeeld met Afdrukken als PDF) en kies dat bestand."
            )
            % values
        )
    if reason is Reason.AFMETINGEN:
        return _(
            "De afbeelding %(bestand)s heeft te veel pixels (meer dan %(megapixels)s miljoen). Verklein de afbeelding of kies een ander bestand."
        ) % {**values, "megapixels": str(MAX_PIXELS // 1_000_000)}
    if reason is Reason.VERSLEUTELD:
        return (
            _(
                "Het bestand %(bestand)s is beveiligd met een wachtwoord. Daardoor kunnen wij het niet controleren. Kies een bestand zonder wachtwoord."
            )
            % values
        )
    if reason is Reason.ACTIEF:
        return (
            _(
                "Het bestand %(bestand)s bevat onderdelen die iets uitvoeren, zoals JavaScript of een opdracht die een programma start. Zulke bestanden nemen wij niet aan. Maak er een gewone PDF van (bijvoorbeeld met Afdrukken als PDF) en kies dat bestand."
            )
            % values
        )
    if reason is Reason.BIJLAGE:
        return (
            _(
                "Het bestand %(bestand)s bevat andere bestanden als bijlage. Zulke bestanden nemen wij niet aan. Maak er een gewone PDF zonder bijlagen van (bijvoorbeeld met Afdrukken als PDF) en kies dat bestand."
            )
            % values
        )
    if reason is Reason.GEMENGD:
        return (
            _(
                "Het bestand %(bestand)s is niet alleen een %(soort)s-bestand, maar bevat ook andere inhoud, zoals een webpagina of een archief. Zulke bestanden nemen wij niet aan. Kies een ander bestand."
            )
            % values
        )
    if reason is Reason.VIRUS:
        return (
            _(
                "In het bestand %(bestand)s is een virus gevonden. Het bestand is niet opgeslagen. Kies een ander bestand."
            )
            % values
        )
    if reason is Reason.NIET_GECONTROLEERD:
        return (
            _(
                "Het bestand %(bestand)s kan nu niet worden gecontroleerd op virussen en is daarom niet opgeslagen. Probeer het over een paar minuten opnieuw. Uw andere antwoorden zijn bewaard."
            )
            % values
        )
    allowed_labels = ", ".join(t.upper() for t in allowed)
    return _(
        "Het bestand %(bestand)s is geen %(soorten)s. Kies een bestand van een van deze soorten."
    ) % {"bestand": filename, "soorten": allowed_labels}


# -- images ---------------------------------------------------------------------------------

# The plugin classes themselves, not Image.open: only these two decoders ever see the data (no
# format guessing, no MPO or other plugin), and the pixel limit is ours, checked before decoding,
# instead of Pillow's process-wide MAX_IMAGE_PIXELS and its warning.
_DECODERS: dict[str, Any] = {
    "jpeg": JpegImagePlugin.JpegImageFile,
    "png": PngImagePlugin.PngImageFile,
}


def _check_image(data: bytes, kind: str, max_pixels: int) -> Verdict:
    # Pillow's switch is process-wide, and a library may turn it on when imported (WeasyPrint
    # does): a truncated image must fail here whatever else was loaded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    decoder = _DECODERS[kind]
    with decoder(BytesIO(data)) as image:
        width, height = image.size
        if width < 1 or height < 1:
            return Verdict(kind, Reason.BESCHADIGD, "no pixels")
        if width * height > max_pixels:
            return Verdict(kind, Reason.AFMETINGEN, f"{width}x{height}")
        image.verify()  # PNG: every chunk's checksum; JPEG: the markers
    with decoder(BytesIO(data)) as image:
        if kind == "jpeg":
            # Decode every byte of the entropy-coded data, at 1/8 scale: a truncated or corrupt
            # JPEG still fails, and a 40 MP photo needs 2 MB, not 120 MB.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        image.load()
    if kind == "png" and _png_trailer(data):
        return Verdict(kind, Reason.GEMENGD, "data after IEND")
    return Verdict(kind)


def _png_trailer(data: bytes) -> bool:
    """Whether anything follows the PNG's IEND chunk (a PNG is its chunks, and nothing else)."""
    at = len(SIGNATURES["png"])
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunk_type = data[at + 4 : at + 8]
        at += 12 + length
        if chunk_type == b"IEND":
            return at < len(data)
    return False  # no IEND: Pillow refused it already


# -- PDF ------------------------------------------------------------------------------------

# Names that mean code, a program, or a file inside the file, wherever they appear.
ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/XFA", "/RichMedia", "/RichMediaExecute"}
)
EMBEDDED_NAMES = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment", "/EF"})
# Actions that run code, start or fetch another file, or send data, wherever they are.
FORBIDDEN_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/RichMediaExecute",
        "/Movie",
        "/Sound",
    }
)
# Annotations that play, run or carry something.
# A 3D annotation carries a U3D/PRC model whose viewer runs its own scripts (CVE history).
FORBIDDEN_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
)
# A link may open a web page, an e-mail or a phone number (not javascript:, not file://).
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# What may happen by itself (OpenAction, AA: on opening, on a page, on a field): go to a page.
AUTOMATIC_ACTIONS = frozenset({"/GoTo"})

# The same names in the bytes of the file, outside streams: a second look at what the parser
# may not have reached (objects outside the cross-reference table that a viewer could recover).
_RAW_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_STREAM_START = re.compile(rb"stream(?:\r\n|\r|\n)")
_STREAM_END = b"endstream"
# "12 0 obj": an object written in the file, which a viewer rebuilding a broken table may use.
_RAW_OBJECT = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\f\r ]+([0-9]{1,5})[\x00\t\n\f\r ]+obj\b"
)
_EOF = b"%%EOF"


def _check_pdf(data: bytes) -> Verdict:
    tail = data[data.rfind(_EOF) + len(_EOF) :] if _EOF in data else None
    if tail is None:
        return Verdict("pdf", Reason.BESCHADIGD, "no %%EOF")
    if tail.strip(b"\x00\t\n\f\r "):
        return Verdict("pdf", Reason.GEMENGD, "data after %%EOF")
    reader = PdfReader(BytesIO(data), strict=False)
    count = sum(len(table) for table in reader.xref.values()) + len(reader.xref_objStm)
    if count > MAX_PDF_OBJECTS:  # before anything walks them
        return Verdict("pdf", Reason.INGEWIKKELD, f"{count} objects")
    if reader.is_encrypted:
        # Only owner restrictions (no password to open): pypdf opens it with the empty password.
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            return Verdict("pdf", Reason.VERSLEUTELD, f"{type(exc).__name__}")
        if not opened:
            return Verdict("pdf", Reason.VERSLEUTELD, "password")
    if not isinstance(reader.trailer.get("/Root"), IndirectObject | DictionaryObject):
        return Verdict("pdf", Reason.BESCHADIGD, "no catalog")
    pages = reader.pages
    if len(pages) < 1:
        return Verdict("pdf", Reason.BESCHADIGD, "no pages")
    for page in pages:
        page.mediabox  # noqa: B018 - every page object must be there and have a size
    found = _pdf_objects_problem(reader) or _raw_names_problem(data)
    found = found or _hidden_objects_problem(data, reader)
    if found is not None:
        return found
    return Verdict("pdf")


def _outside_streams(data: bytes) -> bytes:
    """The file without the contents of its streams, in one pass (linear in the file's size:
    a file full of unterminated ``stream`` keywords must not make this quadratic)."""
    parts: list[bytes] = []
    at = 0
    while True:
        start = _STREAM_START.search(data, at)
        if start is None:
            parts.append(data[at:])
            break
        end = data.find(_STREAM_END, start.end())
        if end < 0:
            parts.append(data[at:])  # no end: what follows counts as outside, and is checked
            break
        parts.append(data[at : start.start()])
        parts.append(b" ")
        at = end + len(_STREAM_END)
    return b"".join(parts)


def _hidden_objects_problem(data: bytes, reader: PdfReader) -> Verdict | None:
    """Every object written in the file is one the cross-reference table knows (an older
    version of it, from an incremental save, too). One it does not know is hidden from this
    check, but a viewer that rebuilds the table may find it and run it."""
    known = {(number, generation) for generation, table in reader.xref.items() for number in table}
    for match in _RAW_OBJECT.finditer(data):
        number, generation = int(match.group(1)), int(match.group(2))
        if (number, generation) not in known and number not in reader.xref_objStm:
            return Verdict("pdf", Reason.BESCHADIGD, f"object {number} outside the table")
    return None


def _pdf_objects_problem(reader: PdfReader) -> Verdict | None:
    """Every object in the file (reachable or not, also those in object streams), looked at."""
    for obj in _all_objects(reader):
        found = _object_problem(obj, reader)
        if found is not None:
            return found
    return _object_problem(reader.trailer, reader)


def _all_objects(reader: PdfReader) -> Iterator[PdfObject | None]:
    for generation, table in list(reader.xref.items()):
        for number in list(table):
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in list(reader.xref_objStm):
        yield reader.get_object(IndirectObject(number, 0, reader))


def _object_problem(top: Any, reader: PdfReader) -> Verdict | None:
    """Look through one object and the direct objects inside it (indirect ones are visited as
    objects of their own)."""
    todo: list[tuple[Any, int]] = [(top, 0)]
    while todo:
        obj, depth = todo.pop()
        if depth > MAX_NESTING:
            return Verdict("pdf", Reason.INGEWIKKELD, "nested too deep")
        if isinstance(obj, NameObject):
            found = _name_problem(str(obj))
            if found is not None:
                return found
        elif isinstance(obj, DictionaryObject):  # streams too
            found = _dictionary_problem(obj, reader)
            if found is not None:
                return found
            for key, value in obj.items():
                found = _name_problem(str(key))
                if found is not None:
                    return found
                if not isinstance(value, IndirectObject):
                    todo.append((value, depth + 1))
        elif isinstance(obj, ArrayObject):
            todo.extend((v, depth + 1) for v in obj if not isinstance(v, IndirectObject))
    return None


def _name_problem(name: str) -> Verdict | None:
    if name in ACTIVE_NAMES:
        return Verdict("pdf", Reason.ACTIEF, name)
    if name in EMBEDDED_NAMES:
        return Verdict("pdf", Reason.BIJLAGE, name)
    return None


def _dictionary_problem(obj: DictionaryObject, reader: PdfReader) -> Verdict | None:
    action = obj.get("/S")
    if isinstance(action, NameObject) and action in FORBIDDEN_ACTIONS:
        return Verdict("pdf", Reason.ACTIEF, f"action {action}")
    if action == "/URI":
        uri = str(_resolve(obj.get("/URI"), reader) or "")
        scheme = re.sub(r"[\x00-\x20]", "", uri).partition(":")[0].lower()
        if scheme not in LINK_SCHEMES:
            return Verdict("pdf", Reason.ACTIEF, f"link {scheme[:20]}:")
    subtype = obj.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in FORBIDDEN_ANNOTATIONS:
        reason = Reason.BIJLAGE if subtype == "/FileAttachment" else Reason.ACTIEF
        return Verdict("pdf", reason, f"annotation {subtype}")
    if "/OpenAction" in obj and not _automatic_ok(obj["/OpenAction"], reader):
        return Verdict("pdf", Reason.ACTIEF, "OpenAction")
    if "/AA" in obj:
        triggers = _resolve(obj["/AA"], reader)
        if not isinstance(triggers, DictionaryObject) or not all(
            _automatic_ok(v, reader) for v in triggers.values()
        ):
            return Verdict("pdf", Reason.ACTIEF, "AA")
    return None


def _automatic_ok(value: Any, reader: PdfReader) -> bool:
    """An action that runs by itself is fine only when it (and every /Next after it) goes to
    a page; an OpenAction may also be a plain destination (an array)."""
    todo = [value]
    seen = 0
    while todo:
        seen += 1
        if seen > 100:
            return False
        item = _resolve(todo.pop(), reader)
        if isinstance(item, ArrayObject):
            continue  # a destination: [page /Fit]
        if not isinstance(item, DictionaryObject) or item.get("/S") not in AUTOMATIC_ACTIONS:
            return False
        following = item.get("/Next")
        if following is not None:
            following = _resolve(following, reader)
            todo.extend(following if isinstance(following, ArrayObject) else [following])
    return True


def _resolve(value: Any, reader: PdfReader) -> Any:
    for _hop in range(32):
        if not isinstance(value, IndirectObject):
            return value
        value = reader.get_object(value)
    return None


def _raw_names_problem(data: bytes) -> Verdict | None:
    for match in _RAW_NAME.finditer(_outside_streams(data)):
        raw = match.group(1)
        if b"#" in raw:  # a name may spell its letters as #xx
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        found = _name_problem("/" + raw.decode("latin-1"))
        if found is not None:
            return found
    return None


# -- polyglots ------------------------------------------------------------------------------

# What makes a browser or another program take the file for something else.
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<iframe", b"<svg", b"<?php")
_ZIP_END = b"PK\x05\x06"


SNIFFED = 1024
"""How far a browser looks for HTML when it guesses a file's type (the MIME sniffing standard
reads 512 bytes): markers anywhere in a photo's compressed bytes occur by chance (a 10 MB file
holds a random "<svg" one time in fifty), so only the sniffed start counts, and for a PDF also
its text outside streams."""


def _check_polyglot(data: bytes, kind: str) -> Verdict | None:
    looked_at = data[:SNIFFED].lower()
    if kind == "pdf":
        looked_at += b" " + _outside_streams(data).lower()
    for marker in _HTML_MARKERS:
        if marker in looked_at:
            return Verdict(kind, Reason.GEMENGD, f"contains {marker.decode()}")
    # A ZIP archive is read from its end record, in the last 64 KB: it can sit inside any file.
    if _ZIP_END in data[-(22 + 65535) :]:
        return Verdict(kind, Reason.GEMENGD, "zip end record")
    if kind != "pdf" and SIGNATURES["pdf"] in data:
        return Verdict(kind, Reason.GEMENGD, "contains %PDF-")
    return None


# -- the virus scanner ----------------------------------------------------------------------


def _scan(data: bytes, kind: str, scanner: Scanner) -> Verdict:
    try:
        result = scanner.scan(data)
    except ScannerUnavailable as exc:
        if scanner.fail_open:
            log.warning("virus scanner unavailable, file accepted unscanned (fail-open): %s", exc)
            return Verdict(kind)
        return Verdict(kind, Reason.NIET_GECONTROLEERD, str(exc)[:200])
    if result.infected:
        return Verdict(kind, Reason.VIRUS, result.signature or "")
    return Verdict(kind)


# -- example files --------------------------------------------------------------------------


def build_pdf(*objects: bytes) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalog) with a correct
    cross-reference table, as small as a valid PDF gets."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


MINIMAL_PDF = build_pdf(
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>",
)
"""One empty A4 page: the smallest PDF :func:`inspect` accepts (the example file of drivers)."""

MINIMAL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63fccfc0500f000485018084a98c210000000049454e44ae426082"
)
"""A 1x1 PNG."""
