"""The message catalogue: messages.pot is current, and resident texts really go through it."""

from __future__ import annotations

import ast
import contextvars
import difflib
import re
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from webapp import i18n
from webapp.config.models import Datumvenster
from webapp.i18n import POT_FILE, extract_catalog, set_locale, use_translations
from webapp.steps import registry
from webapp.steps.base import FormInput
from webapp.steps.verhuisdatum import long_date
from webapp.steps.woonsituatie import WoonsituatieConfig
from webapp.validators import (
    ValidationError,
    normalise_email,
    normalise_postcode,
    parse_date_parts,
    parse_huisnummer,
)

EXTRACT_COMMAND = "python -m webapp.i18n extract"


@pytest.fixture(scope="module")
def fresh() -> bytes:
    return extract_catalog()


@pytest.fixture(scope="module")
def msgids(fresh: bytes) -> set[str]:
    return {m.id for m in read_po(BytesIO(fresh)) if m.id}


def test_committed_catalogue_is_current(fresh: bytes) -> None:
    committed = POT_FILE.read_bytes() if POT_FILE.exists() else b""
    if committed != fresh:
        diff = difflib.unified_diff(
            committed.decode().splitlines(),
            fresh.decode().splitlines(),
            "committed messages.pot",
            "fresh extraction",
            lineterm="",
        )
        pytest.fail(
            f"{POT_FILE.name} is out of date; run: {EXTRACT_COMMAND}\n" + "\n".join(list(diff)[:60])
        )


def test_extraction_is_deterministic(fresh: bytes) -> None:
    assert extract_catalog() == fresh
    assert b"POT-Creation-Date" not in fresh and b"#: " not in fresh  # no dates, no locations


def test_catalogue_holds_templates_python_placeholders_and_config_defaults(
    fresh: bytes, msgids: set[str]
) -> None:
    assert "Volgende stap" in msgids  # a template
    assert "Kies hoe u op het nieuwe adres gaat wonen." in msgids  # Python, _()
    assert "Stap %(n)s van %(total)s" in msgids  # a template with placeholders
    placeholder = next(
        m for m in read_po(BytesIO(fresh)) if m.id == "Kies een bestand voor: %(titel)s."
    )
    assert "python-format" in placeholder.flags
    assert "Ik ga huren" in msgids  # a config default, N_()
    assert Datumvenster().te_laat_tekst in msgids


def test_every_default_text_of_a_step_config_is_in_the_catalogue(msgids: set[str]) -> None:
    defaults = [
        (step_type.name, name, info.default)
        for step_type in registry
        for name, info in step_type.Config.model_fields.items()
        if isinstance(info.default, str)
    ]
    assert len(defaults) >= 12
    for vorm in WoonsituatieConfig(id="w", type="woonsituatie").vormen:
        defaults += [("woonsituatie", "vormen.label", vorm.label)]
        if vorm.hint:
            defaults += [("woonsituatie", "vormen.hint", vorm.hint)]
    missing = [(step, field) for step, field, text in defaults if text not in msgids]
    assert not missing, f"mark these defaults with N_(): {missing}"


