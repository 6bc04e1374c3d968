"""Delivery of submitted reports to the back office, behind one contract (:mod:`.contract`).

Built in: ``opslag`` (the report stays in our database: today's behaviour). A real target
(vrijBRP relocation API, ZGW Zaken, e-mail) subclasses :class:`DeliveryOptions` for its options,
implements :class:`DeliveryTarget` and registers both with ``targets.register``.
"""

from webapp.delivery.bevestiging import Bevestiging, BevestigingOptions
from webapp.delivery.contract import (
    DeliveryConfigError,
    DeliveryDeps,
    DeliveryOptions,
    DeliveryResult,
    DeliveryStatus,
    DeliveryTarget,
    Health,
    Melding,
    secret,
)
from webapp.delivery.email import Email, EmailOptions
from webapp.delivery.map import Map, MapOptions
from webapp.delivery.opslag import Opslag, OpslagOptions, melding_uit_opslag
from webapp.delivery.registry import DeliveryRegistry
from webapp.delivery.verzoek import Verzoek, VerzoekOptions
from webapp.delivery.vrijbrp import VrijBrp, VrijBrpOptions
from webapp.delivery.zgw import Zgw, ZgwOptions
from webapp.options import ENV_NAME, EnvVarName

targets = DeliveryRegistry()
"""The default registry, with ``opslag``."""
targets.register(Opslag.soort, OpslagOptions, Opslag.from_options)
targets.register(Email.soort, EmailOptions, Email.from_options)
targets.register(Bevestiging.soort, BevestigingOptions, Bevestiging.from_options)
targets.register(Zgw.soort, ZgwOptions, Zgw.with_receipt)
targets.register(Map.soort, MapOptions, Map.from_options)
targets.register(VrijBrp.soort, VrijBrpOptions, VrijBrp.from_options)
targets.register(Verzoek.soort, VerzoekOptions, Verzoek.from_options)

__all__ = [
    "ENV_NAME",
    "DeliveryConfigError",
    "DeliveryDeps",
    "DeliveryOptions",
    "DeliveryRegistry",
    "DeliveryResult",
    "DeliveryStatus",
    "DeliveryTarget",
    "EnvVarName",
    "Health",
    "Melding",
    "Opslag",
    "OpslagOptions",
    "melding_uit_opslag",
    "secret",
    "targets",
]
