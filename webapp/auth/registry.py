"""Login providers by name, as ``VERHUIZEN_LOGIN`` names them."""

from __future__ import annotations

from webapp.auth.contract import LoginDeps, LoginProvider, ProviderFactory
from webapp.auth.digid_test import DigidTest
from webapp.settings import SettingsError


class ProviderRegistry:
    def __init__(self) -> None:
        self._factories: dict[str, ProviderFactory] = {}

    def register(self, name: str, factory: ProviderFactory) -> None:
        if name in self._factories:
            raise ValueError(f"login {name!r} is al geregistreerd")
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def provider_for(self, name: str, deps: LoginDeps) -> LoginProvider:
        """The provider called ``name``, built with ``deps``."""
        factory = self._factories.get(name)
        if factory is None:
            known = ", ".join(self.names()) or "geen"
            raise SettingsError(
                f"VERHUIZEN_LOGIN: onbekende login {name!r}; bekend zijn: {known}. Een echte "
                "DigiD-koppeling (OpenID Connect via een makelaar) implementeert "
                "webapp.auth.LoginProvider en meldt zich aan met webapp.auth.register."
            )
        return factory(deps)


providers = ProviderRegistry()
"""The default registry, with the DigiD test login."""
providers.register(DigidTest.name, DigidTest.from_deps)

register = providers.register
provider_for = providers.provider_for
