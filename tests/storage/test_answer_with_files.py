"""A step's answer and its files are stored in one transaction (found by the kill -9 test in
``tests/test_faults.py``: a kill between the two writes left a file that no answer named)."""

from __future__ import annotations

import pytest

from tests.driver import PDF
from webapp.storage.store import Store


def test_an_answer_and_its_files_are_stored_together_or_not_at_all(engine):
    """One transaction: a submitted draft gets neither the answer nor the file (before, the
    file was written first and then the answer refused)."""
    store = Store(engine, "secret")
    draft = store.open_draft("rotterdam", "999990007", "v1")
    files = [("huurcontract", "a.pdf", "application/pdf", PDF)]
    store.save_answer(draft.id, "documenten", {"bestanden": {"huurcontract": {}}}, files)
    assert set(store.uploads(draft.id)) == {"huurcontract"}
    store.submit(
        draft.id,
        prefix="ROT",
        aangever_bsn="999990007",
        answers={},
        signalen=[],
        linked=[],
        is_test=True,
    )
    later = [("huurcontract", "b.pdf", "application/pdf", PDF + b"%")]
    with pytest.raises(LookupError):
        store.save_answer(draft.id, "documenten", {"bestanden": {}}, later)
    assert store.uploads(draft.id)["huurcontract"].bestandsnaam == "a.pdf"
    assert store.upload_data(draft.id, "huurcontract") == PDF
