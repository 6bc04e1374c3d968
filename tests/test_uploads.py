"""The upload check: real files made here (Pillow, pypdf's writer), hostile ones refused with a
Dutch message next to the field, never an exception, and nothing of the draft lost."""

from __future__ import annotations

import io
import random
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)
from sqlmodel import Session, select

from tests.conftest import CONFIG_DIR, TODAY
from tests.driver import PDF, PNG, run_until
from webapp.config.loader import load_dir
from webapp.i18n import use_translations
from webapp.scenarios.loader import BUILTIN_FILES
from webapp.steps import registry
from webapp.steps.base import FormInput, StepContext, Upload
from webapp.steps.documenten import EXAMPLE_PDF
from webapp.storage.models import Draft
from webapp.uploads import (
    MAX_PDF_OBJECTS,
    MINIMAL_PDF,
    MINIMAL_PNG,
    Reason,
    Verdict,
    build_pdf,
    inspect,
    message,
)
from webapp.virusscan import ScannerUnavailable, ScanResult

ALL = ("pdf", "jpeg", "png")
HUURCONTRACT = CONFIG_DIR / "scenarios" / "bestanden" / "huurcontract-voorbeeld.pdf"


# -- real files -----------------------------------------------------------------------------


def image(kind: str, size: tuple[int, int] = (120, 80)) -> bytes:
    picture = Image.new("RGB", size, (30, 120, 200))
    for x in range(size[0]):  # some detail, so the encoders have work to do
        picture.putpixel((x, x % size[1]), (250, 250, 0))
    out = io.BytesIO()
    picture.save(out, {"jpeg": "JPEG", "png": "PNG"}[kind])
    return out.getvalue()


