"""Hostile input to every endpoint of every gemeente, through the ASGI app (issue 8, item 10).

Hypothesis sends random and hostile values (long strings, unicode, control characters, markup,
SQL-ish strings, huge numbers, empty and duplicated fields, files where text is expected and
text where files are, random file bytes, raw bodies under any content type, hostile query
strings and path segments) to every route of ``webapp.web.app.routes`` for every configuration
in ``config/gemeenten``. After every request:

- no response (redirects included) is a 5xx;
- no hostile markup comes back unescaped, in a body or a header: the payloads carry markers no
  page of ours contains (``<script>alert(``, ``<fz-``, ...), so any raw occurrence is a
  reflection; where the payload is shown it is escaped (``&lt;script&gt;``);
- the stored draft of the logged-in resident is unharmed: a request that is not a valid answer
  changes nothing (answers, files, submitted or not); a valid answer changes only its own step,
  "who moves along" never takes a person the page did not offer, and the step page and check
  answers still render (where a stored value would be shown again).

Each gemeente has one resident standing on check answers with every earlier step answered (a
person with a household, so "who moves along" has choices). A valid answer the fuzzer finds is
put back afterwards (a valid check answers submits: then a new draft is made), so every example
starts from the same draft.

``VERHUIZEN_FUZZ=ci`` (the default: a few examples per endpoint, no example database) or
``VERHUIZEN_FUZZ=lang`` (300 per endpoint, about a quarter of an hour, with Hypothesis's example
database, so a failure found there is tried first on the next run). Hypothesis's files go to
``<temp>/verhuizen-hypothesis``, not to ``.hypothesis/`` in the checkout.
"""

from __future__ import annotations

import functools
import gc
import html
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from tests.conftest import CONFIG_DIR, GEMEENTEN, TODAY, make_settings
from tests.driver import PDF, PNG, Resident, csrf_of, run_until
from webapp.config.loader import load_dir
from webapp.steps import registry
from webapp.storage.models import Draft, Submission, UploadRow
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

# -- how many examples ------------------------------------------------------------------------

PROFILE = os.environ.get("VERHUIZEN_FUZZ", "ci")
if PROFILE not in ("ci", "lang"):
    raise RuntimeError(f"VERHUIZEN_FUZZ={PROFILE!r}: ci (standaard) of lang")
# Hypothesis keeps its files (caches, the example database) here, not in .hypothesis/ of the
# checkout (HYPOTHESIS_STORAGE_DIRECTORY, when set, wins).
HYPOTHESIS_HOME = Path(
    os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY")
    or Path(tempfile.gettempdir()) / "verhuizen-hypothesis"
)
set_hypothesis_home_dir(HYPOTHESIS_HOME)
FUZZ = settings(
    max_examples=10 if PROFILE == "ci" else 300,
    deadline=None,
    database=None
    if PROFILE == "ci"
    else DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    print_blob=True,
)
HIGH_LIMITS = "login=100000/minute,lookup=100000/minute,upload=100000/minute,submit=100000/minute"
GEMEENTE_CONFIG = load_dir(CONFIG_DIR)

# -- hostile values -----------------------------------------------------------------------------

