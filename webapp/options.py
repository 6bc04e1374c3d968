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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args, get_origin

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


OptionsT = TypeVar("OptionsT", bound=Options)
DepsT = TypeVar("DepsT")
T = TypeVar("T")


@dataclass(frozen=True)
class _Kind(Generic[OptionsT, DepsT, T]):
    options: type[OptionsT]
    factory: Callable[[OptionsT, DepsT], T]


class OptionsRegistry(Generic[DepsT, T]):
    """The kinds of one role (a login, a BRP, a delivery target) by ``soort``: each with its
    options model and a factory that builds it from validated options and ``DepsT``."""

    def __init__(self, role: str) -> None:
        self.role = role
        self._kinds: dict[str, _Kind[Any, DepsT, T]] = {}

    def register(
        self, soort: str, options: type[OptionsT], factory: Callable[[OptionsT, DepsT], T]
    ) -> None:
        """Add a kind. Its options model must say ``soort: Literal[soort]``, so a gemeente's
        configuration can tell the kinds apart by that key alone."""
        if soort in self._kinds:
            raise ValueError(f"{self.role} {soort!r} is al geregistreerd")
        annotation = options.model_fields["soort"].annotation
        if get_origin(annotation) is not Literal or get_args(annotation) != (soort,):
            raise TypeError(f"{options.__name__}.soort moet Literal[{soort!r}] zijn")
        self._kinds[soort] = _Kind(options, factory)

    def soorten(self) -> list[str]:
        return sorted(self._kinds)

    def __contains__(self, soort: object) -> bool:
        return soort in self._kinds

    def _kind(self, soort: str) -> _Kind[Any, DepsT, T]:
        try:
            return self._kinds[soort]
        except KeyError:
            known = ", ".join(self.soorten()) or "geen"
            raise LookupError(f"onbekende {self.role} {soort!r}; bekend zijn: {known}") from None

    def options_model(self, soort: str) -> type[Options]:
        return self._kind(soort).options

    def models(self) -> tuple[type[Options], ...]:
        """Every kind's options model, for the configuration's JSON Schema."""
        return tuple(kind.options for _, kind in sorted(self._kinds.items()))

    def parse_options(self, raw: Mapping[str, Any]) -> Options:
        """Validate one configuration entry: ``soort`` picks the model. Raises LookupError for
        an unknown soort, pydantic's ValidationError for wrong options."""
        return self.options_model(str(raw.get("soort", ""))).model_validate(raw)

    def build(self, options: Options, deps: DepsT) -> T:
        kind = self._kind(options.soort)
        if not isinstance(options, kind.options):
            raise TypeError(f"{self.role} {options.soort!r} verwacht {kind.options.__name__}")
        return kind.factory(options, deps)
