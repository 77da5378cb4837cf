"""Preflight validation: what ARM checks before a deployment starts.

A deployment request is parsed (:func:`parse_request`), every template expression is parsed and its
functions looked up (:func:`check_functions`), and the resource types written literally anywhere in
the template, nested inline templates included, are listed (:func:`nested_literal_resources`) so the engine
can refuse unsupported ones before anything is created.  Failures are ``400`` ARM errors.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..arm import ArmTemplateError, Expr, parameter_values_from_file, parse_template_string
from ..arm.expressions import FunctionCall, IndexAccess, PropertyAccess
from ..arm.functions import lookup_function
from .errors import ArmError
from .keyvault_refs import check_reference

JsonDict = dict[str, Any]

_UNEVALUATED = frozenset(
    {"metadata", "$schema", "contentversion", "apiprofile", "languageversion", "definitions"}
)


@dataclass(frozen=True)
class DeploymentRequest:
    """The parsed body of a deployment PUT / validate / what-if request."""

    template: JsonDict
    parameters: JsonDict
    mode: str = "Incremental"
    tags: dict[str, str] = field(default_factory=dict)
    on_error_deployment: JsonDict | None = None
    result_format: str = "FullResourcePayloads"
    references: JsonDict = field(default_factory=dict)
    """Key Vault references by parameter name (resolved against the state by the engine)."""


def invalid_template(message: str, target: str | None = None) -> ArmError:
    """ARM's ``InvalidTemplate`` preflight error."""
    text = (
        message
        if message.startswith("Deployment template")
        else f"Deployment template validation failed: '{message}'."
    )
    return ArmError("InvalidTemplate", text, status=400, target=target)


def parse_request(body: Any) -> DeploymentRequest:
    """Parse ``{"properties": {"template", "parameters", "mode"...}}``; ``InvalidRequestContent`` if malformed."""
    properties = body.get("properties") if isinstance(body, Mapping) else None
    if not isinstance(properties, Mapping):
        raise _bad_request("The request content must be an object with 'properties'.")
    if "templateLink" in properties or "parametersLink" in properties:
        raise _bad_request(
            "templateLink and parametersLink are not supported: the emulator fetches nothing; send the template "
            "and parameters inline."
        )
    template = properties.get("template")
    if not isinstance(template, Mapping):
        raise _bad_request("The request content must have 'properties.template' (an object).")
    mode = str(properties.get("mode") or "Incremental")
    if mode.casefold() not in ("incremental", "complete"):
        raise _bad_request(f"The deployment mode '{mode}' is not supported: use 'Incremental' or 'Complete'.")
    settings = properties.get("whatIfSettings") or {}
    parameters, references = _split_references(properties.get("parameters"))
    return DeploymentRequest(
        template=dict(template),
        parameters=_parameter_values(parameters),
        references=references,
        mode="Complete" if mode.casefold() == "complete" else "Incremental",
        tags=dict(body.get("tags") or {}),
        on_error_deployment=properties.get("onErrorDeployment"),
        result_format=str(settings.get("resultFormat") or "FullResourcePayloads"),
    )


def _split_references(parameters: Any) -> tuple[Any, JsonDict]:
    """Plain parameter entries, and the Key Vault references (checked for shape) apart."""
    if not isinstance(parameters, Mapping):
        return parameters, {}
    plain = {name: entry for name, entry in parameters.items() if not _is_reference(entry)}
    references = {str(name): check_reference(str(name), entry)
                  for name, entry in parameters.items() if _is_reference(entry)}
    return plain, references


def _is_reference(entry: Any) -> bool:
    return isinstance(entry, Mapping) and "reference" in entry and "value" not in entry


def _parameter_values(parameters: Any) -> JsonDict:
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise _bad_request("'properties.parameters' must be an object of {name: {value}}.")
    if "$schema" in parameters or "contentVersion" in parameters:
        raise _bad_request(
            "'properties.parameters' holds a whole parameters file: send its 'parameters' member, "
            '{name: {"value": ...}}.'
        )
    try:
        return parameter_values_from_file({"parameters": dict(parameters)})
    except ArmTemplateError as error:
        raise invalid_template(str(error)) from error


def _bad_request(message: str) -> ArmError:
    return ArmError("InvalidRequestContent", message, status=400)


def check_functions(template: Mapping[str, Any]) -> None:
    """Parse every expression of ``template`` and look up its functions.

    Raises ``InvalidTemplate`` naming the first syntax error or unsupported function (with the
    JSON path where it occurs).  ``metadata`` sections are not evaluated by ARM and are skipped.
    """
    for path, text in _template_expressions(template, ""):
        try:
            parsed = parse_template_string(text)
        except ArmTemplateError as error:
            raise invalid_template(f"{error} (at '{path}')", path) from error
        if isinstance(parsed, str):
            continue
        variable = _VARIABLE_PATH.search(path)
        for call in _calls(parsed):
            if "." in call.name:
                continue
            try:
                lookup_function(call.name)
            except ArmTemplateError as error:
                raise invalid_template(f"{error} (at '{path}')", path) from error
            if variable and call.name.casefold() == "reference":
                raise invalid_template(
                    f"The template variable '{variable.group(1)}' is not valid: The template function 'reference' is "
                    "not expected at this location. Please see https://aka.ms/arm-functions for usage details",
                    path,
                )


