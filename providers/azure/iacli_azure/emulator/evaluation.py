"""Best-effort evaluation for preflight checks and what-if.

Before a deployment runs, ``reference()``/``list*()`` of resources it will create cannot be
answered.  :func:`evaluate_lenient` evaluates what it can and leaves each expression it cannot
evaluate as written (``"[reference(...).x]"``), which is also how ARM's what-if shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..arm import ArmTemplateError, EvaluationContext, ExpandedResource, evaluate
from ..arm.values import JsonValue
from .errors import ArmError
from .resources import Deferred

_STRUCTURAL = frozenset({"condition", "copy", "dependson", "resources", "comments", "existing"})
_IDENTITY = frozenset({"type", "apiversion", "name", "location"})


def evaluate_lenient(value: Any, ctx: EvaluationContext) -> JsonValue:
    """Evaluate ``value``; parts that need a resource not deployed yet (or that fail) stay raw."""
    try:
        return evaluate(value, ctx)
    except (Deferred, ArmTemplateError):
        pass
    except ArmError as error:
        if error.code != "ResourceNotFound":
            raise
    if isinstance(value, list):
        return [evaluate_lenient(item, ctx) for item in value]
    if isinstance(value, Mapping) and "copy" not in value:
        return {str(key): evaluate_lenient(item, ctx) for key, item in value.items()}
    return _raw(value)


def lenient_body(resource: ExpandedResource) -> dict[str, JsonValue]:
    """The resource's members like :meth:`ExpandedResource.evaluate_body`, evaluated leniently
    (a nested deployment's inline ``template`` stays raw)."""
    body: dict[str, JsonValue] = {
        "type": resource.type,
        "apiVersion": resource.api_version,
        "name": resource.name,
    }
    if resource.location is not None:
        body["location"] = resource.location
    for key, value in resource.definition.items():
        folded = key.casefold()
        if folded in _STRUCTURAL or folded in _IDENTITY:
            continue
        if folded == "properties" and resource.is_nested_deployment and isinstance(value, Mapping):
            body[key] = {
                name: _raw(item) if name == "template" else evaluate_lenient(item, resource.context)
                for name, item in value.items()
            }
        else:
            body[key] = evaluate_lenient(value, resource.context)
    return body


def _raw(value: Any) -> JsonValue:
    result: JsonValue = value
    return result
