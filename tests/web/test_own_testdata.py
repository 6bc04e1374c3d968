"""A gemeente's staging on its own test data (VERHUIZEN_TESTDATA_DIR): the test login, the BRP
and the address register of the running app all come from that folder."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, run_until
from tests.registers.eigen_testdata import EIGEN_BSN, write_testdata
from webapp.web.app import create_app

SANNE = "999990007"  # a shipped test person


def test_the_app_uses_the_test_data_folder_of_the_setting(tmp_path):
    folder = write_testdata(tmp_path / "eigen")
    settings = make_settings(tmp_path, VERHUIZEN_TESTDATA_DIR=str(folder))
    app = create_app(settings, today=lambda: TODAY)
    with TestClient(app) as client:
        login = client.get("/voorbeeld/inloggen").text
        assert "Eigen Testpersoon" in login and SANNE not in login
        r = Resident(client, "voorbeeld")
        r.login(EIGEN_BSN)
        g = app.state.services.gemeenten["voorbeeld"]
        run_until(r, g, "adres", TODAY, {"postcode": "9991ZZ", "huisnummer": 7})
        # The own address register knows Proefstraat 7, and the own BRP says the resident
        # lives there already.
        r.answer({"postcode": "9991 ZZ", "huisnummer": "7", "huisletter": "", "toevoeging": ""})
        assert r.status == 422
        assert r.errors() == [
            "Dit is het adres waar u nu al staat ingeschreven. Vul uw nieuwe adres in."
        ]
