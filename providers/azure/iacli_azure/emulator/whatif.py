"""What-if: what a deployment would change, without changing anything.

The template passes the same preflight as a deployment (errors are the same ``400`` s), then each
resource it declares is evaluated against the current state — ``reference()`` of a resource that
does not exist yet stays an unevaluated expression, as in ARM — and compared with what exists:

``Create``    the resource does not exist;
``Modify``    it exists and a declared member differs; ``delta`` lists the differences;
``NoChange``  it exists and nothing declared differs;
``Delete``    (``Complete`` mode) a top-level resource of the group the template does not declare;
``Ignore``    (``Incremental`` mode) the same, left alone; in either mode, a resource the template
              declares with a false ``condition`` (ARM keeps it);
``Unsupported`` a nested deployment whose inner template can't be expanded before deployment.

Delta items have ``path`` (dotted, ``properties.sku.name``), ``propertyChangeType`` and
``before``/``after``/``children``: ``Create`` (only in the template), ``Delete`` (deployed before,
now omitted: a PUT replaces the resource), ``Modify`` (a value differs), ``Array`` (an array
differs: ``children`` are its items by index, ``"0"``, ``"1"``...) and ``NoEffect`` (the template
sets a read-only property the resource provider computes: the service ignores it).  Properties the
provider computes and the template omits (endpoints, ``provisioningState``) are not changes.
Locations compare ignoring case and spaces.  Secret values are compared by hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..arm import ArmTemplateError, ExpandedResource
from .engine import DeploymentEngine, Prepared
from .errors import ArmError
from .evaluation import lenient_body
from .handlers import handler_for
from .ids import normalize_location, parse_resource_id
from .preflight import parse_request
from .resources import declared_members
from .state import Resource
from .views import resource_view

JsonDict = dict[str, Any]

_MISSING: Any = object()


def what_if(engine: DeploymentEngine, group: str, name: str, body: Any) -> JsonDict:
    """The ``WhatIfOperationResult`` body for deploying ``body`` as ``name`` into ``group``."""
    request = parse_request(body)
    state = engine.state
    with state.locked():
        engine.settle()
        prepared = engine.prepare(group, name, request)
        changes: list[JsonDict] = []
        declared: set[str] = set()
        _template_changes(engine, prepared, changes, declared)
        for resource in state.resources(prepared.group.name):
            parsed = parse_resource_id(resource.id)
            if parsed is None or not parsed.is_top_level or resource.id.casefold() in declared:
                continue
            retained = resource.id.casefold() in prepared.retained_ids  # declared, condition false: kept
            kind = "Delete" if request.mode == "Complete" and not retained else "Ignore"
            changes.append(
                _change(resource.id, kind, before=_payload(resource_view(resource, state), resource))
            )
    changes.sort(key=lambda change: str(change["resourceId"]).casefold())
    if request.result_format.casefold() == "resourceidonly":
        changes = [
            {"resourceId": change["resourceId"], "changeType": change["changeType"]} for change in changes
        ]
    return {"status": "Succeeded", "properties": {"changes": changes}}


def _template_changes(
    engine: DeploymentEngine, prepared: Prepared, changes: list[JsonDict], declared: set[str]
) -> None:
    for resource in prepared.resources:
        declared.add(resource.resource_id.casefold())
        if resource.is_nested_deployment:
            _nested_changes(engine, resource, prepared, changes, declared)
        else:
            changes.append(_resource_change(engine, resource))


def _nested_changes(
    engine: DeploymentEngine,
    resource: ExpandedResource,
    parent: Prepared,
    changes: list[JsonDict],
    declared: set[str],
) -> None:
    try:
        nested = engine.nested(resource, parent)
    except (ArmError, ArmTemplateError) as error:
        reason = error.message if isinstance(error, ArmError) else str(error)
        changes.append(
            {
                "resourceId": resource.resource_id,
                "changeType": "Unsupported",
                "unsupportedReason": f"The nested deployment can't be expanded before deployment: {reason}",
            }
        )
        return
    _template_changes(engine, nested, changes, declared)


def _resource_change(engine: DeploymentEngine, resource: ExpandedResource) -> JsonDict:
    state = engine.state
    handler = handler_for(_effective_type(resource))
    body = lenient_body(resource)
    members = handler.redact(declared_members(body))
    after: JsonDict = {
        "id": resource.resource_id,
        "name": resource.name,
        "type": resource.type,
        "apiVersion": resource.api_version,
    }
    after.update({"location": normalize_location(resource.location)} if resource.location else {})
    after.update(members)
    existing = state.resource(resource.resource_id)
    if existing is None:
        return _change(resource.resource_id, "Create", after=after)
    before = _payload(resource_view(existing, state), existing)
    located = {"location": existing.location} if existing.location is not None else {}
    full = {**located, **existing.body}
    given = {**located, **existing.declared}
    comparable = {
        **({"location": normalize_location(resource.location)} if resource.location else {}),
        **members,
    }
    delta = _diff_objects(full, given, comparable, "")
    real = [item for item in delta if item["propertyChangeType"] != "NoEffect"]
    return _change(
        resource.resource_id, "Modify" if real else "NoChange", before=before, after=after, delta=delta
    )


def _effective_type(resource: ExpandedResource) -> str:
    parsed = parse_resource_id(resource.resource_id)
    return parsed.type if parsed is not None else resource.type


def _payload(view: JsonDict, resource: Resource) -> JsonDict:
    return {**view, "apiVersion": resource.api_version}


def _change(
    resource_id: str,
    change_type: str,
    *,
    before: JsonDict | None = None,
    after: JsonDict | None = None,
    delta: list[JsonDict] | None = None,
) -> JsonDict:
    change: JsonDict = {
        "resourceId": resource_id,
        "changeType": change_type,
        "before": before,
        "after": after,
    }
    if delta:
        change["delta"] = delta
    return change


# --------------------------------------------------------------------------------- diff


def _item(
    path: str, kind: str, before: Any = None, after: Any = None, children: list[JsonDict] | None = None
) -> JsonDict:
    return {"path": path, "propertyChangeType": kind, "before": before, "after": after, "children": children}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _get(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, Mapping):
        return _MISSING
    if key in mapping:
        return mapping[key]
    for name, value in mapping.items():
        if name.casefold() == key.casefold():
            return value
    return _MISSING


def _diff_objects(full: Mapping[str, Any], given: Any, after: Mapping[str, Any], path: str) -> list[JsonDict]:
    """Differences between a deployed object (``full``; ``given``: its declared part) and ``after``."""
    items: list[JsonDict] = []
    for key, value in after.items():
        before = _get(full, key)
        child = _join(path, key)
        if before is _MISSING:
            items.append(_item(child, "Create", after=value))
        else:
            items.extend(_diff_values(before, _get(given, key), value, child))
    if isinstance(given, Mapping):
        for key, value in given.items():
            if _get(after, key) is _MISSING:
                items.append(_item(_join(path, key), "Delete", before=_defined(_get(full, key), value)))
    return items


def _diff_values(before: Any, given: Any, after: Any, path: str) -> list[JsonDict]:
    if _equal(before, after):
        return []
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return _diff_objects(before, given, after, path)
    if isinstance(before, list) and isinstance(after, list):
        children = _diff_arrays(before, given if isinstance(given, list) else _MISSING, after)
        return [_item(path, "Array", children=children)] if children else []
    # The provider controls a value it computed or overrode (stored != declared): setting it has no effect.
    kind = "NoEffect" if given is _MISSING or not _equal(given, before) else "Modify"
    return [_item(path, kind, before=before, after=after)]


def _diff_arrays(before: list[Any], given: Any, after: list[Any]) -> list[JsonDict]:
    children: list[JsonDict] = []
    for index in range(max(len(before), len(after))):
        label = str(index)
        if index >= len(before):
            children.append(_item(label, "Create", after=after[index]))
            continue
        if index >= len(after):
            children.append(_item(label, "Delete", before=before[index]))
            continue
        declared = given[index] if isinstance(given, list) and index < len(given) else _MISSING
        old, new = before[index], after[index]
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            nested = _diff_objects(old, declared, new, "")
            if nested:
                kind = (
                    "Modify"
                    if any(item["propertyChangeType"] != "NoEffect" for item in nested)
                    else "NoEffect"
                )
                children.append(_item(label, kind, children=nested))
        else:
            children.extend(
                _item(label, item["propertyChangeType"], item["before"], item["after"], item["children"])
                for item in _diff_values(old, declared, new, label)
            )
    return children


def _defined(value: Any, fallback: Any) -> Any:
    return fallback if value is _MISSING else value


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        if len(left) != len(right):
            return False
        return all(_equal(value, _get(right, key)) for key, value in left.items())
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right))
    return bool(left == right)