def pdf(change: Callable[[PdfWriter], None] | None = None) -> bytes:
    """A real one-page PDF from pypdf's writer, changed by ``change`` before it is written."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    text = StreamObject()
    text.set_data(b"BT /F1 12 Tf 72 760 Td (Testdocument) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(text)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def d(**entries: Any) -> DictionaryObject:
    """A PDF dictionary: d(S="/JavaScript", JS="app.alert(1)")."""
    return DictionaryObject({NameObject(f"/{k}"): _value(v) for k, v in entries.items()})


def _value(v: Any) -> PdfObject:
    if isinstance(v, PdfObject):
        return v
    if isinstance(v, str):
        return NameObject(v) if v.startswith("/") else TextStringObject(v)
    if isinstance(v, int):
        return NumberObject(v)
    if isinstance(v, float):
        return FloatObject(v)
    if isinstance(v, list):
        return ArrayObject(_value(x) for x in v)
    raise TypeError(v)


def open_action(action: DictionaryObject | ArrayObject) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = action

    return change


def annotation(annot: DictionaryObject) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])

    return change


def link(action: DictionaryObject) -> DictionaryObject:
    return d(Type="/Annot", Subtype="/Link", Rect=[72, 700, 300, 720], A=action)


def check(data: bytes, allowed: tuple[str, ...] = ALL, **kw: Any) -> Verdict:
    return inspect(data, allowed, **kw)


# -- what passes ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_a_real_image_passes_and_is_typed_by_its_content(kind):
    verdict = check(image(kind), filename=f"foto.{'jpg' if kind == 'jpeg' else 'png'}")
    assert verdict == Verdict(kind)
    assert verdict.content_type == f"image/{kind}"
    # a name that says nothing (no known extension, octet-stream): the content decides
    assert check(image(kind), filename="scan", content_type="application/octet-stream").ok


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf(), id="pypdf-writer"),
        pytest.param(MINIMAL_PDF, id="minimal"),
        pytest.param(HUURCONTRACT.read_bytes(), id="huurcontract-voorbeeld.pdf"),
        pytest.param(BUILTIN_FILES["test.pdf"][0], id="scenario-test.pdf"),
        pytest.param(EXAMPLE_PDF, id="example"),
        pytest.param(PDF, id="driver"),
    ],
)
def test_real_pdfs_pass(data):
    assert check(data, filename="document.pdf", content_type="application/pdf") == Verdict("pdf")


def test_the_shared_example_files_are_real_files():
    assert len(PdfReader(io.BytesIO(MINIMAL_PDF), strict=True).pages) == 1  # even strict
    with Image.open(io.BytesIO(MINIMAL_PNG)) as png:
        assert png.size == (1, 1)
    assert check(MINIMAL_PNG, filename="id.png") == Verdict("png")
    assert PNG == MINIMAL_PNG == BUILTIN_FILES["test.png"][0]


def test_harmless_automatic_and_link_actions_pass():
    def go_to_first_page(writer: PdfWriter) -> None:  # as Word writes: open at page 1
        dest = ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")])
        writer._root_object[NameObject("/OpenAction")] = dest
        writer.pages[0][NameObject("/AA")] = d(O=d(S="/GoTo", D=dest))

    assert check(pdf(go_to_first_page)).ok
    assert check(pdf(annotation(link(d(S="/URI", URI="https://www.rotterdam.nl/"))))).ok
    assert check(pdf(annotation(link(d(S="/URI", URI="mailto:info@voorbeeld.nl"))))).ok


def test_a_pdf_encrypted_without_a_password_to_open_it_is_checked_and_passes():
    """Only owner restrictions (no printing), as bank statements often have: it opens, so it
    can be checked; active content in it is still found."""

    def restricted(writer: PdfWriter) -> None:
        writer.encrypt("", owner_password="eigenaar", algorithm="AES-128")

    assert check(pdf(restricted)) == Verdict("pdf")

    def restricted_with_script(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = JavaScript("app.alert(1)")
        writer.encrypt("", owner_password="eigenaar", algorithm="AES-128")

    assert check(pdf(restricted_with_script)).reason is Reason.ACTIEF


# -- PDFs that run something or carry files -------------------------------------------------


@pytest.mark.parametrize(
    "change, reason",
    [
        pytest.param(open_action(JavaScript("app.alert('hallo')")), Reason.ACTIEF, id="js-open"),
        pytest.param(
            lambda w: w.add_open_action(JavaScript("app.alert(1)")),
            Reason.ACTIEF,
            id="js-name-tree",
        ),
        pytest.param(
            open_action(d(S="/Launch", F="calc.exe", Win=d(F="cmd.exe"))),
            Reason.ACTIEF,
            id="launch-open",
        ),
        pytest.param(
            annotation(link(d(S="/Launch", F="C:\\Windows\\calc.exe"))),
            Reason.ACTIEF,
            id="launch-link",
        ),
        pytest.param(annotation(link(JavaScript("app.alert(2)"))), Reason.ACTIEF, id="js-link"),
        pytest.param(
            annotation(link(d(S="/URI", URI=" JavaScript:app.alert(3)"))),
            Reason.ACTIEF,
            id="javascript-uri",
        ),
        pytest.param(
            annotation(link(d(S="/URI", URI="file://server/share/x"))),
            Reason.ACTIEF,
            id="file-uri",
        ),
        pytest.param(
            open_action(d(S="/URI", URI="https://voorbeeld.invalid/")),
            Reason.ACTIEF,
            id="uri-on-open",
        ),
        pytest.param(
            open_action(d(S="/GoTo", D=[0, "/Fit"], Next=JavaScript("x"))),
            Reason.ACTIEF,
            id="goto-then-js",
        ),
        pytest.param(
            open_action(d(S="/SubmitForm", F="https://voorbeeld.invalid/")),
            Reason.ACTIEF,
            id="submit-form",
        ),
        pytest.param(
            open_action(d(S="/GoToR", F="\\\\server\\share\\x.pdf", D=[0, "/Fit"])),
            Reason.ACTIEF,
            id="remote-goto",
        ),
        pytest.param(
            lambda w: w.pages[0].__setitem__(NameObject("/AA"), d(O=JavaScript("app.beep(0)"))),
            Reason.ACTIEF,
            id="page-aa-js",
        ),
        pytest.param(
            lambda w: w.pages[0].__setitem__(NameObject("/AA"), d(O=d(S="/Named", N="/Print"))),
            Reason.ACTIEF,
            id="page-aa-print",
        ),
        pytest.param(
            lambda w: w._root_object.__setitem__(
                NameObject("/AcroForm"), d(Fields=[], XFA="<xdp/>")
            ),
            Reason.ACTIEF,
            id="xfa",
        ),
        pytest.param(
            lambda w: w.add_attachment("virus.exe", b"MZ\x90\x00"), Reason.BIJLAGE, id="embedded"
        ),
        pytest.param(
            annotation(
                d(
                    Type="/Annot",
                    Subtype="/FileAttachment",
                    Rect=[0, 0, 10, 10],
                    FS=d(Type="/Filespec", F="bijlage.txt"),
                )
            ),
            Reason.BIJLAGE,
            id="file-attachment-annotation",
        ),
        pytest.param(
            annotation(d(Type="/Annot", Subtype="/3D", Rect=[0, 0, 10, 10])),
            Reason.ACTIEF,
            id="3d-annotation",
        ),
    ],
)
def test_active_content_and_embedded_files_are_refused(change, reason):
    data = pdf(change)
    assert PdfReader(io.BytesIO(data)).pages  # a valid PDF, only with something inside
    verdict = check(data, filename="huurcontract.pdf")
    assert verdict.reason is reason, verdict
    text = message(verdict, "huurcontract.pdf", ALL)
    assert "huurcontract.pdf" in text
    assert ("uitvoeren" if reason is Reason.ACTIEF else "bijlage") in text


def test_names_spelled_with_hex_escapes_are_found():
    data = build_pdf(
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>",
        b"<</S/J#61vaScript/J#53(app.alert(1))>>",
    )
    assert check(data).reason is Reason.ACTIEF


def test_an_object_outside_the_cross_reference_table_is_still_seen():
    """A viewer that repairs the file could find an object the table does not list."""
    hidden = b"9 0 obj\n<</S/JavaScript/JS(app.alert(1))>>\nendobj\n"
    at = MINIMAL_PDF.index(b"xref\n")
    start = int(MINIMAL_PDF.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    data = MINIMAL_PDF[:at] + hidden + MINIMAL_PDF[at:]
    data = data.replace(b"startxref\n%d\n" % start, b"startxref\n%d\n" % (start + len(hidden)))
    assert len(PdfReader(io.BytesIO(data), strict=True).pages) == 1  # the table is correct
    assert check(data).reason is Reason.ACTIEF


def test_a_stream_that_happens_to_hold_the_bytes_of_a_name_is_not_refused():
    """Stream data (compressed images, text) is not names: only its dictionary counts."""

    def with_text(writer: PdfWriter) -> None:
        text = StreamObject()
        text.set_data(b"BT /F1 12 Tf (zie /JavaScript en /Launch in de handleiding) Tj ET")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(text)

    assert check(pdf(with_text)).ok


def test_an_encrypted_pdf_cannot_be_checked_and_is_refused():
    def encrypted(writer: PdfWriter) -> None:
        writer.encrypt("geheim", algorithm="AES-256")

    verdict = check(pdf(encrypted), filename="loonstrook.pdf")
    assert verdict.reason is Reason.VERSLEUTELD
    assert "wachtwoord" in message(verdict, "loonstrook.pdf", ALL)

    def rc4(writer: PdfWriter) -> None:
        writer.encrypt("geheim", algorithm="RC4-128")

    assert check(pdf(rc4)).reason is Reason.VERSLEUTELD


def test_too_many_objects_or_too_deep_is_refused_before_the_walk():
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>"]
    objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>")
    many = build_pdf(*objects, *([b"1"] * MAX_PDF_OBJECTS))
    started = time.perf_counter()
    assert check(many).reason is Reason.INGEWIKKELD
    assert time.perf_counter() - started < 10
    deep = build_pdf(*objects, b"[" * 200 + b"]" * 200)
    assert check(deep).reason is Reason.INGEWIKKELD
    assert "te ingewikkeld" in message(check(deep), "x.pdf", ALL)


# -- damaged, truncated, disguised, polyglot ------------------------------------------------


@pytest.mark.parametrize(
    "data, kind",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"0" * 40, "png", id="png-header-garbage"),
        pytest.param(b"\xff\xd8\xff\xe0" + bytes(200), "jpeg", id="jpeg-header-garbage"),
        pytest.param(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "pdf", id="fake-pdf"),
        pytest.param(image("png")[:-30], "png", id="truncated-png"),
        pytest.param(image("jpeg")[:-40], "jpeg", id="truncated-jpeg"),
        pytest.param(pdf()[: len(pdf()) // 2], "pdf", id="truncated-pdf"),
        pytest.param(
            build_pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"),
            "pdf",
            id="no-pages",
        ),
    ],
)
def test_damaged_or_truncated_files_are_refused(data, kind):
    verdict = check(data, filename="bestand")
    assert verdict.reason is Reason.BESCHADIGD, verdict
    assert verdict.kind == kind
    assert "beschadigd" in message(verdict, "bestand", ALL)


def test_a_truncated_image_is_refused_after_a_library_relaxed_pillow():
    """WeasyPrint (the PDF receipt) turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES when
    it is imported; the upload check must not depend on who was loaded first."""
    import weasyprint.images  # noqa: F401  (the import is what relaxes Pillow)
    from PIL import ImageFile

    try:
        ImageFile.LOAD_TRUNCATED_IMAGES = True  # as that import leaves it
        assert check(image("jpeg")[:-40], filename="foto.jpg").reason is Reason.BESCHADIGD
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_a_png_with_a_broken_checksum_is_refused():
    good = bytearray(image("png"))
    good[40] ^= 0xFF  # inside IDAT or another chunk: its CRC no longer matches
    assert check(bytes(good)).reason is Reason.BESCHADIGD


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", "hallo")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", id="pdf-html"
        ),
        pytest.param(
            MINIMAL_PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%<html><script>alert(1)</script>\n"),
            id="valid-pdf-with-html-comment",
        ),
        pytest.param(MINIMAL_PDF + b"<!-- -->hallo", id="data-after-eof"),
        pytest.param(
            MINIMAL_PDF.replace(b"%%EOF", b"%" + _zip().replace(b"\n", b" ") + b"\n%%EOF"),
            id="pdf-zip",
        ),
        pytest.param(image("png") + b"<script>alert(1)</script>", id="png-html"),
        pytest.param(image("png") + b"\x00\x01trailing", id="data-after-iend"),
        pytest.param(image("jpeg") + _zip(), id="jpeg-zip"),
        pytest.param(image("jpeg") + MINIMAL_PDF, id="jpeg-pdf"),
    ],
)
def test_polyglots_are_refused(data):
    verdict = check(data, filename="bestand")
    assert verdict.reason is Reason.GEMENGD, verdict
    assert "andere inhoud" in message(verdict, "bestand", ALL)


@pytest.mark.parametrize(
    "data, filename, content_type, kind",
    [
        (MINIMAL_PDF, "foto.png", "image/png", "pdf"),
        (image("png"), "akte.pdf", "application/pdf", "png"),
        (image("jpeg"), "scan.png", "", "jpeg"),
        (image("png"), "scan", "image/jpeg", "png"),
    ],
)
def test_the_content_decides_the_kind_not_the_name(data, filename, content_type, kind):
    """A phone's PNG saved as .jpg is a good PNG: accepted, and stored as what it is."""
    verdict = check(data, filename=filename, content_type=content_type)
    assert verdict.ok and verdict.kind == kind


