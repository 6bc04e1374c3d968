"""Delivery targets by ``soort``: each with its options model and a factory."""

from __future__ import annotations

from webapp.delivery.contract import DeliveryDeps, DeliveryOptions, DeliveryTarget
from webapp.options import OptionsRegistry


class DeliveryRegistry(OptionsRegistry[DeliveryDeps, DeliveryTarget]):
    def __init__(self) -> None:
        super().__init__("aflevering")

    def target_for(self, options: DeliveryOptions, deps: DeliveryDeps) -> DeliveryTarget:
        return self.build(options, deps)

    def hears_consent(self, soort: str) -> bool:
        """Whether targets of this kind take the hoofdbewoner's consent (``deliver_consent``),
        known without building one: the factory is a classmethod of the target's class."""
        owner = getattr(self._kind(soort).factory, "__self__", None)
        return callable(getattr(owner, "deliver_consent", None))
