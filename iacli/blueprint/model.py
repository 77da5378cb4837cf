"""The blueprint model: ``blueprint.yaml`` as typed, validated values.

The JSON Schema of this model is published in ``docs/schemas/blueprint.schema.json`` (regenerate with
``python -m iacli.schemas``) so editors can validate and complete blueprint files.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
PARAM_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"


class ParamType(str, Enum):
    """Types a blueprint parameter can have."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """One typed parameter of a blueprint's interface."""

    type: ParamType
    description: str = ""
    default: Any = None
    enum: list[Any] | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    secret: bool = False

    @property
    def required(self) -> bool:
        return "default" not in self.model_fields_set

    @model_validator(mode="after")
    def _check_constraints(self) -> ParameterSpec:
        numeric = self.type in (ParamType.INTEGER, ParamType.NUMBER)
        if (self.min is not None or self.max is not None) and not numeric:
            raise ValueError("min/max apply only to integer and number parameters")
        if self.pattern is not None and self.type not in (ParamType.STRING, ParamType.LIST):
            raise ValueError("pattern applies only to string and list (per item) parameters")
        return self


class OutputSpec(_Strict):
    """A neutral output; each provider template emits it under its CamelCase name."""

    description: str = ""
    when: str | None = None


class HostingModel(_Strict):
    """One way to host a blueprint, described so a user can choose (``iacli blueprints show``)."""

    summary: str
    scale_unit: str
    abstracted: str
    deployment_unit: str
    lifetime: str
    responsibility: str


class Hosting(_Strict):
    """The hosting models a blueprint offers, selected by one of its (enum) parameters."""

    parameter: str
    models: dict[str, HostingModel]


class ProviderTemplates(_Strict):
    """Where a provider's entry template lives, relative to the blueprint folder."""

    template: str


class BlueprintSpec(_Strict):
    """The content of ``blueprint.yaml``."""

    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+([-+].*)?$")
    description: str
    details: str = ""
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    outputs: dict[str, OutputSpec] = Field(default_factory=dict)
    providers: dict[str, ProviderTemplates]
    hosting: Hosting | None = None

    @model_validator(mode="after")
    def _check_names(self) -> BlueprintSpec:
        import re

        for name, param in self.parameters.items():
            if not re.match(PARAM_NAME_PATTERN, name):
                raise ValueError(f"parameter name {name!r} must be snake_case ({PARAM_NAME_PATTERN})")
            if param.pattern is not None:
                try:
                    re.compile(param.pattern)
                except re.error as exc:
                    raise ValueError(f"parameter {name!r}: pattern is not a valid regular expression ({exc})") from None
            if param.secret and not param.required:
                raise ValueError(f"secret parameter {name!r} cannot have a default (it would be stored in clear)")
        if self.hosting is not None:
            selector = self.parameters.get(self.hosting.parameter)
            if selector is None or sorted(selector.enum or []) != sorted(self.hosting.models):
                raise ValueError(f"hosting.parameter {self.hosting.parameter!r} must be a parameter whose enum "
                                 f"lists exactly the hosting models ({', '.join(self.hosting.models)})")
        for out_name, out in self.outputs.items():
            if out.when is not None and out.when not in self.parameters:
                raise ValueError(f"output {out_name!r}: 'when' names unknown parameter {out.when!r}")
        return self


class Blueprint:
    """A loaded blueprint: its spec plus the folder it lives in and where it came from."""

    def __init__(self, spec: BlueprintSpec, root: Path, origin: str) -> None:
        self.spec = spec
        self.root = root
        self.origin = origin

    @property
    def name(self) -> str:
        return self.spec.name

    def template_path(self, provider: str) -> Path:
        """The provider's entry template inside the blueprint folder."""
        return self.root / self.spec.providers[provider].template
