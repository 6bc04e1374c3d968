"""Configuration loading: every shipped file is valid; every mistake names file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import CONFIG_DIR, GEMEENTEN
from webapp.config.loader import ConfigError, load_dir, load_text
from webapp.steps import registry

VOORBEELD = (CONFIG_DIR / "voorbeeld.yaml").read_text(encoding="utf-8")


def problems_of(text: str) -> list:
    with pytest.raises(ConfigError) as info:
        load_text(text, "test", "test.yaml")
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_shipped_configuration_loads():
    gemeenten = load_dir(CONFIG_DIR)
    assert sorted(gemeenten) == GEMEENTEN
    assert {"rotterdam", "utrecht", "den-haag", "voorbeeld"} <= set(gemeenten)
    for slug, gemeente in gemeenten.items():
        assert gemeente.slug == slug
        assert gemeente.stappen[-1].type == "controleren"


def test_each_gemeente_really_differs():
    g = load_dir(CONFIG_DIR)
    assert g["utrecht"].datum.te_laat == "weigeren" and g["rotterdam"].datum.te_laat == "accepteren"
    assert "hvv" in g["rotterdam"].gebieden
    assert g["rotterdam"].step("vergunning").als is not None
    assert any(s.id == "huurprijs" for s in g["den-haag"].stappen)
    assert g["utrecht"].step("contact").email_verplicht


def test_rotterdam_permit_areas_match_domain():
    rotterdam = load_dir(CONFIG_DIR)["rotterdam"]

    def areas(straat, postcode, buurt=None):
        return rotterdam.gebieden_van(
            wijkcode=None, buurtcode=buurt, postcode=postcode, straat=straat
        )

    assert areas("Grondelstraat", "3083AB", "BU05991571") == ["hvv"]  # Tarwewijk
    assert areas("Mathenesserdijk", "3026GD") == ["hvv"]  # only postcode 3026
    assert areas("Mathenesserdijk", "3027AB") == []
    assert areas("Mathenesserweg", "3026HC") == ["hvv"]
    assert areas("Avenue Concordia", "3062LG", "BU05991402") == []


def test_unknown_step_type_names_line_and_choices():
    text = VOORBEELD.replace("type: nieuw_adres", "type: nieuw_adress")
    [problem] = problems_of(text)
    assert problem.line == line_of(text, "type: nieuw_adress")
    assert problem.path == "stappen[2].type"
    assert (
        "onbekend staptype 'nieuw_adress'" in problem.message and "nieuw_adres" in problem.message
    )


def test_missing_key_and_typo_key():
    text = VOORBEELD.replace('gemeentecode: "9999"', 'gemeentecod: "9999"')
    messages = {(p.path, p.message) for p in problems_of(text)}
    assert ("gemeentecod", "onbekende sleutel (tikfout?)") in messages
    assert any(path == "" and "ontbreekt" in msg for path, msg in messages)


def test_condition_naming_a_later_or_unknown_step():
    text = VOORBEELD.replace(
        "{antwoord: woonsituatie, is: huur}\n    uitleg: In het centrum",
        "{antwoord: contact, is: huur}\n    uitleg: In het centrum",
    )
    text = text.replace(
        "        - {antwoord: woonsituatie, is: huur}\n        - {gebied: centrum}",
        "        - {antwoord: contact, is: huur}\n        - {gebied: centrum}",
    )
    [problem] = problems_of(text)
    assert "stap 'contact'" in problem.message and "niet eerder" in problem.message
    assert problem.path.startswith("stappen[7].als")  # the vergunning step
    assert problem.line == line_of(text, "{antwoord: contact, is: huur}")


def test_condition_with_impossible_value_and_unknown_area_and_fact():
    text = VOORBEELD.replace(
        "{antwoord: woonsituatie, is: huur}\n  - id: koopakte",
        "{antwoord: woonsituatie, is: huurr}\n  - id: koopakte",
    )
    text = text.replace("{gebied: centrum}\n    uitleg", "{gebied: centrumm}\n    uitleg")
    text = text.replace(
        "als: {gebied: centrum}\n    opties",
        "als: {feit: huishouden.honden, ten_minste: 1}\n    opties",
    )
    messages = [p.message for p in problems_of(text)]
    assert any("'huurr' is geen mogelijk antwoord" in m for m in messages)
    assert any("onbekend gebied 'centrumm'" in m for m in messages)
    assert any("het feit 'huishouden.honden'" in m for m in messages)


def test_bad_values_in_nested_models():
    text = VOORBEELD.replace("weken_vooruit: 4", "weken_vooruit: -1").replace(
        "te_laat: accepteren", "te_laat: misschien"
    )
    messages = {p.path: p.message for p in problems_of(text)}
    assert "minstens 0" in messages["datum.weken_vooruit"]
    assert "accepteren" in messages["datum.te_laat"]


def test_last_step_must_be_check_answers_and_ids_unique():
    text = VOORBEELD.replace(
        "  - id: contact\n    type: contactgegevens", "  - id: adres\n    type: contactgegevens"
    )
    text = text.replace("  - id: controleren\n    type: controleren\n", "")
    messages = [p.message for p in problems_of(text)]
    assert any("komt twee keer voor" in m for m in messages)
    assert any("laatste stap moet van type 'controleren'" in m for m in messages)


def test_yaml_syntax_error_has_line():
    text = VOORBEELD.replace("naam: Voorbeeldstad", "naam: [Voorbeeldstad")
    [problem] = problems_of(text)
    assert "geen geldige YAML" in problem.message and problem.line is not None


def test_load_dir_reports_every_file(tmp_path: Path):
    (tmp_path / "goed.yaml").write_text(VOORBEELD)
    (tmp_path / "fout.yaml").write_text(VOORBEELD.replace("type: verhuisdatum", "type: datum"))
    with pytest.raises(ConfigError) as info:
        load_dir(tmp_path)
    assert [p.file.endswith("fout.yaml") for p in info.value.problems] == [True]
    assert "fout.yaml:" in str(info.value)


def test_a_copy_of_voorbeeld_is_a_new_gemeente(tmp_path: Path):
    for path in CONFIG_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "nieuwegein.yaml").write_text(
        VOORBEELD.replace("naam: Voorbeeldstad", "naam: Nieuwegein")
    )
    assert load_dir(tmp_path)["nieuwegein"].naam == "Nieuwegein"


def test_json_schema_is_current_and_accepts_shipped_files():
    from webapp.config import schema

    rendered = schema.render(registry)
    assert (CONFIG_DIR / schema.SCHEMA_FILE).read_text(encoding="utf-8") == rendered, (
        "run: verhuizen schema"
    )
    document = schema.json_schema(registry)
    step_types = {
        ref["$ref"].rsplit("/", 1)[-1]
        for ref in document["properties"]["stappen"]["items"]["oneOf"]
    }
    assert len(step_types) == len(registry.names())
    jsonschema = pytest.importorskip("jsonschema")
    for path in CONFIG_DIR.glob("*.yaml"):
        # As an editor reads it (JSON data): a date such as geldig_vanaf is an ISO string.
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(data, document)


def test_window_takes_one_unit_per_side_with_its_line():
    text = VOORBEELD.replace("  weken_vooruit: 4", "  weken_vooruit: 4\n  maanden_vooruit: 3")
    [problem] = problems_of(text)
    assert problem.path == "datum"
    assert "weken_vooruit en maanden_vooruit" in problem.message
    assert problem.line == line_of(text, "datum:")
    assert problem.file == "test.yaml"


def test_refusal_text_for_a_late_date_needs_weigeren():
    text = VOORBEELD.replace(
        "  te_laat: accepteren", "  te_laat: accepteren\n  te_laat_weigeren_tekst: Bel ons."
    )
    [problem] = problems_of(text)
    assert "alleen bij te_laat: weigeren" in problem.message
    assert problem.line == line_of(text, "datum:")


def test_window_in_weeks_and_months_without_a_cap():
    text = VOORBEELD.replace("  dagen_terug: 5", "  maanden_terug: 2").replace(
        "  weken_vooruit: 4", "  dagen_vooruit: 400"
    )
    venster = load_text(text, "test", "test.yaml").datum
    assert (venster.terug.amount, venster.terug.unit) == (2, "maanden")
    assert (venster.vooruit.amount, venster.vooruit.unit) == (400, "dagen")
    [problem] = problems_of(text.replace("  dagen_vooruit: 400", "  dagen_vooruit: -1"))
    assert problem.path == "datum.dagen_vooruit" and "minstens 0" in problem.message


def test_old_window_keys_still_work_and_default_is_the_law():
    text = VOORBEELD.replace("  weken_vooruit: 4", "  dagen_vooruit: 28")
    venster = load_text(text, "test", "test.yaml").datum
    assert (venster.vooruit.amount, venster.vooruit.unit) == (28, "dagen")
    gone = VOORBEELD.replace("  dagen_terug: 5", "").replace("  weken_vooruit: 4", "")
    default = load_text(gone, "test", "test.yaml").datum
    assert (default.terug.amount, default.terug.unit) == (5, "dagen")
    assert (default.vooruit.amount, default.vooruit.unit) == (4, "weken")
