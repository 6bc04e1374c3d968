"""Delivery targets by ``soort``: each with its options model and a factory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

from webapp.delivery.contract import DeliveryDeps, DeliveryOptions, DeliveryTarget

OptionsT = TypeVar("OptionsT", bound=DeliveryOptions)


@dataclass(frozen=True)
class _Entry(Generic[OptionsT]):
    options: type[OptionsT]
    factory: Callable[[OptionsT, DeliveryDeps], DeliveryTarget]


class DeliveryRegistry:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry[Any]] = {}

    def register(
        self,
        soort: str,
        options: type[OptionsT],
        factory: Callable[[OptionsT, DeliveryDeps], DeliveryTarget],
    ) -> None:
        """Add a target. Its options model must say ``soort: Literal[soort]``, so a gemeente's
        configuration can tell the targets apart by that key alone."""
        if soort in self._entries:
            raise ValueError(f"aflevering {soort!r} is al geregistreerd")
        annotation = options.model_fields["soort"].annotation
        if get_origin(annotation) is not Literal or get_args(annotation) != (soort,):
            raise TypeError(f"{options.__name__}.soort moet Literal[{soort!r}] zijn")
        self._entries[soort] = _Entry(options, factory)

    def soorten(self) -> list[str]:
        return sorted(self._entries)

    def _entry(self, soort: str) -> _Entry[Any]:
        try:
            return self._entries[soort]
        except KeyError:
            known = ", ".join(self.soorten()) or "geen"
            raise LookupError(f"onbekende aflevering {soort!r}; bekend zijn: {known}") from None

    def options_model(self, soort: str) -> type[DeliveryOptions]:
        """The options model of a target, to validate a configuration entry with (and to put in
        the JSON Schema)."""
        return self._entry(soort).options

    def parse_options(self, raw: Mapping[str, Any]) -> DeliveryOptions:
        """Validate one configuration entry: ``soort`` picks the model. Raises LookupError for
        an unknown soort, pydantic's ValidationError for wrong options."""
        return self.options_model(str(raw.get("soort", ""))).model_validate(raw)

    def target_for(self, options: DeliveryOptions, deps: DeliveryDeps) -> DeliveryTarget:
        entry = self._entry(options.soort)
        if not isinstance(options, entry.options):
            raise TypeError(f"aflevering {options.soort!r} verwacht {entry.options.__name__}")
        return entry.factory(options, deps)
