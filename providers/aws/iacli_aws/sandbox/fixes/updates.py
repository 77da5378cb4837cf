"""Fix (b): stack updates (UpdateStack and ExecuteChangeSet) never lose resources, in CloudFormation's order.

moto behaviour corrected, all in ``moto.cloudformation.parsing.ResourceMap.update``:

1. A changed resource whose model has no ``update_from_cloudformation_json`` is set to ``None``: it
   vanishes from the stack (the backend object stays, unmanaged) and the update reports success.
   Now it is *replaced*: the old resource is deleted (unless ``UpdateReplacePolicy: Retain``) and a new
   one created. Models that can update do so (the sandbox models update in place where AWS does).
   moto models that do update often ignore a change AWS would replace the resource for (an SQS queue
   keeps its old ``QueueName``); such changes, to a create-only property of the type's resource
   schema (or to a reference to a replaced resource in one), now replace the resource too.
2. Removed resources are deleted *first*, before anything is added or modified, and in any order; AWS
   deletes them last, in the cleanup phase, in reverse dependency order (a stage moves to the new
   deployment before the old deployment goes). Removals now run last, dependents first, and honour
   ``DeletionPolicy: Retain``.
3. Removed resources stay in the map's cache of created resources, so a later update that adds the
   same logical id again silently gets the deleted object back instead of a new resource. They are
   now forgotten.
4. Added and modified resources are processed in template order; now dependencies come first, so a
   resource sees the new physical id of what it references (``DependsOn`` included).
5. When a resource is replaced, unchanged resources that reference it keep the old physical id. They
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
from moto.cloudformation.parsing import ResourceMap

from ..models import SANDBOX_MODELS
from ._patching import replace
from .graph import dependencies, references, topological_order
from .schemas import create_only_properties

# How often removals are retried while some still fail (moto's MAX_UPDATE_ATTEMPTS is 5).
_REMOVE_PASSES = 5
_RETAIN = frozenset({"Retain", "RetainExceptOnCreate"})


@dataclass
class UpdateLog:
    """What one stack update did so far: when each resource was touched and when it was replaced."""

    previous: dict[str, Any]
    tick: int = 0
    touched: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    removals: list[str] | None = None

    def record(self, logical_id: str, replaced: bool) -> None:
        self.tick += 1
        self.touched[logical_id] = self.tick
        if replaced:
            self.replaced[logical_id] = self.tick


_CURRENT: ContextVar[UpdateLog | None] = ContextVar("iacli_sandbox_update", default=None)


def current_update() -> UpdateLog | None:
    """The log of the stack update running in this context, if any."""
    return _CURRENT.get()


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
    """Whether a create-only property of a (moto-modelled) resource changes in this update."""
    if log is None or logical_id not in log.previous:
        return False
    old = log.previous[logical_id].get("Properties") or {}
    new = resource_json.get("Properties") or {}
    replaced = _replaced_references(logical_id, resource_json, log)
    return any(
        old.get(name) != new.get(name) or references(new.get(name)) & replaced
        for name in create_only_properties(resource_json["Type"])
    )


def _replace_resource(logical_id: str, resource_json: dict[str, Any], resources_map: ResourceMap,
                      account_id: str, region_name: str, original: Any) -> Any:
    log = _CURRENT.get()
    old_json = (log.previous.get(logical_id) if log else None) or {
        "Type": getattr(original, "cf_resource_type", resource_json["Type"])
    }
    if old_json.get("UpdateReplacePolicy") not in _RETAIN:
        resources_map._delete_resource(original, old_json)
    resources_map._parsed_resources.pop(logical_id, None)
    return parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)


def _updating_or_replacing(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def parse_and_update_resource(logical_id: str, resource_json: dict[str, Any], resources_map: ResourceMap,
                                  account_id: str, region_name: str) -> Any:
        model = parsing.resource_class_from_type(resource_json["Type"])
        original = resources_map._parsed_resources.get(logical_id)
        same_type = getattr(original, "cf_resource_type", resource_json["Type"]) == resource_json["Type"]
        if original is None:
            new = parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        elif _supports_update(model) and same_type and (
            model in SANDBOX_MODELS or not create_only_changed(logical_id, resource_json, _CURRENT.get())
        ):
            new = original_function(logical_id, resource_json, resources_map, account_id, region_name)
        else:
            new = _replace_resource(logical_id, resource_json, resources_map, account_id, region_name, original)
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
        if name not in resource_map._parsed_resources or resource_map._parsed_resources[name] is None:
            continue
        last = log.touched.get(name, -1)
        if any(log.replaced.get(dependency, -1) > last for dependency in dependencies(resources[name], resources)):
            resource_map._parsed_resources[name] = parsing.parse_and_update_resource(
                name, resources[name], resource_map, resource_map._account_id, resource_map._region_name
            )


def _remove_resources(resource_map: ResourceMap, previous: dict[str, Any], names: list[str]) -> None:
    """Delete removed resources, dependents first, retrying the ones that fail while others progress."""
    remaining = list(reversed(topological_order(previous, names)))
    for _ in range(_REMOVE_PASSES):
        failed: list[tuple[str, Exception]] = []
        for name in remaining:
            try:
                _remove_one(resource_map, name, previous[name])
            except Exception as error:  # noqa: BLE001 - retried, then re-raised
                failed.append((name, error))
        if not failed:
            return
        if len(failed) == len(remaining):
            raise failed[-1][1]
        remaining = [name for name, _ in failed]
    raise failed[-1][1]


def _remove_one(resource_map: ResourceMap, name: str, resource_json: dict[str, Any]) -> None:
    resource = resource_map._parsed_resources.get(name)
    if resource is not None and resource_json.get("DeletionPolicy") not in _RETAIN:
        resource_map._delete_resource(resource, resource_json)
    resource_map._parsed_resources.pop(name, None)


def _ordered_update(original_function: Callable[..., Any]) -> Callable[..., Any]:
    def update(self: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        log = UpdateLog(previous=dict(self._resource_json_map))
        token = _CURRENT.set(log)
        try:
            original_function(self, template, parameters)
            _propagate_replacements(self, log)
            _remove_resources(self, log.previous, log.removals or [])
        finally:
            _CURRENT.reset(token)
    return update


def apply() -> None:
    """Install the update behaviour described in the module docstring."""
    replace(parsing, "parse_and_update_resource", _updating_or_replacing)
    replace(parsing, "parse_and_create_resource", _recording_creates)
    replace(ResourceMap, "update", _ordered_update)
