"""Fix (b): stack updates (UpdateStack and ExecuteChangeSet) never lose resources, in CloudFormation's order.

moto behaviour corrected, all in ``moto.cloudformation.parsing.ResourceMap.update``:

1. A changed resource whose model has no ``update_from_cloudformation_json`` is set to ``None``: it
   vanishes from the stack (the backend object stays, unmanaged) and the update reports success.
   Now it is *replaced*. moto models that do update often ignore a change AWS would replace the
   resource for (an SQS queue keeps its old ``QueueName``); a change to a create-only property of the
   type's resource schema (or to a reference, in one, to a replaced resource) now replaces too. The
   sandbox's own models say themselves which changes replace (``requires_replacement``).
2. Replacement is done the CloudFormation way: the new resource is created first; the old one is
   deleted in the cleanup phase (unless ``UpdateReplacePolicy: Retain``), so a failed creation leaves
   the old resource working. A resource with an unchanged custom name (its type's name property)
   cannot be replaced: the update fails as on AWS ("custom-named resource requires replacing").
3. Removed resources are deleted *first*, before anything is added or modified, and in any order; AWS
   deletes them last, in the cleanup phase, dependents first (a stage moves to the new deployment
   before the old deployment goes). Removals now run in the cleanup phase, in reverse dependency order,
   and honour ``DeletionPolicy: Retain``.
4. Removed resources stay in the map's cache of created resources, so a later update that adds the
   same logical id again silently gets the deleted object back instead of a new resource. They are
   now forgotten.
5. Added and modified resources are processed in template order; now dependencies come first, so a
   resource sees the new physical id of what it references (``DependsOn`` included).
6. When a resource is replaced, unchanged resources that reference it keep the old physical id. They
   are now updated with the new one (transitively), as CloudFormation does.

Resources whose template entry did not change are left alone (moto already compares entries; see
:mod:`.changesets` for the comparison itself). An unchanged Lambda function therefore keeps its
configuration and code when another resource changes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import ResourceMap

from ._patching import replace
from .graph import dependencies, references, topological_order
from .schemas import create_only_properties

# How often cleanup deletions are retried while some still fail (moto's MAX_UPDATE_ATTEMPTS is 5).
_CLEANUP_PASSES = 5
_RETAIN = frozenset({"Retain", "RetainExceptOnCreate"})


@dataclass(frozen=True)
class Leftover:
    """A resource to delete in the cleanup phase: removed from the template, or replaced."""

    logical_id: str
    resource: Any
    resource_json: dict[str, Any]
    removed: bool


@dataclass
class UpdateLog:
    """What one stack update did so far: when each resource was touched or replaced, what to clean up."""

    previous: dict[str, Any]
    tick: int = 0
    touched: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    removals: list[str] | None = None
    superseded: list[Leftover] = field(default_factory=list)

    def record(self, logical_id: str, replaced: bool) -> None:
        self.tick += 1
        self.touched[logical_id] = self.tick
        if replaced:
            self.replaced[logical_id] = self.tick


_CURRENT: ContextVar[UpdateLog | None] = ContextVar("iacli_sandbox_update", default=None)


def defer_removals(remove: list[str]) -> list[str]:
    """Inside an update, take the removals out of moto's hands (they run last); else keep them."""
    log = _CURRENT.get()
    if log is None or log.removals is not None:
        return remove
    log.removals = list(remove)
    return []


def _supports_update(model: Any) -> bool:
    return model is not None and not hasattr(model.update_from_cloudformation_json, "__isabstractmethod__")


def _replaced_references(logical_id: str, resource_json: dict[str, Any], log: UpdateLog) -> set[str]:
    """Resources referenced by ``resource_json`` that were replaced since ``logical_id`` was last touched."""
    last = log.touched.get(logical_id, -1)
    return {name for name in references(resource_json.get("Properties")) if log.replaced.get(name, -1) > last}


def create_only_changed(logical_id: str, resource_json: dict[str, Any], log: UpdateLog | None) -> bool:
    """Whether a create-only property (per the resource schema) changes in this update."""
    if log is None or logical_id not in log.previous:
        return False
    old = log.previous[logical_id].get("Properties") or {}
    new = resource_json.get("Properties") or {}
    replaced = _replaced_references(logical_id, resource_json, log)
    return any(
        old.get(name) != new.get(name) or references(new.get(name)) & replaced
        for name in create_only_properties(resource_json["Type"])
    )


def requires_replacement(
    model: Any, original: Any, logical_id: str, resource_json: dict[str, Any], resources_map: ResourceMap
) -> bool:
    """Whether moving ``original`` to ``resource_json`` needs a new resource rather than an update."""
    if getattr(original, "cf_resource_type", resource_json["Type"]) != resource_json["Type"]:
        return True
    decide = getattr(model, "requires_replacement", None)
    if decide is not None:
        properties = parsing.clean_json(resource_json, resources_map).get("Properties") or {}
        return bool(decide(original, properties))
    if not _supports_update(model):
        return True
    return create_only_changed(logical_id, resource_json, _CURRENT.get())


