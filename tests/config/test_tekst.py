"""A gemeente text in Dutch or as {nl, en}: read with file and line, shown in the resident's
language with lang="nl" where English is missing, Dutch wherever it is stored or sent."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pytest
from jinja2 import Environment
from markupsafe import Markup

from tests.config.test_loader import VOORBEELD, line_of, problems_of
from tests.conftest import CONFIG_DIR
from webapp.cli import main
from webapp.config.loader import load_dir, load_file, load_text, translation_warnings
from webapp.i18n import _, use_locale
from webapp.tekst import Tekst, lokaal, tonen
from webapp.web.rendering import make_environment


def key_line(text: str, start: str) -> int:
    """The line that begins with ``start`` (not a comment that shows an example)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


HULP = "hulp:\n  nl: Hulp nodig? Bel 14 0999.\n  en: Need help? Call 14 0999.\n"


def test_the_example_documents_both_forms() -> None:
    assert HULP in VOORBEELD
    assert "TALEN." in VOORBEELD and '{nl: Ja, en: "Yes"}' in VOORBEELD


def test_a_mapping_gives_dutch_and_english_and_plain_text_is_dutch() -> None:
    gemeente = load_text(VOORBEELD, "voorbeeld", "voorbeeld.yaml")
    assert isinstance(gemeente.hulp, Tekst)
    assert gemeente.hulp == "Hulp nodig? Bel 14 0999." and gemeente.hulp.nl == gemeente.hulp
    assert gemeente.hulp.vertalingen == {"en": "Need help? Call 14 0999."}
    plain = load_text(
        VOORBEELD.replace(HULP, "hulp: Bel ons.\n"), "voorbeeld", "voorbeeld.yaml"
    ).hulp
    assert isinstance(plain, Tekst) and plain.vertalingen == {}


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ("hulp:\n  en: Need help?\n", "de Nederlandse tekst (nl) ontbreekt"),
        ("hulp:\n  nl: Hulp?\n  de: Hilfe?\n", "onbekende taal 'de'"),
        ("hulp:\n  nl: Hulp?\n  en: ''\n", "de vertaling (en) is leeg"),
        ("hulp:\n  nl: [Hulp]\n", "verwacht tekst"),
        ("hulp: 12\n", "verwacht tekst"),
    ],
)
def test_a_wrong_text_names_file_line_and_key(replacement: str, message: str) -> None:
    text = VOORBEELD.replace(HULP, replacement)
    [problem] = problems_of(text)
    assert problem.file == "test.yaml" and problem.path == "hulp"
    assert problem.line == key_line(text, "hulp:")
    assert message in problem.message


def test_a_text_in_a_step_option_is_checked_where_it_stands() -> None:
    text = VOORBEELD.replace('label: {nl: Ja, en: "Yes"}}', 'label: {en: "Yes"}}')
    [problem] = problems_of(text)
    assert problem.path.endswith(".label") and problem.path.startswith("stappen[")
    assert problem.line == line_of(text, '{en: "Yes"}')


def test_length_limits_apply_to_the_dutch_text_in_plain_words() -> None:
    long = "x" * 121
    text = VOORBEELD.replace(
        "naam: Voorbeeldstad\n", f"naam: Voorbeeldstad\nbevestiging:\n  onderwerp: {long}\n"
    )
    [problem] = problems_of(text)
    assert problem.path == "bevestiging.onderwerp"
    assert problem.message == "deze tekst is te lang (hoogstens 120 tekens)"


def test_the_shipped_configurations_have_english_for_every_resident_text() -> None:
    for path in sorted(CONFIG_DIR.glob("*.yaml")):
        assert translation_warnings(path, load_file(path)) == [], path.name


def test_a_text_without_english_is_a_warning_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "voorbeeld.yaml"
    text = VOORBEELD.replace(HULP, "hulp: Bel ons.\n").replace(
        'label: {nl: Ja, en: "Yes"}}', "label: Ja}"
    )
    path.write_text(text, encoding="utf-8")
    warnings = translation_warnings(path, load_file(path), display="voorbeeld.yaml")
    assert [(w.line, w.path) for w in warnings] == [
        (line_of(text, "hulp: Bel ons."), "hulp"),
        (line_of(text, "{waarde: ja, label: Ja}"), warnings[1].path),
    ]
    assert warnings[1].path.startswith("stappen[") and warnings[1].path.endswith(".label")
    assert str(warnings[0]) == (
        f"voorbeeld.yaml:{warnings[0].line}: hulp: geen vertaling in het Engels (en)"
    )


