"""The registers come from the settings: the kind, and the test data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.registers.eigen_testdata import BUITENLAND_BSN, EIGEN_BSN, EIGEN_OBJECT, write_testdata
from webapp.registers.brp import BestandsBrp
from webapp.registers.factory import (
    Soorten,
    adressen_for,
    brp_for,
    login_testpersonen,
    registers_for,
)
from webapp.registers.testpersonen import BestandsTestpersonen
from webapp.settings import SettingsError


def test_default_is_the_shipped_test_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shipped = BestandsBrp()
    registers = registers_for(settings)
    some = shipped.testpersonen()[0]
    assert registers.brp.raadpleeg(some.burgerservicenummer) == some
    assert registers.brp.raadpleeg(EIGEN_BSN) is None
    assert registers.adressen.op_postcode_huisnummer("3572AM", 101)
    assert login_testpersonen(settings).testpersonen() == shipped.testpersonen()


def test_an_own_test_data_folder_replaces_persons_addresses_and_login_persons(
    tmp_path: Path,
) -> None:
    folder = write_testdata(tmp_path / "eigen")
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))

    brp = brp_for(settings)
    eigen = brp.raadpleeg(EIGEN_BSN)
    assert eigen is not None and eigen.naam() == "Eigen Testpersoon"
    assert [p.burgerservicenummer for p in brp.bewoners(EIGEN_OBJECT)] == [EIGEN_BSN]
    assert brp.raadpleeg(BestandsBrp().testpersonen()[0].burgerservicenummer) is None

    [adres] = adressen_for(settings).zoek("9991 zz", 7)
    assert (adres.straatnaam, adres.adresseerbaarobject_id) == ("Proefstraat", EIGEN_OBJECT)
    assert adressen_for(settings).op_postcode_huisnummer("3572AM", 101) == []

    # Only the person with a Dutch address is offered on the test login.
    offered = login_testpersonen(settings).testpersonen()
    assert [p.burgerservicenummer for p in offered] == [EIGEN_BSN]
    assert BUITENLAND_BSN not in {p.burgerservicenummer for p in offered}


def test_a_missing_folder_names_the_setting(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(tmp_path / "nergens"))
    for build in (brp_for, adressen_for, login_testpersonen):
        with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR .*nergens.* bestaat niet"):
            build(settings)


def test_a_missing_file_names_the_setting_and_the_file(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    (folder / "adressen.json").unlink()
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    assert brp_for(settings).raadpleeg(EIGEN_BSN) is not None
    with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR .*adressen\.json ontbreekt"):
        adressen_for(settings)


def test_an_unreadable_file_names_the_setting_and_the_file(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    (folder / "brp-personen.json").write_text("{niet: json", encoding="utf-8")
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR: .*brp-personen\.json"):
        brp_for(settings)


def test_login_persons_need_a_valid_bsn(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    path = folder / "brp-personen.json"
    path.write_text(path.read_text("utf-8").replace(EIGEN_BSN, "999910001"), "utf-8")
    with pytest.raises(SettingsError, match="11-proef") as exc:
        login_testpersonen(make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder)))
    assert "999910001" not in str(exc.value)  # BSNs are masked in errors


def test_file_backed_sources_keep_their_no_argument_defaults() -> None:
    assert BestandsTestpersonen().testpersonen() == BestandsBrp().testpersonen()


def test_an_unknown_kind_lists_the_available_ones(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, VERHUIZEN_BRP="ldap")
    with pytest.raises(
        SettingsError, match=r"VERHUIZEN_BRP: onbekende soort 'ldap'; beschikbaar: test"
    ):
        brp_for(settings)
    settings = make_settings(tmp_path, VERHUIZEN_ADRESSEN="google")
    with pytest.raises(SettingsError, match=r"later ook: pdok, bag"):
        adressen_for(settings)


def test_a_planned_kind_says_it_is_not_built_yet(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"VERHUIZEN_BRP='haal-centraal' is nog niet gebouwd"):
        brp_for(make_settings(tmp_path, VERHUIZEN_BRP="haal-centraal"))
    for kind in ("pdok", "bag"):
        with pytest.raises(SettingsError, match=rf"VERHUIZEN_ADRESSEN='{kind}' is nog niet"):
            adressen_for(make_settings(tmp_path, VERHUIZEN_ADRESSEN=kind))


def test_a_registered_kind_is_chosen_by_the_setting_and_registered_once(tmp_path: Path) -> None:
    soorten: Soorten[object] = Soorten("VERHUIZEN_BRP", planned=("haal-centraal",))
    sentinel = object()
    soorten.register("haal-centraal", sentinel)
    assert soorten.factory("haal-centraal") is sentinel
    assert soorten.names() == ["haal-centraal"]
    with pytest.raises(ValueError, match="al geregistreerd"):
        soorten.register("haal-centraal", object())
