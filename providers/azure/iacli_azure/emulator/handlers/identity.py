"""Microsoft.ManagedIdentity and Microsoft.Authorization: identities and role assignments."""

from __future__ import annotations

import re

from ..errors import ArmError
from ..state import EmulatorState, utc_now
from .base import Draft, JsonDict, ResourceHandler, resources_of_type, stable_uuid, string_at

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class UserAssignedIdentityHandler(ResourceHandler):
    """``Microsoft.ManagedIdentity/userAssignedIdentities``: stable principal and client ids."""

    types = ("microsoft.managedidentity/userassignedidentities",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {
            "properties": {
                "principalId": stable_uuid(draft.resource_id, "principal"),
                "clientId": stable_uuid(draft.resource_id, "client"),
                "tenantId": state.tenant_id,
            }
        }


class RoleAssignmentHandler(ResourceHandler):
    """``Microsoft.Authorization/roleAssignments``: GUID names, required members, no duplicates."""

    types = ("microsoft.authorization/roleassignments",)

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        if not _GUID.match(draft.name):
            raise ArmError(
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{draft.name}' is not valid. The role assignment ID must be a GUID.",
                target=draft.name,
            )

    def validate(self, draft: Draft, state: EmulatorState) -> None:
        principal = string_at(draft.declared, "properties", "principalId")
        role = string_at(draft.declared, "properties", "roleDefinitionId")
        if not principal or not role:
            raise ArmError(
                "InvalidRoleAssignmentRequest",
                "A role assignment needs properties.principalId and properties.roleDefinitionId.",
                target=draft.name,
            )
        if draft.existing is not None:
            before = string_at(draft.existing.declared, "properties", "principalId") or ""
            if before.casefold() != principal.casefold():
                raise ArmError(
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                    status=409,
                    target=draft.name,
                )
        for other in resources_of_type(state, "Microsoft.Authorization/roleAssignments"):
            if other.id.casefold() != draft.resource_id.casefold() and _same_assignment(
                other.body, draft, principal, role
            ):
                raise ArmError("RoleAssignmentExists", "The role assignment already exists.", status=409)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {
            "properties": {
                "scope": draft.parsed.scope,
                "createdOn": draft.existing.created_at if draft.existing else utc_now(),
                "updatedOn": utc_now(),
            }
        }


def _same_assignment(other: JsonDict, draft: Draft, principal: str, role: str) -> bool:
    other_scope = string_at(other, "properties", "scope") or ""
    return (
        (string_at(other, "properties", "principalId") or "").casefold() == principal.casefold()
        and (string_at(other, "properties", "roleDefinitionId") or "").casefold() == role.casefold()
        and other_scope.casefold() == draft.parsed.scope.casefold()
    )
