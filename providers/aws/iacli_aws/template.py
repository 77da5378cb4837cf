"""Parsing CloudFormation/SAM templates (YAML with short tags, or JSON) with cfn-lint's decoder.

cfn-lint's decoder costs ~0.6 s to import, so parsed templates are cached by the hash of their text: a
template that parsed once is never parsed again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iacli.blueprint.model import ParameterSpec, ParamType
from iacli.cache import JsonCache, digest
from iacli.errors import TemplateError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def load_template(text: str, source: str, cache_dir: Path) -> dict[str, Any]:
    """Parse ``text``; errors name ``source`` and the line."""
    cache = JsonCache(cache_dir / "parsed")
    key = digest("cfn-parse-v1", text)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    body = _decode(text, source)
    cache.put(key, body)
    return body


def _decode(text: str, source: str) -> dict[str, Any]:
    from cfnlint.decode.decode import decode_str

    template, matches = decode_str(text)
    if matches:
        first = matches[0]
        raise TemplateError(f"{source}:{first.linenumber}: {first.message}", hint="fix the template syntax")
    if not isinstance(template, dict):
        raise TemplateError(f"{source}: a template must be a mapping with a Resources section")
    body: dict[str, Any] = json.loads(json.dumps(template))
    if not isinstance(body.get("Resources"), dict) or not body["Resources"]:
        raise TemplateError(f"{source}: the template has no Resources")
    return body


def is_sam(body: Mapping[str, Any]) -> bool:
    """Whether the template needs the SAM transform."""
    transform = body.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


_LIST_TYPES = ("CommaDelimitedList", "List<")


def template_parameters(body: Mapping[str, Any]) -> dict[str, ParameterSpec]:
    """CloudFormation ``Parameters`` as iacli parameter specs (values stay strings/numbers for CFN)."""
    specs: dict[str, ParameterSpec] = {}
    for name, decl in (body.get("Parameters") or {}).items():
        if isinstance(decl, dict):
            specs[name] = _spec(decl)
    return specs


def _spec(decl: Mapping[str, Any]) -> ParameterSpec:
    cfn_type = str(decl.get("Type", "String"))
    if cfn_type.startswith(_LIST_TYPES):
        kind = ParamType.LIST
    else:
        kind = ParamType.NUMBER if cfn_type == "Number" else ParamType.STRING
    fields: dict[str, Any] = {"type": kind, "description": str(decl.get("Description", ""))}
    if "Default" in decl:
        fields["default"] = _typed(kind, decl["Default"])
    if decl.get("AllowedValues"):
        element = ParamType.STRING if kind is ParamType.LIST else kind  # CloudFormation checks each item
        fields["enum"] = [_typed(element, v) for v in decl["AllowedValues"]]
    if decl.get("AllowedPattern") and kind is ParamType.STRING and not cfn_type.startswith(_LIST_TYPES):
        fields["pattern"] = str(decl["AllowedPattern"])
    for cfn, ours in (("MinValue", "min"), ("MaxValue", "max")):
        if cfn in decl and kind is ParamType.NUMBER:
            fields[ours] = float(decl[cfn])
    for cfn, ours in (("MinLength", "min_length"), ("MaxLength", "max_length")):
        if cfn in decl and kind is ParamType.STRING:
            fields[ours] = int(decl[cfn])
    fields["secret"] = decl.get("NoEcho") in (True, "true", "True")
    return ParameterSpec(**fields)


def _typed(kind: ParamType, value: Any) -> Any:
    if kind is ParamType.LIST:
        items = value if isinstance(value, list) else str(value).split(",") if str(value) else []
        return [cfn_parameter_value(v).strip() for v in items]
    if kind is ParamType.NUMBER:
        try:
            return int(str(value))
        except ValueError:
            pass
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return cfn_parameter_value(value)


def cfn_parameter_value(value: Any) -> str:
    """The string CloudFormation expects for a parameter value (YAML ``true`` is ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(cfn_parameter_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def template_json(body: Mapping[str, Any]) -> str:
    """The canonical text iacli sends and hashes."""
    return json.dumps(body, indent=1, sort_keys=True)