RAW_MARKERS = (
    "<script>alert(",
    "<img src=x onerror=",
    "<svg onload=",
    '" autofocus onfocus="',
    "' autofocus onfocus='",
    "<iframe src=javascript:",
    'href="javascript:',
    "<fz-",
)
"""Raw, any of these in a response means a value went out unescaped: no page of ours has them."""
HEADER_MARKERS = (*RAW_MARKERS, "fz=1")
"""In a header also the cookie of ``\r\nSet-Cookie: fz=1`` (in a page it is only text)."""
MARKUP = [
    "<script>alert('fz')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "' autofocus onfocus='alert(1)",
    "<iframe src=javascript:alert(1)>",
    "javascript:alert(1)",
    "</textarea></title><fz-x>",
    "<fz-tag a='1'>",
]
HOSTILE = [
    *MARKUP,
    "'; DROP TABLE draft; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(30)--",
    "1' AND (SELECT 1 FROM pg_sleep(30))--",
    "%00",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\r\nSet-Cookie: fz=1",
    "../../../../etc/passwd",
    "{{7*7}}",
    "${7*7}",
    "{% for x in range(9999999) %}",
    "%s%s%s%n",
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "-0",
    "00000000000000000001",
    "1e308",
    "1e-308",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x7fffffff",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "9" * 400,
    "9" * 5000,  # past Python's 4300-digit limit of int()
    "1.5",
    "1,5",
    "²",  # isdigit(), but int() refuses it
    "①",
    "١٢",  # Arabic-Indic digits: int() takes them
    "１２",  # full-width digits
    "\u202egnp.exe",
    "\ufeff",
    "\u200b",
    "😀" * 50,
    "Ａ" * 300,
    "true",
    "null",
    "[]",
    "{}",
    "ja",
    "nee",
    "controleren",
    "999999990",
    "999990007",  # a test person of another household
    "999990330",  # a partner at another address: never offered
    "123456782",
    "2026-02-30",
    "31",
    "13",
    "29",
    "1900",
    "9999",
    "3083 AB",
    "3083AB",
    "0000 AA",
]
FILENAMES = [
    "bestand.pdf",
    "<script>alert('fz')</script>.pdf",
    '"><img src=x onerror=alert(1)>.png',
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "a" * 600 + ".pdf",
    "\u202egnp.exe",
    "con.pdf",
    "x\x00.pdf",
    "😀.jpg",
    ".pdf",
    " ",
]
CONTENT_TYPES = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/html",
    "application/octet-stream",
    "",
    "<script>",
    "application/pdf; charset=<svg onload=alert(1)>",
]


