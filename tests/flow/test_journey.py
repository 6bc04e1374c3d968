"""The flow engine against a plain configuration and plain answer dicts (no web, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import TypeAdapter

from webapp.conditions import Conditie
from webapp.flow.journey import Journey

parse = TypeAdapter(Conditie).validate_python


@dataclass(frozen=True)
class Step:
    id: str
    type: str = "plain"
    als: Any = None


@dataclass
class Gemeente:
    stappen: list[Step]
    gebieden: dict[str, Any] = field(default_factory=dict)


class Plain:
    default_field = "waarde"

    def condition_values(self, cfg, answer):
        return {"waarde": answer.get("waarde")}

    def facts(self, cfg, answer, gemeente):
        return {}

    def is_relevant(self, cfg, gemeente, evaluate):
        return True

    def stop(self, cfg, answer, gemeente):
        return "stop" if answer.get("waarde") == "buitenland" else None


class Address(Plain):
    def facts(self, cfg, answer, gemeente):
        return {"adres.gebieden": answer["gebieden"], "adres.oppervlakte": answer.get("m2")}


class Household(Plain):
    def facts(self, cfg, answer, gemeente):
        return {"huishouden.personen": answer["personen"]}


class Documents(Plain):
    """Relevant only when one of its conditions holds, like the documenten step type."""

    def is_relevant(self, cfg, gemeente, evaluate):
        return evaluate(parse({"antwoord": "woon", "in": ["huur", "koop"]}))


TYPES = {
    "plain": Plain(),
    "address": Address(),
    "household": Household(),
    "documents": Documents(),
    "check": Plain(),
}


def rotterdam_like() -> Gemeente:
    return Gemeente(
        [
            Step("situatie"),
            Step("adres", "address"),
            Step("mee", "household"),
            Step("woon"),
            Step(
                "vergunning",
                als=parse({"alle": [{"antwoord": "woon", "is": "huur"}, {"gebied": "hvv"}]}),
            ),
            Step("docs", "documents"),
            Step("groot", als=parse({"feit": "adres.m2_per_persoon", "kleiner_dan": 12})),
            Step("controleren", "check"),
        ]
    )


def journey(answers: dict[str, Any]) -> Journey:
    return Journey(rotterdam_like(), answers, TYPES)


def ids(steps) -> list[str]:
    return [s.id for s in steps]


def test_first_step_of_an_empty_draft():
    j = journey({})
    assert j.next_step().id == "situatie"
    assert j.may_visit("situatie")
    assert not j.may_visit("adres")
    assert not j.may_visit("controleren")


def test_no_skipping_ahead():
    j = journey({"situatie": {"waarde": "nl"}})
    assert j.next_step().id == "adres"
    assert j.may_visit("situatie")  # going back is fine
    assert j.may_visit("adres")
    assert not j.may_visit("woon")


def test_permit_step_applies_only_for_rent_in_area():
    base = {"situatie": {"waarde": "nl"}, "mee": {"personen": 1}}
    in_area = {**base, "adres": {"gebieden": ["hvv"]}}
    outside = {**base, "adres": {"gebieden": []}}
    assert journey({**in_area, "woon": {"waarde": "huur"}}).next_step().id == "vergunning"
    assert journey({**in_area, "woon": {"waarde": "koop"}}).next_step().id == "docs"
    assert journey({**outside, "woon": {"waarde": "huur"}}).next_step().id == "docs"


def test_step_relevance_hook_skips_steps_with_nothing_to_ask():
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": []},
        "mee": {"personen": 1},
        "woon": {"waarde": "inwonen"},
    }
    j = journey(answers)
    assert j.state("docs").applies is False
    assert j.next_step().id == "controleren"
    assert j.is_ready_to_submit()


def test_derived_fact_floor_area_per_person():
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": [], "m2": 30},
        "mee": {"personen": 3},
        "woon": {"waarde": "koop"},
        "docs": {},
    }
    assert journey(answers).next_step().id == "groot"  # 10 m2 per person
    answers["adres"]["m2"] = 60
    assert journey(answers).next_step().id == "controleren"


def test_answers_to_steps_that_no_longer_apply_are_left_out():
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": ["hvv"]},
        "mee": {"personen": 1},
        "woon": {"waarde": "huur"},
        "vergunning": {"waarde": "aanvragen"},
        "docs": {},
    }
    assert "vergunning" in journey(answers).relevant_answers()
    answers["woon"] = {"waarde": "koop"}
    j = journey(answers)
    assert "vergunning" not in j.relevant_answers()
    assert not j.may_visit("vergunning")
    assert j.is_ready_to_submit()


def test_changing_an_early_answer_sends_the_resident_to_the_new_step():
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": []},
        "mee": {"personen": 1},
        "woon": {"waarde": "huur"},
        "docs": {},
    }
    assert journey(answers).is_ready_to_submit()
    answers["adres"] = {"gebieden": ["hvv"]}
    j = journey(answers)
    assert not j.is_ready_to_submit()
    assert j.next_step().id == "vergunning"


def test_position_is_only_total_when_known():
    j = journey({})
    n, total = j.position("situatie")
    assert n == 1
    assert total is None  # later steps depend on answers not given yet
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": [], "m2": 60},
        "mee": {"personen": 1},
        "woon": {"waarde": "koop"},
    }
    j = journey(answers)
    assert j.position("woon") == (4, 6)  # situatie, adres, mee, woon, docs, controleren
    assert j.position("controleren") == (6, 6)


def test_previous_step_skips_steps_that_do_not_apply():
    answers = {
        "situatie": {"waarde": "nl"},
        "adres": {"gebieden": []},
        "mee": {"personen": 1},
        "woon": {"waarde": "koop"},
    }
    assert journey(answers).previous("docs").id == "woon"
    assert journey(answers).previous("situatie") is None


def test_a_stop_answer_ends_the_journey():
    j = journey({"situatie": {"waarde": "buitenland"}})
    assert j.stopped is not None and j.stopped.step_id == "situatie"
    assert j.next_step() is None
    assert j.may_visit("situatie")  # to change the answer
    assert not j.may_visit("adres")
    assert not j.is_ready_to_submit()


@pytest.mark.parametrize("step_id", ["situatie", "adres", "controleren"])
def test_unknown_step_raises(step_id):
    with pytest.raises(KeyError):
        journey({}).state(step_id + "x")