def test_a_file_of_another_kind_or_not_allowed_by_the_gemeente():
    exe = b"MZ\x90\x00 not a pdf"
    assert check(exe, filename="akte.pdf").reason is Reason.SOORT
    assert message(check(exe), "akte.pdf", ALL) == (
        "Het bestand akte.pdf is geen PDF, JPEG, PNG. Kies een bestand van een van deze soorten."
    )
    only_pdf = check(image("png"), ("pdf",), filename="id.png")
    assert only_pdf.reason is Reason.SOORT
    assert "is geen PDF." in message(only_pdf, "id.png", ("pdf",))


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    """30,000 x 30,000 pixels (2.7 GB when decoded) in a file of a few kB."""
    width = height = 30_000
    row = b"\x00" + bytes(width * 3)
    raw = zlib.compress(row * 64, 9)  # only the start of the pixel data: never decoded

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    assert len(bomb) < 100_000
    started = time.perf_counter()
    verdict = check(bomb, filename="foto.png")
    assert verdict.reason is Reason.AFMETINGEN and verdict.detail == "30000x30000"
    assert time.perf_counter() - started < 1
    assert "te veel pixels" in message(verdict, "foto.png", ALL)
    # the limit is a parameter: a JPEG too
    assert check(image("jpeg", (200, 100)), max_pixels=10_000).reason is Reason.AFMETINGEN


