"""The project file ``iacli.yaml``: defaults for target, region and per-environment parameter values.

Flags always win over the file. The JSON Schema is published in ``docs/schemas/iacli.schema.json``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iacli.errors import ConfigError
from iacli.yamlio import describe_validation_error, load_yaml_file

CONFIG_FILE = "iacli.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvironmentConfig(_Strict):
    """Settings of one environment (``dev``, ``prod``…)."""

    target: str | None = None
    region: str | None = None
    profile: str | None = None
    subscription: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)


class ProjectConfig(_Strict):
    """The content of ``iacli.yaml``."""

    provider: str | None = None
    target: str | None = None
    region: str | None = None
    profile: str | None = None
    subscription: str | None = None
    state_path: str | None = None
    environments: dict[str, EnvironmentConfig] = Field(default_factory=dict)

    def environment(self, name: str) -> EnvironmentConfig:
        return self.environments.get(name, EnvironmentConfig())


def find_project_dir(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding iacli.yaml; ``start`` itself if none does."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def load_config(project_dir: Path) -> ProjectConfig:
    """Read ``iacli.yaml`` (an absent file means all defaults)."""
    path = project_dir / CONFIG_FILE
    if not path.is_file():
        return ProjectConfig()
    data = load_yaml_file(path, ConfigError) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(str(path), exc)) from None


def iacli_home() -> Path:
    """Where iacli keeps per-user state (the sandbox, caches): ``$IACLI_HOME`` or ``~/.iacli``."""
    return Path(os.environ.get("IACLI_HOME") or Path.home() / ".iacli")
