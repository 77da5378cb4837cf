"""ARM what-if results -> neutral :class:`~iacli.plan.Change` values, with risk flags.

| what-if changeType | iacli action |
|---|---|
| Create | CREATE |
| Modify | UPDATE (property deltas kept: path, before, after) |
| Delete | DELETE |
| NoChange, Ignore | NOOP (Ignore + tag ``iacli-stack: <stack>`` = DELETE, planned by iacli) |
| Deploy, Unsupported | UNKNOWN (shown, with the reason) |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from iacli.plan import Change, ChangeAction, PropertyChange, Risk

ACTIONS: dict[str, ChangeAction] = {
    "create": ChangeAction.CREATE,
    "modify": ChangeAction.UPDATE,
    "delete": ChangeAction.DELETE,
    "nochange": ChangeAction.NOOP,
    "ignore": ChangeAction.NOOP,
    "deploy": ChangeAction.UNKNOWN,
    "unsupported": ChangeAction.UNKNOWN,
}
_REASONS = {
    "deploy": "ARM redeploys it; what-if cannot predict its property changes",
    "unsupported": "what-if cannot evaluate it before deployment",
}

# Deleting one of these loses data (lower-case types).
STATEFUL_TYPES = frozenset(t.lower() for t in (
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/blobServices/containers",
    "Microsoft.Storage/storageAccounts/fileServices/shares",
    "Microsoft.Storage/storageAccounts/queueServices/queues",
    "Microsoft.Storage/storageAccounts/tableServices/tables",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
    "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
    "Microsoft.Sql/servers",
    "Microsoft.Sql/servers/databases",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DBforPostgreSQL/servers",
    "Microsoft.DBforMySQL/flexibleServers",
    "Microsoft.DBforMySQL/servers",
    "Microsoft.KeyVault/vaults",
    "Microsoft.KeyVault/vaults/secrets",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Cache/redis",
    "Microsoft.EventHub/namespaces",
    "Microsoft.ServiceBus/namespaces",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.Insights/components",
    "Microsoft.Kusto/clusters",
    "Microsoft.Compute/disks",
    "Microsoft.AppConfiguration/configurationStores",
))

# Any change to one of these changes who may do what.
SECURITY_TYPES = frozenset(t.lower() for t in (
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleDefinitions",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "Microsoft.KeyVault/vaults/accessPolicies",
))

SENSITIVE_KEYS = frozenset({"securevalue", "password", "adminpassword", "administratorloginpassword", "secret",
                            "clientsecret", "connectionstring", "primarykey", "secondarykey"})
MASK = "(sensitive)"


def resource_name(resource_id: str) -> str:
    """``.../providers/Microsoft.Storage/storageAccounts/a/blobServices/default`` -> ``a/default``."""
    marker = resource_id.lower().rfind("/providers/")
    if marker < 0:
        return resource_id.rstrip("/").rsplit("/", 1)[-1]
    parts = resource_id[marker + len("/providers/"):].split("/")
    return "/".join(parts[2::2])


def resource_type(resource_id: str) -> str:
    marker = resource_id.lower().rfind("/providers/")
    if marker < 0:
        return ""
    parts = resource_id[marker + len("/providers/"):].split("/")
    return "/".join([parts[0], *parts[1::2]]) if parts else ""


def risks(action: ChangeAction, rtype: str, props: Iterable[PropertyChange] = (),
          body: Mapping[str, Any] | None = None) -> frozenset[Risk]:
    """DATA_LOSS (stateful deleted), SECURITY (RBAC/identity changed), PUBLIC (opened to the internet)."""
    folded = rtype.lower()
    found: set[Risk] = set()
    props = tuple(props)
    if action is ChangeAction.DELETE and folded in STATEFUL_TYPES:
        found.add(Risk.DATA_LOSS)
    if action is not ChangeAction.NOOP and (
        folded in SECURITY_TYPES or any(p.path.lower().split(".")[0] == "identity" for p in props)
    ):
        found.add(Risk.SECURITY)
    if action in (ChangeAction.CREATE, ChangeAction.UPDATE) and body is not None and _public(folded, body):
        found.add(Risk.PUBLIC)
    return frozenset(found)


def _public(rtype: str, body: Mapping[str, Any]) -> bool:
    props = body.get("properties") if isinstance(body.get("properties"), Mapping) else {}
    assert isinstance(props, Mapping)
    if rtype == "microsoft.containerinstance/containergroups":
        ip = props.get("ipAddress")
        return isinstance(ip, Mapping) and str(ip.get("type", "")).lower() == "public"
    if rtype == "microsoft.storage/storageaccounts":
        return props.get("allowBlobPublicAccess") is True
    return False


def from_what_if(
    change: Mapping[str, Any], secret_values: frozenset[str], stack_tagged: bool
) -> Change:
    """One what-if change (``as_dict()`` of ``WhatIfChange``) as a neutral Change."""
    rid = str(change.get("resourceId") or change.get("resource_id") or "")
    kind = str(change.get("changeType") or change.get("change_type") or "").lower()
    before = change.get("before") or {}
    after = change.get("after") or {}
    rtype = str((after or before).get("type") or resource_type(rid))
    action = ACTIONS.get(kind, ChangeAction.UNKNOWN)
    reason = _REASONS.get(kind) or (str(change.get("unsupportedReason") or change.get("unsupported_reason") or "")
                                    or None)
    if kind == "ignore":
        if stack_tagged:
            action, reason = ChangeAction.DELETE, "no longer in the template (tagged iacli-stack: this stack)"
        else:
            reason = "not in the template and not tagged for this stack: left alone"
    props = tuple(flatten_delta(change.get("delta") or [], secret_values)) if action is ChangeAction.UPDATE else ()
    if action is ChangeAction.UPDATE and not props:
        reason = reason or "ARM reports a change with no property delta"
    return Change(resource_name(rid), rtype, action, props, risks(action, rtype, props, after), rid, reason)


def flatten_delta(items: Iterable[Mapping[str, Any]], secret_values: frozenset[str],
                  prefix: str = "") -> Iterable[PropertyChange]:
    """What-if deltas as dotted leaf paths (``properties.containers.0.properties...cpu``)."""
    for item in items:
        path = f"{prefix}.{item.get('path')}" if prefix else str(item.get("path"))
        kind = str(item.get("propertyChangeType") or item.get("property_change_type") or "").lower()
        children = item.get("children") or []
        if kind == "noeffect":
            continue
        if children:
            yield from flatten_delta(children, secret_values, path)
            continue
        before, after = item.get("before"), item.get("after")
        sensitive = path.rsplit(".", 1)[-1].lower() in SENSITIVE_KEYS or _holds_secret(before, secret_values) \
            or _holds_secret(after, secret_values)
        if sensitive:
            before = MASK if before is not None else None
            after = MASK if after is not None else None
        yield PropertyChange(path, before, after, False, sensitive)


def _holds_secret(value: Any, secret_values: frozenset[str]) -> bool:
    if not secret_values or value is None:
        return False
    text = value if isinstance(value, str) else repr(value)
    return any(s and s in text for s in secret_values)


def created(rid: str, rtype: str, body: Mapping[str, Any] | None = None) -> Change:
    return Change(resource_name(rid), rtype, ChangeAction.CREATE, (), risks(ChangeAction.CREATE, rtype, (), body), rid)


def deleted(rid: str, rtype: str, reason: str) -> Change:
    return Change(resource_name(rid), rtype, ChangeAction.DELETE, (), risks(ChangeAction.DELETE, rtype), rid, reason)
