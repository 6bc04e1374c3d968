"""``verhuizen opschonen``: the configured retention per gemeente, a dry run, cron-friendly."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import CONFIG_DIR
from webapp.cli import main
from webapp.config.loader import load_dir, load_file
from webapp.config.models import Bewaren, Gemeente
from webapp.delivery.outbox import Runner, deliveries_for
from webapp.storage.db import make_engine, migrate
from webapp.storage.store import Store

KEY = "2lSJdIcITa9hA2YxHxk1i6ZPQ1uUTvAfNAjLxEq1wEA="


@pytest.fixture
def env(monkeypatch, tmp_path: Path) -> Path:
    """A config folder with voorbeeld (concepts kept 5 days, reports delivered into a folder)
    and rotterdam (the defaults, no delivery)."""
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(CONFIG_DIR / "rotterdam.yaml", config)
    voorbeeld = (CONFIG_DIR / "voorbeeld.yaml").read_text()
    assert "  concept_dagen: 30\n" in voorbeeld
    assert "\naflevering:" not in voorbeeld
    (tmp_path / "bezorgd").mkdir()
    (config / "voorbeeld.yaml").write_text(
        voorbeeld.replace("  concept_dagen: 30\n", "  concept_dagen: 5\n")
        + f"aflevering:\n  - soort: map\n    pad: {tmp_path / 'bezorgd'}\n"
    )
    for name, value in {
        "VERHUIZEN_MODE": "development",
        "VERHUIZEN_DATA_DIR": str(tmp_path / "data"),
        "VERHUIZEN_CONFIG_DIR": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'v.db'}",
        "VERHUIZEN_SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        "VERHUIZEN_ENCRYPTION_KEYS": KEY,
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def store_at(tmp_path: Path, days_ago: float) -> Store:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'v.db'}", keys=[KEY])
    migrate(engine)
    return Store(engine, "secret", clock=lambda: at)


def send(store: Store, draft_id: str, bsn: str, gemeente: Gemeente | None = None) -> None:
    store.submit(
        draft_id,
        prefix="VB",
        aangever_bsn=bsn,
        answers={},
        signalen=[],
        linked=[],
        is_test=True,
        deliveries=deliveries_for(gemeente) if gemeente else (),
    )


def rows(tmp_path: Path, table: str) -> int:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'v.db'}")
    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(n)


def test_opschonen_uses_each_gemeentes_retention_and_has_a_dry_run(env, capsys):
    six_days = store_at(env, 6)
    kort = six_days.open_draft("voorbeeld", "999990007", "v1")  # voorbeeld keeps 5 days
    six_days.save_upload(kort.id, "huurcontract", "a.pdf", "application/pdf", b"%PDF-1")
    lang = six_days.open_draft("rotterdam", "999990007", "v1")  # rotterdam keeps 30
    six_days.create_session("rotterdam", "999990007", lang.id)
    forty_days = store_at(env, 40)
    # Rotterdam delivers nowhere: sending counted as delivery, 40 days ago.
    oud = forty_days.open_draft("rotterdam", "999990019", "v1")
    send(forty_days, oud.id, "999990019")
    # Voorbeeld writes every report into a folder: one was delivered 40 days ago, one never.
    voorbeeld = load_dir(env / "config")["voorbeeld"]
    bezorgd = forty_days.open_draft("voorbeeld", "999990019", "v1")
    send(forty_days, bezorgd.id, "999990019", voorbeeld)
    runner = Runner(forty_days, lambda: {"voorbeeld": voorbeeld})
    [attempt] = runner.run_until_idle()
    assert attempt.status == "afgeleverd"
    wacht = forty_days.open_draft("voorbeeld", "999990027", "v1")
    send(forty_days, wacht.id, "999990027", voorbeeld)
    assert (rows(env, "draft"), rows(env, "submission"), rows(env, "outbox")) == (5, 3, 2)

    assert main(["opschonen", "--droog"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "droog: zou verwijderen: 1 sessie(s), 1 concept(en), 2 melding(en), 1 bestand(en), "
        "0 gekoppelde aanvra(a)g(en)"
    )
    assert "wat nog niet is afgeleverd, blijft" in out
    assert (rows(env, "draft"), rows(env, "submission"), rows(env, "web_session")) == (5, 3, 1)

    assert main(["opschonen"]) == 0
    assert capsys.readouterr().out.startswith("verwijderd: 1 sessie(s), 1 concept(en), 2 melding")
    # The report no back office has yet stays, however old: this database holds its only copy.
    assert (rows(env, "draft"), rows(env, "submission"), rows(env, "upload")) == (2, 1, 0)
    assert [r.reference for r in forty_days.deliveries()] == [
        forty_days.submission_for_draft(wacht.id).reference  # type: ignore[union-attr]
    ]
    assert six_days.draft(lang.id) is not None  # Rotterdam's draft is 6 of its 30 days old

    elders = forty_days.open_draft("oud-gemeente", "999990007", "v1")  # not configured (now)
    assert main(["opschonen"]) == 0  # idempotent: a cron job may run it again
    assert forty_days.draft(elders.id) is not None
    assert capsys.readouterr().out.startswith("verwijderd: 0 sessie(s), 0 concept(en)")


def test_opschonen_refuses_without_a_valid_configuration(env, capsys):
    store = store_at(env, 40)
    store.open_draft("voorbeeld", "999990007", "v1")
    config = env / "config" / "voorbeeld.yaml"
    config.write_text(config.read_text().replace("concept_dagen: 5", "concept_dagen: 0"))
    assert main(["opschonen"]) == 2
    err = capsys.readouterr().err
    assert "voorbeeld.yaml:" in err and "bewaren.concept_dagen" in err
    assert "niets opgeschoond" in err
    assert rows(env, "draft") == 1


def test_opschonen_asks_for_a_migration_first(env, capsys):
    assert main(["opschonen", "--droog"]) == 2
    assert "verhuizen migrate" in capsys.readouterr().err


def test_retention_defaults_and_the_documented_example():
    assert Bewaren() == Bewaren(concept_dagen=30, na_aflevering_dagen=30)
    voorbeeld = load_file(CONFIG_DIR / "voorbeeld.yaml")
    assert voorbeeld.bewaren == Bewaren(concept_dagen=30, na_aflevering_dagen=30)
    assert "bewaren" not in (CONFIG_DIR / "rotterdam.yaml").read_text()
    assert load_file(CONFIG_DIR / "rotterdam.yaml").bewaren == Bewaren()
