"""What a back office receives is Dutch, whatever language the resident chose: the outbox
delivers every report in Dutch, even when the runner is started from an English context."""

from __future__ import annotations

from pathlib import Path

from tests.delivery.test_outbox import (
    KEY,
    SECRET,
    T0,
    Proef,
    ProefOptions,
    runner,
    submit,
    voorbeeld,
)
from tests.storage.test_opschonen import Clock
from webapp.delivery import Melding
from webapp.i18n import _, get_locale, use_locale
from webapp.storage.db import make_engine, migrate
from webapp.storage.models import OutboxStatus
from webapp.storage.store import Store


def test_the_outbox_delivers_in_dutch_from_an_english_context(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}", keys=[KEY])
    migrate(engine)
    seen: list[tuple[str, str]] = []

    def during(melding: Melding) -> None:
        seen.append((get_locale(), _("Verhuisdatum")))

    target = Proef(during=during)
    store = Store(engine, SECRET, Clock(T0))
    gemeente = voorbeeld(ProefOptions())
    submit(store, gemeente)
    with use_locale("en"):
        assert _("Verhuisdatum") == "Moving date"
        [attempt] = runner(store, gemeente, target).run_until_idle()
    assert attempt.status is OutboxStatus.AFGELEVERD
    assert seen == [("nl", "Verhuisdatum")]
    engine.dispose()
