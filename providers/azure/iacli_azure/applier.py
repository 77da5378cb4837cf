"""Applying a planned ARM deployment, iacli's own rollback, and destroying a stack's resource group.

ARM's ``onErrorDeployment`` would re-run the last successful deployment in **Complete** mode, which
deletes anything in the group the old template does not declare (someone else's resources too). iacli
rolls back itself instead: the previous successful deployment's template (``export_template``) and
parameters are deployed again in **Incremental** mode, then the resources this apply created (tagged for
this stack) are deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, NoReturn

from iacli.errors import DeploymentFailedError, NotFoundError, ProviderError, StalePlanError
from iacli.plan import Event, EventStatus, Plan
from iacli.providers import ApplyResult, Deployable, EventSink, Target
from iacli_azure.changes import resource_name
from iacli_azure.errors import azure_errors, error_code, error_message
from iacli_azure.keyvault import VaultLookup
from iacli_azure.planner import (
    deployment_name,
    get_group,
    last_succeeded,
    owned,
    refuse_foreign,
    submission_for,
    tagged_resources,
)
from iacli_azure.session import AzureSession
from iacli_azure.template import SECURE_TYPES, iacli_tags

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
FIRST_POLL_S = 0.2
MAX_POLL_S = 5.0
SANDBOX_DELETE_API_VERSION = "2023-01-01"  # the emulator accepts any api-version

AfterDeployment = Callable[[Mapping[str, Any], Mapping[str, Any], str], None]
"""Called after a deployment succeeds (an apply's, or an automatic rollback's redeployment) with its template,
its parameter values and what happened (``was deployed``), to do what ARM cannot (a static website); raises
ProviderError when that fails."""

_STATUS = {
    "succeeded": EventStatus.COMPLETE,
    "failed": EventStatus.FAILED,
    "canceled": EventStatus.FAILED,
    "running": EventStatus.IN_PROGRESS,
    "accepted": EventStatus.IN_PROGRESS,
    "creating": EventStatus.IN_PROGRESS,
    "updating": EventStatus.IN_PROGRESS,
    "deleting": EventStatus.IN_PROGRESS,
}


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def outputs_of(deployment: Any) -> dict[str, Any]:
    """A deployment's outputs as ``name: value`` (secure outputs left out)."""
    raw = getattr(deployment.properties, "outputs", None) or {}
    return {name: spec.get("value") for name, spec in raw.items()
            if isinstance(spec, Mapping) and str(spec.get("type", "")).lower() not in SECURE_TYPES}