def test_no_f_string_or_expression_is_marked_for_extraction() -> None:
    """_() may translate a variable (a marked default), but never an f-string; N_() only marks
    literals, or the text would be missing from the catalogue."""
    problems = []
    root = Path(i18n.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("_", "N_") or not node.args:
                continue
            arg = node.args[0]
            is_literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if isinstance(arg, ast.JoinedStr) or (node.func.id == "N_" and not is_literal):
                problems.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert not problems


# -- a pseudo-locale: every translated text comes back as [[...]] ---------------------------


def _compiled(catalog: Catalog) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@pytest.fixture(scope="module")
def pseudo(fresh: bytes) -> Translations:
    catalog = Catalog(locale="nl")
    for message in read_po(BytesIO(fresh)):
        if isinstance(message.id, tuple):  # a plural (ngettext): mark each form
            catalog.add(message.id, tuple(f"[[{form}]]" for form in message.id))
        elif message.id:
            catalog.add(message.id, f"[[{message.id}]]")
    return _compiled(catalog)


@pytest.fixture
def pseudo_locale(pseudo: Translations) -> Iterator[None]:
    with use_translations(pseudo):
        yield


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.message


@pytest.mark.usefixtures("pseudo_locale")
def test_validator_messages_go_through_the_catalogue() -> None:
    with pytest.raises(ValidationError) as exc:
        normalise_postcode("")
    assert _message(exc) == "[[Vul de postcode in.]]"
    with pytest.raises(ValidationError) as exc:
        parse_huisnummer("100000")
    assert _message(exc) == "[[Een huisnummer is hooguit 99999. Controleer het nummer.]]"
    with pytest.raises(ValidationError) as exc:
        parse_date_parts("", "3", "")
    assert _message(exc) == "[[De datum moet ook een dag en een jaar hebben.]]"
    with pytest.raises(ValidationError) as exc:
        parse_date_parts("40", "3", "2026")
    assert _message(exc) == "[[De dag moet een getal van 1 tot en met 31 zijn.]]"
    with pytest.raises(ValidationError) as exc:
        normalise_email("geen-adres")
    assert _message(exc) == "[[Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.]]"


@pytest.mark.usefixtures("pseudo_locale")
def test_step_texts_go_through_the_catalogue() -> None:
    woonsituatie = registry["woonsituatie"]
    cfg = WoonsituatieConfig(id="woon", type="woonsituatie")
    outcome = woonsituatie.parse(cfg, FormInput({"woonvorm": ""}), None)
    assert [e.message for e in outcome.errors] == ["[[Kies hoe u op het nieuwe adres gaat wonen.]]"]
    # Config defaults are marked at load time and translated where they are shown.
    assert cfg.titel == "Hoe gaat u op het nieuwe adres wonen?"
    assert woonsituatie.question(cfg, None) == "[[Hoe gaat u op het nieuwe adres wonen?]]"
    shown = woonsituatie.view(cfg, None, None)["opties"]
    # A default read into a gemeente text (webapp.tekst) translates itself when shown.
    assert str(shown[0].label) == "[[Ik ga huren]]"
    assert cfg.vormen[0].label == "Ik ga huren"

    vraag = registry["vraag"]
    cfg_vraag = vraag.Config(id="v", type="vraag", titel="Naam", invoer="tekst", max_lengte=3)
    outcome = vraag.parse(cfg_vraag, FormInput({"waarde": "abcd"}), None)
    assert [e.message for e in outcome.errors] == ["[[Gebruik ten hoogste 3 tekens.]]"]


def test_outside_the_context_the_texts_are_dutch_again(pseudo: Translations) -> None:
    with use_translations(pseudo), pytest.raises(ValidationError):
        normalise_postcode("")
    with pytest.raises(ValidationError) as exc:
        normalise_postcode("")
    assert _message(exc) == "Vul de postcode in."


def test_a_second_language_needs_only_a_catalogue_and_the_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = Catalog(locale="en")
    catalog.add("Vul de postcode in.", "Enter the postcode.")
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()

    def in_english() -> tuple[str, str]:
        set_locale("en")
        with pytest.raises(ValidationError) as exc:
            normalise_postcode("")
        return _message(exc), long_date(date(2026, 3, 5))

    try:
        # A copied context, as each request gets: the locale does not leak out of it.
        assert contextvars.copy_context().run(in_english) == (
            "Enter the postcode.",
            "5 March 2026",  # dates as in the UK and Europe
        )
        assert i18n.get_locale() == "nl"
        assert long_date(date(2026, 3, 5)) == "5 maart 2026"
    finally:
        i18n.translations.cache_clear()


# -- the English catalogue ---------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
UPDATE_COMMAND = "python -m webapp.i18n update"


def _english() -> Catalog:
    with i18n.po_file("en").open("rb") as handle:
        return read_po(handle, locale="en")


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_every_text_of_the_template_has_an_english_translation(msgids: set[Any]) -> None:
    english = {m.id: m for m in _english() if m.id}  # a plural's id is (singular, plural)
    missing = sorted(map(str, msgids - set(english)))
    assert not missing, f"not in the English catalogue (run {UPDATE_COMMAND}): {missing[:10]}"
    extra = sorted(map(str, set(english) - msgids))
    assert not extra, f"in the English catalogue but no longer used: {extra[:10]}"
    untranslated = sorted(
        str(key) for key, m in english.items() if not all(s.strip() for s in _forms(m.string))
    )
    assert not untranslated, f"English msgstr empty: {untranslated[:10]}"
    fuzzy = sorted(str(key) for key, m in english.items() if m.fuzzy)
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy[:10]}"


def test_english_translations_keep_the_placeholders() -> None:
    wrong = []
    for message in _english():
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall("".join(_forms(message.id))))
        for form in _forms(message.string):
            if set(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((message.id, form))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong[:5]}"


def test_the_english_catalogue_is_as_update_writes_it() -> None:
    assert i18n.po_file("en").read_bytes() == i18n.update_catalog("en"), (
        f"messages.po is not normalised; run {UPDATE_COMMAND}"
    )


def test_the_placeholder_check_catches_a_changed_name() -> None:
    catalog = Catalog(locale="en")
    catalog.add("Stap %(n)s van %(total)s", "Step %(n)s of %(totaal)s")
    [message] = [m for m in catalog if m.id]
    assert set(PLACEHOLDER.findall(message.string)) != set(PLACEHOLDER.findall(message.id))


def test_the_shipped_english_catalogue_is_used_for_english() -> None:
    def in_english() -> tuple[str, str]:
        set_locale("en")
        return i18n.gettext("Volgende stap"), long_date(date(2026, 3, 5))

    assert contextvars.copy_context().run(in_english) == ("Next step", "5 March 2026")
    assert i18n.gettext("Volgende stap") == "Volgende stap"
