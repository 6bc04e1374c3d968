"""Login behind a small contract (:mod:`webapp.auth.contract`), chosen per gemeente.

Built in: the DigiD test page (``digid-test``). A real DigiD login through an OpenID Connect
broker subclasses :class:`LoginProvider` (``start`` returns a :class:`Redirect`, ``callback``
verifies the code and returns the BSN and the level from ``acr``, ``logout`` the broker's end
session URL) and registers its options and factory in :data:`webapp.koppelingen.logins`.
"""

from webapp.auth.contract import (
    Betrouwbaarheidsniveau,
    LoginProvider,
    LoginRequest,
    LoginResult,
    LoginStart,
    OwnPage,
    Redirect,
)
from webapp.auth.digid_test import DigidTest

__all__ = [
    "Betrouwbaarheidsniveau",
    "DigidTest",
    "LoginProvider",
    "LoginRequest",
    "LoginResult",
    "LoginStart",
    "OwnPage",
    "Redirect",
]