@functools.cache
def unicode_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any code point UTF-8 can carry (not lone surrogates), control characters included."""
    return st.text(st.characters(codec="utf-8"), max_size=max_size)


@functools.cache
def long_text() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, times: (unit * times)[:70_000],
        st.sampled_from(["a", "9", "<b>", "é", "😀", "\x01", "' OR 1=1 --"]),
        st.integers(200, 20_000),
    )


@functools.cache
def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(10**40), 10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    )


@functools.cache
def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        unicode_text(),
        numbers(),
        long_text(),
        st.builds(
            lambda a, m, b: a + m + b, unicode_text(8), st.sampled_from(MARKUP), unicode_text(8)
        ),
    )


@functools.cache
def file_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=2048),
        st.builds(lambda tail: b"%PDF-1.4\n" + tail, st.binary(max_size=1024)),
        st.builds(lambda tail: PNG[:16] + tail, st.binary(max_size=1024)),
        st.just(PDF),
        st.just(PNG),
        st.just(PDF + b"<html><script>alert(1)</script></html>"),
        st.just(b""),
    )


@functools.cache
def file_part() -> st.SearchStrategy[tuple[str, bytes, str]]:
    return st.tuples(
        st.one_of(st.sampled_from(FILENAMES), unicode_text(40)),
        file_bytes(),
        st.sampled_from(CONTENT_TYPES),
    )


@functools.cache
def raw_body() -> st.SearchStrategy[tuple[str, bytes]]:
    """A body of any shape, under a content type that may lie about it."""
    return st.tuples(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=utf-7",
                "multipart/form-data; boundary=fz",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=" + "b" * 200,
                "application/json",
                "text/plain",
                "",
            ]
        ),
        st.one_of(
            st.binary(max_size=2048),
            st.just(b'--fz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nx\r\n--fz--\r\n'),
            st.just(b'--fz\r\nContent-Disposition: form-data; name="a"; filename="x"\r\n\r\n'),
            st.just(b"--fz\r\nContent-Disposition: form-data\r\n\r\n\r\n--fz--\r\n"),
            st.just(b"csrf=%ZZ&waarde=%E0%A4%A"),
            st.just(b"a=" + b"%FF" * 1000),
            st.just(b"&" * 5000),
            st.just(b'{"csrf": [1, 2], "waarde": {"$ne": null}}'),
        ),
    )


# -- the form a page offers, and a hostile one for it -------------------------------------------

TAG = re.compile(r"<(input|select|textarea|option)\b([^>]*)>", re.S)
ATTR = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')


def offered_fields(page: str) -> tuple[dict[str, list[str]], set[str]]:
    """The fields of a page's forms: name -> the values it offers (radio, checkbox and option
    values, prefilled text), and the names of its file inputs. The CSRF token is left out."""
    fields: dict[str, list[str]] = {}
    files: set[str] = set()
    select_name: str | None = None
    for tag, attrs_text in TAG.findall(page):
        attrs = {k: html.unescape(v) for k, v in ATTR.findall(attrs_text)}
        if tag == "option":
            if select_name is not None and attrs.get("value"):
                fields[select_name].append(attrs["value"])
            continue
        name = attrs.get("name")
        if not name or name == "csrf":
            continue
        if attrs.get("type") == "file":
            files.add(name)
            continue
        values = fields.setdefault(name, [])
        if attrs.get("value") and attrs["value"] not in values:
            values.append(attrs["value"])
        select_name = name if tag == "select" else None
    return fields, files


MAX_VARIED = 6


@st.composite
def hostile_form(
    draw: st.DrawFn,
    fields: dict[str, list[str]],
    file_fields: set[str],
    csrf: str | None,
    text: st.SearchStrategy[str] | None = None,
) -> dict[str, Any]:
    """A form for the page: each field left out, valid, hostile, duplicated or a file (a file
    field: a file, two, or text); some extra fields; the real CSRF token (when given) most of
    the time; now and then a raw body instead."""
    if text is None:
        text = hostile_text()
    data: list[tuple[str, str]] = []
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    names = sorted(set(fields) | file_fields)
    # A big form (the flow preview's) gets hostile values in a few fields, valid ones elsewhere:
    # an example stays small enough for Hypothesis to generate and shrink.
    varied = set(names)
    if len(names) > MAX_VARIED:
        varied = set(draw(st.lists(st.sampled_from(names), max_size=MAX_VARIED, unique=True)))
    for name in names:
        good = fields.get(name) or []
        if name not in varied:
            if good:
                data.append((name, draw(st.sampled_from(good))))
            continue
        if name in file_fields:
            choice = draw(
                st.sampled_from(["weg", "bestand", "bestand", "bestand", "tekst", "twee"])
            )
        else:
            choice = draw(st.sampled_from(["weg", "goed", "goed", "vijandig", "dubbel", "bestand"]))
        if choice == "goed" and good:
            data.append((name, draw(st.sampled_from(good))))
        elif choice in ("goed", "vijandig", "tekst"):
            data.append((name, draw(text)))
        elif choice == "dubbel":
            values = st.one_of(st.sampled_from(good), text) if good else text
            data += [(name, v) for v in draw(st.lists(values, min_size=2, max_size=4))]
        elif choice == "bestand":
            files.append((name, draw(file_part())))
        elif choice == "twee":
            files += [(name, draw(file_part())), (name, draw(file_part()))]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.one_of(st.sampled_from(HOSTILE), unicode_text(20))) or "x"
        data.append((name, draw(text)))
    token = draw(st.sampled_from(["echt"] * 8 + ["vijandig", "weg", "dubbel"]))
    if csrf is not None and token in ("echt", "dubbel"):
        data.insert(0, ("csrf", csrf))
    if token in ("vijandig", "dubbel"):
        data.append(("csrf", draw(text)))
    raw = draw(st.one_of(st.none(), st.none(), st.none(), st.none(), raw_body()))
    return {"data": data, "files": files, "raw": raw}


@functools.cache
def query_text() -> st.SearchStrategy[str]:
    """Hostile text short enough for a URL: httpx2 refuses a query over 64 KB (a server's
    limit on the request line is lower still)."""
    return st.one_of(
        st.sampled_from([h for h in HOSTILE if len(h) < 500]),
        unicode_text(),
        numbers(),
        st.builds(
            lambda unit, times: unit * times,
            st.sampled_from(["a", "<b>", "😀"]),
            st.integers(100, 300),
        ),
    )


@functools.cache
def hostile_query() -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.one_of(
        st.sampled_from(["terug", "stap", "q", "reference", "next", "slug"]), unicode_text(12)
    )
    return st.lists(st.tuples(names, query_text()), max_size=4)


@functools.cache
def hostile_segment() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE), unicode_text(30)).map(
        lambda s: quote(s, safe="") or "x"
    )


# -- a resident on check answers, per gemeente ------------------------------------------------

FAMILY = {"rotterdam": "999990123"}  # the Den Haag family; elsewhere Kees Jansen (married)
DEFAULT_PERSON = "999990019"


OFFERED: dict[str, tuple[dict[str, list[str]], set[str]]] = {}


@dataclass(frozen=True)
class Stand:
    """What is stored of a draft: answers, submitted or not, files (name, type, size, bytes)."""

    answers: dict[str, Any]
    submitted: str | None
    uploads: dict[str, tuple[str, str, int, bytes | None]]


@dataclass(repr=False)
class World:
    app: Any
    client: TestClient
    slug: str
    bsn: str
    resident: Resident
    draft_id: str = ""
    csrf: str = ""
    baseline: Stand | None = None

    def __repr__(self) -> str:
        # Short: Hypothesis prints the test's arguments (this one) with a failing example.
        return f"<resident of {self.slug}>"

    @property
    def gemeente(self) -> Any:
        return self.app.state.services.gemeenten[self.slug]

    @property
    def store(self) -> Any:
        return self.app.state.services.store

    def stand(self) -> Stand:
        draft = self.store.draft(self.draft_id)
        assert draft is not None, "the draft is gone"
        uploads = {
            doc: (
                u.bestandsnaam,
                u.content_type,
                u.grootte,
                self.store.upload_data(self.draft_id, doc),
            )
            for doc, u in self.store.uploads(self.draft_id).items()
        }
        return Stand(dict(draft.answers), draft.submitted_reference, uploads)

    def setup(self) -> None:
        """Log in (a new draft once the last one was submitted) and answer up to check answers."""
        r = self.resident
        r.login(self.bsn)
        first = self.gemeente.stappen[0].id
        if r.step != first:  # answers from before: start afresh
            r.client.post(f"/{self.slug}/opnieuw", data={"csrf": csrf_of(r.page)})
            r.get(f"/{self.slug}/stap/{first}")
        check = self.gemeente.stappen[-1].id
        run_until(r, self.gemeente, check, TODAY, resident_data().free_address(self.gemeente))
        self.csrf = csrf_of(r.page)
        owner = self.store.owner_key(self.slug, self.bsn)
        with Session(self.store.engine) as db:
            [draft] = db.exec(
                select(Draft).where(Draft.owner == owner, col(Draft.submitted_reference).is_(None))
            ).all()
        self.draft_id = draft.id
        self.baseline = self.stand()

    def offered(self, path: str) -> dict[str, list[str]] | Any:
        """The fields the page offers with the baseline draft, read once: what the fuzzer
        draws must not depend on what an earlier example left."""
        if path not in OFFERED:
            page = send(self.client, "GET", path)
            assert page.status_code == 200, f"{path}: {page.status_code}"
            OFFERED[path] = offered_fields(page.text)
        return OFFERED[path]

    def restore(self) -> None:
        """Back to the baseline: answers and files put back in the store directly; after a
        submission (a valid check answers) a new draft."""
        assert self.baseline is not None
        now = self.stand()
        if now.submitted:
            self.setup()
            return
        for step_id, answer in self.baseline.answers.items():
            if now.answers.get(step_id) != answer:
                self.store.save_answer(self.draft_id, step_id, answer)
        if now.uploads != self.baseline.uploads:
            with Session(self.store.engine) as db:
                db.execute(delete(UploadRow).where(col(UploadRow.draft_id) == self.draft_id))
                db.commit()
            for doc, (name, content_type, _size, data) in self.baseline.uploads.items():
                assert data is not None
                self.store.save_upload(self.draft_id, doc, name, content_type, data)
        assert self.stand() == self.baseline


WORLDS: dict[str, World] = {}
"""The residents, by gemeente. Not a fixture argument of the tests: Hypothesis's replay of a
failing example with such an argument (an app, a client) overran and was reported as
FlakyStrategyDefinition instead of the failure itself."""


@pytest.fixture(scope="module", autouse=True)
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(make_settings(tmp, VERHUIZEN_RATE_LIMITS=HIGH_LIMITS), today=lambda: TODAY)
    # One client: each gemeente has its own cookie, so the four residents live side by side.
    with TestClient(app, base_url="http://testserver") as client:
        for slug in GEMEENTEN:
            world = World(
                app, client, slug, FAMILY.get(slug, DEFAULT_PERSON), Resident(client, slug)
            )
            world.setup()
            WORLDS[slug] = world
        yield
        WORLDS.clear()


@contextmanager
def anonymous(client: TestClient) -> Iterator[None]:
    """The client without the residents' cookies, for a while."""
    kept = client.cookies
    client.cookies = httpx2.Cookies()
    try:
        yield
    finally:
        client.cookies = kept


