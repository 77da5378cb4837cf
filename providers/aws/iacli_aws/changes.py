"""Turning a change set plus iacli's own property diff into neutral :class:`~iacli.plan.Change` values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iacli.plan import Change, ChangeAction, PropertyChange, Risk
from iacli_aws.diff import ResourceDiff, references
from iacli_aws.schemas import SECURITY_TYPES, STATEFUL_TYPES

_KEEPS_DATA = frozenset({"Retain", "RetainExceptOnCreate", "Snapshot"})
_OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def build_changes(
    resource_changes: Mapping[str, Mapping[str, Any]],
    diffs: Mapping[str, ResourceDiff],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    physical_ids: Mapping[str, str],
) -> tuple[Change, ...]:
    """One Change per logical id of either template (or of the change set), in a stable order."""
    ids = sorted(set(diffs) | set(resource_changes))
    first = {lid: _change(lid, resource_changes.get(lid), diffs.get(lid), old, new, physical_ids) for lid in ids}
    return tuple(_dependents(first, new).values())


def _change(
    lid: str,
    rc: Mapping[str, Any] | None,
    diff: ResourceDiff | None,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    physical_ids: Mapping[str, str],
) -> Change:
    old_res = (old.get("Resources") or {}).get(lid) or {}
    new_res = (new.get("Resources") or {}).get(lid) or {}
    rtype = str(new_res.get("Type") or old_res.get("Type") or (rc or {}).get("ResourceType", ""))
    props = diff.properties if diff else ()
    action, reason = _action(rc, diff, new_res, old_res)
    risks = _risks(action, rtype, old_res, new_res, props)
    return Change(lid, rtype, action, props, risks, physical_ids.get(lid), reason)


def _action(
    rc: Mapping[str, Any] | None, diff: ResourceDiff | None, new_res: Mapping[str, Any], old_res: Mapping[str, Any]
) -> tuple[ChangeAction, str | None]:
    if not old_res and new_res:
        return ChangeAction.CREATE, None
    if old_res and not new_res:
        return ChangeAction.DELETE, None
    if diff is not None and diff.properties:
        return (ChangeAction.REPLACE if diff.replaced else ChangeAction.UPDATE), None
    if diff is not None and diff.replaced:
        return ChangeAction.REPLACE, "resource type changed"
    return _from_change_set(rc)


def _from_change_set(rc: Mapping[str, Any] | None) -> tuple[ChangeAction, str | None]:
    """No property differs: only CloudFormation's own details can still make this a change."""
    if rc is None:
        return ChangeAction.NOOP, None
    replacement = rc.get("Replacement")
    details = rc.get("Details") or []
    if replacement == "True":
        return ChangeAction.REPLACE, "CloudFormation replaces it (a value it depends on changes)"
    if replacement == "Conditional":
        return ChangeAction.UNKNOWN, "CloudFormation may replace it, depending on values known only at deploy time"
    if details:
        sources = sorted({str(d.get("ChangeSource", "")) for d in details if d.get("ChangeSource")})
        return ChangeAction.UPDATE, "changes through " + (", ".join(sources) or "a dependency")
    return ChangeAction.NOOP, None


def _risks(
    action: ChangeAction, rtype: str, old_res: Mapping[str, Any], new_res: Mapping[str, Any],
    props: tuple[PropertyChange, ...],
) -> frozenset[Risk]:
    risks: set[Risk] = set()
    if action in (ChangeAction.DELETE, ChangeAction.REPLACE) and rtype in STATEFUL_TYPES:
        policy_key = "DeletionPolicy" if action is ChangeAction.DELETE else "UpdateReplacePolicy"
        if (old_res or new_res).get(policy_key) not in _KEEPS_DATA:
            risks.add(Risk.DATA_LOSS)
    if (action is not ChangeAction.NOOP and rtype in SECURITY_TYPES and (props or action is not ChangeAction.UPDATE)
            and (rtype != "AWS::S3::Bucket" or any("Policy" in p.path or "PublicAccess" in p.path for p in props))):
        risks.add(Risk.SECURITY)
    if action not in (ChangeAction.DELETE, ChangeAction.NOOP) and _opens_to_world(new_res.get("Properties") or {}):
        risks.add(Risk.PUBLIC)
    return frozenset(risks)


def _opens_to_world(value: Any) -> bool:
    if isinstance(value, dict):
        if any(isinstance(value.get(k), str) and value[k] in _OPEN_CIDRS for k in ("CidrIp", "CidrIpv6")):
            return True
        block = value.get("PublicAccessBlockConfiguration")
        if isinstance(block, dict) and any(v in (False, "false") for v in block.values()):
            return True
        # outbound rules open nothing to the world
        return any(_opens_to_world(v) for k, v in value.items() if k != "SecurityGroupEgress")
    if isinstance(value, list):
        return any(_opens_to_world(v) for v in value)
    return False


def _dependents(changes: dict[str, Change], new: Mapping[str, Any]) -> dict[str, Change]:
    """An unchanged resource that refers to a replaced one is updated too: the reference changes."""
    replaced = {lid for lid, c in changes.items() if c.action is ChangeAction.REPLACE}
    if not replaced:
        return changes
    out = dict(changes)
    for lid, change in changes.items():
        if change.action is not ChangeAction.NOOP:
            continue
        refs = references(((new.get("Resources") or {}).get(lid) or {}).get("Properties") or {}) & replaced
        if refs:
            reason = f"refers to {', '.join(sorted(refs))}, which is replaced"
            out[lid] = Change(lid, change.resource_type, ChangeAction.UPDATE, (), change.risks, change.physical_id, reason)
    return out
