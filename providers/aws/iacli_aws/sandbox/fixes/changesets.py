"""Fixes (c) and (d): change set contents and what executing one leaves behind.

(d) moto compares old and new template entries to classify resources as Add/Modify/Remove. Corrected:

- moto's parser writes ``Properties: {}`` into the stored entry of a resource declared without
  ``Properties``, so that resource shows as Modify in every later change set (and is needlessly
  updated). Entries are now compared with missing ``Properties`` read as ``{}``.
- CreateChangeSet ignores parameter changes (only UpdateStack looks at them): a change set that only
  changes a parameter listed no changes, yet executing it updated resources. Resources that reference
  a changed parameter (``Ref`` or ``Fn::Sub``) are now Modify in the change set too.
- Unchanged resources are not listed, as on AWS; added and modified ones come in dependency order.
  Each change also carries the resource's PhysicalResourceId when it exists.

(c) ExecuteChangeSet (moto) leaves the stack's Outputs, exports, description and parsed template as
they were before (None after a CREATE change set), where UpdateStack refreshes them. They are now
refreshed after every execution, and exports after UpdateStack as well (moto registers them only at
CreateStack).

Also (d): CreateChangeSet with the deployed template and parameters answered ``ValidationError: No
updates are to be performed`` (UpdateStack's error, checked in moto's response layer). On AWS the change
set is created and ends FAILED ("The submitted information didn't contain changes"), which moto's backend
already does once the response layer lets the request through; it now does.

Also (c): ``Fn::ImportValue`` looks exports up in the dict the stack was given when it was made. A
stack made by a CREATE change set (every iacli deploy) gets an empty dict of its own, so it can
import nothing ("No export named X found" though X exists); one made by CreateStack while the region
had no export yet gets a fresh empty dict too, and can never import exports made later. Every stack
now reads the region's exports themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse

from ._patching import replace
from .graph import references, topological_order
from .updates import defer_removals


def _normalised(resource: dict[str, Any]) -> dict[str, Any]:
    return {**resource, "Properties": resource.get("Properties") or {}}


def _changed_parameters(resource_map: ResourceMap, parameters: dict[str, Any] | None) -> set[str]:
    if not parameters:
        return set()
    keys = set(parameters) | set(resource_map.input_parameters)
    return {key for key in keys if resource_map.input_parameters.get(key) != parameters.get(key)}


def resource_diff(
    resource_map: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """Logical ids to add, modify and remove to go from the map's template to ``template``."""
    old = {name: _normalised(entry) for name, entry in resource_map._resource_json_map.items()}
    new = {name: _normalised(entry) for name, entry in template["Resources"].items()}
    changed_parameters = _changed_parameters(resource_map, parameters)
    modify = [
        name
        for name in new
        if name in old and (new[name] != old[name] or references(new[name]) & changed_parameters)
    ]
    return {
        "Add": topological_order(new, [name for name in new if name not in old]),
        "Modify": topological_order(new, modify),
        "Remove": [name for name in old if name not in new],
    }


def _build_resource_diff(_original: Callable[..., Any]) -> Callable[..., Any]:
    def build_resource_diff(
        self: ResourceMap, other_template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> dict[str, list[str]]:
        diff = resource_diff(self, other_template, parameters)
        diff["Remove"] = defer_removals(diff["Remove"])
        return diff

    return build_resource_diff


def _change(action: str, name: str, resource_type: str, resource_map: ResourceMap) -> Change:
    change = Change(action=action, logical_resource_id=name, resource_type=resource_type)
    existing = resource_map._parsed_resources.get(name) if action != "Add" else None
    change.physical_resource_id = getattr(existing, "physical_resource_id", None)  # type: ignore[attr-defined]
    return change


def _parameter_aware_diff(_original: Callable[..., Any]) -> Callable[..., Any]:
    def diff(self: ChangeSet) -> list[Change]:
        resource_map = self.stack.resource_map
        actions = resource_diff(resource_map, self.template_dict, self.parameters)
        old, new = resource_map._resource_json_map, self.template_dict["Resources"]
        return [
            _change(action, name, (new if action != "Remove" else old)[name]["Type"], resource_map)
            for action in ("Add", "Modify", "Remove")
            for name in actions[action]
        ]

    return diff


def refresh_exports(backend: CloudFormationBackend, stack: Stack) -> None:
    """Re-register the exports of ``stack`` from its current outputs."""
    mine = {name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id}
    others = set(backend.exports) - mine
    exports = stack.exports
    clashing = sorted({export.name for export in exports} & others)
    if clashing:
        raise ValidationError(
            stack.stack_id, message=f"Export names must be unique across a given region: {clashing}"
        )
    for name in mine:
        backend.exports.pop(name)
    for export in exports:
        backend.exports[export.name] = export


def _refreshing_execute(original: Callable[..., Any]) -> Callable[..., Any]:
    def execute_change_set(
        self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
    ) -> None:
        change_set = self.describe_change_set(change_set_name)
        if change_set is None:
            raise ValidationError(stack_name)
        original(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        if change_set.parameters:
            stack.parameters = dict(change_set.parameters)
        stack.output_map = stack._create_output_map()
        refresh_exports(self, stack)

    return execute_change_set


def _refreshing_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_stack(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Stack:
        stack: Stack = original(self, *args, **kwargs)
        refresh_exports(self, stack)
        return stack

    return update_stack


def link_exports(backend: CloudFormationBackend, stack_name: str) -> None:
    """Make the live stack named ``stack_name`` resolve ``Fn::ImportValue`` against the region's exports."""
    for stack in backend.stacks.values():
        if stack.name == stack_name:
            stack.cross_stack_resources = backend.exports
            stack.resource_map.cross_stack_resources = backend.exports


def _linking_change_set_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_change_set(self: CloudFormationBackend, stack_name: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, stack_name, *args, **kwargs)
        link_exports(self, stack_name)
        return result

    return create_change_set


def _linking_created_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_stack(self: CloudFormationBackend, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, name, *args, **kwargs)
        finally:
            link_exports(self, name)

    return create_stack


def _change_set_without_update_check(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_change_set(self: CloudFormationResponse) -> Any:
        self._iacli_creating_change_set = True  # type: ignore[attr-defined]
        try:
            return original(self)
        finally:
            self._iacli_creating_change_set = False  # type: ignore[attr-defined]

    return create_change_set


def _update_check_for_stacks_only(original: Callable[..., Any]) -> Callable[..., Any]:
    def validate_different_update(self: CloudFormationResponse, *args: Any, **kwargs: Any) -> None:
        if not getattr(self, "_iacli_creating_change_set", False):
            original(self, *args, **kwargs)

    return validate_different_update


def apply() -> None:
    """Install the change set behaviour described in the module docstring."""
    replace(CloudFormationBackend, "create_change_set", _linking_change_set_stack)
    replace(CloudFormationBackend, "create_stack", _linking_created_stack)
    replace(ResourceMap, "build_resource_diff", _build_resource_diff)
    replace(ChangeSet, "diff", _parameter_aware_diff)
    replace(CloudFormationBackend, "execute_change_set", _refreshing_execute)
    replace(CloudFormationBackend, "update_stack", _refreshing_update)
    replace(CloudFormationResponse, "create_change_set", _change_set_without_update_check)
    replace(CloudFormationResponse, "_validate_different_update", _update_check_for_stacks_only)