# -- what every response must satisfy ---------------------------------------------------------


TRUNCATED_PART = "Unclosed file <tempfile.SpooledTemporaryFile"


def check_response(response: httpx2.Response) -> None:
    for hop in [*response.history, response]:
        where = f"{hop.request.method} {hop.request.url.raw_path.decode(errors='replace')[:200]}"
        assert hop.status_code < 500, f"{where}: {hop.status_code}\n{hop.text[:1500]}"
        body = hop.text
        for marker in RAW_MARKERS:
            assert marker not in body, f"{where}: {marker!r} reflected unescaped"
        for name, value in hop.headers.multi_items():
            assert "\r" not in value and "\n" not in value, f"{where}: header {name}"
            assert not any(m in value for m in HEADER_MARKERS), f"{where}: {name}: {value!r}"


def send(
    client: TestClient,
    method: str,
    path: str,
    form: dict[str, Any] | None = None,
    query: list[tuple[str, str]] | None = None,
) -> httpx2.Response:
    """One request (redirects followed), checked: no 5xx, nothing reflected unescaped."""
    kw: dict[str, Any] = {"params": query} if query else {}
    if form is None:
        response = client.request(method, path, **kw)
    elif form["raw"] is not None:
        content_type, body = form["raw"]
        headers = {"content-type": content_type} if content_type else {}
        with warnings.catch_warnings():
            if content_type.startswith("multipart/"):
                # python-multipart never ends a file part that a truncated body leaves open, so
                # Starlette cannot close its spooled file; it is freed with the request (see
                # Kludex/starlette#3153). Only the documents step takes files at all.
                warnings.filterwarnings("ignore", TRUNCATED_PART, ResourceWarning)
            response = client.request(method, path, content=body, headers=headers, **kw)
            gc.collect()
    else:
        data: dict[str, list[str]] = {}
        for name, value in form["data"]:
            data.setdefault(name, []).append(value)
        files = form["files"] or None
        response = client.request(method, path, data=data, files=files, **kw)
    check_response(response)
    return response


