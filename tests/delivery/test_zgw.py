"""The ``zgw`` target against a double of the Zaken and Documenten APIs on a real socket.

The reports are real stored submissions (:func:`tests.delivery.test_inhoud.stored_reports`);
the double checks every request against the official specifications and keeps what it was
given, so a test sees the zaak exactly as a zaaksysteem would hold it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.conftest import TODAY
from tests.delivery.test_inhoud import (
    KEES,
    MARIEKE,
    SANNE,
    Reports,
    consent,
    stored_reports,
    with_hoofdbewoner,
)
from tests.driver import PDF
from tests.fakes.zgw import CLIENT_ID, DOCUMENTEN, SECRET, ZAKEN, FakeZgw
from tests.httpserver import serve_app
from tests.servers import free_port
from tests.specs import require_specs
from webapp.delivery import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryStatus,
    Melding,
    inhoud,
    targets,
)
from webapp.delivery.contract import ConsentTarget, ToestemmingStatus
from webapp.delivery.zgw import Zgw, ZgwOptions

CATALOGI = "https://catalogi.example.nl/catalogi/api/v1"
RSIN = "002220647"
ENV = {"VERHUIZEN_ZGW_SECRET": SECRET}
VERHUISDATUM = f"{CATALOGI}/eigenschappen/verhuisdatum"
HVV = f"{CATALOGI}/eigenschappen/huisvestingsvergunning"
INITIATOR = f"{CATALOGI}/roltypen/initiator"
MEEVERHUIZER = f"{CATALOGI}/roltypen/medeverhuizer"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    require_specs()
    with stored_reports(tmp_path_factory.mktemp("zgw")) as found:
        yield found


@pytest.fixture
def fake() -> Iterator[FakeZgw]:
    double = FakeZgw(page_size=1)  # one item a page: the client must read every page
    with serve_app(double.app) as base:
        double.base = base
        yield double
    assert double.violations == []


def config(base: str, **overrides: Any) -> dict[str, Any]:
    """A gemeente's ``aflevering`` entry, as its YAML file gives it."""
    return {
        "soort": "zgw",
        "zaken_url": base + ZAKEN,
        "documenten_url": base + DOCUMENTEN,
        "zaaktype": f"{CATALOGI}/zaaktypen/verhuizing",
        "roltype_initiator": INITIATOR,
        "roltype_medeverhuizer": MEEVERHUIZER,
        "informatieobjecttype": f"{CATALOGI}/informatieobjecttypen/bijlage",
        "informatieobjecttype_ontvangstbevestiging": f"{CATALOGI}/informatieobjecttypen/ontvangst",
        "eigenschap_verhuisdatum": VERHUISDATUM,
        "eigenschap_huisvestingsvergunning": HVV,
        "rsin": RSIN,
        "client_id": CLIENT_ID,
        "secret_env": "VERHUIZEN_ZGW_SECRET",
        "timeout": 2,
        "connect_timeout": 1,
        **overrides,
    }


def target(reports: Reports, fake: FakeZgw, **overrides: Any) -> Zgw:
    options = targets.parse_options(config(fake.base, **overrides))
    made = targets.target_for(options, DeliveryDeps(store=reports.store, env=ENV))
    assert isinstance(made, Zgw)
    return made


def with_receipt(zgw: Zgw, calls: list[str] | None = None) -> Zgw:
    def receipt(melding: Melding) -> bytes:
        if calls is not None:
            calls.append(melding.reference)
        return PDF

    zgw.receipt = receipt
    return zgw