def _refuse_custom_name_replacement(
    logical_id: str, resource_json: dict[str, Any], log: UpdateLog | None
) -> None:
    name_property = parsing.resource_name_property_from_type(resource_json["Type"])
    old = ((log.previous.get(logical_id) if log else None) or {}).get("Properties") or {}
    new = resource_json.get("Properties") or {}
    if name_property and name_property in new and new[name_property] == old.get(name_property):
        raise ValidationError(
            message=f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
            f"Rename {logical_id} ({name_property}) and update the stack again."
        )


def _replace_resource(
    logical_id: str, resource_json: dict[str, Any], resources_map: ResourceMap, original: Any
) -> Any:
    """Create the replacement; the original is deleted in the cleanup phase (or at once outside one)."""
    log = _CURRENT.get()
    _refuse_custom_name_replacement(logical_id, resource_json, log)
    new = parsing.parse_and_create_resource(
        logical_id, resource_json, resources_map, resources_map._account_id, resources_map._region_name
    )
    old_json = (log.previous.get(logical_id) if log else None) or {
        "Type": getattr(original, "cf_resource_type", resource_json["Type"])
    }
    leftover = Leftover(logical_id, original, old_json, removed=False)
    if log is not None:
        log.superseded.append(leftover)
    else:
        _delete_leftover(resources_map, leftover)
    return new


def _updating_or_replacing(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def parse_and_update_resource(
        logical_id: str,
        resource_json: dict[str, Any],
        resources_map: ResourceMap,
        account_id: str,
        region_name: str,
    ) -> Any:
        model = parsing.resource_class_from_type(resource_json["Type"])
        original = resources_map._parsed_resources.get(logical_id)
        if original is None:
            new = parsing.parse_and_create_resource(
                logical_id, resource_json, resources_map, account_id, region_name
            )
        elif requires_replacement(model, original, logical_id, resource_json, resources_map):
            new = _replace_resource(logical_id, resource_json, resources_map, original)
        else:
            new = original_function(logical_id, resource_json, resources_map, account_id, region_name)
        log = _CURRENT.get()
        if log is not None:
            log.record(logical_id, replaced=new is not original)
        return new

    return parse_and_update_resource


def _recording_creates(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def parse_and_create_resource(logical_id: str, *args: Any, **kwargs: Any) -> Any:
        resource = original_function(logical_id, *args, **kwargs)
        log = _CURRENT.get()
        if log is not None:
            log.record(logical_id, replaced=True)
        return resource

    return parse_and_create_resource


def _propagate_replacements(resource_map: ResourceMap, log: UpdateLog) -> None:
    """Update every resource that references a resource replaced after it was last touched."""
    resources = resource_map._resource_json_map
    for name in topological_order(resources):
        if resource_map._parsed_resources.get(name) is None:
            continue
        last = log.touched.get(name, -1)
        if any(
            log.replaced.get(dependency, -1) > last for dependency in dependencies(resources[name], resources)
        ):
            resource_map._parsed_resources[name] = parsing.parse_and_update_resource(
                name, resources[name], resource_map, resource_map._account_id, resource_map._region_name
            )


def _delete_leftover(resource_map: ResourceMap, leftover: Leftover) -> None:
    policy = leftover.resource_json.get("DeletionPolicy" if leftover.removed else "UpdateReplacePolicy")
    if leftover.resource is not None and policy not in _RETAIN:
        resource_map._delete_resource(leftover.resource, leftover.resource_json)
    if leftover.removed:
        resource_map._parsed_resources.pop(leftover.logical_id, None)


def _clean_up(resource_map: ResourceMap, log: UpdateLog) -> None:
    """Delete removed and replaced resources, dependents first, retrying while others progress."""
    removed = [
        Leftover(name, resource_map._parsed_resources.get(name), log.previous[name], removed=True)
        for name in log.removals or []
    ]
    order = {name: index for index, name in enumerate(reversed(topological_order(log.previous)))}
    remaining = sorted(removed + log.superseded, key=lambda item: order.get(item.logical_id, -1))
    for _ in range(_CLEANUP_PASSES):
        failed: list[tuple[Leftover, Exception]] = []
        for leftover in remaining:
            try:
                _delete_leftover(resource_map, leftover)
            except Exception as error:  # noqa: BLE001 - retried, then re-raised
                failed.append((leftover, error))
        if not failed:
            return
        if len(failed) == len(remaining):
            break
        remaining = [leftover for leftover, _ in failed]
    raise failed[-1][1]


def _ordered_update(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def update(self: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        log = UpdateLog(previous=dict(self._resource_json_map))
        token = _CURRENT.set(log)
        try:
            original_function(self, template, parameters)
            _propagate_replacements(self, log)
            _clean_up(self, log)
        finally:
            _CURRENT.reset(token)

    return update


def apply() -> None:
    """Install the update behaviour described in the module docstring."""
    replace(parsing, "parse_and_update_resource", _updating_or_replacing)
    replace(parsing, "parse_and_create_resource", _recording_creates)
    replace(ResourceMap, "update", _ordered_update)
