"""Facts for conditions about the new address: who lives there after the move, and what the
building is for (BAG gebruiksdoelen)."""

from __future__ import annotations

from pydantic import TypeAdapter

from tests.conftest import CONFIG_DIR
from webapp.conditions import Conditie, evaluate
from webapp.config.loader import load_dir
from webapp.flow.facts import derivable, derive
from webapp.registers.adressen import BestandsAdresRegister
from webapp.steps import registry

parse = TypeAdapter(Conditie).validate_python


def test_residents_after_the_move_count_those_there_and_those_coming():
    assert (
        derive({"adres.bewoners": 2, "huishouden.personen": 3})["adres.bewoners_na_verhuizing"] == 5
    )
    assert derive({"huishouden.personen": 1})["adres.bewoners_na_verhuizing"] == 1
    assert "adres.bewoners_na_verhuizing" not in derive({"adres.bewoners": 2})
    assert "adres.bewoners_na_verhuizing" in derivable({"adres.bewoners", "huishouden.personen"})
    assert "adres.bewoners_na_verhuizing" not in derivable({"adres.bewoners"})


def test_the_address_step_gives_the_uses_of_the_building():
    gemeente = load_dir(CONFIG_DIR)["voorbeeld"]
    cfg = next(s for s in gemeente.stappen if s.type == "nieuw_adres")
    step = registry["nieuw_adres"]
    assert "adres.gebruiksdoelen" in step.provided_facts(cfg, gemeente)
    [adres] = BestandsAdresRegister().zoek("9991CD", 15)
    from dataclasses import asdict

    answer = {"adres": {**asdict(adres), "weergavenaam": adres.weergavenaam}, "bewoners": 0}
    facts = step.facts(cfg, answer, gemeente)
    assert facts["adres.gebruiksdoelen"] == ["woonfunctie"]
    dwelling = parse({"feit": "adres.gebruiksdoelen", "bevat": "woonfunctie"})
    shop = parse({"feit": "adres.gebruiksdoelen", "bevat": "winkelfunctie"})
    assert evaluate(dwelling, facts, {}) is True
    assert evaluate(shop, facts, {}) is False


def test_a_configuration_may_use_both_facts():
    """Loaded with file and line like any fact: known after the address and household steps."""
    from webapp.config.loader import load_text

    text = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")
    old = "        - {feit: adres.bewoners_na_verhuizing, kleiner_dan: 3}"
    assert old in text  # voorbeeld.yaml uses the first
    new = old + "\n        - {feit: adres.gebruiksdoelen, bevat: woonfunctie}"
    gemeente = load_text(text.replace(old, new), "voorbeeld", "voorbeeld.yaml")
    assert "adres.gebruiksdoelen" in str(gemeente.step("grote_woning").als)