def test_mangled_files_never_raise():
    """Random byte changes to real files: always a verdict, never an exception."""
    rng = random.Random(8)
    seeds = [pdf(), MINIMAL_PDF, image("png"), image("jpeg"), HUURCONTRACT.read_bytes()]
    reasons = set()
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _edit in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            what = rng.random()
            if what < 0.4:
                data[at] = rng.randrange(256)
            elif what < 0.7:
                del data[at : at + rng.randint(1, 40)]
            else:
                data[at:at] = rng.choice([b"/JS", b"<<", b">>", b"[", b"obj", b"\x00" * 9])
        verdict = check(bytes(data))
        assert isinstance(verdict, Verdict)
        reasons.add(verdict.reason)
    assert Reason.BESCHADIGD in reasons


def test_ten_megabytes_of_pdf_are_checked_quickly():
    """A scan: one page with a 9.9 MB image stream (measured: about 0.2 s)."""
    payload = random.Random(1).randbytes(9_900_000)

    def scanned(writer: PdfWriter) -> None:
        picture = StreamObject()
        picture._data = payload
        picture.update(
            d(Type="/XObject", Subtype="/Image", Width=3000, Height=3000, BitsPerComponent=8)
        )
        picture[NameObject("/ColorSpace")] = NameObject("/DeviceRGB")
        picture[NameObject("/Filter")] = NameObject("/DCTDecode")
        writer.pages[0][NameObject("/Resources")] = d(XObject=d(Im0=writer._add_object(picture)))

    data = pdf(scanned)
    assert len(data) > 9_900_000
    started = time.perf_counter()
    assert check(data).ok
    assert time.perf_counter() - started < 3


