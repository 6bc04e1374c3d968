from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from webapp.conditions import Conditie, evaluate

parse = TypeAdapter(Conditie).validate_python
DEFAULTS = {"woonsituatie": "woonvorm", "huurprijs": "waarde"}


@pytest.mark.parametrize(
    ("condition", "namespace", "expected"),
    [
        ({"antwoord": "woonsituatie", "is": "huur"}, {"woonsituatie.woonvorm": "huur"}, True),
        ({"antwoord": "woonsituatie", "is": "huur"}, {"woonsituatie.woonvorm": "HUUR"}, True),
        ({"antwoord": "woonsituatie", "is": "huur"}, {"woonsituatie.woonvorm": "koop"}, False),
        ({"antwoord": "woonsituatie", "is": "huur"}, {}, None),
        ({"antwoord": "woonsituatie", "is_niet": "huur"}, {"woonsituatie.woonvorm": "koop"}, True),
        (
            {"antwoord": "woonsituatie", "in": ["huur", "inwonen"]},
            {"woonsituatie.woonvorm": "inwonen"},
            True,
        ),
        ({"antwoord": "huurprijs", "ten_hoogste": 1184.82}, {"huurprijs.waarde": 1184.82}, True),
        ({"antwoord": "huurprijs", "ten_hoogste": 1184.82}, {"huurprijs.waarde": 1184.83}, False),
        ({"antwoord": "huurprijs", "kleiner_dan": 900}, {"huurprijs.waarde": 899}, True),
        ({"antwoord": "huurprijs", "groter_dan": 900}, {"huurprijs.waarde": 900}, False),
        ({"antwoord": "huurprijs", "ten_minste": 900}, {"huurprijs.waarde": 900}, True),
        ({"antwoord": "huurprijs", "ten_minste": 900}, {"huurprijs.waarde": "geen getal"}, False),
        (
            {"antwoord": "extra.keuzes", "bevat": "afval"},
            {"extra.keuzes": ["parkeren", "afval"]},
            True,
        ),
        ({"antwoord": "extra.keuzes", "bevat": "hond"}, {"extra.keuzes": ["parkeren"]}, False),
        ({"antwoord": "contact.email", "ingevuld": True}, {"contact.email": None}, False),
        ({"antwoord": "contact.email", "ingevuld": False}, {"contact.email": ""}, True),
        ({"feit": "huishouden.personen", "ten_minste": 3}, {"huishouden.personen": 4}, True),
        ({"feit": "huishouden.personen", "ten_minste": 3}, {}, None),
        ({"gebied": "hvv"}, {"adres.gebieden": ["hvv"]}, True),
        ({"gebied": "hvv"}, {"adres.gebieden": []}, False),
        ({"gebied": "hvv"}, {}, None),
    ],
)
def test_leaf_conditions(condition, namespace, expected):
    assert evaluate(parse(condition), namespace, DEFAULTS) is expected


def test_and_or_not_use_three_valued_logic():
    huur = {"antwoord": "woonsituatie", "is": "huur"}
    hvv = {"gebied": "hvv"}
    both = parse({"alle": [huur, hvv]})
    either = parse({"een_van": [huur, hvv]})
    assert evaluate(both, {"woonsituatie.woonvorm": "koop"}, DEFAULTS) is False  # known false wins
    assert evaluate(both, {"woonsituatie.woonvorm": "huur"}, DEFAULTS) is None
    assert evaluate(either, {"woonsituatie.woonvorm": "huur"}, DEFAULTS) is True
    assert evaluate(either, {"woonsituatie.woonvorm": "koop"}, DEFAULTS) is None
    assert evaluate(parse({"niet": hvv}), {"adres.gebieden": ["hvv"]}, DEFAULTS) is False
    assert evaluate(parse({"niet": hvv}), {}, DEFAULTS) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"antwoord": "woonsituatie"},  # no operator
        {"antwoord": "woonsituatie", "is": "huur", "is_niet": "koop"},  # two operators
        {"antwoord": "Woon Situatie", "is": "huur"},  # not a step reference
        {"alle": []},
        {"onbekend": 1},
        {"gebied": "hvv", "extra": 1},
        "__import__('os').system('true')",  # a string is never evaluated
    ],
)
def test_invalid_conditions_are_rejected(bad):
    with pytest.raises(ValidationError):
        parse(bad)
