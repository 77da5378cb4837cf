"""Fix (m): dynamic references in resource properties are resolved, as CloudFormation does.

moto behaviour corrected (``moto.cloudformation.parsing.parse_resource``): a property value holding a
dynamic reference (``{{resolve:ssm:/aws/service/.../image_id}}``) is passed to the resource as it is,
so a launch template's ``ImageId`` is that literal string. Now, when a resource is created or updated,
every string of its (resolved) properties has its references replaced:

- ``{{resolve:ssm:NAME}}`` / ``{{resolve:ssm:NAME:VERSION}}`` and ``{{resolve:ssm-secure:...}}``: the
  value of the parameter (its latest version, or the version named) from moto's SSM backend;
- ``{{resolve:secretsmanager:SECRET-ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}``: the
  secret's string, or one key of it when it holds a JSON object.

A reference that cannot be resolved (no such parameter, version, secret or key) fails the resource
with a ``ValidationError`` naming the reference, as the resource's creation or update fails on AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import ResourceMap

from ._patching import replace

_REFERENCE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")


def _ssm(reference: str, account_id: str, region_name: str) -> str:
    from moto.ssm.models import ssm_backends

    try:
        parameter = ssm_backends[account_id][region_name].get_parameter(reference)
    except Exception as error:
        raise _unresolved("ssm", reference, getattr(error, "message", None) or str(error)) from error
    if parameter is None:
        raise _unresolved("ssm", reference, "parameter not found")
    return str(parameter.value)


def _secret(reference: str, account_id: str, region_name: str) -> str:
    from moto.secretsmanager.models import secretsmanager_backends

    secret_id, _, rest = reference.partition(":SecretString")
    if reference.startswith("arn:") and not rest:
        secret_id = reference
    parts = rest.lstrip(":").split(":") if rest else []
    key, stage, version = (parts + ["", "", ""])[:3]
    try:
        value = secretsmanager_backends[account_id][region_name].get_secret_value(
            secret_id,
            version or None,  # type: ignore[arg-type]
            stage or (None if version else "AWSCURRENT"),  # type: ignore[arg-type]
        )
    except Exception as error:
        raise _unresolved(
            "secretsmanager", reference, getattr(error, "message", None) or str(error)
        ) from error
    text = value.get("SecretString")
    if text is None:
        raise _unresolved("secretsmanager", reference, "the secret has no SecretString")
    if not key:
        return str(text)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise _unresolved("secretsmanager", reference, "the SecretString is not a JSON object") from error
    if not isinstance(document, dict) or key not in document:
        raise _unresolved("secretsmanager", reference, f"the secret has no key {key!r}")
    return str(document[key])


def _unresolved(service: str, reference: str, reason: str) -> ValidationError:
    return ValidationError(
        message=f"Unable to resolve dynamic reference {{{{resolve:{service}:{reference}}}}}: {reason}"
    )


def resolve_string(text: str, account_id: str, region_name: str) -> str:
    """``text`` with each dynamic reference replaced by the value it names."""

    def value(match: re.Match[str]) -> str:
        service, reference = match.group(1), match.group(2)
        if service == "secretsmanager":
            return _secret(reference, account_id, region_name)
        return _ssm(reference, account_id, region_name)

    return _REFERENCE.sub(value, text)


def resolve(node: Any, account_id: str, region_name: str) -> Any:
    """A resolved template fragment with its dynamic references resolved."""
    if isinstance(node, str):
        return resolve_string(node, account_id, region_name) if "{{resolve:" in node else node
    if isinstance(node, list):
        return [resolve(item, account_id, region_name) for item in node]
    if isinstance(node, dict):
        return {key: resolve(value, account_id, region_name) for key, value in node.items()}
    return node


def _resolving_references(original: Callable[..., Any]) -> Callable[..., Any]:
    def parse_resource(resource_json: dict[str, Any], resources_map: ResourceMap) -> Any:
        parsed = original(resource_json, resources_map)
        if not parsed:
            return parsed
        resource_class, cleaned, resource_type = parsed
        properties = cleaned.get("Properties")
        if properties:
            resolved = resolve(properties, resources_map._account_id, resources_map._region_name)
            cleaned = {**cleaned, "Properties": resolved}
        return resource_class, cleaned, resource_type

    return parse_resource


def apply() -> None:
    """Install the resolution described in the module docstring."""
    replace(parsing, "parse_resource", _resolving_references)