def one_of(items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    [item] = items.values()
    return item


def assert_complete(
    fake: FakeZgw, melding: Melding, people: dict[str, str], documents: int
) -> None:
    """Exactly one zaak for the report, one rol per person, one address, one document per file:
    whatever happened on the way."""
    zaak = one_of(fake.zaken)
    assert zaak["identificatie"] == melding.reference
    rollen = {r["betrokkeneIdentificatie"]["inpBsn"]: r["roltype"] for r in fake.rollen.values()}
    assert rollen == people and len(fake.rollen) == len(people)
    assert len(fake.zaakobjecten) == 1
    assert len(fake.informatieobjecten) == len(fake.zaakinformatieobjecten) == documents
    linked = {z["informatieobject"] for z in fake.zaakinformatieobjecten.values()}
    assert linked == {d["url"] for d in fake.informatieobjecten.values()}


# -- a report becomes a zaak ---------------------------------------------------------------------


def test_a_report_becomes_one_zaak_with_its_people_address_date_and_files(
    reports: Reports, fake: FakeZgw
) -> None:
    melding = reports.koper
    result = target(reports, fake).deliver(melding)
    assert result.status is DeliveryStatus.AFGELEVERD and result.ok
    zaak = one_of(fake.zaken)
    assert result.kenmerk == zaak["url"]
    assert zaak["identificatie"] == melding.reference
    assert zaak["bronorganisatie"] == zaak["verantwoordelijkeOrganisatie"] == RSIN
    assert zaak["zaaktype"] == f"{CATALOGI}/zaaktypen/verhuizing"
    assert zaak["startdatum"] == inhoud.ingediend_op(melding).isoformat()
    assert zaak["kenmerken"] == [{"kenmerk": melding.reference, "bron": "eDienst Verhuizen"}]

    rollen = sorted(fake.rollen.values(), key=lambda r: r["roltype"])
    assert [(r["roltype"], r["betrokkeneIdentificatie"]) for r in rollen] == [
        (INITIATOR, {"inpBsn": KEES}),
        (MEEVERHUIZER, {"inpBsn": MARIEKE}),
    ]
    assert all(r["betrokkeneType"] == "natuurlijk_persoon" for r in rollen)

    adres = inhoud.nieuw_adres(melding).adres
    zaakobject = one_of(fake.zaakobjecten)
    assert zaakobject["objectType"] == "adres" and zaakobject["zaak"] == zaak["url"]
    assert zaakobject["objectIdentificatie"] == {
        "identificatie": adres.nummeraanduiding_id,
        "wplWoonplaatsNaam": "Rotterdam",
        "gorOpenbareRuimteNaam": adres.straatnaam,
        "huisnummer": 145,
        "postcode": "3074RH",
    }

    # The moving date as the Catalogi API's formaat "datum" has it; no permit, so no HVV.
    [eigenschap] = fake.zaakeigenschappen.values()
    moving = TODAY + timedelta(days=7)
    assert (eigenschap["eigenschap"], eigenschap["waarde"]) == (
        VERHUISDATUM,
        moving.strftime("%Y%m%d"),
    )

    [document] = fake.informatieobjecten.values()
    assert fake.inhoud[document["url"]] == PDF
    assert document["identificatie"] == f"{melding.reference}-akte_van_levering"
    assert document["formaat"] == "application/pdf" and document["bestandsnaam"].endswith(".pdf")
    assert document["titel"] == "Akte van levering" and document["taal"] == "dut"
    assert document["vertrouwelijkheidaanduiding"] == "vertrouwelijk"
    assert_complete(fake, melding, {KEES: INITIATOR, MARIEKE: MEEVERHUIZER}, documents=1)
    assert result.detail == (
        "gemaakt: zaak, 2 x rol, zaakobject, zaakeigenschap, document, zaakinformatieobject"
    )


def test_delivering_again_finds_the_zaak_and_makes_nothing(reports: Reports, fake: FakeZgw) -> None:
    zgw = with_receipt(target(reports, fake))
    first = zgw.deliver(reports.koper)
    posts = fake.posts
    again = zgw.deliver(reports.koper)
    assert again.ok and again.kenmerk == first.kenmerk
    assert again.detail == "zaak was al volledig afgeleverd"
    assert fake.posts == posts
    assert_complete(fake, reports.koper, {KEES: INITIATOR, MARIEKE: MEEVERHUIZER}, documents=2)


def test_each_report_its_own_zaak(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake)
    kenmerken = {zgw.deliver(m).kenmerk for m in (reports.koper, reports.huurder)}
    assert len(kenmerken) == len(fake.zaken) == 2


def test_the_housing_permit_applied_for_or_held_is_an_eigenschap(
    reports: Reports, fake: FakeZgw
) -> None:
    zgw = target(reports, fake)
    for melding in (reports.huurder, reports.vergunninghouder):
        assert zgw.deliver(melding).ok
    waarden = {
        zaak["identificatie"]: {
            e["eigenschap"]: e["waarde"]
            for e in fake.zaakeigenschappen.values()
            if e["zaak"] == zaak["url"]
        }
        for zaak in fake.zaken.values()
    }
    assert waarden[reports.huurder.reference][HVV] == "aangevraagd"
    assert waarden[reports.vergunninghouder.reference][HVV] == "HVV-2026-012345"
    assert {r["betrokkeneIdentificatie"]["inpBsn"] for r in fake.rollen.values()} == {SANNE}


def test_an_eigenschap_the_options_do_not_name_is_left_out(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(
        reports, fake, eigenschap_verhuisdatum=None, eigenschap_huisvestingsvergunning=None
    )
    assert zgw.deliver(reports.huurder).ok
    assert fake.zaakeigenschappen == {}
    assert not any("zaakeigenschappen" in c for c in fake.calls)


def test_the_receipt_is_a_document_made_once(reports: Reports, fake: FakeZgw) -> None:
    calls: list[str] = []
    zgw = with_receipt(target(reports, fake), calls)
    assert zgw.deliver(reports.koper).ok
    assert zgw.deliver(reports.koper).ok
    assert calls == [reports.koper.reference]  # not made again for the second delivery
    receipt = next(d for d in fake.informatieobjecten.values() if d["titel"] != "Akte van levering")
    assert receipt["identificatie"] == f"{reports.koper.reference}-ontvangstbevestiging"
    assert receipt["informatieobjecttype"] == f"{CATALOGI}/informatieobjecttypen/ontvangst"
    assert fake.inhoud[receipt["url"]] == PDF


def test_no_receipt_when_there_is_none_to_give(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake)
    zgw.receipt = lambda melding: None
    assert zgw.deliver(reports.koper).ok
    assert len(fake.informatieobjecten) == 1


def test_an_identificatie_prefix_goes_on_zaak_and_documents(
    reports: Reports, fake: FakeZgw
) -> None:
    zgw = target(reports, fake, identificatie_prefix="VERH-")
    assert zgw.deliver(reports.koper).ok
    assert zgw.deliver(reports.koper).detail == "zaak was al volledig afgeleverd"
    assert one_of(fake.zaken)["identificatie"] == f"VERH-{reports.koper.reference}"
    [document] = fake.informatieobjecten.values()
    assert document["identificatie"].startswith(f"VERH-{reports.koper.reference}-")
    assert len(document["identificatie"]) <= 40


# -- stopped half-way, then delivered again --------------------------------------------------------

POSTS_WITH_RECEIPT = 9
"""zaak, 2 rollen, zaakobject, zaakeigenschap, and for the deed and the receipt each a document
and its link to the zaak."""


@pytest.mark.parametrize("failing", range(1, POSTS_WITH_RECEIPT + 1))
def test_a_delivery_broken_off_at_any_post_goes_on_where_it_stopped(
    reports: Reports, fake: FakeZgw, failing: int
) -> None:
    zgw = with_receipt(target(reports, fake))
    fake.fail_post = failing
    first = zgw.deliver(reports.koper)
    assert first.status is DeliveryStatus.TIJDELIJK_MISLUKT and first.retry
    assert "antwoordde 500" in first.detail
    assert ("al gemaakt" in first.detail) is (failing > 1)
    second = zgw.deliver(reports.koper)
    assert second.ok, second.detail
    assert_complete(fake, reports.koper, {KEES: INITIATOR, MARIEKE: MEEVERHUIZER}, documents=2)
    assert len(fake.zaakeigenschappen) == 1
    # Every part was posted once, and the refused one once more.
    assert fake.posts == POSTS_WITH_RECEIPT + 1


@pytest.mark.parametrize(
    "collection",
    [
        "zaken",
        "rollen",
        "zaakobjecten",
        "zaakeigenschappen",
        "enkelvoudiginformatieobjecten",
        "zaakinformatieobjecten",
    ],
)
def test_an_answer_lost_after_the_api_made_the_part(
    reports: Reports, fake: FakeZgw, collection: str
) -> None:
    zgw = with_receipt(target(reports, fake, timeout=0.3))
    fake.stall, fake.stall_after = 0.5, collection
    first = zgw.deliver(reports.koper)
    assert first.status is DeliveryStatus.TIJDELIJK_MISLUKT
    assert "timeout" in first.detail
    second = zgw.deliver(reports.koper)
    assert second.ok, second.detail
    assert second.kenmerk == one_of(fake.zaken)["url"]
    assert_complete(fake, reports.koper, {KEES: INITIATOR, MARIEKE: MEEVERHUIZER}, documents=2)
    assert fake.posts == POSTS_WITH_RECEIPT


# -- refusals and failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome", "words"),
    [
        (500, DeliveryStatus.TIJDELIJK_MISLUKT, "antwoordde 500"),
        (429, DeliveryStatus.TIJDELIJK_MISLUKT, "antwoordde 429"),
        (401, DeliveryStatus.MISLUKT, "configuratie: Zaken API weigert de toegang (401)"),
        (403, DeliveryStatus.MISLUKT, "configuratie: Zaken API weigert de toegang (403)"),
    ],
)
def test_what_an_answer_means_for_the_report(
    reports: Reports, fake: FakeZgw, status: int, outcome: DeliveryStatus, words: str
) -> None:
    fake.status = status
    result = target(reports, fake).deliver(reports.koper)
    assert result.status is outcome and result.kenmerk is None
    assert words in result.detail
    assert fake.zaken == {} and fake.posts == 0


def test_a_refused_part_names_the_fields_but_not_their_values(
    reports: Reports, fake: FakeZgw
) -> None:
    fake.refuse = "rollen"
    result = target(reports, fake).deliver(reports.koper)
    assert result.status is DeliveryStatus.MISLUKT and not result.retry
    assert result.detail.startswith(
        "Zaken API weigert POST /rollen (400): Invalid input.; ongeldige velden: waarde, zaak"
    )
    assert "al gemaakt: zaak" in result.detail
    # The API's reason quotes a value (a BSN, here); the operator's detail does not.
    assert "999990007" not in result.detail and KEES not in result.detail


def test_a_wrong_secret_is_a_configuration_error(reports: Reports, fake: FakeZgw) -> None:
    options = ZgwOptions.model_validate(config(fake.base))
    wrong = Zgw(options, reports.store, "een-ander-geheim-van-voldoende-lengte")
    result = wrong.deliver(reports.koper)
    assert result.status is DeliveryStatus.MISLUKT
    assert result.detail.startswith("configuratie: Zaken API weigert de toegang (401)")
    health = wrong.health()
    assert not health.ok and "401" in health.detail


def test_broken_json_is_worth_another_try(reports: Reports, fake: FakeZgw) -> None:
    fake.malformed = True
    result = target(reports, fake).deliver(reports.koper)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT
    assert result.detail == "Zaken API: onleesbaar antwoord op GET /zaken"


def test_a_slow_api_is_a_timeout(reports: Reports, fake: FakeZgw) -> None:
    fake.slow = 0.6
    result = target(reports, fake, timeout=0.2).deliver(reports.koper)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT
    assert result.detail == "Zaken API: geen antwoord op GET /zaken (timeout)"


def test_an_api_that_is_not_there(reports: Reports) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    options = ZgwOptions.model_validate(config(base))
    zgw = Zgw(options, reports.store, SECRET)
    result = zgw.deliver(reports.koper)
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT
    assert result.detail == "Zaken API niet bereikbaar bij GET /zaken (ConnectError)"
    assert not zgw.health().ok


def test_a_redirect_is_not_followed_with_the_token(reports: Reports) -> None:
    elsewhere: list[str] = []

    async def record(request: Request) -> Response:
        elsewhere.append(request.headers.get("authorization", ""))
        return JSONResponse({"count": 0, "next": None, "previous": None, "results": []})

    with serve_app(Starlette(routes=[Route("/{path:path}", record)])) as other:

        async def moved(request: Request) -> Response:
            return RedirectResponse(other + request.url.path, 301)

        with serve_app(Starlette(routes=[Route("/{path:path}", moved)])) as base:
            result = Zgw(ZgwOptions.model_validate(config(base)), reports.store, SECRET).deliver(
                reports.koper
            )
    assert result.status is DeliveryStatus.MISLUKT
    assert result.detail.startswith("configuratie: Zaken API verwijst door (301) bij GET /zaken")
    assert elsewhere == []


def test_a_report_without_an_address_makes_nothing(reports: Reports, fake: FakeZgw) -> None:
    typen = inhoud.stap_typen(reports.koper)
    stappen = {
        k: v for k, v in inhoud.antwoorden(reports.koper).items() if typen.get(k) != "nieuw_adres"
    }
    melding = replace(reports.koper, answers={**reports.koper.answers, "stappen": stappen})
    result = target(reports, fake).deliver(melding)
    assert result.status is DeliveryStatus.MISLUKT
    assert "geen nieuw adres" in result.detail
    assert fake.calls == []


# -- the connection -------------------------------------------------------------------------------


def test_health_asks_both_apis_with_the_token(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake)
    health = zgw.health()
    assert health.ok and health.detail == "Zaken API en Documenten API bereikbaar"
    assert fake.calls == ["GET /zaken", "GET /enkelvoudiginformatieobjecten"]
    assert fake.zaken == {}
    fake.status = 500
    assert not zgw.health().ok


def test_the_token_has_the_claims_zgw_asks(reports: Reports, fake: FakeZgw) -> None:
    token = jwt.decode(target(reports, fake).token(), OctKey.import_key(SECRET), ["HS256"])
    assert token.header["alg"] == "HS256"
    assert token.claims["iss"] == token.claims["client_id"] == CLIENT_ID
    assert token.claims["user_id"] == "edienst-verhuizen"
    assert token.claims["user_representation"] == "eDienst Verhuizen"
    assert isinstance(token.claims["iat"], int)


# -- the options ----------------------------------------------------------------------------------


def test_the_options_from_a_gemeente_configuration() -> None:
    options = targets.parse_options(config("https://openzaak.example.nl"))
    assert isinstance(options, ZgwOptions)
    assert options.zaken_url == "https://openzaak.example.nl/zaken/api/v1"
    assert options.verantwoordelijke_organisatie is None and options.timeout == 2
    assert targets.options_model("zgw") is ZgwOptions
    schema = ZgwOptions.model_json_schema()
    assert all(p.get("description") for k, p in schema["properties"].items() if k != "soort")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rsin": "123456789"}, "elfproef"),
        ({"rsin": "12345678"}, "rsin"),
        ({"zaken_url": "https://openzaak.example.nl/zaken/api/v1/"}, "laat de / aan het eind weg"),
        ({"zaaktype": "verhuizing"}, "zaaktype"),
        ({"secret_env": "eyJhbGciOiJIUzI1NiJ9.geheim"}, "secret_env"),
        ({"token": "x"}, "Extra inputs"),
        ({"omschrijving": "x" * 81}, "omschrijving"),
    ],
)
def test_options_that_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        targets.parse_options(config("https://openzaak.example.nl", **change))


