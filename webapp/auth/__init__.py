"""Login behind a small contract (:mod:`webapp.auth.contract`), providers chosen by name.

Built in: the DigiD test page (``digid-test``). A real DigiD login through an OpenID Connect
broker subclasses :class:`LoginProvider` (``start`` returns a :class:`Redirect`, ``callback``
verifies the code and returns the BSN and the level from ``acr``, ``logout`` the broker's end
session URL) and registers itself with :func:`register`.
"""

from webapp.auth.contract import (
    Betrouwbaarheidsniveau,
    LoginDeps,
    LoginProvider,
    LoginRequest,
    LoginResult,
    LoginStart,
    OwnPage,
    ProviderFactory,
    Redirect,
)
from webapp.auth.digid_test import DigidTest
from webapp.auth.registry import ProviderRegistry, provider_for, providers, register

__all__ = [
    "Betrouwbaarheidsniveau",
    "DigidTest",
    "LoginDeps",
    "LoginProvider",
    "LoginRequest",
    "LoginResult",
    "LoginStart",
    "OwnPage",
    "ProviderFactory",
    "ProviderRegistry",
    "Redirect",
    "provider_for",
    "providers",
    "register",
]