def accepted(response: httpx2.Response) -> bool:
    """The POST was taken as a valid answer: it redirected (303) instead of showing errors."""
    return bool(response.history) and response.history[0].status_code == 303


def check_unharmed(
    world: World,
    before: Stand,
    response: httpx2.Response | None = None,
    step_id: str | None = None,
    offered: dict[str, list[str]] | None = None,
) -> None:
    """Nothing changed, unless ``response`` took a valid answer for ``step_id``: then only
    that step changed and the draft still shows."""
    after = world.stand()
    if response is None or step_id is None or not accepted(response):
        status = response.status_code if response is not None else "a request"
        assert after == before, f"{status} changed the draft"
        return
    for other in set(before.answers) | set(after.answers):
        if other != step_id:
            assert after.answers.get(other) == before.answers.get(other), f"{other} changed"
    step_type = registry[world.gemeente.step(step_id).type]
    if not step_type.multipart:
        assert after.uploads == before.uploads
    if not step_type.checks_answers:
        assert after.submitted is None
    if after.submitted:
        with Session(world.store.engine) as db:
            rows = db.exec(select(Submission).where(Submission.draft_id == world.draft_id)).all()
        assert len(rows) == 1
        assert response.url.path == f"/{world.slug}/bevestiging"
        return
    for path in (
        f"/{world.slug}/stap/{step_id}",
        f"/{world.slug}/stap/{world.gemeente.stappen[-1].id}",
    ):
        assert send(world.client, "GET", path).status_code == 200, path
    if "personen" in after.answers.get(step_id, {}):
        household = set((offered or {}).get("personen", []))
        chosen = {p["bsn"] for p in after.answers[step_id]["personen"]}
        assert chosen <= household, f"moves along without being offered: {chosen - household}"