def test_the_secret_comes_from_the_environment(reports: Reports) -> None:
    options = targets.parse_options(config("https://openzaak.example.nl"))
    with pytest.raises(DeliveryConfigError, match="VERHUIZEN_ZGW_SECRET is niet gezet"):
        targets.target_for(options, DeliveryDeps(store=reports.store, env={}))


def test_as_registered_the_zaak_gets_the_real_pdf_receipt(reports: Reports, fake: FakeZgw) -> None:
    """Built through the registry with the gemeenten's configuration, the target adds the
    resident's PDF receipt (made by webapp.receipt) as a document."""
    from webapp.config.loader import load_dir
    from webapp.resources import DEFAULT_CONFIG_DIR

    gemeenten = load_dir(DEFAULT_CONFIG_DIR)
    options = targets.parse_options(config(fake.base))
    deps = DeliveryDeps(store=reports.store, env=ENV, gemeenten=gemeenten.get)
    zgw = targets.target_for(options, deps)
    assert zgw.deliver(reports.koper).ok
    [receipt] = [d for d in fake.informatieobjecten.values() if "ontvangst" in d["identificatie"]]
    assert fake.inhoud[receipt["url"]].startswith(b"%PDF-")
    assert receipt["bestandsnaam"].endswith(".pdf")


