"""Scenario files: the shipped ones load; a mistake names file, line and key path (no browser)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.conftest import CONFIG_DIR, GEMEENTEN
from webapp.cli import main
from webapp.config.loader import ConfigError, Problem
from webapp.config.loader import load_dir as load_config_dir
from webapp.scenarios import dates, schema
from webapp.scenarios.loader import BUILTIN_FILES, load_beside, load_file, scenarios_dir
from webapp.steps import registry
from webapp.steps.base import FilePart

SCENARIOS = scenarios_dir(CONFIG_DIR)

VALID = """\
scenarios:
  - naam: Gewone verhuizing
    testpersoon: 999990007
    antwoorden:
      situatie: binnenland
      verhuisdatum: over 7 dagen
      adres: {postcode: 9992 EF, huisnummer: 22, toevoeging: 1}
      meeverhuizers: []
      woonsituatie: huur
      documenten: {huurcontract: test.pdf}
      contact: {email: test@example.org}
    verwacht:
      stappen: [situatie, verhuisdatum, adres, meeverhuizers, woonsituatie, documenten, contact, controleren]
      documenten: [huurcontract]
      uitkomst: verstuurd
"""


@pytest.fixture(scope="module")
def gemeenten():
    return load_config_dir(CONFIG_DIR)


def problems(tmp_path: Path, gemeenten, text: str, slug: str = "voorbeeld") -> list[Problem]:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_file(path, gemeenten, display=f"scenarios/{slug}.yaml")
    return caught.value.problems


def line_of(text: str, fragment: str) -> int:
    [index] = [i for i, line in enumerate(text.splitlines()) if fragment in line]
    return index + 1


def test_every_shipped_gemeente_has_scenarios_that_load():
    suites = load_beside(CONFIG_DIR)
    assert sorted(suites) == GEMEENTEN
    for suite in suites.values():
        assert suite.plans, suite.slug


@pytest.mark.parametrize("slug", GEMEENTEN)
def test_shipped_scenarios_cover_the_checks_every_gemeente_needs(slug):
    plans = load_beside(CONFIG_DIR)[slug].plans
    sent = [p for p in plans if p.verwacht.uitkomst == "verstuurd"]
    meldingen = [p.verwacht.melding for p in plans if p.verwacht.uitkomst == "gestopt"]
    assert sent, "a complete journey"
    for text in ("van tevoren", "Deze postcode bestaat niet", "gemeente Amsterdam"):
        assert any(text in (m or "") for m in meldingen), text
    abroad = [
        p
        for p in plans
        if "situatie" in p.answers and p.answers["situatie"].fields["waarde"] == "emigratie"
    ]
    assert abroad and abroad[0].verwacht.stappen == ["situatie"]


def test_domain_scenarios_are_shipped():
    suites = load_beside(CONFIG_DIR)
    rotterdam = {p.naam: p for p in suites["rotterdam"].plans}
    tarwewijk = rotterdam["Huurder in Tarwewijk vraagt vergunning aan"]
    assert tarwewijk.verwacht.vergunning_aangevraagd is True
    contract = tarwewijk.answers["documenten"].files["doc-huurcontract"]  # from bestanden/
    assert contract.data == (SCENARIOS / "bestanden" / "huurcontract-voorbeeld.pdf").read_bytes()
    assert contract.content_type == "application/pdf"
    assert rotterdam["Heeft al een huisvestingsvergunning"].answers["vergunning"].fields == {
        "keuze": "heb_al",
        "nummer": "HVV-2026-012345",
    }
    couple = rotterdam["Echtpaar koopt in Hillesluis"]
    assert couple.answers["meeverhuizers"].fields == {"personen": ("999990020",)}
    assert couple.answers["meeverhuizers"].description == "Marieke Visser"
    assert (
        "zelf door"
        in rotterdam["Ongetrouwde partner geeft de verhuizing zelf door"].verwacht.teksten
    )
    [family] = [p for p in suites["den-haag"].plans if p.testpersoon == "999990123"]
    assert len(family.answers["meeverhuizers"].fields["personen"]) == 4
    student, paper = [p for p in suites["utrecht"].plans if p.testpersoon == "999990172"]
    assert student.answers["kamer"].fields == {"waarde": "kamer"}  # given as its label "Een kamer"
    # The hoofdbewoner by name: the form value is their BSN, online consent.
    assert student.answers["hoofdbewoner"].fields == {"hoofdbewoner": "999990196"}
    assert student.verwacht.documenten == ["huurcontract"]
    assert paper.answers["hoofdbewoner"].fields == {"hoofdbewoner": "niet_ingeschreven"}
    assert paper.verwacht.documenten == ["toestemming_hoofdbewoner"]


def test_a_valid_file_resolves_answers(tmp_path, gemeenten):
    path = tmp_path / "voorbeeld.yaml"
    path.write_text(
        VALID.replace("situatie: binnenland", "situatie: Ik ga wonen op een adres in Voorbeeldstad")
    )
    [plan] = load_file(path, gemeenten).plans
    assert plan.testpersoon == "999990007"
    assert plan.answers["situatie"].fields == {"waarde": "binnenland"}
    pdf, media_type = BUILTIN_FILES["test.pdf"]
    assert plan.answers["documenten"].files == {
        "doc-huurcontract": FilePart("test.pdf", pdf, media_type)
    }
    assert plan.answers["adres"].fields["toevoeging"] == "1"
    assert plan.line == 2


@pytest.mark.parametrize(
    ("old", "new", "key_path", "fragment", "message"),
    [
        (
            "      woonsituatie: huur\n",
            "      woonsituatie: huur\n      woonsituatie2: huur\n",
            "scenarios[0].antwoorden.woonsituatie2",
            "woonsituatie2:",
            "onbekende stap 'woonsituatie2'",
        ),
        (
            "situatie: binnenland",
            "situatie: binneland",
            "scenarios[0].antwoorden.situatie",
            "situatie: binneland",
            "onbekende keuze 'binneland' voor stap 'situatie'; kies uit: binnenland, emigratie",
        ),
        (
            "woonsituatie: huur",
            "woonsituatie: kamer",
            "scenarios[0].antwoorden.woonsituatie",
            "woonsituatie: kamer",
            "onbekende keuze 'kamer'",
        ),
        (
            "{huurcontract: test.pdf}",
            "{huurcontrakt: test.pdf}",
            "scenarios[0].antwoorden.documenten.huurcontrakt",
            "huurcontrakt",
            "onbekend document 'huurcontrakt'; bekend zijn: huurcontract, koopakte",
        ),
        (
            "{huurcontract: test.pdf}",
            "{huurcontract: contract.pdf}",
            "scenarios[0].antwoorden.documenten.huurcontract",
            "contract.pdf",
            "bestand 'contract.pdf' niet gevonden",
        ),
        (
            "testpersoon: 999990007",
            "testpersoon: 999990008",
            "scenarios[0].testpersoon",
            "testpersoon:",
            "onbekende testpersoon 999990008",
        ),
        (
            "testpersoon: 999990007",
            "testpersoon: 999990354",  # emigrated: not offered on the test login
            "scenarios[0].testpersoon",
            "testpersoon:",
            "staat niet op de testlogin",
        ),
        (
            "verhuisdatum: over 7 dagen",
            "verhuisdatum: over een week",
            "scenarios[0].antwoorden.verhuisdatum",
            "verhuisdatum:",
            "geen datum: 'over een week'; schrijf 'vandaag', 'over 7 dagen'",
        ),
        (
            "huisnummer: 22",
            "huisnumer: 22",
            "scenarios[0].antwoorden.adres.huisnumer",
            "huisnumer",
            "onbekende sleutel (tikfout?)",
        ),
        (
            "meeverhuizers: []",
            "meeverhuizers: [Marieke Fisser]",
            "scenarios[0].antwoorden.meeverhuizers[0]",
            "meeverhuizers:",
            "onbekende persoon 'Marieke Fisser'",
        ),
        (
            "stappen: [situatie,",
            "stappen: [situatie, parkeren,",
            "scenarios[0].verwacht.stappen[1]",
            "stappen:",
            "de stap 'parkeren' wordt verwacht, maar heeft geen antwoord",
        ),
        (
            "stappen: [situatie,",
            "stappen: [situatie, parkeerstap,",
            "scenarios[0].verwacht.stappen[1]",
            "stappen:",
            "onbekende stap 'parkeerstap'",
        ),
        (
            "      documenten: [huurcontract]",
            "      documenten: [huurcontract, paspoort]",
            "scenarios[0].verwacht.documenten[1]",
            "documenten: [huurcontract, paspoort]",
            "onbekend document 'paspoort'",
        ),
        (
            "uitkomst: verstuurd",
            "uitkomst: gestopt",
            "scenarios[0].verwacht.uitkomst",
            "uitkomst:",
            "bij uitkomst gestopt hoort een melding",
        ),
        (
            "uitkomst: verstuurd",
            "uitkomst: verzonden",
            "scenarios[0].verwacht.uitkomst",
            "uitkomst:",
            "verwacht een van: 'verstuurd' or 'gestopt'",
        ),
        (
            "    verwacht:",
            "    verwachting:",
            "scenarios[0].verwachting",
            "verwachting:",
            "onbekende sleutel (tikfout?)",
        ),
    ],
)
def test_a_mistake_names_file_line_and_key_path(
    tmp_path, gemeenten, old, new, key_path, fragment, message
):
    assert old in VALID
    text = VALID.replace(old, new)
    found = problems(tmp_path, gemeenten, text)
    matching = [p for p in found if p.path == key_path]
    assert matching, [str(p) for p in found]
    problem = matching[0]
    assert message in problem.message
    assert problem.file == "scenarios/voorbeeld.yaml"
    assert problem.line == line_of(text, fragment)
    assert str(problem).startswith(f"scenarios/voorbeeld.yaml:{problem.line}: {key_path}: ")


def test_a_vergunning_choice_is_checked_per_gemeente(tmp_path, gemeenten):
    text = (
        (SCENARIOS / "rotterdam.yaml")
        .read_text()
        .replace("vergunning: aanvragen ", "vergunning: aanvraag ", 1)
    )
    shutil.copytree(SCENARIOS / "bestanden", tmp_path / "scenarios" / "bestanden")
    [problem] = problems(tmp_path, gemeenten, text, "rotterdam")
    assert problem.path == "scenarios[3].antwoorden.vergunning"  # Mathenesserweg to Carnisse
    assert (
        "onbekende keuze 'aanvraag'; verwacht 'aanvragen' of {heb_al: <nummer>}" in problem.message
    )
    assert problem.line == line_of(text, "vergunning: aanvraag ")


def test_a_scenario_file_needs_its_gemeente(tmp_path, gemeenten):
    [problem] = problems(tmp_path, gemeenten, VALID, "nergensdorp")
    assert "er is geen gemeente 'nergensdorp'" in problem.message


def test_invalid_yaml_names_the_line(tmp_path, gemeenten):
    [problem] = problems(
        tmp_path, gemeenten, VALID.replace("meeverhuizers: []", "meeverhuizers: [")
    )
    assert problem.line and "geen geldige YAML" in problem.message


def test_every_problem_is_reported_at_once(tmp_path, gemeenten):
    text = VALID.replace("situatie: binnenland", "situatie: binneland").replace(
        "testpersoon: 999990007", "testpersoon: 999990008"
    )
    assert len(problems(tmp_path, gemeenten, text)) == 2


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("vandaag", date(2026, 11, 27)),
        ("morgen", date(2026, 11, 28)),
        ("over 7 dagen", date(2026, 12, 4)),
        ("Over 1 dag", date(2026, 11, 28)),
        ("10 dagen geleden", date(2026, 11, 17)),
        ("over 6 weken", date(2027, 1, 8)),
        ("1 week geleden", date(2026, 11, 20)),
        ("2026-12-04", date(2026, 12, 4)),
        (date(2026, 12, 4), date(2026, 12, 4)),
    ],
)
def test_date_phrases(phrase, expected):
    assert dates.resolve(phrase, date(2026, 11, 27)) == expected


@pytest.mark.parametrize("phrase", ["over een week", "volgende week", "7 dagen", "2026-13-01", ""])
def test_unknown_date_phrases_say_what_is_understood(phrase):
    with pytest.raises(dates.DateError, match="over 7 dagen"):
        dates.resolve(phrase, date(2026, 11, 27))


def test_json_schema_is_current_and_accepts_shipped_files():
    rendered = schema.render()
    assert (SCENARIOS / schema.SCHEMA_FILE).read_text(encoding="utf-8") == rendered, (
        "run: python -m webapp.scenarios.schema"
    )
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads(rendered)
    for path in SCENARIOS.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), document)
        assert path.read_text().startswith(f"# yaml-language-server: $schema={schema.SCHEMA_FILE}")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"scenarios": [{"naam": "x", "testpersoon": 1}]}, document)


def test_every_step_type_is_answered_in_a_shipped_scenario():
    """Each type reads its own scenario answer (StepType.scenario_answer): every type is
    exercised by a shipped scenario, or answered by itself (check answers)."""
    answered = {
        suite.gemeente.step(step_id).type
        for suite in load_beside(CONFIG_DIR).values()
        for plan in suite.plans
        for step_id in plan.answers
    }
    implicit = {t.name for t in registry if t.checks_answers}
    assert set(registry.names()) - implicit <= answered


def test_check_scenarios_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path / "data"))
    assert main(["check-scenarios", str(SCENARIOS)]) == 0
    assert "rotterdam: in orde (13 scenario's)" in capsys.readouterr().out

    config = tmp_path / "gemeenten"
    (config / "scenarios").mkdir(parents=True)
    shutil.copy(CONFIG_DIR / "voorbeeld.yaml", config)
    bad = config / "scenarios" / "voorbeeld.yaml"
    bad.write_text(VALID.replace("situatie: binnenland", "situatie: binneland"))
    assert main(["check-scenarios", str(bad)]) == 1
    err = capsys.readouterr().err
    line = line_of(bad.read_text(), "situatie: binneland")
    assert f"voorbeeld.yaml:{line}: scenarios[0].antwoorden.situatie: onbekende keuze" in err
    assert "1 fout(en) gevonden" in err
