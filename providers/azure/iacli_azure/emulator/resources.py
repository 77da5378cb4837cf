"""The emulated resource providers: writing, deleting and reading resources, ``reference()`` and
``list*()``.

:class:`ResourceProviders` is what the deployment engine and the REST surface call to touch
resources.  It applies the checks every resource provider makes (the group exists, the type is
supported, the parent exists, the location does not change) and delegates the rest to the type's
handler (:mod:`.handlers`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..arm import ListRequest, ReferenceRequest, placeholder_list_resolver
from ..arm.values import JsonValue
from .errors import ArmError, group_not_found, not_found
from .handlers import MODELLED_TYPES, Draft, ListCall, handler_for
from .handlers.base import deep_merge, object_at, stable_uuid, string_at
from .ids import ResourceId, normalize_location, parse_resource_id
from .state import EmulatorState, Resource
from .support import SupportLevel, support_level, unsupported_error
from .views import deployment_properties, resource_view

JsonDict = dict[str, Any]

_IMPLICIT_PARENTS = frozenset(
    {
        "microsoft.storage/storageaccounts/blobservices",
        "microsoft.storage/storageaccounts/fileservices",
        "microsoft.storage/storageaccounts/queueservices",
        "microsoft.storage/storageaccounts/tableservices",
        "microsoft.web/sites/config",
        "microsoft.web/sites/host",
        "microsoft.web/sites/slots/config",
    }
)
"""Child types that exist implicitly once their parent exists (``blobServices/default``...)."""

_IDENTITY_MEMBERS = frozenset({"type", "apiversion", "name", "location", "scope", "comments", "metadata"})


@dataclass(frozen=True)
class EmulatorOptions:
    """Knobs of an emulator instance.

    ``extra_namespaces`` are accepted as recorded namespaces on top of
    :data:`~.support.RECORDED_NAMESPACES`; ``async_polls`` is how many polls of a long-running
    operation (deployment, what-if) answer "in progress" before the final answer (0: the first poll
    is final), so clients' progress handling can be exercised.
    """

    extra_namespaces: frozenset[str] = field(default_factory=frozenset)
    async_polls: int = 0


class Deferred(Exception):
    """``reference()``/``list*()`` of a resource that does not exist yet (what-if evaluation)."""


class ResourceProviders:
    """Writes, deletes and reads resources of the emulated subscription."""

    def __init__(self, state: EmulatorState, options: EmulatorOptions | None = None) -> None:
        self.state = state
        self.options = options or EmulatorOptions()

    # ------------------------------------------------------------------------ support
    def support(self, resource_type: str) -> SupportLevel:
        """How faithfully ``resource_type`` is emulated."""
        return support_level(resource_type, MODELLED_TYPES, self.options.extra_namespaces)

    def check_supported(self, resource_id: str, resource_type: str, name: str) -> None:
        """Raise ``NoRegisteredProviderFound`` for an unsupported type (extension types by id)."""
        parsed = parse_resource_id(resource_id)
        effective = parsed.type if parsed is not None else resource_type
        for candidate in {resource_type, effective}:
            if (
                "/providers/" not in candidate.casefold()
                and self.support(candidate) is SupportLevel.UNSUPPORTED
            ):
                raise unsupported_error(candidate, name)

    # -------------------------------------------------------------------------- writes
    def preflight(self, resource_id: str, api_version: str, location: str | None, members: JsonDict) -> None:
        """The checks ARM's preflight validation makes for one resource: supported type, then the
        handler's static checks (name rules, names taken elsewhere)."""
        draft = self._draft(resource_id, api_version, location, members)
        handler_for(draft.type).preflight(draft, self.state)

    def put(
        self,
        resource_id: str,
        api_version: str,
        location: str | None,
        members: JsonDict,
        *,
        deployment: str | None = None,
    ) -> tuple[Resource, bool]:
        """Create or replace a resource from its evaluated members; returns it and whether it is new."""
        draft = self._draft(resource_id, api_version, location, members)
        parsed = draft.parsed
        if parsed.resource_group is None or self.state.group(parsed.resource_group) is None:
            raise group_not_found(parsed.resource_group or "")
        self._check_parent(parsed)
        _check_location(parsed, draft.existing, draft.location)
        handler = handler_for(draft.type)
        handler.preflight(draft, self.state)
        handler.validate(draft, self.state)
        computed = deep_merge(self._common(draft), handler.computed(draft, self.state))
        redacted = handler.redact(draft.declared)
        resource = Resource(
            id=draft.existing.id if draft.existing else parsed.raw,
            type=parsed.type,
            name=parsed.name,
            location=draft.location,
            api_version=api_version,
            declared=redacted,
            body=deep_merge(redacted, computed),
            deployment=deployment,
        )
        created = self.state.put_resource(resource)
        handler.written(resource, draft.existing, self.state)
        return resource, created

    def _draft(self, resource_id: str, api_version: str, location: str | None, members: JsonDict) -> Draft:
        parsed = self._parse(resource_id)
        self.check_supported(resource_id, parsed.type, parsed.name)
        declared = {
            name: copy.deepcopy(value)
            for name, value in members.items()
            if name.casefold() not in _IDENTITY_MEMBERS
        }
        existing = self.state.resource(resource_id)
        return Draft(
            resource_id, parsed, parsed.type, normalize_location(location), api_version, declared, existing
        )

    def delete(self, resource_id: str) -> list[Resource]:
        """Delete a resource with its children and extension resources; returns what was deleted."""
        deleted = self.state.delete_resource(resource_id)
        for resource in deleted:
            handler_for(resource.type).deleted(resource, self.state)
        return deleted

    # --------------------------------------------------------------------------- reads
    def view(self, resource_id: str) -> JsonDict:
        """The GET body of ``resource_id``; ``ResourceNotFound`` when it does not exist."""
        resource = self.state.resource(resource_id)
        if resource is None:
            parsed = self._parse(resource_id)
            raise not_found(parsed.type, parsed.name, parsed.resource_group)
        return resource_view(resource, self.state)

    def reference(self, request: ReferenceRequest, *, lenient: bool = False) -> JsonValue:
        """``reference()``: a resource's properties (``full``: the whole resource), or a nested
        deployment's properties.  ``lenient`` raises :class:`Deferred` instead of ``ResourceNotFound``."""
        parsed = self._parse(request.resource_id)
        if parsed.type.casefold() == "microsoft.resources/deployments":
            record = self.state.deployment(parsed.resource_group or "", parsed.name)
            if record is None or record.provisioning_state != "Succeeded":
                raise self._missing(parsed, lenient)
            properties = deployment_properties(record)
            return {"name": record.name, "properties": properties} if request.full else properties
        resource = self.state.resource(request.resource_id)
        if resource is None:
            raise self._missing(parsed, lenient)
        view = resource_view(resource, self.state)
        if not request.full:
            members = view.get("properties")
            return members if isinstance(members, dict) else {}
        view.update(
            {
                "apiVersion": request.api_version or resource.api_version,
                "resourceId": resource.id,
                "subscriptionId": parsed.subscription_id,
                "resourceGroupName": parsed.resource_group,
                "scope": "",
                "referenceApiVersion": request.api_version or resource.api_version,
                "condition": True,
                "isConditionTrue": True,
                "isTemplateResource": False,
                "isAction": False,
                "provisioningOperation": "Read",
            }
        )
        return view

    def list_values(self, request: ListRequest, *, lenient: bool = False) -> JsonValue:
        """``list*()``: generic placeholder secrets plus what the target type's handler answers."""
        parsed = self._parse(request.resource_id)
        if self._nearest_existing(parsed) is None:
            raise self._missing(parsed, lenient)
        answer = placeholder_list_resolver(request)
        assert isinstance(answer, dict)
        call = ListCall(request.function_name, parsed, self.state.resource(request.resource_id))
        answer.update(handler_for(parsed.type).list_action(call, self.state))
        return answer

    # ------------------------------------------------------------------------ helpers
    def _parse(self, resource_id: str) -> ResourceId:
        parsed = parse_resource_id(resource_id)
        if parsed is None:
            raise ArmError("InvalidResourceId", f"'{resource_id}' is not a valid resource id.", status=400)
        return parsed

    def _missing(self, parsed: ResourceId, lenient: bool) -> Exception:
        if lenient:
            return Deferred(parsed.raw)
        return not_found(parsed.type, parsed.name, parsed.resource_group)

    def _check_parent(self, parsed: ResourceId) -> None:
        for ancestor in _ancestors(parsed):
            if self.state.resource(ancestor.raw) is not None:
                return
            if ancestor.type.casefold() not in _IMPLICIT_PARENTS:
                raise ArmError(
                    "ParentResourceNotFound",
                    f"Can not perform requested operation on nested resource. Parent resource '{ancestor.name}' "
                    "not found.",
                    status=404,
                    target=parsed.name,
                )

    def _nearest_existing(self, parsed: ResourceId) -> Resource | None:
        for candidate in (parsed, *_ancestors(parsed)):
            found = self.state.resource(candidate.raw)
            if found is not None:
                return found
        return None

    def _common(self, draft: Draft) -> JsonDict:
        """What every resource provider computes: ``provisioningState``, managed identity ids."""
        computed: JsonDict = {"properties": {"provisioningState": "Succeeded"}}
        identity = object_at(draft.declared, "identity")
        kind = (string_at(identity, "type") or "").casefold()
        if "systemassigned" in kind:
            computed["identity"] = {
                "principalId": stable_uuid(draft.resource_id, "system-identity"),
                "tenantId": self.state.tenant_id,
            }
        users = object_at(identity, "userAssignedIdentities")
        if users and "userassigned" in kind:
            computed.setdefault("identity", {})["userAssignedIdentities"] = {
                user: {"principalId": stable_uuid(user, "principal"), "clientId": stable_uuid(user, "client")}
                for user in users
            }
        return computed