# -- the hoofdbewoner's consent ------------------------------------------------------------------

TOESTEMMING = f"{CATALOGI}/eigenschappen/toestemming-hoofdbewoner"
HOOFDBEWONER = "999990081"


def asking(reports: Reports, status: ToestemmingStatus | None) -> Melding:
    """Sanne's report with a hoofdbewoner chosen online, the consent in ``status``."""
    toestemming = None if status is None else consent(status, HOOFDBEWONER)
    return with_hoofdbewoner(reports.huurder, bsn=HOOFDBEWONER, toestemming=toestemming)


def consent_eigenschappen(fake: FakeZgw) -> list[str]:
    return [e["waarde"] for e in fake.zaakeigenschappen.values() if e["eigenschap"] == TOESTEMMING]


@pytest.mark.parametrize(
    ("melding", "waarde"),
    [
        (lambda r: asking(r, ToestemmingStatus.GEVRAAGD), "gevraagd"),
        (lambda r: asking(r, ToestemmingStatus.GEGEVEN), "gegeven"),
        (lambda r: with_hoofdbewoner(r.huurder, route="papier"), "papier"),
        (lambda r: r.huurder, None),  # no inwoning: no consent to record
    ],
)
def test_the_first_delivery_records_the_consent_as_it_stands(
    reports: Reports, fake: FakeZgw, melding: Any, waarde: str | None
) -> None:
    assert target(reports, fake, eigenschap_toestemming=TOESTEMMING).deliver(melding(reports)).ok
    assert consent_eigenschappen(fake) == ([waarde] if waarde else [])


