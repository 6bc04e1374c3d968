"""Complete journeys through the ASGI app for every configuration, and the DOMAIN.md scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.conftest import GEMEENTEN, TODAY
from tests.driver import complete_journey
from webapp.registers.brp import BestandsBrp
from webapp.storage.models import Submission

TESTDATA = Path(__file__).resolve().parents[2] / "webapp" / "registers" / "testdata"
ADDRESSES = json.loads((TESTDATA / "adressen.json").read_text())["response"]["docs"]


def free_address(gemeentecode: str, buurt_outside: set[str] | None = None) -> dict:
    """An address in the gemeente where nobody is registered yet."""
    brp = BestandsBrp()
    for doc in ADDRESSES:
        if doc["gemeentecode"] != gemeentecode:
            continue
        if brp.bewoners(doc["adresseerbaarobject_id"]):
            continue
        return doc
    raise AssertionError(f"no free test address in gemeente {gemeentecode}")


def resident_from_elsewhere(gemeentecode: str) -> str:
    """An adult test person, not under curatele, who lives alone-ish outside the target address."""
    brp = BestandsBrp()
    for persoon in brp.testpersonen():
        if persoon.curatele or persoon.leeftijd(TODAY) < 18:
            continue
        return persoon.burgerservicenummer
    raise AssertionError("no test person")


def stored_submissions(app) -> list[Submission]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(Submission)).all())


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_complete_journey_for_every_configuration(slug, app, resident):
    gemeente = app.state.services.gemeenten[slug]
    r = resident(slug)
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    assert r.step == gemeente.stappen[0].id
    complete_journey(r, gemeente, TODAY, free_address(gemeente.gemeentecode))
    assert "Uw verhuizing is doorgegeven" in r.text()
    [submission] = stored_submissions(app)
    assert submission.gemeente == slug
    assert submission.config_versie == gemeente.versie
    assert submission.reference.startswith(gemeente.referentie_prefix + "-2026-")
    assert submission.reference in r.text()
    assert submission.is_test
    assert (
        "controleren" not in submission.answers["stappen"]
        or submission.answers["stappen"]["controleren"]["akkoord"]
    )
    assert submission.answers["stappen"]["adres"]["adres"]["gemeentecode"] == gemeente.gemeentecode
