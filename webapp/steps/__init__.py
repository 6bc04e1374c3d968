"""Step types. Importing this package fills the default registry."""

from webapp.steps import (  # noqa: F401  (imported for their registration)
    contactgegevens,
    controleren,
    documenten,
    hoofdbewoner,
    huisvestingsvergunning,
    mededeling,
    meeverhuizers,
    nieuw_adres,
    verhuisdatum,
    vraag,
    woonsituatie,
)
from webapp.steps.registry import registry

__all__ = ["registry"]