@pytest.mark.parametrize(
    "status", [ToestemmingStatus.GEGEVEN, ToestemmingStatus.GEWEIGERD, ToestemmingStatus.VERLOPEN]
)
def test_the_outcome_changes_the_eigenschap_once(
    reports: Reports, fake: FakeZgw, status: ToestemmingStatus
) -> None:
    zgw = target(reports, fake, eigenschap_toestemming=TOESTEMMING)
    first = zgw.deliver(asking(reports, ToestemmingStatus.GEVRAAGD))
    assert first.ok and consent_eigenschappen(fake) == ["gevraagd"]
    [made] = [e for e in fake.zaakeigenschappen.values() if e["eigenschap"] == TOESTEMMING]
    posts = fake.posts
    result = zgw.deliver_consent(asking(reports, status))
    assert result.status is DeliveryStatus.AFGELEVERD, result.detail
    assert result.kenmerk == first.kenmerk
    assert result.detail == f"toestemming bijgewerkt in de zaak: {status.value}"
    assert consent_eigenschappen(fake) == [status.value]
    assert fake.updates == [f"{made['uuid']}: {status.value}"]
    assert f"PATCH /zaken/{one_of(fake.zaken)['uuid']}/zaakeigenschappen/{made['uuid']}" in (
        fake.calls
    )
    assert fake.posts == posts  # changed, not made again
    again = zgw.deliver_consent(asking(reports, status))
    assert again.ok and again.detail == f"toestemming stond al in de zaak ({status.value})"
    assert len(fake.updates) == 1 and HOOFDBEWONER not in result.detail + again.detail


