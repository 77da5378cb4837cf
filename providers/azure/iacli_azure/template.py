"""ARM templates: parsing with line numbers, parameters as iacli specs, and the submitted form.

What iacli submits is the template with two tags merged into every top-level resource
(``iacli-stack: <stack>``, ``iacli-managed-by: iacli``): that is how a later plan recognises resources a
release added that an earlier template no longer declares (a rollback plans their deletion).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iacli.blueprint.model import ParameterSpec, ParamType
from iacli.cache import digest
from iacli.errors import ParameterError, ProviderError, TemplateError
from iacli_azure.keyvault import SecretReference, VaultLookup, parse_reference, template_references

STACK_TAG = "iacli-stack"
MANAGED_TAG = "iacli-managed-by"
MANAGED_VALUE = "iacli"
SCHEMA_MARK = "deploymenttemplate.json"
"""The resource-group scope schema (``.../2019-04-01/deploymentTemplate.json#``, 2015-01-01 too)."""

# Types that take no tags (extension resources, nested deployments): never tagged, never deleted by iacli.
UNTAGGED_PREFIXES = ("microsoft.authorization/", "microsoft.resources/deployments")

SECURE_TYPES = frozenset({"securestring", "secureobject"})
_TYPES = {
    "string": ParamType.STRING,
    "securestring": ParamType.STRING,
    "int": ParamType.INTEGER,
    "bool": ParamType.BOOLEAN,
    "array": ParamType.LIST,
    "object": ParamType.STRING,  # iacli has no object type: JSON text, parsed again on submission
    "secureobject": ParamType.STRING,
}


def load_template(text: str, source: str) -> dict[str, Any]:
    """Parse an ARM deploymentTemplate; errors name ``source`` and the line."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})",
                            hint="ARM templates are JSON documents") from None
    if not isinstance(body, dict):
        raise TemplateError(f"{source}:1: an ARM template must be a JSON object")
    schema = str(body.get("$schema", ""))
    if schema and not is_group_schema(schema):
        raise TemplateError(
            f"{source}:{line_of(text, '$schema')}: schema {schema!r} is not a resource-group deploymentTemplate",
            hint="iacli deploys into one resource group per stack; subscription/tenant scopes are not supported",
        )
    resources = body.get("resources")
    if not isinstance(resources, (list, dict)):
        raise TemplateError(f"{source}:1: the template has no 'resources' list", hint="add \"resources\": [...]")
    return body


def is_group_schema(schema: str) -> bool:
    """``.../deploymentTemplate.json#`` (not subscription-, managementGroup- or tenantDeploymentTemplate)."""
    return schema.lower().rstrip("#").rsplit("/", 1)[-1] == SCHEMA_MARK


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first occurrence of ``needle`` as a JSON string in ``text``."""
    quoted = json.dumps(needle)[1:-1]
    index = text.find(quoted)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def output_name(neutral: str) -> str:
    """``api_url`` -> ``apiUrl`` (ARM output names are camelCase by convention)."""
    first, *rest = neutral.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def template_parameters(body: Mapping[str, Any]) -> dict[str, ParameterSpec]:
    """ARM ``parameters`` as iacli parameter specs."""
    specs: dict[str, ParameterSpec] = {}
    for name, decl in (body.get("parameters") or {}).items():
        if isinstance(decl, dict):
            specs[str(name)] = _spec(decl)
    return specs


def _spec(decl: Mapping[str, Any]) -> ParameterSpec:
    arm_type = str(decl.get("type", "string")).lower()
    kind = _TYPES.get(arm_type, ParamType.STRING)
    metadata = decl.get("metadata") if isinstance(decl.get("metadata"), dict) else {}
    description = str((metadata or {}).get("description", ""))
    if arm_type in ("object", "secureobject"):
        description = (description + " " if description else "") + "(a JSON object)"
    fields: dict[str, Any] = {"type": kind, "description": description, "secret": arm_type in SECURE_TYPES}
    if "defaultValue" in decl:
        default = decl["defaultValue"]
        if isinstance(default, str) and default.startswith("[") and not default.startswith("[["):
            fields["default"] = None  # an expression: ARM evaluates it (the value is left out on submission)
        elif arm_type in ("object", "secureobject"):
            fields["default"] = json.dumps(default, sort_keys=True)
        else:
            fields["default"] = default
    allowed = decl.get("allowedValues")
    if isinstance(allowed, list) and allowed and arm_type not in ("object", "secureobject"):
        fields["enum"] = list(allowed)
    if kind is ParamType.INTEGER:
        for arm, ours in (("minValue", "min"), ("maxValue", "max")):
            if isinstance(decl.get(arm), (int, float)):
                fields[ours] = float(decl[arm])
    if kind is ParamType.STRING and arm_type in ("string", "securestring"):
        for arm, ours in (("minLength", "min_length"), ("maxLength", "max_length")):
            if isinstance(decl.get(arm), int):
                fields[ours] = int(decl[arm])
    return ParameterSpec(**fields)


@dataclass(frozen=True)
class ArmSubmission:
    """The template and parameters exactly as they are sent to ARM."""

    body: dict[str, Any]
    parameters: dict[str, Any]
    """Plain values (``None``-valued parameters left out: ARM applies the template's default)."""
    secrets: frozenset[str]
    references: Mapping[str, SecretReference] = field(default_factory=dict)
    """Parameters ARM reads from Key Vault (``metadata.iacliSecretReference``), by name."""

    @property
    def text(self) -> str:
        return template_json(self.body)

    @property
    def template_hash(self) -> str:
        return digest("arm-template", self.body)

    def arm_parameters(self, vaults: VaultLookup | None = None) -> dict[str, dict[str, Any]]:
        """The deployment's ``parameters``: values, and Key Vault references (``vaults`` finds the vaults)."""
        out: dict[str, dict[str, Any]] = {name: {"value": value} for name, value in sorted(self.parameters.items())}
        if self.references and vaults is None:
            raise ProviderError("internal error: Key Vault references need a vault lookup")
        for name, reference in sorted(self.references.items()):
            assert vaults is not None
            out[name] = {"reference": vaults.arm_reference(reference, name)}
        return out

    def require_secure_values(self) -> None:
        """Secure parameters without a default must be sent; a saved plan never holds them: say so first."""
        declared = self.body.get("parameters") or {}
        missing = sorted(
            name for name, decl in declared.items()
            if isinstance(decl, Mapping) and str(decl.get("type", "")).lower() in SECURE_TYPES
            and "defaultValue" not in decl and name not in self.parameters and name not in self.references
        )
        if missing:
            raise ParameterError(
                f"no value for secure parameter(s) {', '.join(missing)}: iacli never stores secret values, so a "
                "saved plan does not hold them",
                hint=" ".join(f"-p {name}=VALUE" for name in missing) + " (deploy plan.json -p ... gives them again)",
            )

    def params_hash(self, salt: str) -> str:
        import hashlib

        values = {k: (hashlib.sha256(f"{salt}:{v}".encode()).hexdigest() if k in self.secrets else v)
                  for k, v in self.parameters.items()}
        return digest("arm-params", values)


def template_json(body: Mapping[str, Any]) -> str:
    """The canonical text iacli sends, hashes and records."""
    return json.dumps(body, indent=1, sort_keys=True)


def build_submission(body: Mapping[str, Any], stack: str, parameters: Mapping[str, Any],
                     secrets: frozenset[str], keep_previous: frozenset[str] = frozenset()) -> ArmSubmission:
    """Tag the template's resources and type the parameter values as the template declares them."""
    tagged = tag_resources(body, stack)
    declared = {str(k).lower(): (str(k), v) for k, v in (body.get("parameters") or {}).items()}
    values: dict[str, Any] = {}
    for name, value in parameters.items():
        if value is None:
            continue
        decl = declared.get(name.lower(), (name, {}))[1]
        arm_type = str(decl.get("type", "")).lower() if isinstance(decl, dict) else ""
        if arm_type in ("object", "secureobject") and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise TemplateError(f"parameter {name!r} must be a JSON object, got text that is not JSON") from None
        values[name] = value
    missing = sorted(name for name in keep_previous
                     if name not in values and name.lower() in declared and not _referenced(body, name))
    if missing:
        raise ParameterError(
            f"secure parameter(s) {', '.join(missing)} must be given again: iacli never stores secret values and "
            "ARM cannot keep a deployed value",
            hint="give the secret value(s) to the command (-p NAME=VALUE or --params-file)",
        )
    references = {name: parse_reference(text, f"parameter {name}")
                  for name, text in template_references(body).items() if name not in values}
    return ArmSubmission(tagged, values, frozenset(secrets) | frozenset(keep_previous), references)


def _referenced(body: Mapping[str, Any], name: str) -> bool:
    return name in template_references(body)


def tag_resources(body: Mapping[str, Any], stack: str) -> dict[str, Any]:
    """A copy of ``body`` whose top-level resources carry iacli's tags (merged with their own)."""
    out: dict[str, Any] = json.loads(json.dumps(body))
    resources = out.get("resources")
    items = resources.values() if isinstance(resources, dict) else resources or []
    for resource in items:
        if isinstance(resource, dict) and _taggable(resource):
            resource["tags"] = _merged_tags(resource.get("tags"), stack)
    return out


def iacli_tags(stack: str) -> dict[str, str]:
    return {MANAGED_TAG: MANAGED_VALUE, STACK_TAG: stack}


def _taggable(resource: Mapping[str, Any]) -> bool:
    rtype = str(resource.get("type", "")).lower()
    return bool(rtype) and not rtype.startswith("[") and not resource.get("existing") and not any(
        rtype.startswith(p) for p in UNTAGGED_PREFIXES)


def _merged_tags(tags: Any, stack: str) -> Any:
    ours = iacli_tags(stack)
    if tags is None:
        return ours
    if isinstance(tags, dict):
        return {**tags, **ours}
    if isinstance(tags, str) and tags.startswith("[") and not tags.startswith("[["):
        pairs = ", ".join(f"'{k}', '{v}'" for k, v in ours.items())
        return f"[union({tags[1:-1]}, createObject({pairs}))]"
    return tags
