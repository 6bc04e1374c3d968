"""The ``vrijbrp`` target against a double of vrijBRP Dossiers on a real socket.

The reports are real: residents walk the wizard and the store keeps what they sent. Two facts
the wizard does not store yet are added as the proposed record would hold them, from the same
test BRP the wizard reads (:func:`as_submitted`): the gemeente the resident is registered in
now, and for inwoning the hoofdbewoner's BSN. The double checks every request against the
contract written out in :mod:`tests.fakes.vrijbrp`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from tests.conftest import GEMEENTEN, TODAY, make_settings
from tests.delivery.test_inhoud import consent, with_hoofdbewoner
from tests.driver import Resident, complete_journey
from tests.fakes.vrijbrp import (
    BASE,
    CLIENT_ID,
    CONSENT_REQUEST,
    ERROR_ANSWER,
    INTER_REQUEST,
    INTRA_REQUEST,
    RELOCATION_ANSWER,
    SEARCH_ANSWER,
    SEARCH_REQUEST,
    SECRET,
    FakeVrijBrp,
    errors,
)
from tests.httpserver import serve_app
from tests.servers import free_port
from tests.specs import example
from webapp.config.models import Gemeente
from webapp.delivery import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryStatus,
    Melding,
    inhoud,
    melding_uit_opslag,
    targets,
)
from webapp.delivery.contract import ConsentTarget, ToestemmingStatus
from webapp.delivery.vrijbrp import (
    AANGEVER,
    GEMEENTE_VAN_INSCHRIJVING,
    HOOFDBEWONER_BSN,
    VrijBrp,
    VrijBrpOptions,
    relocation_request,
)
from webapp.storage.store import Store
from webapp.testing.testdata import resident_data
from webapp.web.app import create_app

ENV = {"VERHUIZEN_VRIJBRP_SECRET": SECRET}
SANNE = "999990007"  # lives in Utrecht, rents in Tarwewijk (Rotterdam)
KEES, MARIEKE = "999990019", "999990020"  # Rotterdam, married; buy in Hillesluis
LOTTE, ANNELIES = "999990044", "999990081"  # Lotte (Utrecht) moves in with her aunt
JEROEN, ESTHER = "999990123", "999990135"  # Den Haag family
DAAN, EMMA, FINN = "999990147", "999990159", "999990160"  # 19, 12 and 8
MARTIJN, SASKIA, LUCAS = "999990251", "999990263", "999990275"  # Voorbeeldstad; Lucas is 16
JULIA, MONIQUE = "999990172", "999990184"  # Utrecht; Julia (20) moves with her mother
TARWEWIJK = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "A"}
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
BIJ_ANNELIES = {"postcode": "3083AB", "huisnummer": 12, "huisletter": "B"}


@dataclass
class Reports:
    kees: Melding
    """Within Rotterdam, buying; Marieke, his wife, moves along."""
    sanne: Melding
    """From Utrecht to a rental in Rotterdam."""
    lotte: Melding
    """From Utrecht, moving in with Annelies in Rotterdam."""
    jeroen: Melding
    """Within Den Haag with his wife, his son of 19 and his children of 12 and 8."""
    martijn: Melding
    """Within Voorbeeldstad with his registered partner and their son of 16."""
    julia: Melding
    """Within Utrecht, with her mother."""
    per_gemeente: dict[str, Melding]
    """Sanne with the example answers, in each shipped configuration."""
    gemeenten: dict[str, Gemeente]


def as_submitted(melding: Melding) -> Melding:
    """The report as the record would hold it with the proposed additions (see the module's
    description): the resident's gemeente from the BRP, and for inwoning the one person the
    BRP registers at the new address as the hoofdbewoner."""
    data = resident_data()
    record = dict(melding.answers)
    record[AANGEVER] = {
        GEMEENTE_VAN_INSCHRIJVING: data.person(melding.aangever_bsn).gemeente_van_inschrijving
    }
    typen = inhoud.stap_typen(melding)
    stappen = dict(inhoud.antwoorden(melding))
    for step_id, answer in stappen.items():
        if typen.get(step_id) == "woonsituatie" and answer.get("woonvorm") == "inwonen":
            adres = inhoud.nieuw_adres(melding).adres
            [hoofdbewoner] = data.brp.bewoners(adres.adresseerbaarobject_id)
            stappen[step_id] = {**answer, HOOFDBEWONER_BSN: hoofdbewoner.burgerservicenummer}
    record[inhoud.STAPPEN] = stappen
    return replace(melding, answers=record)


def _walk(
    client: TestClient, slug: str, bsn: str, address: dict[str, Any], **overrides: Any
) -> Melding:
    services = client.app.state.services  # type: ignore[attr-defined]
    store: Store = services.store
    client.cookies.clear()
    before = {s.reference for s in store.submissions()}
    resident = Resident(client, slug)
    resident.login(bsn)
    complete_journey(resident, services.gemeenten[slug], TODAY, dict(address), overrides)
    [submission] = [s for s in store.submissions() if s.reference not in before]
    assert submission.id is not None
    return melding_uit_opslag(submission, store.linked_requests(submission.id))


def _along(*bsns: str) -> tuple[dict[str, list[str]], None]:
    return {"personen": list(bsns)}, None


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    tmp_path: Path = tmp_path_factory.mktemp("vrijbrp")
    app = create_app(make_settings(tmp_path), today=lambda: TODAY)
    data = resident_data()
    with TestClient(app, base_url="http://testserver") as client:
        gemeenten = app.state.services.gemeenten

        def free(slug: str) -> dict[str, Any]:
            return data.free_address(gemeenten[slug])

        yield Reports(
            kees=_walk(
                client,
                "rotterdam",
                KEES,
                HILLESLUIS,
                meeverhuizers=_along(MARIEKE),
                woonsituatie=({"woonvorm": "koop"}, None),
            ),
            sanne=_walk(
                client, "rotterdam", SANNE, TARWEWIJK, vergunning=({"keuze": "aanvragen"}, None)
            ),
            lotte=_walk(
                client,
                "rotterdam",
                LOTTE,
                BIJ_ANNELIES,
                woonsituatie=({"woonvorm": "inwonen"}, None),
            ),
            jeroen=_walk(
                client,
                "den-haag",
                JEROEN,
                free("den-haag"),
                meeverhuizers=_along(ESTHER, DAAN, EMMA, FINN),
            ),
            martijn=_walk(
                client, "voorbeeld", MARTIJN, free("voorbeeld"), meeverhuizers=_along(SASKIA, LUCAS)
            ),
            julia=_walk(client, "utrecht", JULIA, free("utrecht"), meeverhuizers=_along(MONIQUE)),
            per_gemeente={slug: _walk(client, slug, SANNE, free(slug)) for slug in GEMEENTEN},
            gemeenten=gemeenten,
        )


@pytest.fixture
def fake() -> Iterator[FakeVrijBrp]:
    double = FakeVrijBrp()
    with serve_app(double.app) as base:
        double.base = base
        yield double
    assert double.violations == []


def config(base: str, **overrides: Any) -> dict[str, Any]:
    """A gemeente's ``aflevering`` entry, as its YAML file gives it."""
    return {
        "soort": "vrijbrp",
        "url": base + BASE,
        "client_id": CLIENT_ID,
        "client_secret_env": "VERHUIZEN_VRIJBRP_SECRET",
        "timeout": 0.5,
        "connect_timeout": 0.5,
        **overrides,
    }


