"""Reading a stored report by step type, the same way for every gemeente and every target.

The reports are real: a resident walks the wizard (the ASGI app, as a browser without
JavaScript) and the store keeps what they sent. :func:`stored_reports` is shared with the tests
of the targets that read these reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from tests.conftest import GEMEENTEN, TODAY, make_settings
from tests.driver import PDF, Resident, complete_journey, moving_date
from webapp.config.models import Gemeente
from webapp.delivery import Melding, inhoud, melding_uit_opslag
from webapp.delivery.contract import Toestemming, ToestemmingStatus
from webapp.domain.household import Grond
from webapp.storage.models import Submission
from webapp.storage.store import Store
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

SANNE = "999990007"  # lives in Utrecht, rents in Tarwewijk
KEES = "999990019"  # married to Marieke, buys in Hillesluis
MARIEKE = "999990020"
TARWEWIJK = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "A"}
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
READ_BY_TYPE = {
    "nieuw_adres",
    "verhuisdatum",
    "meeverhuizers",
    "huisvestingsvergunning",
    "documenten",
    "contactgegevens",
    "woonsituatie",
    "hoofdbewoner",
}
TERMIJN = datetime(2027, 1, 15, 11, 0, tzinfo=UTC)
BESLOTEN = datetime(2027, 1, 3, 23, 30, tzinfo=UTC)  # 4 January in the Netherlands


@dataclass
class Reports:
    store: Store
    huurder: Melding
    """Sanne rents in Tarwewijk and applies for a housing permit with the move; huurcontract."""
    vergunninghouder: Melding
    """Sanne again, with a permit she already holds."""
    koper: Melding
    """Kees buys in Hillesluis; Marieke, his wife, moves along; akte van levering."""
    te_laat: Melding
    """Voorbeeldstad, reported ten days after the move (the gemeente accepts it)."""
    per_gemeente: dict[str, Melding]
    """A report with the example answers in each shipped configuration."""
    gemeenten: dict[str, Gemeente]


def _melding(store: Store, reference: str) -> Melding:
    with Session(store.engine) as db:
        submission = db.exec(select(Submission).where(Submission.reference == reference)).one()
    assert submission.id is not None
    return melding_uit_opslag(submission, store.linked_requests(submission.id))


def _walk(
    client: TestClient, slug: str, bsn: str, address: dict[str, object], **overrides: object
) -> Melding:
    app = client.app
    gemeente = app.state.services.gemeenten[slug]  # type: ignore[attr-defined]
    store: Store = app.state.services.store  # type: ignore[attr-defined]
    client.cookies.clear()
    before = {s.reference for s in store.submissions()}
    resident = Resident(client, slug)
    resident.login(bsn)
    complete_journey(resident, gemeente, TODAY, dict(address), overrides=dict(overrides))
    [reference] = {s.reference for s in store.submissions()} - before
    return _melding(store, reference)


@contextmanager
def stored_reports(tmp_path: Path) -> Iterator[Reports]:
    """Real reports, as the wizard stores them, in a fresh database under ``tmp_path``."""
    app = create_app(make_settings(tmp_path), today=lambda: TODAY)
    with TestClient(app, base_url="http://testserver") as client:
        huurder = _walk(
            client, "rotterdam", SANNE, TARWEWIJK, vergunning=({"keuze": "aanvragen"}, None)
        )
        houder = _walk(
            client,
            "rotterdam",
            SANNE,
            TARWEWIJK,
            vergunning=({"keuze": "heb_al", "nummer": "hvv-2026-012345"}, None),
        )
        koper = _walk(
            client,
            "rotterdam",
            KEES,
            HILLESLUIS,
            meeverhuizers=({"personen": [MARIEKE]}, None),
            woonsituatie=({"woonvorm": "koop"}, None),
        )
        gemeenten = app.state.services.gemeenten
        voorbeeld = resident_data().free_address(gemeenten["voorbeeld"])
        late = _walk(
            client, "voorbeeld", SANNE, voorbeeld, verhuisdatum=(moving_date(TODAY, -10), None)
        )
        per_gemeente = {
            slug: _walk(client, slug, SANNE, resident_data().free_address(gemeenten[slug]))
            for slug in GEMEENTEN
        }
        yield Reports(
            app.state.services.store, huurder, houder, koper, late, per_gemeente, gemeenten
        )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    with stored_reports(tmp_path_factory.mktemp("inhoud")) as found:
        yield found


def without_step(melding: Melding, soort: str) -> Melding:
    """The same report without its steps of one type (a gemeente that does not ask it)."""
    typen = inhoud.stap_typen(melding)
    stappen = {k: v for k, v in inhoud.antwoorden(melding).items() if typen.get(k) != soort}
    return replace(melding, answers={**melding.answers, "stappen": stappen})


def with_hoofdbewoner(
    melding: Melding,
    *,
    route: str = "online",
    bsn: str | None = None,
    naam: str = "A. de Boer",
    toestemming: Toestemming | None = None,
) -> Melding:
    """The report with the answer of a ``hoofdbewoner`` step (as its ``parse`` makes it) and,
    for the online route, the consent request as the store gives it to a target."""
    answer: dict[str, object] = {"route": route}
    if bsn is not None:
        answer.update(hoofdbewoner_bsn=bsn, hoofdbewoner_naam=naam)
    record = dict(melding.answers)
    record[inhoud.STAPPEN] = {**inhoud.antwoorden(melding), "wie_hoofdbewoner": answer}
    typen = record.get(inhoud.TYPEN)
    if isinstance(typen, Mapping):
        record[inhoud.TYPEN] = {**typen, "wie_hoofdbewoner": "hoofdbewoner"}
    return replace(melding, answers=record, toestemming=toestemming)


def consent(status: ToestemmingStatus, bsn: str) -> Toestemming:
    """A consent request in a state: decided ones on :data:`BESLOTEN` by the hoofdbewoner."""
    decided = status in (ToestemmingStatus.GEGEVEN, ToestemmingStatus.GEWEIGERD)
    return Toestemming(
        status=status,
        hoofdbewoner_bsn=bsn,
        termijn=TERMIJN,
        besloten_op=BESLOTEN if decided else None,
        gever_bsn=bsn if decided else None,
    )


# -- the step types behind the step ids ----------------------------------------------------------


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_each_answer_is_recognised_as_the_type_its_configuration_gives(
    reports: Reports, slug: str
) -> None:
    melding = reports.per_gemeente[slug]
    gemeente = reports.gemeenten[slug]
    expected = {
        step_id: gemeente.step(step_id).type
        for step_id in inhoud.antwoorden(melding)
        if gemeente.step(step_id).type in READ_BY_TYPE
    }
    assert {"nieuw_adres", "verhuisdatum", "meeverhuizers"} <= set(expected.values())
    recorded = inhoud.stap_typen(melding)  # the wizard records each step's type
    assert {k: v for k, v in recorded.items() if v in READ_BY_TYPE} == expected
    # A report stored without that record: each answer recognised by its shape.
    bare = replace(melding, answers={k: v for k, v in melding.answers.items() if k != inhoud.TYPEN})
    assert inhoud.stap_typen(bare) == expected


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_every_gemeente_gives_its_address_date_and_household(reports: Reports, slug: str) -> None:
    melding = reports.per_gemeente[slug]
    gemeente = reports.gemeenten[slug]
    wanted = resident_data().free_address(gemeente)
    nieuw = inhoud.nieuw_adres(melding)
    assert nieuw.adres.postcode == str(wanted["postcode"]).replace(" ", "")
    assert nieuw.adres.huisnummer == int(wanted["huisnummer"])
    assert nieuw.adres.gemeentecode == gemeente.gemeentecode
    assert nieuw.adres.nummeraanduiding_id == str(wanted["nummeraanduiding_id"])
    assert nieuw.bewoners == 0  # the drivers move to a free address
    datum = inhoud.verhuisdatum(melding)
    assert datum == inhoud.Verhuisdatum(TODAY + timedelta(days=7), False, TODAY + timedelta(7))
    assert inhoud.meeverhuizers(melding) == []


def test_step_types_recorded_with_the_report_win_over_the_shapes(reports: Reports) -> None:
    melding = reports.koper
    address_step = next(k for k, v in inhoud.stap_typen(melding).items() if v == "nieuw_adres")
    # A record that says the address step is of another type: nothing is guessed.
    recorded = {
        k: "vraag" if k == address_step else v for k, v in inhoud.stap_typen(melding).items()
    }
    relabelled = replace(melding, answers={**melding.answers, inhoud.TYPEN: recorded})
    assert inhoud.stap_typen(relabelled) == recorded
    with pytest.raises(inhoud.InhoudOntbreekt, match="geen nieuw adres"):
        inhoud.nieuw_adres(relabelled)
    assert inhoud.verhuisdatum(relabelled) == inhoud.verhuisdatum(melding)


# -- the parts ---------------------------------------------------------------------------------


def test_the_partner_who_moves_along(reports: Reports) -> None:
    [marieke] = inhoud.meeverhuizers(reports.koper)
    assert marieke.bsn == MARIEKE and marieke.grond is Grond.PARTNER
    assert marieke.naam == "Marieke Visser"
    assert isinstance(marieke.geboortedatum, date)
    assert inhoud.huisvestingsvergunning(reports.koper) is None


def test_the_housing_permit_applied_for_or_held(reports: Reports) -> None:
    assert inhoud.huisvestingsvergunning(reports.huurder) == inhoud.Huisvestingsvergunning(
        aangevraagd=True, nummer=None
    )
    assert inhoud.huisvestingsvergunning(reports.vergunninghouder) == (
        inhoud.Huisvestingsvergunning(aangevraagd=False, nummer="HVV-2026-012345")
    )


def test_a_late_report_counts_from_the_day_it_was_made(reports: Reports) -> None:
    datum = inhoud.verhuisdatum(reports.te_laat)
    assert datum.datum == TODAY - timedelta(days=10)
    assert datum.te_laat and datum.geldt == TODAY


def test_the_address_as_the_register_gave_it(reports: Reports) -> None:
    adres = inhoud.nieuw_adres(reports.huurder).adres
    assert (adres.postcode, adres.huisnummer, adres.huisletter) == ("3083AB", 12, "A")
    assert adres.straatnaam and adres.woonplaatsnaam == "Rotterdam"
    assert adres.adresseerbaarobject_id and adres.nummeraanduiding_id


def test_contact_details_where_given(reports: Reports) -> None:
    contact = inhoud.contactgegevens(reports.huurder)
    assert contact == inhoud.Contact("test@example.org", contact.telefoon)
    assert inhoud.contactgegevens(without_step(reports.huurder, "contactgegevens")) == (
        inhoud.Contact()
    )


def test_a_report_without_a_part_says_which_without_personal_data(reports: Reports) -> None:
    for soort, function in (
        ("nieuw_adres", inhoud.nieuw_adres),
        ("verhuisdatum", inhoud.verhuisdatum),
    ):
        with pytest.raises(inhoud.InhoudOntbreekt) as caught:
            function(without_step(reports.koper, soort))
        assert soort in str(caught.value)
        assert KEES not in str(caught.value) and "3074" not in str(caught.value)
    assert inhoud.meeverhuizers(without_step(reports.koper, "meeverhuizers")) == []


# -- the files ---------------------------------------------------------------------------------


def test_the_files_of_a_report_decrypted(reports: Reports) -> None:
    [akte] = inhoud.bijlagen(reports.store, reports.koper)
    assert akte.document == "akte_van_levering"
    assert akte.content_type == "application/pdf" and akte.data == PDF
    assert akte.bestandsnaam.endswith(".pdf")
    [contract] = inhoud.bijlagen(reports.store, reports.huurder)
    assert contract.document == "huurcontract"


def test_only_the_files_the_answers_name_and_a_missing_one_is_said(reports: Reports) -> None:
    store = reports.store
    melding = reports.huurder
    draft = store.open_draft("rotterdam", SANNE, melding.config_versie)
    # The resident uploaded a deed first, then changed the answer to renting: the deed stays in
    # the draft, but the answers name only the contract.
    store.save_upload(draft.id, "akte_van_levering", "akte.pdf", "application/pdf", PDF)
    store.save_upload(draft.id, "huurcontract", "contract.pdf", "application/pdf", PDF)
    submission = store.submit(
        draft.id,
        prefix="RT",
        aangever_bsn=SANNE,
        answers=dict(melding.answers),
        signalen=[],
        linked=[],
        is_test=True,
    )
    again = _melding(store, submission.reference)
    assert [b.document for b in inhoud.bijlagen(store, again)] == ["huurcontract"]

    draft = store.open_draft("rotterdam", KEES, melding.config_versie)
    submission = store.submit(
        draft.id,
        prefix="RT",
        aangever_bsn=KEES,
        answers=dict(melding.answers),
        signalen=[],
        linked=[],
        is_test=True,
    )
    with pytest.raises(inhoud.InhoudOntbreekt, match="'huurcontract' ontbreekt"):
        inhoud.bijlagen(store, _melding(store, submission.reference))
    with pytest.raises(inhoud.InhoudOntbreekt, match="niet in de database"):
        inhoud.bijlagen(store, replace(melding, reference="RT-2026-XXXX-XXXX"))
    assert inhoud.bijlagen(store, without_step(melding, "documenten")) == []


# -- ids and days ------------------------------------------------------------------------------


def test_a_stable_id_fits_and_stays_the_same(reports: Reports) -> None:
    melding = reports.koper
    short = inhoud.stable_id(melding, "huurcontract", max_length=40)
    assert short == f"{melding.reference}-huurcontract"
    long = inhoud.stable_id(melding, "verhuurdersverklaring_van_de_eigenaar", max_length=40)
    assert len(long) <= 40 and long.startswith(melding.reference)
    assert long == inhoud.stable_id(melding, "verhuurdersverklaring_van_de_eigenaar", max_length=40)
    assert long != inhoud.stable_id(melding, "verhuurdersverklaring_van_de_huurder", max_length=40)


def test_the_day_of_sending_is_the_dutch_one(reports: Reports) -> None:
    late_evening = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in Amsterdam
    assert inhoud.ingediend_op(replace(reports.koper, created_at=late_evening)) == date(2026, 7, 1)
    naive = datetime(2026, 6, 30, 12, 0)  # as SQLite gives it back
    assert inhoud.ingediend_op(replace(reports.koper, created_at=naive)) == date(2026, 6, 30)


# -- the hoofdbewoner and their consent -------------------------------------------------------


def test_the_hoofdbewoner_answer_by_its_type_or_its_shape(reports: Reports) -> None:
    melding = with_hoofdbewoner(reports.huurder, bsn="999990081", naam="A. Bakker")
    assert inhoud.hoofdbewoner(melding) == inhoud.Hoofdbewoner("online", "999990081", "A. Bakker")
    bare = replace(melding, answers={k: v for k, v in melding.answers.items() if k != inhoud.TYPEN})
    assert inhoud.stap_typen(bare)["wie_hoofdbewoner"] == "hoofdbewoner"
    assert inhoud.hoofdbewoner(bare) == inhoud.hoofdbewoner(melding)
    not_there = with_hoofdbewoner(reports.huurder, route="papier")
    assert inhoud.hoofdbewoner(not_there) == inhoud.Hoofdbewoner("papier", None, None)
    assert inhoud.hoofdbewoner(reports.huurder) is None


def test_an_unreadable_hoofdbewoner_answer_is_said(reports: Reports) -> None:
    melding = with_hoofdbewoner(reports.huurder, bsn="999990081")
    stappen = dict(inhoud.antwoorden(melding))
    stappen["wie_hoofdbewoner"] = {**stappen["wie_hoofdbewoner"], "route": "brief"}
    broken = replace(melding, answers={**melding.answers, inhoud.STAPPEN: stappen})
    with pytest.raises(inhoud.InhoudOntbreekt, match="hoofdbewoner") as caught:
        inhoud.hoofdbewoner(broken)
    assert "999990081" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "tekst", "uitkomst"),
    [
        (
            ToestemmingStatus.GEVRAAGD,
            "in afwachting (termijn tot 15 januari 2027)",
            "in afwachting",
        ),
        (ToestemmingStatus.GEGEVEN, "gegeven op 4 januari 2027 door de hoofdbewoner", "gegeven"),
        (
            ToestemmingStatus.GEWEIGERD,
            "geweigerd op 4 januari 2027 door de hoofdbewoner",
            "geweigerd",
        ),
        (
            ToestemmingStatus.VERLOPEN,
            "niet ontvangen binnen de termijn (tot 15 januari 2027)",
            "niet ontvangen binnen de termijn",
        ),
    ],
)
def test_the_consent_in_dutch_words(status: ToestemmingStatus, tekst: str, uitkomst: str) -> None:
    toestemming = consent(status, "999990081")
    assert inhoud.toestemming_tekst(toestemming) == tekst
    assert inhoud.toestemming_uitkomst(toestemming) == uitkomst
    naive = replace(toestemming, termijn=TERMIJN.replace(tzinfo=None))  # as SQLite gives it
    assert inhoud.toestemming_tekst(naive) == tekst


def test_where_the_consent_stands_for_each_route(reports: Reports) -> None:
    asked = consent(ToestemmingStatus.GEVRAAGD, "999990081")
    online = with_hoofdbewoner(reports.huurder, bsn="999990081", toestemming=asked)
    assert inhoud.toestemming_stand(online) == "online: in afwachting (termijn tot 15 januari 2027)"
    paper = with_hoofdbewoner(reports.huurder, route="papier", bsn="999990081")
    assert inhoud.toestemming_stand(paper) == "met een getekende verklaring (bij de bijlagen)"
    assert inhoud.toestemming_stand(reports.huurder) is None
