"""Which steps apply, which are complete, what comes next, and whether a step may be visited.

Pure: it knows the configuration, the stored answers and the step types' declared fields and
facts; it imports neither the web layer nor the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from webapp.conditions import Conditie, evaluate
from webapp.flow.facts import derive

Answers = Mapping[str, Mapping[str, Any]]


class StepLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def als(self) -> Conditie | None: ...


class StepTypeLike(Protocol):
    @property
    def default_field(self) -> str: ...

    def condition_values(self, cfg: Any, answer: Mapping[str, Any]) -> dict[str, Any]: ...
    def facts(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> dict[str, Any]: ...
    def is_relevant(self, cfg: Any, gemeente: Any, evaluate: Any) -> bool | None: ...
    def stop(self, cfg: Any, answer: Mapping[str, Any], gemeente: Any) -> Any: ...


class GemeenteLike(Protocol):
    @property
    def stappen(self) -> Sequence[Any]: ...


class TypeLookup(Protocol):
    def __getitem__(self, name: str) -> StepTypeLike: ...


@dataclass(frozen=True)
class StepState:
    step: Any
    applies: bool | None
    """True, False, or None when it depends on answers not given yet."""
    complete: bool
    number: int | None
    """1-based position among the applicable steps, when it applies."""


@dataclass(frozen=True)
class Stopped:
    step_id: str
    stop: Any


class Journey:
    """One resident's way through one gemeente's steps, given their answers so far."""

    def __init__(
        self,
        gemeente: GemeenteLike,
        answers: Answers,
        types: TypeLookup,
        base_facts: Mapping[str, Any] | None = None,
    ) -> None:
        self.gemeente = gemeente
        self.answers = answers
        self.types = types
        self.states: list[StepState] = []
        self.stopped: Stopped | None = None
        self._namespaces: dict[str, dict[str, Any]] = {}
        self._default_field: dict[str, str] = {
            s.id: types[s.type].default_field for s in gemeente.stappen
        }
        namespace: dict[str, Any] = dict(base_facts or {})
        number = 0
        settled = True  # every step so far is answered or does not apply
        for step in gemeente.stappen:
            self._namespaces[step.id] = dict(namespace)
            applies = self._applies(step, namespace)
            if applies is None and settled:
                # Everything before is answered, so what is still unknown never will be
                # (e.g. an address without a floor area): the condition does not hold.
                applies = False
            answer = answers.get(step.id)
            complete = bool(applies) and answer is not None
            if applies:
                number += 1
            settled = settled and (complete or applies is False)
            self.states.append(StepState(step, applies, complete, number if applies else None))
            if complete and answer is not None:
                step_type = types[step.type]
                for key, value in step_type.condition_values(step, answer).items():
                    namespace[f"{step.id}.{key}"] = value
                namespace.update(step_type.facts(step, answer, gemeente))
                namespace.update(derive(namespace))
                stop = step_type.stop(step, answer, gemeente)
                if stop is not None and self.stopped is None:
                    self.stopped = Stopped(step.id, stop)

    def _applies(self, step: StepLike, namespace: Mapping[str, Any]) -> bool | None:
        result: bool | None = True
        if step.als is not None:
            result = evaluate(step.als, namespace, self._default_field)
        if result is False:
            return False
        relevant = self.types[step.type].is_relevant(
            step, self.gemeente, lambda c: evaluate(c, namespace, self._default_field)
        )
        if relevant is False:
            return False
        if result is None or relevant is None:
            return None
        return True

    # -- questions the web layer asks --------------------------------------------------

    def state(self, step_id: str) -> StepState:
        for state in self.states:
            if state.step.id == step_id:
                return state
        raise KeyError(step_id)

    def applicable(self) -> list[Any]:
        """Steps that apply given the answers so far (unknown ones left out)."""
        return [s.step for s in self._up_to_stop() if s.applies]

    def _up_to_stop(self) -> list[StepState]:
        if self.stopped is None:
            return self.states
        index = next(i for i, s in enumerate(self.states) if s.step.id == self.stopped.step_id)
        return self.states[: index + 1]

    def next_step(self) -> Any | None:
        """The first applicable step without an answer; None when stopped."""
        if self.stopped is not None:
            return None
        for state in self.states:
            if state.applies and not state.complete:
                return state.step
        return self.states[-1].step

    def may_visit(self, step_id: str) -> bool:
        """A step may be shown when it applies and every applicable step before it is complete."""
        for state in self._up_to_stop():
            if state.step.id == step_id:
                return bool(state.applies)
            if state.applies and not state.complete:
                return False
            if state.applies is None:
                return False
        return False

    def previous(self, step_id: str) -> Any | None:
        before = None
        for state in self.states:
            if state.step.id == step_id:
                return before
            if state.applies:
                before = state.step
        return None

    def is_ready_to_submit(self) -> bool:
        """Every applicable step before the last (check answers) is complete, nothing unknown."""
        if self.stopped is not None:
            return False
        return all(s.complete or s.applies is False for s in self.states[:-1])

    def position(self, step_id: str) -> tuple[int, int | None]:
        """(n, N) for "Stap n van N"; N is None when later conditions are still open."""
        state = self.state(step_id)
        n = state.number or 0
        if any(s.applies is None for s in self.states):
            return n, None
        return n, sum(1 for s in self.states if s.applies)

    def namespace_before(self, step_id: str) -> dict[str, Any]:
        """What conditions on this step (and its documents) can see."""
        return self._namespaces[step_id]

    def evaluate_before(self, step_id: str, condition: Conditie | None) -> bool | None:
        if condition is None:
            return True
        return evaluate(condition, self._namespaces[step_id], self._default_field)

    def relevant_answers(self) -> dict[str, Mapping[str, Any]]:
        """Answers of the steps that apply; answers to steps that no longer apply are left out."""
        return {s.step.id: self.answers[s.step.id] for s in self.states if s.complete}
