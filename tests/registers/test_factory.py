"""The test registers come from the test data folder the settings name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.registers.eigen_testdata import BUITENLAND_BSN, EIGEN_BSN, EIGEN_OBJECT, write_testdata
from webapp.registers.brp import BestandsBrp
from webapp.registers.factory import bestands_adressen, bestands_brp, login_testpersonen
from webapp.registers.testpersonen import BestandsTestpersonen
from webapp.settings import SettingsError


def test_default_is_the_shipped_test_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    shipped = BestandsBrp()
    brp = bestands_brp(settings)
    some = shipped.testpersonen()[0]
    assert brp.raadpleeg(some.burgerservicenummer) == some
    assert brp.raadpleeg(EIGEN_BSN) is None
    assert bestands_adressen(settings).op_postcode_huisnummer("3572AM", 101)
    assert login_testpersonen(settings).testpersonen() == shipped.testpersonen()


def test_an_own_test_data_folder_replaces_persons_addresses_and_login_persons(
    tmp_path: Path,
) -> None:
    folder = write_testdata(tmp_path / "eigen")
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))

    brp = bestands_brp(settings)
    eigen = brp.raadpleeg(EIGEN_BSN)
    assert eigen is not None and eigen.naam() == "Eigen Testpersoon"
    assert [p.burgerservicenummer for p in brp.bewoners(EIGEN_OBJECT)] == [EIGEN_BSN]
    assert brp.raadpleeg(BestandsBrp().testpersonen()[0].burgerservicenummer) is None

    [adres] = bestands_adressen(settings).zoek("9991 zz", 7)
    assert (adres.straatnaam, adres.adresseerbaarobject_id) == ("Proefstraat", EIGEN_OBJECT)
    assert bestands_adressen(settings).op_postcode_huisnummer("3572AM", 101) == []

    # Only the person with a Dutch address is offered on the test login.
    offered = login_testpersonen(settings).testpersonen()
    assert [p.burgerservicenummer for p in offered] == [EIGEN_BSN]
    assert BUITENLAND_BSN not in {p.burgerservicenummer for p in offered}


def test_a_missing_folder_names_the_setting(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(tmp_path / "nergens"))
    for build in (bestands_brp, bestands_adressen, login_testpersonen):
        with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR .*nergens.* bestaat niet"):
            build(settings)


def test_a_missing_file_names_the_setting_and_the_file(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    (folder / "adressen.json").unlink()
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    assert bestands_brp(settings).raadpleeg(EIGEN_BSN) is not None
    with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR .*adressen\.json ontbreekt"):
        bestands_adressen(settings)


def test_an_unreadable_file_names_the_setting_and_the_file(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    (folder / "brp-personen.json").write_text("{niet: json", encoding="utf-8")
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    with pytest.raises(SettingsError, match=r"VERHUIZEN_TESTDATA_DIR: .*brp-personen\.json"):
        bestands_brp(settings)


def test_login_persons_need_a_valid_bsn(tmp_path: Path) -> None:
    folder = write_testdata(tmp_path / "eigen")
    path = folder / "brp-personen.json"
    path.write_text(path.read_text("utf-8").replace(EIGEN_BSN, "999910001"), "utf-8")
    with pytest.raises(SettingsError, match="11-proef") as exc:
        login_testpersonen(make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder)))
    assert "999910001" not in str(exc.value)  # BSNs are masked in errors


def test_file_backed_sources_keep_their_no_argument_defaults() -> None:
    assert BestandsTestpersonen().testpersonen() == BestandsBrp().testpersonen()
