"""Step types. Importing this package fills the default registry."""

from webapp.steps.registry import registry

from webapp.steps import (  # noqa: E402,F401  (imported for their registration)
    contactgegevens,
    controleren,
    documenten,
    huisvestingsvergunning,
    meeverhuizers,
    nieuw_adres,
    verhuisdatum,
    vraag,
    woonsituatie,
)

__all__ = ["registry"]