_VARIABLE_PATH = re.compile(r"(?:^|\.template\.)variables\.([^.\[]+)", re.IGNORECASE)
"""A path inside a ``variables`` section (of the template or of a nested inline template)."""


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _template_expressions(template: Mapping[str, Any], path: str) -> Iterator[tuple[str, str]]:
    for key, item in template.items():
        folded = str(key).casefold()
        if folded in _UNEVALUATED:
            continue
        child = _join(path, key)
        if folded in ("parameters", "outputs") and isinstance(item, Mapping):
            for name, definition in item.items():
                yield from _definition_expressions(definition, _join(child, name))
        elif folded == "resources":
            yield from _resources_expressions(item, child)
        else:
            yield from _value_expressions(item, child)


def _resources_expressions(resources: Any, path: str) -> Iterator[tuple[str, str]]:
    items = resources.items() if isinstance(resources, Mapping) else enumerate(resources or [])
    for name, resource in items:
        yield from _resource_expressions(resource, f"{path}[{name}]")


def _resource_expressions(resource: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(resource, Mapping):
        return
    for key, item in resource.items():
        folded, child = str(key).casefold(), _join(path, key)
        if folded == "metadata":
            continue
        if folded == "resources":
            yield from _resources_expressions(item, child)
        elif (
            folded == "properties" and isinstance(item, Mapping) and isinstance(item.get("template"), Mapping)
        ):
            for inner_key, inner in item.items():
                inner_path = _join(child, inner_key)
                if inner_key == "template":
                    yield from _template_expressions(inner, inner_path)
                else:
                    yield from _value_expressions(inner, inner_path)
        else:
            yield from _value_expressions(item, child)


def _definition_expressions(definition: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(definition, Mapping):
        yield from _value_expressions(definition, path)
        return
    for key, item in definition.items():
        if str(key).casefold() != "metadata":
            yield from _value_expressions(item, _join(path, key))


def _value_expressions(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if value.startswith("[") and not value.startswith("[["):
            yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _value_expressions(item, f"{path}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _value_expressions(item, _join(path, key))


def _calls(expr: Expr) -> Iterator[FunctionCall]:
    if isinstance(expr, FunctionCall):
        yield expr
        for argument in expr.args:
            yield from _calls(argument)
    elif isinstance(expr, PropertyAccess):
        yield from _calls(expr.target)
    elif isinstance(expr, IndexAccess):
        yield from _calls(expr.target)
        yield from _calls(expr.index)


def nested_literal_resources(template: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(type, name)`` of the resources with a literal type in the template's inline nested
    deployments (they are expanded only when the nested deployment runs)."""
    for resource_type, _name, resource in _literal_resources(template):
        properties = resource.get("properties")
        nested = properties.get("template") if isinstance(properties, Mapping) else None
        if isinstance(nested, Mapping) and resource_type.casefold() == "microsoft.resources/deployments":
            for inner_type, inner_name, _inner in _literal_resources(nested, deep=True):
                yield inner_type, inner_name


def _literal_resources(
    template: Mapping[str, Any], parent_type: str = "", *, deep: bool = False
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(type, name, definition)`` of the resources whose type is a literal, children included
    (``deep``: nested deployments' inline templates too)."""
    resources = template.get("resources") or []
    items = list(resources.values()) if isinstance(resources, Mapping) else list(resources)
    for resource in items:
        if not isinstance(resource, Mapping):
            continue
        written, name = resource.get("type"), str(resource.get("name", ""))
        if not isinstance(written, str) or written.startswith("["):
            continue
        resource_type = (
            f"{parent_type}/{written}" if parent_type and "/" not in written.strip("/") else written
        )
        yield resource_type, name, resource
        yield from _literal_resources(resource, resource_type, deep=deep)
        properties = resource.get("properties")
        nested = properties.get("template") if isinstance(properties, Mapping) else None
        if (
            deep
            and isinstance(nested, Mapping)
            and resource_type.casefold() == "microsoft.resources/deployments"
        ):
            yield from _literal_resources(nested, deep=True)


def qualify_child_types(template: Mapping[str, Any]) -> dict[str, Any]:
    """Work around an evaluator gap: a child resource declared inside its parent with a multi-segment
    unqualified type (``"type": "blobServices/containers", "name": "default/images"`` inside a storage
    account) is valid ARM, but the evaluator takes any type containing ``/`` as fully qualified.
    Such children are rewritten to their qualified type and full name (``[format('{0}/{1}', parent
    name, child name)]``); everything else is left as is.  Returns a copy."""
    result = copy.deepcopy(dict(template))
    resources = result.get("resources") or []
    for resource in resources.values() if isinstance(resources, Mapping) else resources:
        if isinstance(resource, dict):
            _qualify_children(resource)
    return result


def _qualify_children(resource: dict[str, Any]) -> None:
    for child in resource.get("resources") or []:
        if not isinstance(child, dict):
            continue
        child_type, parent_type = child.get("type"), resource.get("type")
        parent_name, child_name = resource.get("name"), child.get("name")
        if (
            isinstance(child_type, str)
            and isinstance(parent_type, str)
            and isinstance(parent_name, str)
            and isinstance(child_name, str)
            and not child_type.startswith("[")
            and not parent_type.startswith("[")
            and "/" in child_type.strip("/")
            and "." not in child_type.split("/", 1)[0]
        ):
            child["type"] = f"{parent_type.rstrip('/')}/{child_type.strip('/')}"
            child["name"] = _joined_name(parent_name, child_name)
        _qualify_children(child)


def _joined_name(parent: str, child: str) -> str:
    def is_expression(text: str) -> bool:
        return text.startswith("[") and not text.startswith("[[") and text.endswith("]")

    if not is_expression(parent) and not is_expression(child):
        return f"{parent}/{child}"

    def operand(text: str) -> str:
        return text[1:-1] if is_expression(text) else "'" + text.replace("'", "''") + "'"

    return f"[format('{{0}}/{{1}}', {operand(parent)}, {operand(child)})]"
