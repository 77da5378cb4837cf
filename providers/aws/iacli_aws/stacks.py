"""Reading CloudFormation stacks: what is deployed, its events, and waiting with backoff."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from iacli.errors import ProviderError
from iacli.plan import Event, EventStatus
from iacli_aws.errors import aws_errors, error_code

SUCCESS = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
ROLLED_BACK = frozenset({"ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"})
STUCK = frozenset({"CREATE_FAILED", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "UPDATE_FAILED",
                   "IMPORT_ROLLBACK_FAILED"})
TERMINAL = SUCCESS | ROLLED_BACK | STUCK | {"DELETE_COMPLETE"}


@dataclass(frozen=True)
class DeployedStack:
    """A stack as CloudFormation reports it."""

    name: str
    stack_id: str
    status: str
    parameters: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def is_placeholder(self) -> bool:
        """A stack that only holds a CREATE change set (REVIEW_IN_PROGRESS): nothing deployed yet."""
        return self.status == "REVIEW_IN_PROGRESS"


def describe_stack(cfn: Any, name: str) -> DeployedStack | None:
    """The stack called ``name``, or None when there is none (DescribeStacks answers ValidationError)."""
    with aws_errors(f"describe stack {name}"):
        try:
            stacks = cfn.describe_stacks(StackName=name)["Stacks"]
        except Exception as exc:
            if error_code(exc) == "ValidationError":
                return None
            raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    s = stacks[0]
    return DeployedStack(
        name=s["StackName"],
        stack_id=s["StackId"],
        status=s["StackStatus"],
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in s.get("Parameters") or []},
        outputs={o["OutputKey"]: o.get("OutputValue", "") for o in s.get("Outputs") or []},
    )


def deployed_template(cfn: Any, name: str, load: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """The processed template of a deployed stack (SAM already expanded)."""
    with aws_errors(f"get template of {name}"):
        body = cfn.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
    if isinstance(body, dict):
        copied: dict[str, Any] = json.loads(json.dumps(body))
        return copied
    try:
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    except json.JSONDecodeError:
        return load(body)


def stack_resources(cfn: Any, name: str) -> list[dict[str, str]]:
    """Logical id, type, physical id and status of every resource of the stack."""
    out = []
    with aws_errors(f"list resources of {name}"):
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name):
            for r in page["StackResourceSummaries"]:
                out.append({
                    "logical_id": r["LogicalResourceId"],
                    "type": r["ResourceType"],
                    "physical_id": r.get("PhysicalResourceId", ""),
                    "status": r.get("ResourceStatus", ""),
                })
    return out


def event_status(raw: str) -> EventStatus:
    """Map a raw CloudFormation status to a display category."""
    if "ROLLBACK" in raw and raw.endswith("IN_PROGRESS"):
        return EventStatus.ROLLING_BACK
    if raw.endswith("FAILED") or raw in ROLLED_BACK:
        return EventStatus.FAILED
    if raw.endswith("COMPLETE"):
        return EventStatus.COMPLETE
    if raw.endswith("IN_PROGRESS"):
        return EventStatus.IN_PROGRESS
    return EventStatus.PENDING


class EventReader:
    """Yields stack events not seen before, oldest first."""

    def __init__(self, cfn: Any, stack: str, since: Any | None = None) -> None:
        self.cfn = cfn
        self.stack = stack
        self.since = since
        self.seen: set[str] = set()

    def prime(self) -> None:
        """Mark every existing event as seen, so only new ones are reported."""
        for raw in self._raw():
            self.seen.add(raw["EventId"])

    def new_events(self) -> list[Event]:
        fresh = [r for r in self._raw() if r["EventId"] not in self.seen]
        for r in fresh:
            self.seen.add(r["EventId"])
        return [_event(r) for r in reversed(fresh)]

    def _raw(self) -> Iterator[dict[str, Any]]:
        try:
            response = self.cfn.describe_stack_events(StackName=self.stack)
        except Exception as exc:
            if error_code(exc) == "ValidationError":
                return
            raise
        yield from response.get("StackEvents", [])


def _event(raw: dict[str, Any]) -> Event:
    status = raw.get("ResourceStatus", "")
    return Event(
        logical_id=raw.get("LogicalResourceId", ""),
        resource_type=raw.get("ResourceType", ""),
        status=event_status(status),
        raw_status=status,
        reason=raw.get("ResourceStatusReason"),
        timestamp=str(raw.get("Timestamp", "")),
    )


def backoff(first: float = 0.2, factor: float = 1.5, cap: float = 5.0) -> Iterator[float]:
    """Delays for polling: short at first (<= 0.5 s), growing to ``cap``."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)


def wait_for(check: Callable[[], bool], timeout: float, what: str, sleep: Callable[[float], None] = time.sleep) -> None:
    """Poll ``check`` with backoff until it returns True; ProviderError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for delay in backoff():
        if check():
            return
        if time.monotonic() > deadline:
            raise ProviderError(f"timed out after {int(timeout)} s waiting for {what}")
        sleep(delay)
