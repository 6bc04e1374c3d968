"""Facts that combine the answers of several steps, e.g. floor area per person after the move."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

# fact name -> the facts it needs
DERIVED: dict[str, tuple[str, ...]] = {
    "adres.m2_per_persoon": ("adres.oppervlakte", "huishouden.personen"),
    "adres.bewoners_na_verhuizing": ("adres.bewoners", "huishouden.personen"),
}


def derive(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Derived facts whose inputs are known; people already registered at the address count too."""
    derived: dict[str, Any] = {}
    area = namespace.get("adres.oppervlakte")
    people = namespace.get("huishouden.personen")
    if people:
        # Those registered there now plus everyone moving in: e.g. "a flat over 80 m2 needs at
        # least 3 residents".
        derived["adres.bewoners_na_verhuizing"] = int(namespace.get("adres.bewoners", 0)) + people
    if area and people:
        derived["adres.m2_per_persoon"] = round(
            area / (people + int(namespace.get("adres.bewoners", 0))), 1
        )
    return derived


def derivable(known: Set[str]) -> set[str]:
    return {name for name, needs in DERIVED.items() if all(n in known for n in needs)}
