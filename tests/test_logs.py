"""No personal data in the logs (issue 8, item 3): a whole journey with a partner reported along,
then a forced database error with the BSN as a SQL parameter; every log line of every logger,
as the server writes it (JSON), is scanned for every personal value of the persons involved."""

from __future__ import annotations

import io
import logging

from sqlalchemy import text
from starlette.testclient import TestClient

from tests.conftest import TODAY, make_settings
from tests.driver import Resident, complete_journey, csrf_of, run_until
from webapp.logs import JsonFormatter
from webapp.web.app import create_app

KEES, MARIEKE = "999990019", "999990020"
HILLESLUIS = {"postcode": "3074RH", "huisnummer": 145}
PERSONAL = [
    KEES,
    MARIEKE,
    "Kees",
    "Jansen",
    "Marieke",
    "Visser",
    "1980-09-12",
    "1982-01-25",
    "Oudedijk",
    "3061AN",
    "3074RH",
    "3074 RH",
    "test@example.org",
    "0612345678",
]


def test_a_journey_and_a_database_failure_log_no_personal_data(tmp_path):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # webapp.logs.configure() (serve, asgi) gives our logger its own handler and stops it
    # propagating; here every event must reach the scanned output.
    ours = logging.getLogger("verhuizen")
    old_propagate, old_ours = ours.propagate, ours.level
    ours.propagate = True
    ours.setLevel(logging.DEBUG)
    try:
        app = create_app(make_settings(tmp_path), today=lambda: TODAY)
        g = app.state.services.gemeenten["rotterdam"]
        with TestClient(app, raise_server_exceptions=False) as client:
            r = Resident(client, "rotterdam")
            r.login(KEES)
            run_until(r, g, "meeverhuizers", TODAY, HILLESLUIS)
            r.answer({"personen": [MARIEKE]})
            complete_journey(r, g, TODAY, HILLESLUIS)
            assert "Uw verhuizing is doorgegeven" in r.text()

            # A real database error whose SQL carries the BSN as a parameter.
            store = app.state.services.store

            def failing(*args, **kwargs):
                with store.engine.connect() as connection:
                    connection.execute(
                        text("SELECT * FROM geen_tabel WHERE bsn = :bsn"), {"bsn": KEES}
                    )

            store.session = store.visit = failing
            response = client.get("/rotterdam/stap/situatie")
            assert response.status_code in (500, 503)
            page = client.get("/rotterdam/inloggen")
            assert csrf_of(page.text)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        ours.propagate, ours.level = old_propagate, old_ours
    log = out.getvalue()
    assert '"event": "request"' in log  # it logged, the failure too:
    assert '"event": "database_unavailable"' in log or '"event": "unhandled_error"' in log
    found = [value for value in PERSONAL if value in log]
    assert not found, f"personal data in the log: {found}"
