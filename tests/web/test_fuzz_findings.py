"""What the fuzz and fault tests of issue 8 (item 10) found, pinned as plain examples, so that
they stay fixed whatever the fuzzer happens to draw: a file part where no file is taken. (A
step's answer with its files in one transaction: ``tests/storage/test_answer_with_files.py``; a
non-ASCII CSRF token or staging password: ``tests/web/test_staging_access.py``.)"""

from __future__ import annotations

import gc

import pytest

from tests.conftest import TODAY
from tests.driver import PDF, csrf_of, run_until
from webapp.testing.testdata import resident_data

TRUNCATED = b'--fz\r\nContent-Disposition: form-data; name="csrf"; filename="x"\r\n\r\nnever ends'
MULTIPART = {"content-type": "multipart/form-data; boundary=fz"}


@pytest.mark.parametrize(
    "path", ["/rotterdam/inloggen", "/rotterdam/stap/situatie", "/rotterdam/stap/adres/adres"]
)
def test_a_file_part_where_no_file_is_taken_is_a_400(resident, app, client, path):
    """Only the documents step takes files. Elsewhere a file part is refused before anything
    is spooled; a truncated one would otherwise leave its spooled file open (python-multipart
    never ends the part, so Starlette cannot close it). ``-W error`` turns a file left open
    into a failure here."""
    r = resident("rotterdam")
    r.login("999990007")
    g = app.state.services.gemeenten["rotterdam"]
    run_until(r, g, "adres", TODAY, resident_data().free_address(g))  # the lookup applies
    gc.collect()
    truncated = client.post(path, content=TRUNCATED, headers=MULTIPART)
    whole = client.post(
        path, data={"csrf": csrf_of(r.page)}, files={"waarde": ("a.pdf", PDF, "application/pdf")}
    )
    gc.collect()
    assert (truncated.status_code, whole.status_code) == (400, 400)
    assert "content-security-policy" in truncated.headers


def test_the_documents_step_still_takes_files(resident, app):
    r = resident("rotterdam")
    r.login("999990007")
    g = app.state.services.gemeenten["rotterdam"]
    run_until(r, g, "documenten", TODAY, resident_data().free_address(g))
    r.answer({}, {"doc-huurcontract": ("huur.pdf", PDF, "application/pdf")})
    assert r.step == "contact"
