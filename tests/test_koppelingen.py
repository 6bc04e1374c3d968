"""Each gemeente names its own login, registers and delivery targets in its configuration; the
settings give the default; production uses no stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR, make_settings
from webapp.config.loader import ConfigError, load_text
from webapp.delivery import OpslagOptions
from webapp.koppelingen import BrpTestdataOptions, Verbindingen
from webapp.settings import SettingsError

VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")


def with_block(block: str) -> str:
    return VOORBEELD + "\n" + block


def test_a_gemeente_names_its_connections_and_targets():
    g = load_text(
        with_block(
            "koppelingen:\n  brp:\n    soort: test\n  niveau: substantieel\n"
            "aflevering:\n  - soort: opslag\n"
        ),
        "voorbeeld",
        "voorbeeld.yaml",
    )
    assert g.koppelingen.brp == BrpTestdataOptions()
    assert g.koppelingen.login is None  # the setting's default
    assert g.koppelingen.niveau == "substantieel"
    assert g.aflevering == [OpslagOptions()]


@pytest.mark.parametrize(
    ("block", "needle", "message"),
    [
        ("koppelingen:\n  brp:\n    soort: haal-centraal-x\n", "centraal-x", "onbekende soort"),
        ("koppelingen:\n  brp:\n    soort: test\n    url: x\n", "url: x", "onbekende sleutel"),
        ("koppelingen:\n  login: digid\n", "login: digid", "verwacht een mapping"),
        ("aflevering:\n  - soort: fax\n", "soort: fax", "onbekende soort 'fax'"),
    ],
)
def test_a_wrong_connection_names_its_line(block, needle, message):
    text = with_block(block)
    with pytest.raises(ConfigError) as info:
        load_text(text, "voorbeeld", "voorbeeld.yaml")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)
    problems = info.value.problems
    assert any(p.line == line and message in p.message for p in problems), problems


def test_the_same_options_share_one_connection(tmp_path: Path):
    own = load_text(
        with_block("koppelingen:\n  brp:\n    soort: test\n"), "voorbeeld", "voorbeeld.yaml"
    )
    default = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    verbindingen = Verbindingen(make_settings(tmp_path), {})
    assert verbindingen.voor(own).brp is verbindingen.voor(default).brp
    assert verbindingen.voor(default).brp is verbindingen.default("brp")
    assert verbindingen.voor(own).niveau.value == "midden"


def test_without_a_default_a_gemeente_must_name_its_own(tmp_path: Path):
    from dataclasses import replace

    settings = replace(make_settings(tmp_path), login="")
    default = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    with pytest.raises(SettingsError, match=r"koppelingen\.login ontbreekt en VERHUIZEN_LOGIN"):
        Verbindingen(settings, {}).voor(default)


def test_an_unknown_default_stops_the_start(tmp_path: Path):
    from dataclasses import replace

    with pytest.raises(SettingsError, match=r"VERHUIZEN_BRP: onbekende BRP 'ldap'"):
        Verbindingen(replace(make_settings(tmp_path), brp="ldap"), {})


def test_production_refuses_a_stand_in_per_gemeente(tmp_path: Path):
    g = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    with pytest.raises(SettingsError, match=r"voorbeeld: koppelingen\.login is de testvoorziening"):
        Verbindingen(make_settings(tmp_path), {}).check_production(g)


def test_production_refuses_a_gemeente_whose_reports_reach_nobody(tmp_path: Path):
    from webapp.auth.oidc import DigidOidcOptions
    from webapp.delivery.map import MapOptions
    from webapp.registers.haalcentraal import HaalCentraalOptions
    from webapp.registers.pdok import PdokOptions

    g = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    real = g.koppelingen.model_copy(
        update={
            "login": DigidOidcOptions(
                issuer="https://makelaar.example", client_id="x", client_secret_env="GEHEIM"
            ),
            "brp": HaalCentraalOptions(url="https://brp.example/haalcentraal/api/brp"),
            "adressen": PdokOptions(),
        }
    )
    g = g.model_copy(update={"koppelingen": real})
    verbindingen = Verbindingen(make_settings(tmp_path), {})
    for aflevering in ([], [OpslagOptions()]):
        with pytest.raises(SettingsError, match=r"voorbeeld: geen aflevering aan de gemeente"):
            verbindingen.check_production(g.model_copy(update={"aflevering": aflevering}))
    verbindingen.check_production(
        g.model_copy(update={"aflevering": [MapOptions(pad=str(tmp_path))]})
    )


def test_the_residents_confirmation_is_no_delivery_target():
    text = with_block("aflevering:\n  - soort: bevestiging\n")
    with pytest.raises(ConfigError) as info:
        load_text(text, "voorbeeld", "voorbeeld.yaml")
    assert any("bevestiging.email" in p.message for p in info.value.problems)


def test_a_gemeente_is_resolved_once_per_configuration_object(tmp_path: Path):
    """Every page of a visit asks for its gemeente's connections: the same configuration gives
    the same answer without rebuilding it; a reloaded configuration is resolved again."""
    g = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    verbindingen = Verbindingen(make_settings(tmp_path), {})
    first = verbindingen.voor(g)
    assert verbindingen.voor(g) is first
    reloaded = g.model_copy(
        update={"koppelingen": g.koppelingen.model_copy(update={"niveau": "hoog"})}
    )
    again = verbindingen.voor(reloaded)
    assert again is not first and again.niveau.value == "hoog"
    assert again.brp is first.brp  # the same options still share one connection