# -- the virus scanner, as the upload check uses it -----------------------------------------


@dataclass
class FakeScanner:
    result: ScanResult | None = None
    fail_open: bool = False
    scanned: list[bytes] = field(default_factory=list)

    def scan(self, data: bytes) -> ScanResult:
        self.scanned.append(data)
        if self.result is None:
            raise ScannerUnavailable("clamd op tcp:127.0.0.1:1 niet bereikbaar")
        return self.result


def test_the_scanner_runs_last_and_only_on_files_that_passed():
    clean = FakeScanner(ScanResult(False))
    assert check(MINIMAL_PDF, scanner=clean).ok
    assert check(pdf(open_action(JavaScript("x"))), scanner=clean).reason is Reason.ACTIEF
    assert clean.scanned == [MINIMAL_PDF]

    infected = FakeScanner(ScanResult(True, "Eicar-Test-Signature"))
    verdict = check(MINIMAL_PDF, scanner=infected)
    assert verdict.reason is Reason.VIRUS and verdict.detail == "Eicar-Test-Signature"
    assert "virus gevonden" in message(verdict, "akte.pdf", ALL)


def test_an_unreachable_scanner_refuses_by_default_or_lets_through_when_fail_open():
    closed = check(MINIMAL_PDF, scanner=FakeScanner(None))
    assert closed.reason is Reason.NIET_GECONTROLEERD
    assert "kan nu niet worden gecontroleerd" in message(closed, "akte.pdf", ALL)
    assert check(MINIMAL_PDF, scanner=FakeScanner(None, fail_open=True)).ok


