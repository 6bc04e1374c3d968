"""Options of a connection to the outside world (a login broker, a register, a back office), as a
gemeente's configuration gives them.

A connection's configuration names its kind (``soort``) and that kind's options. Secrets never
stand in the configuration file: an option that needs one ends in ``_env`` and holds the *name*
of an environment variable (:data:`EnvVarName`), read with :func:`secret` when the connection is
built. A subclass whose field sounds like a secret but does not end in ``_env`` is refused when
the class is defined, so the mistake cannot reach a gemeente.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

ENV_NAME = r"^[A-Z][A-Z0-9_]*$"
EnvVarName = Annotated[
    str,
    Field(
        pattern=ENV_NAME,
        description="Naam van een omgevingsvariabele (bijv. VERHUIZEN_VRIJBRP_TOKEN), niet de "
        "waarde: geheimen staan nooit in het configuratiebestand.",
    ),
]

# Option names that sound like a secret must name an environment variable instead.
_SECRET_WORDS = re.compile(
    r"secret|geheim|password|wachtwoord|token|api_?key|sleutel|credential", re.IGNORECASE
)


class OptionsError(ValueError):
    """A connection's options or environment are incomplete."""


class Options(BaseModel):
    """The options of one connection. A kind subclasses this with ``soort: Literal["<name>"]``
    and its own fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    soort: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name in cls.model_fields:
            if _SECRET_WORDS.search(name) and not name.endswith("_env"):
                raise TypeError(
                    f"{cls.__name__}.{name}: een geheim staat niet in de configuratie; noem het "
                    f"veld {name}_env en geef het de naam van een omgevingsvariabele (EnvVarName)"
                )

    @model_validator(mode="after")
    def _env_fields_name_variables(self) -> Options:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if (
                name.endswith("_env")
                and isinstance(value, str)
                and not re.fullmatch(ENV_NAME, value)
            ):
                raise ValueError(
                    f"{name} is de naam van een omgevingsvariabele (hoofdletters, cijfers en _), "
                    "niet het geheim zelf"
                )
        return self


def secret(
    name: str, env: Mapping[str, str], soort: str, error: type[OptionsError] = OptionsError
) -> str:
    """The value of the environment variable ``name``; a clear ``error`` when it is not set."""
    value = env.get(name, "")
    if not value:
        raise error(f"koppeling {soort!r}: de omgevingsvariabele {name} is niet gezet of leeg")
    return value