class Applier:
    """Deploys, rolls back and destroys for one target."""

    def __init__(self, session: AzureSession, target: Target, sleep: Callable[[float], None] = time.sleep,
                 after_deployment: AfterDeployment | None = None) -> None:
        self.session = session
        self.target = target
        self.sleep = sleep
        self.group = session.group
        self.after_deployment = after_deployment

    # --- apply ------------------------------------------------------------------------------------
    def apply(self, plan: Plan, deployable: Deployable, on_event: EventSink) -> ApplyResult:
        from azure.core.exceptions import HttpResponseError

        submission = submission_for(self.target, deployable)
        if submission.template_hash != plan.template_hash:
            raise StalePlanError("stale: the template changed since the plan", hint="plan again")
        ref = plan.provider_ref
        name = str(ref.get("deployment_name") or deployment_name(submission.template_hash))
        created_group = self._ensure_group(on_event)
        previous = None if created_group else last_succeeded(self.session)
        body = {"properties": {"template": submission.body,
                               "parameters": submission.arm_parameters(VaultLookup(self.session.resources)),
                               "mode": "Incremental"}}
        try:
            self._validate(name, body)
        except HttpResponseError as exc:
            if created_group:
                self._delete_group(on_event)
            raise DeploymentFailedError(
                f"deploy of {self.target.stack} refused by ARM validation: {error_code(exc)}: {error_message(exc)}",
                hint="nothing was deployed", rolled_back=True) from None
        try:
            result = self._run(name, body, on_event)
        except HttpResponseError as exc:
            failure = self._failure(name, exc)
            self._roll_back(previous, submission.parameters, ref, created_group, on_event, failure)
        self._delete_planned(ref.get("delete") or [], on_event)
        if self.after_deployment is not None:
            self.after_deployment(submission.body, submission.parameters, "was deployed")
        return ApplyResult(self.target.stack, outputs_of(result), _text(result.properties.provisioning_state))

    def _ensure_group(self, on_event: EventSink) -> bool:
        group = get_group(self.session)
        if group is not None:
            refuse_foreign(group, self.target.stack)
            return False
        with azure_errors(f"create resource group {self.group}"):
            self.session.resources.resource_groups.create_or_update(
                self.group, {"location": self.session.region, "tags": iacli_tags(self.target.stack)})
        on_event(Event(self.group, GROUP_TYPE, EventStatus.COMPLETE, "Created"))
        return True

    def _validate(self, name: str, body: Mapping[str, Any]) -> None:
        from azure.core.exceptions import HttpResponseError

        result = self.session.deployments.deployments.begin_validate(self.group, name, body).result()
        error = getattr(result, "error", None)
        if error is not None and getattr(error, "code", None):
            exc = HttpResponseError(message=str(error.message))
            exc.error = error
            raise exc

    def _run(self, name: str, body: Mapping[str, Any], on_event: EventSink) -> Any:
        """Start the deployment and report its operations (polling with backoff) until it ends."""
        from azure.core.exceptions import HttpResponseError

        poller = self.session.deployments.deployments.begin_create_or_update(self.group, name, body)
        seen: dict[str, str] = {}
        delay = FIRST_POLL_S
        while True:
            try:
                poller.wait(delay)
            except HttpResponseError:
                pass  # the deployment failed: result() below raises it, after its operations are reported
            self._emit_operations(name, seen, on_event)
            if poller.done():
                return poller.result()
            delay = min(delay * 1.6, MAX_POLL_S)

    def _operations(self, name: str) -> list[Any]:
        try:
            return list(self.session.deployments.deployment_operations.list(self.group, name))
        except Exception as exc:
            if error_code(exc) is None and not hasattr(exc, "status_code"):
                raise
            return []

    def _emit_operations(self, name: str, seen: dict[str, str], on_event: EventSink) -> None:
        for op in self._operations(name):
            props = op.properties
            target = getattr(props, "target_resource", None)
            if target is None:
                continue
            state = _text(props.provisioning_state)
            key = str(op.operation_id or op.id)
            if seen.get(key) == state:
                continue
            seen[key] = state
            status = _STATUS.get(state.lower(), EventStatus.IN_PROGRESS)
            reason = _operation_error(props.status_message) if status is EventStatus.FAILED else None
            raw = f"{_text(props.provisioning_operation)} {state}".strip()
            on_event(Event(str(target.resource_name or resource_name(str(target.id))), str(target.resource_type or ""),
                           status, raw, reason, _iso(props.timestamp)))

    def _failure(self, name: str, exc: Exception) -> str:
        inner = [_operation_error(op.properties.status_message) for op in self._operations(name)
                 if _text(op.properties.provisioning_state).lower() == "failed"]
        detail = "; ".join(i for i in inner if i) or f"{error_code(exc)}: {error_message(exc)}"
        return f"deploy of {self.target.stack} failed: {detail}"

    def _roll_back(self, previous: Any, current_params: Mapping[str, Any], ref: Mapping[str, Any],
                   created_group: bool, on_event: EventSink, failure: str) -> NoReturn:
        from azure.core.exceptions import HttpResponseError

        on_event(Event(self.group, GROUP_TYPE, EventStatus.ROLLING_BACK, "RollingBack"))
        try:
            if created_group:
                self._delete_group(on_event)
                where = "the new resource group was deleted"
            else:
                redeployed = self._redeploy(previous, current_params, on_event) if previous is not None else None
                self._delete_created(ref.get("creates") or [], on_event)
                if redeployed is not None and self.after_deployment is not None:
                    try:  # the resources are back; a setting ARM cannot make is reported, not a failed rollback
                        self.after_deployment(*redeployed, f"was rolled back to {previous.name}")
                    except ProviderError as exc:
                        on_event(Event(self.group, GROUP_TYPE, EventStatus.FAILED, "AfterRollback", exc.message))
                where = (f"redeployed {previous.name} (Incremental)" if previous is not None
                         else "removed what it created")
        except (HttpResponseError, ProviderError) as exc:
            why = exc.message if isinstance(exc, ProviderError) else f"{error_code(exc)}: {error_message(exc)}"
            raise DeploymentFailedError(failure, hint=f"rolling back failed too ({why}); `iacli doctor` and "
                                        "`iacli resources` show what is left", rolled_back=False) from None
        on_event(Event(self.group, GROUP_TYPE, EventStatus.FAILED, "RolledBack"))
        raise DeploymentFailedError(f"{failure}; rolled back: {where}",
                                    hint="the events above say which resource failed and why", rolled_back=True)

    def _redeploy(self, previous: Any, current_params: Mapping[str, Any],
                  on_event: EventSink) -> tuple[dict[str, Any], dict[str, Any]]:
        """Deploy ``previous``'s template and parameters again; returns them (parameter values only)."""
        with azure_errors(f"export template of {previous.name}"):
            template = self.session.deployments.deployments.export_template(self.group, previous.name).template
        params: dict[str, Any] = {}
        for key, spec in (previous.properties.parameters or {}).items():
            if not isinstance(spec, Mapping):
                continue
            if "value" in spec:
                params[key] = {"value": spec["value"]}
            elif isinstance(spec.get("reference"), Mapping):
                params[key] = {"reference": dict(spec["reference"])}  # ARM reads Key Vault again
            elif str(spec.get("type", "")).lower() in SECURE_TYPES:
                if key not in current_params:
                    raise ProviderError(f"the secure parameter {key} of {previous.name} is not known to iacli")
                params[key] = {"value": current_params[key]}  # ARM never returns secure values
        name = deployment_name(previous.name.rsplit("-", 1)[-1]) + "-rollback"
        self._run(name, {"properties": {"template": template, "parameters": params, "mode": "Incremental"}}, on_event)
        return dict(template), {key: spec["value"] for key, spec in params.items() if "value" in spec}

    # --- deletions --------------------------------------------------------------------------------
    def _delete_planned(self, planned: Iterable[Mapping[str, Any]], on_event: EventSink) -> None:
        """The plan's DELETEs: resources tagged for this stack that the template no longer declares."""
        items = list(planned)
        if not items:
            return
        tagged = tagged_resources(self.session)
        for item in sorted(items, key=lambda i: -str(i["id"]).count("/")):
            if str(item["id"]).lower() in tagged:  # still ours: someone may have re-tagged it since the plan
                self.delete_resource(str(item["id"]), str(item.get("type") or ""), item.get("api_version"), on_event)

    def _delete_created(self, created: Iterable[str], on_event: EventSink) -> None:
        tagged = tagged_resources(self.session)
        for rid in sorted((str(c) for c in created if c), key=lambda i: -i.count("/")):
            resource = tagged.get(rid.lower())
            if resource is not None:
                self.delete_resource(str(resource.id), str(resource.type), None, on_event)

    def delete_resource(self, rid: str, rtype: str, api_version: str | None, on_event: EventSink) -> None:
        version = api_version or self._api_version(rtype)
        on_event(Event(resource_name(rid), rtype, EventStatus.IN_PROGRESS, "Deleting"))
        with azure_errors(f"delete {rid}"):
            self.session.resources.resources.begin_delete_by_id(rid, api_version=version).result()
        on_event(Event(resource_name(rid), rtype, EventStatus.COMPLETE, "Deleted"))

    def _api_version(self, rtype: str) -> str:
        if self.session.sandbox:
            return SANDBOX_DELETE_API_VERSION
        namespace, _, rest = rtype.partition("/")
        with azure_errors(f"look up API versions of {rtype}"):
            provider = self.session.resources.providers.get(namespace)
        for item in provider.resource_types or []:
            if str(item.resource_type).lower() == rest.lower() and item.api_versions:
                stable = [v for v in item.api_versions if "preview" not in v]
                return str((stable or list(item.api_versions))[0])
        raise ProviderError(f"no API version known for {rtype}")

    def _delete_group(self, on_event: EventSink) -> None:
        on_event(Event(self.group, GROUP_TYPE, EventStatus.IN_PROGRESS, "Deleting"))
        with azure_errors(f"delete resource group {self.group}"):
            poller = self.session.resources.resource_groups.begin_delete(self.group)
            delay = FIRST_POLL_S
            while not poller.done():
                poller.wait(delay)
                delay = min(delay * 1.6, MAX_POLL_S)
            poller.result()
        on_event(Event(self.group, GROUP_TYPE, EventStatus.COMPLETE, "Deleted"))

    # --- destroy / read ---------------------------------------------------------------------------
    def destroy(self, on_event: EventSink) -> list[str]:
        group = get_group(self.session)
        if group is None:
            raise _not_found(self.target)
        if not owned(group, self.target.stack):
            raise ProviderError(
                f"refusing to delete resource group {self.group}: it is not tagged as created by iacli for "
                f"stack {self.target.stack} (iacli-managed-by: iacli, iacli-stack: {self.target.stack})",
                hint="iacli deletes only the resource groups it created; delete this one yourself if you mean it",
            )
        with azure_errors(f"list resources of {self.group}"):
            items = list(self.session.resources.resources.list_by_resource_group(self.group))
        self._delete_group(on_event)
        for r in items:
            on_event(Event(str(r.name), str(r.type), EventStatus.COMPLETE, "Deleted"))
        return [str(r.name) for r in items]

    def outputs(self) -> dict[str, Any]:
        if get_group(self.session) is None:
            raise _not_found(self.target)
        deployment = last_succeeded(self.session)
        if deployment is None:
            raise _not_found(self.target, "it has no successful deployment")
        with azure_errors(f"read deployment {deployment.name}"):
            full = self.session.deployments.deployments.get(self.group, deployment.name)
        return outputs_of(full)

    def resources(self) -> list[dict[str, str]]:
        if get_group(self.session) is None:
            raise _not_found(self.target)
        with azure_errors(f"list resources of {self.group}"):
            items = list(self.session.resources.resources.list_by_resource_group(self.group))
        return [{"logical_id": str(r.name), "type": str(r.type), "physical_id": str(r.id),
                 "status": str(getattr(r, "provisioning_state", None) or "")} for r in items]


def _operation_error(message: Any) -> str:
    """``code: message (target)`` of a failed operation's ``statusMessage``."""
    if message is None:
        return ""
    data = message if isinstance(message, Mapping) else getattr(message, "__dict__", {})
    error = data.get("error") if isinstance(data, Mapping) else None
    if not isinstance(error, Mapping):
        error = data if isinstance(data, Mapping) and "code" in data else None
    if error is None:
        return str(message)
    target = f" at {error['target']}" if error.get("target") else ""
    return f"{error.get('code')}{target}: {error.get('message', '')}"


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    return str(value or "")


def _not_found(target: Target, why: str = "") -> NotFoundError:
    detail = f" ({why})" if why else ""
    return NotFoundError(f"stack {target.stack} does not exist on {target.label}{detail}",
                         hint="deploy it first, or check --name/--env/--target")

