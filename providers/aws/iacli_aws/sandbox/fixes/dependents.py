"""Fix (o): a resource whose properties read an updated resource is updated too.

moto behaviour corrected (``moto.cloudformation.parsing.ResourceMap.update``): only resources whose
template entry changed are updated. A resource whose entry did not change but whose properties
resolve differently after the update (``Fn::GetAtt [LaunchTemplate, LatestVersionNumber]`` once the
launch template has a new version; a ``Ref`` or ``Fn::GetAtt`` of a resource updated in place that
now answers another value) keeps its old settings: an Auto Scaling group stays on the old launch
template version. CloudFormation re-evaluates such properties and updates the resource. Now, after
the update, every resource whose template entry is unchanged has its properties resolved again
(dependencies first); one whose resolved properties differ from before the update is updated (or
replaced, per :mod:`.updates`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.parsing import ResourceMap

from ._patching import replace
from .graph import topological_order

_UNRESOLVABLE = object()


def _resolved_properties(resource_map: ResourceMap, resource_json: dict[str, Any]) -> Any:
    try:
        return parsing.clean_json(resource_json.get("Properties") or {}, resource_map)
    except Exception:  # noqa: BLE001 - a property that cannot be resolved is not compared
        return _UNRESOLVABLE


def _snapshot(resource_map: ResourceMap) -> dict[str, tuple[dict[str, Any], Any]]:
    """Each existing resource's template entry and resolved properties."""
    snapshot: dict[str, tuple[dict[str, Any], Any]] = {}
    for name, resource_json in dict(resource_map._resource_json_map).items():
        if resource_map._parsed_resources.get(name) is None or not isinstance(resource_json, dict):
            continue
        snapshot[name] = (resource_json, _resolved_properties(resource_map, resource_json))
    return snapshot


def _update_dependents(resource_map: ResourceMap, before: dict[str, tuple[dict[str, Any], Any]]) -> None:
    resources = resource_map._resource_json_map
    for name in topological_order(resources):
        if name not in before or resource_map._parsed_resources.get(name) is None:
            continue
        old_json, old_properties = before[name]
        if resources[name] != old_json or old_properties is _UNRESOLVABLE:
            continue  # changed in the template: the update itself took care of it
        if _resolved_properties(resource_map, resources[name]) == old_properties:
            continue
        resource_map._parsed_resources[name] = parsing.parse_and_update_resource(
            name, resources[name], resource_map, resource_map._account_id, resource_map._region_name
        )


def _updating_dependents(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def update(self: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        before = _snapshot(self)
        original_function(self, template, parameters)
        _update_dependents(self, before)

    return update


def apply() -> None:
    """Install the behaviour described in the module docstring (around :mod:`.updates`' update)."""
    replace(ResourceMap, "update", _updating_dependents)