# -- the tests ----------------------------------------------------------------------------------

STEPS = [(slug, s.id) for slug, g in sorted(GEMEENTE_CONFIG.items()) for s in g.stappen]
LOOKUPS = [
    (slug, s.id)
    for slug, g in sorted(GEMEENTE_CONFIG.items())
    for s in g.stappen
    if registry[s.type].enhanced
]


@pytest.mark.parametrize(("slug", "step_id"), STEPS)
@FUZZ
@given(data=st.data())
def test_hostile_answers_to_every_step(slug: str, step_id: str, data: st.DataObject) -> None:
    world = WORLDS[slug]
    world.restore()  # also after an example that failed
    fields, file_fields = world.offered(f"/{slug}/stap/{step_id}")
    form = data.draw(hostile_form(fields, file_fields, world.csrf), label="form")
    query = data.draw(st.sampled_from(["", "?terug=controleren", "?terug=%3Cfz-q%3E"]))
    before = world.stand()
    response = send(world.client, "POST", f"/{slug}/stap/{step_id}{query}", form)
    check_unharmed(world, before, response, step_id, fields)


@pytest.mark.parametrize(("slug", "step_id"), LOOKUPS)
@FUZZ
@given(data=st.data())
def test_hostile_address_lookups(slug: str, step_id: str, data: st.DataObject) -> None:
    world = WORLDS[slug]
    world.restore()  # also after an example that failed
    fields, _files = world.offered(f"/{slug}/stap/{step_id}")
    form = data.draw(hostile_form(fields, set(), world.csrf), label="form")
    before = world.stand()
    send(world.client, "POST", f"/{slug}/stap/{step_id}/adres", form)
    check_unharmed(world, before)