def test_an_eigenschap_the_first_delivery_did_not_set_is_made(
    reports: Reports, fake: FakeZgw
) -> None:
    # Delivered before the gemeente set eigenschap_toestemming.
    assert target(reports, fake).deliver(asking(reports, ToestemmingStatus.GEVRAAGD)).ok
    assert consent_eigenschappen(fake) == []
    zgw = target(reports, fake, eigenschap_toestemming=TOESTEMMING)
    result = zgw.deliver_consent(asking(reports, ToestemmingStatus.GEWEIGERD))
    assert result.ok and result.detail == "toestemming vastgelegd in de zaak: geweigerd"
    assert consent_eigenschappen(fake) == ["geweigerd"] and fake.updates == []


def test_the_outcome_before_the_zaak_exists_waits_for_it(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake, eigenschap_toestemming=TOESTEMMING)
    early = zgw.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN))
    assert early.status is DeliveryStatus.TIJDELIJK_MISLUKT and "nog geen zaak" in early.detail
    assert fake.zaken == {} and fake.posts == 0
    # Delivered late, the zaak has the outcome at once; the consent task then finds it there.
    assert zgw.deliver(asking(reports, ToestemmingStatus.GEGEVEN)).ok
    later = zgw.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN))
    assert later.ok and "stond al" in later.detail
    assert consent_eigenschappen(fake) == ["gegeven"] and fake.updates == []