def target(fake: FakeVrijBrp, env: dict[str, str] | None = None, **overrides: Any) -> VrijBrp:
    options = targets.parse_options(config(fake.base, **overrides))
    deps = DeliveryDeps(store=None, env=ENV if env is None else env)  # type: ignore[arg-type]
    made = targets.target_for(options, deps)
    assert isinstance(made, VrijBrp)
    return made


def only_dossier(fake: FakeVrijBrp) -> tuple[str, str, dict[str, Any]]:
    [(dossier_id, stored)] = fake.dossiers.items()
    return dossier_id, stored["soort"], stored["body"]


def declared(body: dict[str, Any]) -> dict[str, str]:
    return {r["bsn"]: r["declarationType"] for r in body["relocators"]}


def assert_no_personal_data(detail: str, melding: Melding) -> None:
    adres = inhoud.nieuw_adres(melding).adres
    people = [melding.aangever_bsn] + [p.bsn for p in inhoud.meeverhuizers(melding)]
    for value in [*people, adres.postcode, adres.straatnaam, resident_data().name(people[0])]:
        assert not value or value not in detail


# -- the contract ------------------------------------------------------------------------------


def _collection_item(name: str, folder: str) -> dict[str, Any]:
    collection = example(
        "vrijbrp-dossiers", "Burgerzaken_Dossiers_Public_API.postman_collection.json"
    )

    def items(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for item in node.get("item", []):
            if "item" in item:
                yield from items(item, f"{path}/{item['name']}")
            else:
                yield path, item

    return next(i for p, i in items(collection, "") if i["name"] == name and p.endswith(folder))


def test_the_schemas_accept_the_official_examples() -> None:
    def ex(name: str) -> Any:
        return example("vrijbrp-dossiers", "examples", name)

    assert errors(INTRA_REQUEST, ex("intra-relocation.request.json")) == []
    assert errors(INTER_REQUEST, ex("inter-relocation.request.json")) == []
    assert errors(RELOCATION_ANSWER, ex("intra-relocation.response-201.json")) == []
    assert errors(RELOCATION_ANSWER, ex("inter-relocation.response-201.json")) == []
    search = _collection_item("Search for dossiers", "/dossiers")
    assert errors(SEARCH_REQUEST, json.loads(search["request"]["body"]["raw"])) == []
    by_code = {r["code"]: json.loads(r["body"]) for r in search["response"] if r["body"]}
    assert errors(SEARCH_ANSWER, by_code[200]) == []
    assert errors(ERROR_ANSWER, by_code[400]) == []


def test_the_schemas_refuse_what_the_contract_forbids() -> None:
    intra = example("vrijbrp-dossiers", "examples", "intra-relocation.request.json")
    inter = example("vrijbrp-dossiers", "examples", "inter-relocation.request.json")

    def broken(body: dict[str, Any], path: str, value: Any = None) -> dict[str, Any]:
        changed = json.loads(json.dumps(body))
        *parents, last = path.split(".")
        node = changed
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
        return changed

    assert errors(INTRA_REQUEST, inter) != []  # previousMunicipality is not an intra field
    assert errors(INTER_REQUEST, intra) != []  # and inter needs it
    for path, value in [
        ("dossier.startDate", None),
        ("dossier.startDate", "6 januari 2020"),
        ("dossier.referenceIds.0.description", None),
        ("declarant.bsn", "12345678"),
        ("newAddress.houseNumber", "1"),
        ("newAddress.postalCode", "1122 ab"),
        ("newAddress.numberOfResidents", None),
        ("newAddress.liveIn", None),
        ("newAddress.liveIn.liveInApplicable", None),
        ("newAddress.mainOccupant", None),  # the live-in applies
        ("newAddress.addressFunction", "HOLIDAY_HOME"),
        ("relocators", []),
        ("relocators.0.declarationType", "SELF"),
        ("relocators.0.declarationType", None),
        ("relocationDate", "2020-01-06"),  # not a field: vrijBRP would drop it silently
    ]:
        assert errors(INTRA_REQUEST, broken(intra, path, value)) != [], path
    assert errors(INTER_REQUEST, broken(inter, "previousMunicipality.code", None)) != []
    no_live_in = broken(intra, "newAddress.liveIn.liveInApplicable", False)
    assert errors(INTRA_REQUEST, broken(no_live_in, "newAddress.mainOccupant")) == []


# -- a report becomes a relocation dossier -------------------------------------------------------


def test_a_move_within_the_gemeente_becomes_an_intra_dossier(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = as_submitted(reports.kees)
    result = target(fake).deliver(melding)
    assert result.status is DeliveryStatus.AFGELEVERD and result.ok
    dossier_id, soort, body = only_dossier(fake)
    assert result.kenmerk == dossier_id and soort == "intra"
    assert "binnen de gemeente" in result.detail
    assert fake.calls == [
        "POST /oauth/token",
        "POST /api/v1/dossiers/search",
        "POST /api/v1/relocations/intra",
    ]
    assert body["dossier"] == {
        "referenceIds": [{"id": melding.reference, "description": "eDienst Verhuizen"}],
        "startDate": inhoud.verhuisdatum(melding).geldt.isoformat(),
    }
    contact = inhoud.contactgegevens(melding)
    assert body["declarant"]["bsn"] == KEES
    assert body["declarant"].get("contactInformation", {}).get("email") == contact.email
    adres = inhoud.nieuw_adres(melding).adres
    assert body["newAddress"] == {
        "street": adres.straatnaam,
        "houseNumber": 145,
        "postalCode": "3074RH",
        "residence": adres.woonplaatsnaam,
        "municipality": {"code": "0599", "description": "Rotterdam"},
        "addressFunction": "LIVING_ADDRESS",
        "numberOfResidents": 2,  # nobody there yet, Kees and Marieke
        "liveIn": {"liveInApplicable": False, "consent": "NOT_APPLICABLE"},
    }
    assert declared(body) == {KEES: "REGISTERED", MARIEKE: "PARTNER"}
    assert "previousMunicipality" not in body


def test_a_move_from_another_gemeente_becomes_an_inter_dossier(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = as_submitted(reports.sanne)
    result = target(fake).deliver(melding)
    assert result.ok and "uit een andere gemeente" in result.detail
    dossier_id, soort, body = only_dossier(fake)
    assert result.kenmerk == dossier_id and soort == "inter"
    assert body["previousMunicipality"] == {"code": "0344"}  # Utrecht
    assert body["newAddress"]["houseLetter"] == "A"
    assert body["newAddress"]["municipality"]["code"] == "0599"
    assert declared(body) == {SANNE: "REGISTERED"}
    assert fake.posted("/api/v1/relocations/intra") == 0


def test_moving_in_with_someone_names_the_hoofdbewoner(reports: Reports, fake: FakeVrijBrp) -> None:
    melding = as_submitted(reports.lotte)
    assert target(fake).deliver(melding).ok
    _, soort, body = only_dossier(fake)
    assert soort == "inter"  # from Utrecht
    address = body["newAddress"]
    assert address["liveIn"] == {"liveInApplicable": True, "consent": "PENDING"}
    assert address["mainOccupant"] == {"bsn": ANNELIES}
    assert address["numberOfResidents"] == 2  # Annelies and Lotte
    assert (address["postalCode"], address["houseNumber"], address["houseLetter"]) == (
        "3083AB",
        12,
        "B",
    )


def test_moving_in_without_the_hoofdbewoners_bsn_is_not_sent(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    submitted = as_submitted(reports.lotte)
    stappen = {
        k: {kk: vv for kk, vv in v.items() if kk != HOOFDBEWONER_BSN}
        for k, v in inhoud.antwoorden(submitted).items()
    }
    melding = replace(submitted, answers={**submitted.answers, inhoud.STAPPEN: stappen})
    result = target(fake).deliver(melding)
    assert result.status is DeliveryStatus.MISLUKT and not result.retry
    assert "hoofdbewoner" in result.detail and "mainOccupant" in result.detail
    assert fake.calls == [] and fake.dossiers == {}


@pytest.mark.parametrize(
    ("report", "gemeentecode", "expected"),
    [
        (
            "jeroen",
            "0518",
            {
                JEROEN: "REGISTERED",
                ESTHER: "PARTNER",
                DAAN: "PARENT_LIVING_WITH_ADULT_CHILD",  # the declarant is his parent
                EMMA: "AUTHORITY_HOLDER",
                FINN: "AUTHORITY_HOLDER",
            },
        ),
        ("martijn", "9999", {MARTIJN: "REGISTERED", SASKIA: "PARTNER", LUCAS: "AUTHORITY_HOLDER"}),
        ("julia", "0344", {JULIA: "REGISTERED", MONIQUE: "ADULT_CHILD_LIVING_WITH_PARENTS"}),
    ],
)
def test_who_moves_along_is_declared_by_their_relation_to_the_resident(
    reports: Reports, fake: FakeVrijBrp, report: str, gemeentecode: str, expected: dict[str, str]
) -> None:
    melding = as_submitted(getattr(reports, report))
    assert target(fake).deliver(melding).ok
    _, soort, body = only_dossier(fake)
    assert soort == "intra" and body["newAddress"]["municipality"]["code"] == gemeentecode
    assert declared(body) == expected
    assert [r["bsn"] for r in body["relocators"]] == list(expected)
    assert body["newAddress"]["numberOfResidents"] == len(expected)


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_every_shipped_configuration_delivers(
    reports: Reports, fake: FakeVrijBrp, slug: str
) -> None:
    melding = as_submitted(reports.per_gemeente[slug])
    soort, expected = relocation_request(melding)
    result = target(fake).deliver(melding)
    assert result.ok
    dossier_id, made, body = only_dossier(fake)
    assert (made, body) == (soort, expected) and result.kenmerk == dossier_id
    assert soort == ("intra" if slug == "utrecht" else "inter")  # Sanne lives in Utrecht
    wanted = resident_data().free_address(reports.gemeenten[slug])
    assert body["newAddress"]["postalCode"] == str(wanted["postcode"]).replace(" ", "")
    if wanted.get("huisnummertoevoeging"):
        assert body["newAddress"]["houseNumberAddition"] == wanted["huisnummertoevoeging"]


def test_a_late_report_counts_from_the_day_it_was_sent(reports: Reports, fake: FakeVrijBrp) -> None:
    melding = as_submitted(reports.sanne)
    datum = inhoud.verhuisdatum(melding)
    stappen = dict(inhoud.antwoorden(melding))
    step = next(k for k, v in inhoud.stap_typen(melding).items() if v == "verhuisdatum")
    late = {**stappen[step], "te_laat": True, "geregistreerde_datum": TODAY.isoformat()}
    melding = replace(melding, answers={**melding.answers, inhoud.STAPPEN: {**stappen, step: late}})
    assert datum.geldt != TODAY
    assert target(fake).deliver(melding).ok
    assert only_dossier(fake)[2]["dossier"]["startDate"] == TODAY.isoformat()


# -- once per reference --------------------------------------------------------------------------


def test_delivering_again_finds_the_dossier(reports: Reports, fake: FakeVrijBrp) -> None:
    melding = as_submitted(reports.kees)
    vrijbrp = target(fake)
    first = vrijbrp.deliver(melding)
    again = [vrijbrp.deliver(melding) for _ in range(2)]
    assert first.ok and all(r.ok and r.kenmerk == first.kenmerk for r in again)
    assert {r.detail for r in again} == {"dossier bestond al"}
    assert len(fake.dossiers) == 1 and fake.posted("/api/v1/relocations/intra") == 1


def test_a_retry_after_a_lost_answer_makes_one_dossier(reports: Reports, fake: FakeVrijBrp) -> None:
    melding = as_submitted(reports.sanne)
    vrijbrp = target(fake)
    fake.stall_after = "inter"  # made, but the answer comes after the client gave up
    lost = vrijbrp.deliver(melding)
    assert lost.status is DeliveryStatus.TIJDELIJK_MISLUKT and lost.retry
    assert "timeout" in lost.detail
    [made] = fake.dossiers
    retry = vrijbrp.deliver(melding)
    assert retry.status is DeliveryStatus.AFGELEVERD and retry.kenmerk == made
    assert len(fake.dossiers) == 1 and fake.posted("/api/v1/relocations/inter") == 1


def test_a_broken_answer_to_the_creation_is_retried_without_a_second_dossier(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = as_submitted(reports.kees)
    vrijbrp = target(fake)
    fake.malformed = "intra"
    broken = vrijbrp.deliver(melding)
    assert broken.status is DeliveryStatus.TIJDELIJK_MISLUKT and "onleesbaar" in broken.detail
    fake.malformed = None
    again = vrijbrp.deliver(melding)
    assert again.ok and again.kenmerk == next(iter(fake.dossiers))
    assert len(fake.dossiers) == 1


def test_another_dossier_found_by_its_id_is_not_taken_for_ours(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = as_submitted(reports.sanne)
    # The search matches vrijBRP's own ids as well: one that happens to be our reference, in a
    # dossier without it, is someone else's.
    fake.plant(melding.reference, "intra", {"dossier": {"startDate": TODAY.isoformat()}})
    result = target(fake).deliver(melding)
    assert result.ok and result.kenmerk != melding.reference
    assert len(fake.dossiers) == 2 and fake.posted("/api/v1/relocations/inter") == 1


# -- when it fails -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_server_error_or_too_many_requests_is_tried_again_later(
    reports: Reports, fake: FakeVrijBrp, status: int
) -> None:
    melding = as_submitted(reports.kees)
    fake.status = status
    result = target(fake).deliver(melding)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and result.retry
    assert str(status) in result.detail and fake.dossiers == {}
    assert_no_personal_data(result.detail, melding)


def test_a_refused_body_fails_with_the_error_and_the_fields_it_names(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = as_submitted(reports.kees)
    fake.refuse = True  # its cause quotes a BSN and the postcode
    result = target(fake).deliver(melding)
    assert result.status is DeliveryStatus.MISLUKT and not result.retry
    assert result.detail == (
        "vrijBRP weigert POST /api/v1/relocations/intra (400): BAD_REQUEST Bad request; "
        "genoemde velden: houseNumber"
    )
    assert_no_personal_data(result.detail, melding)


def test_a_422_is_a_refusal_too(reports: Reports, fake: FakeVrijBrp) -> None:
    fake.status = 422
    result = target(fake).deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.MISLUKT and "(422)" in result.detail


@pytest.mark.parametrize("status", [401, 403])
def test_no_access_is_a_configuration_error(
    reports: Reports, fake: FakeVrijBrp, status: int
) -> None:
    fake.status = status
    result = target(fake).deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.MISLUKT and result.detail.startswith("configuratie")
    # A 401 is answered with one fresh token first: vrijBRP may have restarted.
    assert fake.token_requests == (2 if status == 401 else 1)


def test_a_slow_answer_times_out_and_is_tried_again_later(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    fake.slow = 1.0
    result = target(fake).deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and "timeout" in result.detail


def test_broken_json_from_the_search_is_tried_again_later(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    fake.malformed = "search"
    result = target(fake).deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and "onleesbaar" in result.detail
    assert fake.dossiers == {}


def test_an_unreachable_vrijbrp_is_tried_again_later(reports: Reports) -> None:
    options = VrijBrpOptions.model_validate(config(f"http://127.0.0.1:{free_port()}"))
    vrijbrp = VrijBrp(options, SECRET)
    result = vrijbrp.deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and "niet bereikbaar" in result.detail
    health = vrijbrp.health()
    assert not health.ok and "niet bereikbaar" in health.detail


def test_a_report_without_the_residents_gemeente_is_not_sent(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    # A report stored without the resident's gemeente: intra or inter is unknown.
    bare = replace(
        reports.kees, answers={k: v for k, v in reports.kees.answers.items() if k != AANGEVER}
    )
    result = target(fake).deliver(bare)
    assert result.status is DeliveryStatus.MISLUKT
    assert f"{AANGEVER}.{GEMEENTE_VAN_INSCHRIJVING}" in result.detail
    rni = replace(
        reports.kees,
        answers={**reports.kees.answers, AANGEVER: {GEMEENTE_VAN_INSCHRIJVING: "1999"}},
    )
    assert "RNI" in target(fake).deliver(rni).detail
    assert fake.calls == []


# -- the token -------------------------------------------------------------------------------------


def test_the_token_is_used_until_shortly_before_it_expires(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    now = [1000.0]
    options = VrijBrpOptions.model_validate(config(fake.base))
    vrijbrp = VrijBrp(options, SECRET, clock=lambda: now[0])
    for melding in (reports.kees, reports.sanne, reports.lotte):
        assert vrijbrp.deliver(as_submitted(melding)).ok
    assert vrijbrp.health().ok
    assert fake.token_requests == 1
    now[0] += 29  # vrijBRP's tokens live 60 seconds; a new one comes 30 seconds before
    assert vrijbrp.health().ok and fake.token_requests == 1
    now[0] += 2
    assert vrijbrp.health().ok and fake.token_requests == 2


def test_tokens_refused_after_a_restart_are_replaced_once(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(as_submitted(reports.kees)).ok
    fake.restart()
    assert vrijbrp.deliver(as_submitted(reports.sanne)).ok
    assert fake.token_requests == 2 and len(fake.dossiers) == 2


def test_a_wrong_secret_is_a_configuration_error(reports: Reports, fake: FakeVrijBrp) -> None:
    vrijbrp = target(fake, env={"VERHUIZEN_VRIJBRP_SECRET": "niet-het-secret"})
    result = vrijbrp.deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.MISLUKT
    assert result.detail.startswith("configuratie") and "invalid_client" in result.detail
    assert "niet-het-secret" not in result.detail
    assert fake.calls == ["POST /oauth/token"]
    health = vrijbrp.health()
    assert not health.ok and "invalid_client" in health.detail


@pytest.mark.parametrize(("status", "malformed"), [(500, None), (None, "token")])
def test_a_failing_token_endpoint_is_tried_again_later(
    reports: Reports, fake: FakeVrijBrp, status: int | None, malformed: str | None
) -> None:
    fake.token_status, fake.malformed = status, malformed
    result = target(fake).deliver(as_submitted(reports.kees))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and "tokenendpoint" in result.detail
    assert fake.calls == ["POST /oauth/token"]


# -- configuration and health ----------------------------------------------------------------------


def test_health_asks_a_token_and_searches(fake: FakeVrijBrp) -> None:
    health = target(fake).health()
    assert health.ok and health.detail == "vrijBRP Dossiers bereikbaar"
    assert fake.calls == ["POST /oauth/token", "POST /api/v1/dossiers/search"]
    assert fake.dossiers == {}


def test_options_from_the_configuration(fake: FakeVrijBrp) -> None:
    assert "vrijbrp" in targets.soorten()
    options = targets.parse_options(config("https://vrijbrp.example.nl"))
    assert isinstance(options, VrijBrpOptions)
    assert options.token_endpoint == "https://vrijbrp.example.nl/dossiers/oauth/token"
    own = VrijBrpOptions.model_validate(
        config("https://vrijbrp.example.nl", oauth_url="https://login.example.nl/token")
    )
    assert own.token_endpoint == "https://login.example.nl/token"
    for wrong in (
        {"url": "https://vrijbrp.example.nl/dossiers/"},
        {"client_secret_env": "eenGeheim123"},
        {"url": "vrijbrp.example.nl"},
        {"geheim": "x"},
    ):
        with pytest.raises(ValidationError):
            targets.parse_options(config("https://vrijbrp.example.nl", **wrong))
    with pytest.raises(DeliveryConfigError, match="VERHUIZEN_VRIJBRP_SECRET is niet gezet"):
        target(fake, env={})


# -- the hoofdbewoner's consent ------------------------------------------------------------------

CONSENT_PATH = {s: f"/api/v1/relocations/{s}/consent" for s in ("intra", "inter")}


def lotte_with(
    reports: Reports,
    status: ToestemmingStatus | None = ToestemmingStatus.GEVRAAGD,
    *,
    route: str = "online",
    bsn: str | None = ANNELIES,
    gemeente: str | None = None,
) -> Melding:
    """Lotte moving in with Annelies, who is named in the ``hoofdbewoner`` step only (not in
    the older woonsituatie field), with the consent request in ``status`` (None: none).
    ``gemeente``: where Lotte is registered now (Rotterdam makes it an intra relocation)."""
    submitted = as_submitted(reports.lotte)
    stappen = {
        k: {kk: vv for kk, vv in v.items() if kk != HOOFDBEWONER_BSN}
        for k, v in inhoud.antwoorden(submitted).items()
    }
    record: dict[str, Any] = {**submitted.answers, inhoud.STAPPEN: stappen}
    if gemeente is not None:
        record[AANGEVER] = {GEMEENTE_VAN_INSCHRIJVING: gemeente}
    toestemming = None if status is None else consent(status, ANNELIES)
    return with_hoofdbewoner(
        replace(submitted, answers=record), route=route, bsn=bsn, toestemming=toestemming
    )


def test_the_consent_schema_accepts_the_official_examples_and_refuses_the_rest() -> None:
    for name in ("intra-relocation-consent.request.json", "inter-relocation-consent.request.json"):
        official = example("vrijbrp-dossiers", "examples", name)
        assert errors(CONSENT_REQUEST, official) == [], name
        for field in ("dossierId", "consenter", "consent"):
            assert errors(CONSENT_REQUEST, {k: v for k, v in official.items() if k != field})
        assert errors(CONSENT_REQUEST, {**official, "consent": "YES"})
        assert errors(CONSENT_REQUEST, {**official, "consenter": {"bsn": "12345"}})
    found = _collection_item("Find one dossier", "/intra")
    [ok] = [r for r in found["response"] if r["code"] == 200]
    assert errors(RELOCATION_ANSWER, json.loads(ok["body"])) == []


def test_the_hoofdbewoner_step_names_the_main_occupant_while_consent_is_asked(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = lotte_with(reports)
    assert target(fake).deliver(melding).ok
    _, _soort, body = only_dossier(fake)
    assert body["newAddress"]["liveIn"] == {"liveInApplicable": True, "consent": "PENDING"}
    assert body["newAddress"]["mainOccupant"] == {"bsn": ANNELIES}


def test_the_paper_route_stays_pending(reports: Reports, fake: FakeVrijBrp) -> None:
    melding = lotte_with(reports, None, route="papier")
    assert target(fake).deliver(melding).ok
    _, _soort, body = only_dossier(fake)
    assert body["newAddress"]["liveIn"] == {"liveInApplicable": True, "consent": "PENDING"}
    assert body["newAddress"]["mainOccupant"] == {"bsn": ANNELIES}


def test_a_hoofdbewoner_not_registered_there_is_still_not_sent(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    melding = lotte_with(reports, None, route="papier", bsn=None)
    result = target(fake).deliver(melding)
    assert result.status is DeliveryStatus.MISLUKT and "mainOccupant" in result.detail
    assert fake.calls == []


@pytest.mark.parametrize(
    ("status", "value"),
    [(ToestemmingStatus.GEGEVEN, "APPROVED"), (ToestemmingStatus.GEWEIGERD, "DECLINED")],
)
def test_a_decision_known_at_the_first_delivery_is_in_the_dossier(
    reports: Reports, fake: FakeVrijBrp, status: ToestemmingStatus, value: str
) -> None:
    melding = lotte_with(reports, status)
    vrijbrp = target(fake)
    assert vrijbrp.deliver(melding).ok
    dossier_id, soort, body = only_dossier(fake)
    assert body["newAddress"]["liveIn"] == {
        "liveInApplicable": True,
        "consent": value,
        "consenter": {"bsn": ANNELIES},
    }
    # The consent task that follows finds it there and posts nothing.
    fake.calls.clear()
    result = vrijbrp.deliver_consent(melding)
    assert result.ok and result.kenmerk == dossier_id
    assert result.detail == f"toestemming stond al in het dossier ({value})"
    assert fake.posted(CONSENT_PATH[soort]) == 0 and fake.consents == []


@pytest.mark.parametrize("gemeente", ["0599", None])  # registered in Rotterdam, or Utrecht
@pytest.mark.parametrize(
    ("status", "value"),
    [(ToestemmingStatus.GEGEVEN, "APPROVED"), (ToestemmingStatus.GEWEIGERD, "DECLINED")],
)
def test_the_decision_goes_to_the_dossier_once(
    reports: Reports, fake: FakeVrijBrp, status: ToestemmingStatus, value: str, gemeente: str | None
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(lotte_with(reports, gemeente=gemeente)).ok
    dossier_id, soort, _body = only_dossier(fake)
    assert soort == ("intra" if gemeente == "0599" else "inter")
    fake.calls.clear()
    decided = lotte_with(reports, status, gemeente=gemeente)
    result = vrijbrp.deliver_consent(decided)
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    assert result.kenmerk == dossier_id and result.detail == f"toestemming doorgegeven: {value}"
    assert fake.calls == [
        "POST /api/v1/dossiers/search",
        f"GET /api/v1/relocations/{soort}/{{dossierId}}",
        f"POST {CONSENT_PATH[soort]}",
    ]
    assert fake.consents == [
        {"dossierId": dossier_id, "consenter": {"bsn": ANNELIES}, "consent": value}
    ]
    assert ANNELIES not in result.detail and LOTTE not in result.detail
    again = vrijbrp.deliver_consent(decided)
    assert again.ok and again.kenmerk == dossier_id and "stond al" in again.detail
    assert len(fake.consents) == 1 and fake.posted(CONSENT_PATH[soort]) == 1


def test_a_decision_before_the_dossier_exists_waits_for_it(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    vrijbrp = target(fake)
    decided = lotte_with(reports, ToestemmingStatus.GEGEVEN)
    early = vrijbrp.deliver_consent(decided)
    assert early.status is DeliveryStatus.TIJDELIJK_MISLUKT and early.retry
    assert "nog geen dossier" in early.detail
    assert fake.consents == [] and fake.dossiers == {}
    # The report is delivered as it was stored (consent asked); then the decision follows.
    assert vrijbrp.deliver(lotte_with(reports)).ok
    later = vrijbrp.deliver_consent(decided)
    assert later.ok and [c["consent"] for c in fake.consents] == ["APPROVED"]


def test_no_answer_in_time_makes_no_call_and_stays_pending(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(lotte_with(reports)).ok
    fake.calls.clear()
    result = vrijbrp.deliver_consent(lotte_with(reports, ToestemmingStatus.VERLOPEN))
    assert result.status is DeliveryStatus.AFGELEVERD
    assert "PENDING" in result.detail and "termijn verlopen" in result.detail
    assert fake.calls == [] and fake.consents == []
    # A report first delivered after the deadline: pending as well.
    fake.dossiers.clear()
    assert vrijbrp.deliver(lotte_with(reports, ToestemmingStatus.VERLOPEN)).ok
    _, _soort, body = only_dossier(fake)
    assert body["newAddress"]["liveIn"] == {"liveInApplicable": True, "consent": "PENDING"}


def test_a_lost_answer_to_the_consent_is_not_posted_twice(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(lotte_with(reports)).ok
    decided = lotte_with(reports, ToestemmingStatus.GEGEVEN)
    fake.stall_after = "consent"  # vrijBRP takes it, the answer comes after we gave up
    lost = vrijbrp.deliver_consent(decided)
    assert lost.status is DeliveryStatus.TIJDELIJK_MISLUKT and "timeout" in lost.detail
    retry = vrijbrp.deliver_consent(decided)
    assert retry.ok and "stond al" in retry.detail
    assert len(fake.consents) == 1


def test_a_decision_the_back_office_made_otherwise_is_not_overwritten(
    reports: Reports, fake: FakeVrijBrp
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(lotte_with(reports)).ok
    [stored] = fake.dossiers.values()
    stored["consent"] = {"consent": "DECLINED", "consenter": {"bsn": ANNELIES}}
    result = vrijbrp.deliver_consent(lotte_with(reports, ToestemmingStatus.GEGEVEN))
    assert result.status is DeliveryStatus.MISLUKT and not result.retry
    assert "DECLINED" in result.detail and "niet overschreven" in result.detail
    assert fake.consents == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failing_vrijbrp_takes_the_consent_later(
    reports: Reports, fake: FakeVrijBrp, status: int
) -> None:
    vrijbrp = target(fake)
    assert vrijbrp.deliver(lotte_with(reports)).ok
    fake.status = status
    result = vrijbrp.deliver_consent(lotte_with(reports, ToestemmingStatus.GEWEIGERD))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and str(status) in result.detail
    fake.status = None
    assert vrijbrp.deliver_consent(lotte_with(reports, ToestemmingStatus.GEWEIGERD)).ok
    assert [c["consent"] for c in fake.consents] == ["DECLINED"]


def test_a_consent_without_a_decision_is_not_sent(reports: Reports, fake: FakeVrijBrp) -> None:
    for melding in (lotte_with(reports), lotte_with(reports, None)):
        result = target(fake).deliver_consent(melding)
        assert result.status is DeliveryStatus.MISLUKT
    assert fake.calls == []


def test_vrijbrp_hears_the_consent(fake: FakeVrijBrp) -> None:
    assert isinstance(target(fake), ConsentTarget)
    assert targets.hears_consent("vrijbrp")
