"""The neutral plan model shared by every provider: frozen, JSON-round-trippable values.

A provider turns its native preview (CloudFormation change set, ARM what-if) into a :class:`Plan`; the UI
renders it; the engine applies it. Nothing here knows a cloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

PLAN_SCHEMA_VERSION = 1


class ChangeAction(str, Enum):
    """What happens to one resource."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "noop"
    UNKNOWN = "unknown"


class Risk(str, Enum):
    """Flags a reviewer must see before approving a change."""

    DATA_LOSS = "data-loss"
    SECURITY = "security"
    PUBLIC = "public"


@dataclass(frozen=True)
class PropertyChange:
    """One property's before/after; ``path`` is dotted (``Environment.Variables.TABLE``)."""

    path: str
    before: Any = None
    after: Any = None
    forces_replacement: bool = False
    sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "forces_replacement": self.forces_replacement,
            "sensitive": self.sensitive,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PropertyChange:
        return cls(
            path=data["path"],
            before=data.get("before"),
            after=data.get("after"),
            forces_replacement=bool(data.get("forces_replacement", False)),
            sensitive=bool(data.get("sensitive", False)),
        )


@dataclass(frozen=True)
class Change:
    """The planned change of one resource."""

    logical_id: str
    resource_type: str
    action: ChangeAction
    properties: tuple[PropertyChange, ...] = ()
    risks: frozenset[Risk] = frozenset()
    physical_id: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "action": self.action.value,
            "properties": [p.to_dict() for p in self.properties],
            "risks": sorted(r.value for r in self.risks),
            "physical_id": self.physical_id,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        return cls(
            logical_id=data["logical_id"],
            resource_type=data["resource_type"],
            action=ChangeAction(data["action"]),
            properties=tuple(PropertyChange.from_dict(p) for p in data.get("properties", [])),
            risks=frozenset(Risk(r) for r in data.get("risks", [])),
            physical_id=data.get("physical_id"),
            reason=data.get("reason"),
        )


@dataclass(frozen=True)
class Plan:
    """A provider's preview of one deployment, normalised.

    ``provider_ref`` is what apply needs to execute exactly this plan (a change set ARN, a what-if basis);
    ``template_hash`` and ``params_hash`` identify what was planned (secrets hashed, never stored).
    """

    stack: str
    provider: str
    target: str
    changes: tuple[Change, ...]
    template_hash: str
    params_hash: str
    provider_ref: dict[str, Any] = field(default_factory=dict)
    is_new_stack: bool = False
    base_release: int | None = None
    created_at: str = ""
    parameters: tuple[PropertyChange, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.parameters) or any(c.action is not ChangeAction.NOOP for c in self.changes)

    def counts(self) -> dict[ChangeAction, int]:
        """How many resources get each action, in the order of :class:`ChangeAction`."""
        return {a: sum(1 for c in self.changes if c.action is a) for a in ChangeAction}

    @property
    def risks(self) -> frozenset[Risk]:
        return frozenset(r for c in self.changes for r in c.risks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "stack": self.stack,
            "provider": self.provider,
            "target": self.target,
            "is_new_stack": self.is_new_stack,
            "has_changes": self.has_changes,
            "summary": {a.value: n for a, n in self.counts().items()},
            "changes": [c.to_dict() for c in self.changes],
            "parameters": [p.to_dict() for p in self.parameters],
            "template_hash": self.template_hash,
            "params_hash": self.params_hash,
            "provider_ref": self.provider_ref,
            "base_release": self.base_release,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            stack=data["stack"],
            provider=data["provider"],
            target=data["target"],
            changes=tuple(Change.from_dict(c) for c in data.get("changes", [])),
            template_hash=data["template_hash"],
            params_hash=data["params_hash"],
            provider_ref=dict(data.get("provider_ref") or {}),
            is_new_stack=bool(data.get("is_new_stack", False)),
            base_release=data.get("base_release"),
            created_at=data.get("created_at", ""),
            parameters=tuple(PropertyChange.from_dict(p) for p in data.get("parameters", [])),
        )


class EventStatus(str, Enum):
    """Raw provider statuses mapped to a handful of display categories."""

    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETE = "complete"
    FAILED = "failed"
    ROLLING_BACK = "rolling-back"


@dataclass(frozen=True)
class Event:
    """A progress event emitted by a provider while it applies or destroys; the UI draws it."""

    logical_id: str
    resource_type: str
    status: EventStatus
    raw_status: str = ""
    reason: str | None = None
    timestamp: str = ""
