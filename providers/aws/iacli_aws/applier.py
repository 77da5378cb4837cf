"""Applying a planned change set and destroying stacks, with live events and honest failure handling.

On AWS, CloudFormation rolls a failed change back itself; iacli waits for the terminal status and reports
it. The sandbox (moto) fails synchronously and leaves the stack half-updated, so iacli restores the
previous template itself (or deletes a stack that failed on create) before reporting the failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from iacli.errors import DeploymentFailedError, NotFoundError, ProviderError
from iacli.plan import Event, EventStatus, Plan
from iacli.providers import ApplyResult, EventSink, Target, TargetKind
from iacli_aws.errors import aws_errors
from iacli_aws.planner import CAPABILITIES
from iacli_aws.session import AwsSession
from iacli_aws.stacks import (
    ROLLED_BACK,
    SUCCESS,
    TERMINAL,
    EventReader,
    deployed_template,
    describe_stack,
    stack_resources,
    wait_for,
)
from iacli_aws.template import template_json

APPLY_TIMEOUT = 3600.0


class Applier:
    """Executes change sets and deletes stacks for one target."""

    def __init__(
        self, session: AwsSession, target: Target, load: Callable[[str], dict[str, Any]],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sleep = sleep
        self.session = session
        self.target = target
        self.load = load
        self.cfn = session.client("cloudformation")
        self.sandbox = target.kind is TargetKind.SANDBOX

    # --- apply ------------------------------------------------------------------------------------
    def apply(self, plan: Plan, on_event: EventSink) -> ApplyResult:
        ref = plan.provider_ref
        if not ref.get("change_set_id"):
            deployed = self._require_stack()
            return ApplyResult(deployed.name, deployed.outputs, deployed.status)
        previous = self._snapshot() if self.sandbox and ref.get("change_set_type") == "UPDATE" else None
        events = EventReader(self.cfn, self.target.stack)
        events.prime()
        try:
            with aws_errors(f"execute change set on {self.target.stack}"):
                self.cfn.execute_change_set(ChangeSetName=ref["change_set_id"])
        except ProviderError as exc:
            if not self.sandbox:
                raise
            failure = f"deploy of {self.target.stack} failed: {exc.message}"
            try:
                self._restore_sandbox(previous, on_event)
            except ProviderError as restore:
                raise DeploymentFailedError(failure, hint=f"restoring the sandbox stack failed too ({restore.message});"
                                            " `iacli doctor` shows what to do", rolled_back=False) from None
            raise DeploymentFailedError(
                failure,
                hint="the sandbox stack was " + ("restored to its previous template" if previous else "removed"),
            ) from None
        status = self._wait_terminal(events, on_event)
        if self.sandbox:
            self._emit_resource_states(on_event, {c.logical_id for c in plan.changes if c.action.value != "noop"})
        return self._result(status, on_event)

    def _result(self, status: str, on_event: EventSink) -> ApplyResult:
        deployed = self._require_stack()
        if status in SUCCESS:
            return ApplyResult(deployed.name, deployed.outputs, status)
        if status == "ROLLBACK_COMPLETE":
            self._delete_failed_create(on_event)
        rolled_back = status in ROLLED_BACK
        reason = "CloudFormation rolled it back" if rolled_back else f"run `iacli doctor` for {self.target.stack}"
        raise DeploymentFailedError(f"deploy of {self.target.stack} failed: {status}; {reason}",
                                    hint="the events above say which resource failed and why", rolled_back=rolled_back)

    def _delete_failed_create(self, on_event: EventSink) -> None:
        """A stack whose creation rolled back holds nothing and blocks the next deploy: delete it."""
        events = EventReader(self.cfn, self.target.stack)
        events.prime()
        with aws_errors(f"delete failed stack {self.target.stack}"):
            self.cfn.delete_stack(StackName=self.target.stack)
        self._wait_terminal(events, on_event)

    def _wait_terminal(self, events: EventReader, on_event: EventSink) -> str:
        state = {"status": ""}

        def done() -> bool:
            for event in events.new_events():
                on_event(event)
            deployed = describe_stack(self.cfn, self.target.stack)
            state["status"] = deployed.status if deployed else "DELETE_COMPLETE"
            return state["status"] in TERMINAL

        wait_for(done, APPLY_TIMEOUT, f"stack {self.target.stack}", self.sleep)
        return state["status"]

    def _emit_resource_states(self, on_event: EventSink, changed: set[str]) -> None:
        """moto reports no per-resource events: report the state of each changed resource as it is now."""
        for r in stack_resources(self.cfn, self.target.stack):
            if r["logical_id"] in changed:
                on_event(Event(r["logical_id"], r["type"], EventStatus.COMPLETE, r["status"] or "CREATE_COMPLETE"))

    def _snapshot(self) -> dict[str, Any] | None:
        deployed = describe_stack(self.cfn, self.target.stack)
        if deployed is None:
            return None
        return {"body": deployed_template(self.cfn, self.target.stack, self.load), "parameters": deployed.parameters}

    def _restore_sandbox(self, previous: dict[str, Any] | None, on_event: EventSink) -> None:
        """Put the sandbox back where it was: the previous template, or no stack at all."""
        name = self.target.stack
        on_event(Event(name, "AWS::CloudFormation::Stack", EventStatus.ROLLING_BACK, "ROLLBACK_IN_PROGRESS"))
        with aws_errors(f"restore {name}"):
            if previous is None:
                self.cfn.delete_stack(StackName=name)
            else:
                self.cfn.update_stack(
                    StackName=name,
                    TemplateBody=template_json(previous["body"]),
                    Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in previous["parameters"].items()],
                    Capabilities=CAPABILITIES,
                )
        final = "ROLLBACK_COMPLETE" if previous is None else "UPDATE_ROLLBACK_COMPLETE"
        on_event(Event(name, "AWS::CloudFormation::Stack", EventStatus.FAILED, final))

    # --- destroy / read ---------------------------------------------------------------------------
    def destroy(self, on_event: EventSink) -> list[str]:
        deployed = self._require_stack()
        resources = stack_resources(self.cfn, deployed.name)
        events = EventReader(self.cfn, deployed.stack_id)
        events.prime()
        with aws_errors(f"delete stack {deployed.name}"):
            self.cfn.delete_stack(StackName=deployed.name)
        status = self._wait_terminal(events, on_event)
        if status != "DELETE_COMPLETE":
            failed = [r["logical_id"] for r in stack_resources(self.cfn, deployed.name) if r["status"] == "DELETE_FAILED"]
            raise ProviderError(f"destroy of {deployed.name} ended {status}; not deleted: {', '.join(failed) or '?'}",
                                hint="fix what blocks the deletion, then run destroy again")
        if self.sandbox:
            for r in resources:
                on_event(Event(r["logical_id"], r["type"], EventStatus.COMPLETE, "DELETE_COMPLETE"))
        return [r["logical_id"] for r in resources]

    def _require_stack(self) -> Any:
        deployed = describe_stack(self.cfn, self.target.stack)
        if deployed is None or deployed.is_placeholder:
            raise NotFoundError(
                f"stack {self.target.stack} does not exist on {self.target.label}",
                hint="deploy it first, or check --name/--env/--target",
            )
        return deployed