@pytest.mark.parametrize("slug", GEMEENTEN)
@FUZZ
@given(data=st.data())
def test_hostile_logins(slug: str, data: st.DataObject) -> None:
    """Anonymous: the login form with hostile values (a test person's BSN among them: that
    logs in as them, which must not touch the resident's draft either)."""
    world = WORLDS[slug]
    world.restore()  # also after an example that failed
    before = world.stand()
    with anonymous(world.client):
        page = send(world.client, "GET", f"/{slug}/inloggen", query=data.draw(hostile_query()))
        assert page.status_code == 200
        fields, _files = world.offered(f"/{slug}/inloggen")
        csrf = csrf_of(page.text)
        form = data.draw(hostile_form(fields, set(), csrf), label="form")
        send(world.client, "POST", f"/{slug}/inloggen", form)
        # Logged out, expired or forged: the anonymous client hits the session routes too.
        path = data.draw(st.sampled_from(["uitloggen", "opnieuw", "sessie/verlengen"]))
        send(world.client, "POST", f"/{slug}/{path}", form)
    check_unharmed(world, before)


@pytest.mark.parametrize("slug", GEMEENTEN)
@FUZZ
@given(data=st.data())
def test_hostile_session_posts(slug: str, data: st.DataObject) -> None:
    """Log out, start over and keep alive, as the resident but never with the real CSRF token
    for the first two (with it they end the session or empty the draft, as they should)."""
    world = WORLDS[slug]
    world.restore()  # also after an example that failed
    path = data.draw(st.sampled_from(["uitloggen", "opnieuw", "sessie/verlengen"]))
    csrf = world.csrf if path == "sessie/verlengen" else None
    form = data.draw(hostile_form({"terug": ["controleren"]}, set(), csrf), label="form")
    before = world.stand()
    send(world.client, "POST", f"/{slug}/{path}", form)
    check_unharmed(world, before)
    # Still logged in, on check answers.
    assert send(world.client, "GET", f"/{slug}/verder").status_code == 200


@pytest.mark.parametrize("slug", GEMEENTEN)
@FUZZ
@given(data=st.data())
def test_hostile_urls(slug: str, data: st.DataObject) -> None:
    """Every page that is not a form post (and each with a method it does not take), with
    hostile query strings and hostile path segments; the flow preview with hostile "wat als"
    answers."""
    world = WORLDS[slug]
    world.restore()  # also after an example that failed
    step = data.draw(st.sampled_from([s.id for s in world.gemeente.stappen]))
    segment = data.draw(hostile_segment())
    # A stored reference (when the fuzzer submitted one) or a hostile one; drawn the same way
    # whatever is stored, so that Hypothesis can replay an example.
    references = [s.reference for s in world.store.submissions(slug)] or [segment]
    pick = data.draw(st.integers(0, 3))
    reference = references[pick % len(references)] if pick else segment
    paths = [
        "/",
        "/gezond",
        "/gereed",
        f"/static/{segment}",
        f"/{segment}/",
        f"/{segment}/stap/{step}",
        f"/{slug}/",
        f"/{slug}",
        f"/{slug}/inloggen",
        f"/{slug}/verder",
        f"/{slug}/stap/{step}",
        f"/{slug}/stap/{segment}",
        f"/{slug}/stap/{step}/adres",
        f"/{slug}/einde",
        f"/{slug}/bevestiging",
        f"/{slug}/sessie-verlopen",
        f"/{slug}/toegankelijkheid",
        f"/{slug}/staging/meldingen",
        f"/{slug}/staging/meldingen/{reference}",
        f"/{slug}/staging/stroom",
        f"/{slug}/{segment}",
    ]
    path = data.draw(st.sampled_from(paths))
    method = data.draw(st.sampled_from(["GET"] * 6 + ["HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"]))
    query = data.draw(hostile_query())
    # The flow preview's "wat als" form: its own fields with hostile values, as the page's GET
    # form sends them (drawn for every path, so that every example draws alike).
    fields, _files = world.offered(f"/{slug}/staging/stroom")
    what_if = data.draw(hostile_form(fields, set(), None, query_text()))
    if path.endswith("/staging/stroom"):
        query = [*query, *what_if["data"]]
    before = world.stand()
    send(world.client, method, path, query=query)
    check_unharmed(world, before)