# -- the messages ---------------------------------------------------------------------------


def test_every_reason_has_its_own_message_through_the_catalogue():
    texts = {reason: message(Verdict("pdf", reason), "x.pdf", ALL) for reason in Reason}
    assert len(set(texts.values())) == len(Reason)
    assert all("x.pdf" in text for text in texts.values())
    catalog = Catalog(locale="nl")
    for text in texts.values():
        assert "%(" not in text
    catalog.add(
        "Het bestand %(bestand)s is beveiligd met een wachtwoord. Daardoor kunnen wij het niet controleren. Kies een bestand zonder wachtwoord.",
        "[[%(bestand)s: wachtwoord]]",
    )
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    with use_translations(Translations(buffer)):
        assert message(Verdict("pdf", Reason.VERSLEUTELD), "x.pdf", ALL) == "[[x.pdf: wachtwoord]]"


# -- the step: errors next to the field, nothing stored, the draft intact ------------------


def _context(slug: str, uploads: dict[str, Any] | None = None) -> tuple[Any, StepContext]:
    gemeente = load_dir(CONFIG_DIR)[slug]
    cfg = next(s for s in gemeente.stappen if s.type == "documenten")
    ctx = StepContext(
        gemeente=gemeente,
        aangever=None,  # type: ignore[arg-type]
        brp=None,  # type: ignore[arg-type]
        adressen=None,  # type: ignore[arg-type]
        today=date(2026, 11, 27),
        answers={},
        evaluate=lambda _c: True,
        uploads=uploads or {},
    )
    return cfg, ctx


def _files(names: list[str], **special: bytes) -> FormInput:
    """A PDF for every document field, ``special`` ones (by field name) with other bytes."""
    return FormInput({}, files={n: Upload(n, "c.pdf", "", special.get(n, PDF)) for n in names})


def test_the_step_refuses_a_bad_file_next_to_its_field_and_stores_none():
    cfg, ctx = _context("voorbeeld")
    step = registry["documenten"]
    docs = step.applicable(cfg, ctx)
    names = [f"doc-{doc.id}" for doc in docs]
    bad = pdf(open_action(JavaScript("app.alert(1)")))
    outcome = step.parse(cfg, _files(names, **{names[0]: bad}), ctx)
    assert not outcome.ok and outcome.uploads == []  # the good files are not stored either
    assert [e.field for e in outcome.errors] == [names[0]]
    assert "JavaScript" in outcome.errors[0].message
    good = step.parse(cfg, _files(names), ctx)
    assert good.ok
    assert good.answer is not None
    assert good.answer["bestanden"][docs[0].id] == {
        "bestandsnaam": "c.pdf",
        "grootte": len(PDF),
        "type": "pdf",
    }
    assert {(u.content_type, u.data) for u in good.uploads} == {("application/pdf", PDF)}


def test_the_step_uses_the_scanner_of_its_context():
    """The web layer gives the configured scanner to the step as ``StepContext.scanner``."""
    cfg, ctx = _context("voorbeeld")
    step = registry["documenten"]
    names = [f"doc-{doc.id}" for doc in step.applicable(cfg, ctx)]
    ctx.scanner = FakeScanner(None)  # type: ignore[attr-defined]
    outcome = step.parse(cfg, _files(names), ctx)
    assert len(outcome.errors) == len(names)
    assert "kan nu niet worden gecontroleerd" in outcome.errors[0].message
    ctx.scanner = FakeScanner(ScanResult(False))  # type: ignore[attr-defined]
    assert step.parse(cfg, _files(names), ctx).ok
    assert len(ctx.scanner.scanned) == len(names)  # type: ignore[attr-defined]


def _draft(app) -> Draft:
    with Session(app.state.services.store.engine) as db:
        return db.exec(select(Draft)).one()


KRALINGEN = {"postcode": "3062LG", "huisnummer": 12}