def declared_members(members: JsonDict) -> JsonDict:
    """The members of an evaluated resource body a resource keeps (``properties``, ``tags``, ``sku``...):
    identity (``type``, ``name``, ``apiVersion``), ``location``, ``scope`` and comments are left out."""
    return {
        name: copy.deepcopy(value)
        for name, value in members.items()
        if name.casefold() not in _IDENTITY_MEMBERS
    }


def _ancestors(parsed: ResourceId) -> Iterable[ResourceId]:
    """Parents, nearest first, then (for an extension resource) the resource it is attached to."""
    current: ResourceId | None = parsed
    while current is not None and current.parent is not None:
        current = parse_resource_id(current.parent)
        if current is not None:
            yield current
    if parsed.is_extension:
        scope = parse_resource_id(parsed.scope)
        if scope is not None:
            yield scope
            yield from _ancestors(scope)


def _check_location(parsed: ResourceId, existing: Resource | None, location: str | None) -> None:
    if existing is None or existing.location is None or location is None or existing.location == location:
        return
    raise ArmError(
        "InvalidResourceLocation",
        f"The resource '{parsed.name}' already exists in location '{existing.location}' in resource group "
        f"'{parsed.resource_group}'. A resource with the same name cannot be created in location '{location}'. "
        "Please select a new resource name.",
        status=409,
        target=parsed.name,
    )


__all__ = ["Deferred", "EmulatorOptions", "ResourceProviders", "declared_members"]