def test_without_the_option_there_is_nothing_to_change(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake)
    assert isinstance(zgw, ConsentTarget) and targets.hears_consent("zgw")
    result = zgw.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN))
    assert result.status is DeliveryStatus.AFGELEVERD
    assert "geen eigenschap_toestemming" in result.detail
    assert fake.calls == []


@pytest.mark.parametrize("status", [500, 429])
def test_a_failing_api_takes_the_outcome_later(
    reports: Reports, fake: FakeZgw, status: int
) -> None:
    zgw = target(reports, fake, eigenschap_toestemming=TOESTEMMING)
    assert zgw.deliver(asking(reports, ToestemmingStatus.GEVRAAGD)).ok
    fake.status = status
    result = zgw.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN))
    assert result.status is DeliveryStatus.TIJDELIJK_MISLUKT and str(status) in result.detail
    fake.status = None
    assert zgw.deliver_consent(asking(reports, ToestemmingStatus.GEGEVEN)).ok
    assert consent_eigenschappen(fake) == ["gegeven"]


def test_the_fake_lets_only_the_waarde_change(reports: Reports, fake: FakeZgw) -> None:
    zgw = target(reports, fake, eigenschap_toestemming=TOESTEMMING)
    assert zgw.deliver(asking(reports, ToestemmingStatus.GEVRAAGD)).ok
    zaak = one_of(fake.zaken)
    [made] = [e for e in fake.zaakeigenschappen.values() if e["eigenschap"] == TOESTEMMING]
    response = httpx2.patch(
        made["url"],
        json={"eigenschap": VERHUISDATUM, "waarde": "gegeven"},
        headers={"Authorization": f"Bearer {zgw.token()}"},
    )
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["eigenschap"]
    assert made["waarde"] == "gevraagd" and made["zaak"] == zaak["url"]