def test_through_the_app_hostile_uploads_are_422_with_the_draft_intact(resident, app):
    r = resident("rotterdam")
    r.login("999990007")
    g = app.state.services.gemeenten["rotterdam"]
    run_until(
        r,
        g,
        "documenten",
        TODAY,
        KRALINGEN,
        overrides={"woonsituatie": ({"woonvorm": "koop"}, None)},
    )
    before = _draft(app).answers
    field_name = "doc-akte_van_levering"
    hostile = [
        ("akte.pdf", b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"),
        ("akte.pdf", pdf(open_action(JavaScript("app.alert(1)")))),
        ("akte.pdf", pdf(open_action(d(S="/Launch", F="calc.exe")))),
        ("akte.pdf", pdf(lambda w: w.add_attachment("x.exe", b"MZ"))),
        ("akte.pdf", pdf(lambda w: w.encrypt("geheim", algorithm="AES-256"))),
        ("akte.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40),
        ("akte.png", b"\x89PNG\r\n\x1a\n" + MINIMAL_PDF),  # a PNG header on a PDF
        ("akte.pdf", MINIMAL_PDF[: len(MINIMAL_PDF) // 2]),  # cut off halfway
    ]
    for filename, data in hostile:
        r.answer({}, {field_name: (filename, data, "application/octet-stream")})
        assert r.status == 422, filename
        [error] = r.errors()
        assert filename in error
        assert f'id="{field_name}-error"' in r.page  # next to its field
        assert _draft(app).answers == before
        assert "akte_van_levering" not in app.state.services.store.uploads(_draft(app).id)
    r.answer({}, {field_name: ("akte.pdf", pdf(), "application/pdf")})
    assert r.step == "contact"
    stored = app.state.services.store.uploads(_draft(app).id)["akte_van_levering"]
    assert stored.content_type == "application/pdf"


def test_the_shipped_scenario_files_pass():
    for path in sorted((CONFIG_DIR / "scenarios" / "bestanden").iterdir()):
        kind = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}.get(path.suffix)
        if kind:
            assert check(path.read_bytes(), filename=path.name).ok, path.name


def _within(seconds: float, fn, *args):
    """``fn(*args)``, failing when it has not returned after ``seconds`` (a generous bound
    for a linear check on a busy machine; the quadratic one took minutes)."""
    import threading

    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(fn(*args)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{fn.__name__} took longer than {seconds} s"
    return result[0]


def test_many_unterminated_stream_keywords_are_checked_in_linear_time():
    lines = b"%stream\n" * 250_000  # 2 MB of comments: quadratic scanning would take hours
    data = MINIMAL_PDF.replace(b"%%EOF", lines + b"%%EOF")
    verdict = _within(30, check, data)
    assert verdict.reason is None or verdict.reason is not Reason.ACTIEF


def test_an_object_outside_the_table_is_refused_even_behind_a_fake_stream():
    hidden = b"%stream\n9 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n%endstream\n"
    cut = MINIMAL_PDF.rindex(b"xref")
    data = MINIMAL_PDF[:cut] + hidden + MINIMAL_PDF[cut:]
    verdict = check(data)
    assert not verdict.ok
    assert verdict.reason in (Reason.BESCHADIGD, Reason.ACTIEF)


def test_markers_deep_in_compressed_bytes_are_chance_not_a_web_page():
    """A photo's compressed bytes hold "<svg" or "<html" by chance (one 10 MB file in fifty);
    only the start a browser sniffs counts, and for a PDF its text outside streams."""
    from webapp.uploads import SNIFFED, _check_polyglot

    deep = b"\x89PNG\r\n\x1a\n" + b"x" * SNIFFED + b"<svg<html"
    assert _check_polyglot(deep, "png") is None
    assert _check_polyglot(b"\x89PNG\r\n\x1a\n<html>" + b"x" * 100, "png").reason is Reason.GEMENGD
    in_stream = b"%PDF-1.4\n" + b"x" * SNIFFED + b"stream\n<svg endstream\n%%EOF"
    assert _check_polyglot(in_stream, "pdf") is None
    outside = b"%PDF-1.4\n" + b"x" * SNIFFED + b"<html> stream\nabc endstream\n%%EOF"
    assert _check_polyglot(outside, "pdf").reason is Reason.GEMENGD
