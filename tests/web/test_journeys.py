"""Complete journeys through the ASGI app for every configuration, and the DOMAIN.md scenarios."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.conftest import GEMEENTEN, TODAY
from tests.driver import complete_journey
from webapp.registers.brp import BestandsBrp
from webapp.steps import registry
from webapp.storage.models import Submission
from webapp.testing.testdata import resident_data


def free_address(gemeente) -> dict:
    """The first address in the gemeente where nobody is registered yet (in file order: not
    the drivers' preferred one, so this journey may take another path than the e2e one)."""
    free = resident_data().free_addresses(gemeente)
    assert free, f"no free test address in gemeente {gemeente.gemeentecode}"
    return free[0]


def resident_from_elsewhere(gemeentecode: str) -> str:
    """An adult test person, not under curatele, registered in another gemeente than this one."""
    brp = BestandsBrp()
    for persoon in brp.testpersonen():
        if persoon.curatele or persoon.leeftijd(TODAY) < 18:
            continue
        if persoon.gemeente_van_inschrijving == gemeentecode:
            continue
        return persoon.burgerservicenummer
    raise AssertionError(f"no adult test person outside gemeente {gemeentecode}")


def stored_submissions(app) -> list[Submission]:
    with Session(app.state.services.store.engine) as db:
        return list(db.exec(select(Submission)).all())


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_complete_journey_for_every_configuration(slug, app, resident):
    gemeente = app.state.services.gemeenten[slug]
    r = resident(slug)
    r.login(resident_from_elsewhere(gemeente.gemeentecode))
    assert r.step == gemeente.stappen[0].id
    complete_journey(r, gemeente, TODAY, free_address(gemeente))
    assert "Uw verhuizing is doorgegeven" in r.text()
    [submission] = stored_submissions(app)
    assert submission.gemeente == slug
    assert submission.config_versie == gemeente.versie
    assert submission.reference.startswith(gemeente.referentie_prefix + "-2026-")
    assert submission.reference in r.text()
    assert submission.is_test
    # Confirmed on the check-answers page; every other step the resident answered is stored.
    check_step = gemeente.stappen[-1]
    assert registry[check_step.type].checks_answers
    assert r.history[-1] == check_step.id
    assert list(submission.answers["stappen"]) == [s for s in r.history if s != check_step.id]
    assert submission.answers["stappen"]["adres"]["adres"]["gemeentecode"] == gemeente.gemeentecode
