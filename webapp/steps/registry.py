"""The registry of step types: a gemeente configuration may only name registered types."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from webapp.steps.base import StepType

T = TypeVar("T", bound=type[StepType[Any]])


class Registry:
    def __init__(self) -> None:
        self._types: dict[str, StepType[Any]] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(cls: T) -> T:
            if name in self._types:
                raise ValueError(f"step type {name!r} is already registered")
            cls.name = name
            self._types[name] = cls()
            return cls

        return decorator

    def __getitem__(self, name: str) -> StepType[Any]:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types))
            raise KeyError(f"onbekend staptype {name!r}; bekend zijn: {known}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[StepType[Any]]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return sorted(self._types)


registry = Registry()
"""The default registry, filled by importing :mod:`webapp.steps`."""