def test_a_product_default_written_in_dutch_needs_no_english(tmp_path: Path) -> None:
    # Utrecht writes the default "Ik ga huren" itself: the catalogue translates it.
    utrecht = load_file(CONFIG_DIR / "utrecht.yaml")
    [label] = [v.label for v in utrecht.step("woonsituatie").vormen if v.waarde == "huur"]
    assert label.vertalingen == {}
    with use_locale("en"):
        assert lokaal(label) == "I am going to rent"


def test_check_config_reports_warnings_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path))
    path = tmp_path / "voorbeeld.yaml"
    path.write_text(VOORBEELD.replace(HULP, "hulp: Bel ons.\n"), encoding="utf-8")
    assert main(["check-config", str(path)]) == 0
    captured = capsys.readouterr()
    assert "voorbeeld: in orde" in captured.out and "1 waarschuwing(en)" in captured.out
    line = line_of(path.read_text(encoding="utf-8"), "hulp: Bel ons.")
    assert f"waarschuwing: {path}:{line}: hulp: geen vertaling in het Engels (en)" in (captured.err)


def test_the_shipped_folder_gives_no_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERHUIZEN_DATA_DIR", str(tmp_path))
    assert main(["check-config", str(CONFIG_DIR)]) == 0
    assert "waarschuwing" not in capsys.readouterr().err


# -- the text itself ---------------------------------------------------------------------------


def test_shown_in_the_current_language_stored_in_dutch() -> None:
    both = Tekst("Hulp nodig?", {"en": "Need help?"})
    dutch_only = Tekst("Bel ons.")
    with use_locale("en"):
        assert (str(both), f"{both}", "%s" % both) == ("Need help?",) * 3  # noqa: UP031
        assert lokaal(both) == "Need help?" and lokaal(dutch_only) == "Bel ons."
        assert both.__html__() == "Need help?"
        assert dutch_only.__html__() == '<span lang="nl">Bel ons.</span>'
        assert _(both) is both  # the catalogue passes it on: it translates itself
        # The value is Dutch: what is stored, joined or compared.
        assert json.dumps([both]) == '["Hulp nodig?"]'
        assert both == "Hulp nodig?" and " ".join([both, dutch_only]) == "Hulp nodig? Bel ons."
    assert str(both) == "Hulp nodig?" and both.__html__() == "Hulp nodig?"
    assert dutch_only.__html__() == "Bel ons."  # no mark needed on a Dutch page


def test_html_is_escaped_in_either_language() -> None:
    risky = Tekst("<b>A & B</b>", {"en": "<i>C</i>"})
    with use_locale("en"):
        assert risky.__html__() == "&lt;i&gt;C&lt;/i&gt;"
        assert Tekst("<x>").__html__() == '<span lang="nl">&lt;x&gt;</span>'
    assert risky.__html__() == "&lt;b&gt;A &amp; B&lt;/b&gt;"


def test_templates_mark_and_strip_as_asked() -> None:
    env: Environment = make_environment()
    template = env.from_string("<title>{{ t|tekst }}</title><p>{{ t }}</p><p>{{ d|toon }}</p>")
    text = Tekst("Bel ons.")
    with use_locale("en"):
        page = template.render(t=text, d="Volgende stap")
    assert page == '<title>Bel ons.</title><p><span lang="nl">Bel ons.</span></p><p>Next step</p>'
    assert isinstance(tonen(text), Markup)


def test_equality_copy_and_pickle_keep_the_translation() -> None:
    text = Tekst("Ja", {"en": "Yes"})
    assert text != Tekst("Ja", {"en": "Yeah"}) and text == Tekst("Ja", {"en": "Yes"})
    assert hash(text) == hash("Ja")
    for again in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert again == text and again.vertalingen == {"en": "Yes"}


def test_a_configuration_dumps_and_reads_back_the_same() -> None:
    gemeente = load_dir(CONFIG_DIR)["rotterdam"]
    dumped = gemeente.model_dump(mode="json")
    assert dumped["hulp"] == {"nl": gemeente.hulp.nl, "en": gemeente.hulp.vertalingen["en"]}
    assert type(gemeente).model_validate(dumped).hulp == gemeente.hulp


def test_condition_values_are_never_translated() -> None:
    rotterdam = load_dir(CONFIG_DIR)["rotterdam"]
    situatie = rotterdam.step("situatie")
    with use_locale("en"):
        assert [o.waarde for o in situatie.opties] == ["binnenland", "emigratie", "immigratie"]
        assert not any(isinstance(o.waarde, Tekst) for o in situatie.opties)
