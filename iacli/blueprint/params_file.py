"""``--params-file``: a YAML/JSON mapping, an AWS CLI parameter list, or an ARM deploymentParameters doc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iacli.errors import ParameterError
from iacli.yamlio import load_yaml_file


def read_params_file(path: Path) -> dict[str, Any]:
    """The ``name: value`` mapping a parameter file holds, whichever of the three shapes it has."""
    data = load_yaml_file(path, ParameterError)
    if data is None:
        return {}
    if isinstance(data, list):
        return _aws_cli_list(path, data)
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values")
    if "$schema" in data and "deploymentParameters" in str(data["$schema"]):
        return _arm_parameters(path, data)
    return {str(k): v for k, v in data.items()}


def _aws_cli_list(path: Path, items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict) or "ParameterKey" not in item:
            raise ParameterError(f"{path}: a list must hold {{ParameterKey, ParameterValue}} entries")
        out[str(item["ParameterKey"])] = item.get("ParameterValue")
    return out


def _arm_parameters(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise ParameterError(f"{path}: field 'parameters' must be a mapping")
    out: dict[str, Any] = {}
    for name, entry in params.items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise ParameterError(f"{path}: parameter {name!r} needs a 'value' (Key Vault references are not supported)")
        out[name] = entry["value"]
    return out
