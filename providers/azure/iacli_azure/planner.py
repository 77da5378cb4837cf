"""Planning on ARM: the submitted template, what-if in Incremental mode, iacli's own deletions.

An Incremental what-if never deletes, so resources a later release added would survive a rollback to an
earlier template. iacli tags every top-level resource it submits with ``iacli-stack: <stack>``; a planned
resource of the group that carries that tag and is not in the new template is planned as DELETE (and
deleted by apply after the deployment succeeds). Untagged resources are someone else's: never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from iacli.errors import ProviderError, StalePlanError
from iacli.plan import Change, ChangeAction, Plan, PropertyChange
from iacli.providers import Deployable, Target
from iacli_azure import changes as ch
from iacli_azure.errors import azure_errors, error_code
from iacli_azure.keyvault import VaultLookup
from iacli_azure.session import AzureSession
from iacli_azure.template import MANAGED_TAG, MANAGED_VALUE, STACK_TAG, ArmSubmission, build_submission


def submission_for(target: Target, deployable: Deployable) -> ArmSubmission:
    return build_submission(deployable.template.body, target.stack, deployable.parameters,
                            deployable.secret_parameters, deployable.keep_previous)


def deployment_name(template_hash: str) -> str:
    """Unique per release: ``iacli-<UTC timestamp with ms>-<hash8>`` (ARM rollback needs unique names)."""
    now = datetime.now(timezone.utc)
    return f"iacli-{now:%Y%m%d%H%M%S}{now.microsecond // 1000:03d}-{template_hash[:8]}"


def get_group(session: AzureSession) -> Any | None:
    """The stack's resource group, or None."""
    from azure.core.exceptions import ResourceNotFoundError

    with azure_errors(f"read resource group {session.group}"):
        try:
            return session.resources.resource_groups.get(session.group)
        except ResourceNotFoundError:
            return None


def owned(group: Any, stack: str) -> bool:
    tags = dict(getattr(group, "tags", None) or {})
    return tags.get(MANAGED_TAG) == MANAGED_VALUE and tags.get(STACK_TAG) == stack


def refuse_foreign(group: Any, stack: str) -> None:
    if not owned(group, stack):
        raise ProviderError(
            f"resource group {group.name} exists but was not created by iacli for stack {stack} "
            f"(it lacks the tags {MANAGED_TAG}: {MANAGED_VALUE}, {STACK_TAG}: {stack})",
            hint="choose another --name/--env, or tag the group if it really belongs to this stack",
        )


def last_succeeded(session: AzureSession, exclude: str = "") -> Any | None:
    """The group's newest successful deployment (not ``exclude``), or None."""
    with azure_errors(f"list deployments of {session.group}"):
        items = list(session.deployments.deployments.list_by_resource_group(session.group))
    good = [d for d in items if d.name != exclude and provisioning_state(d) == "succeeded"]
    good.sort(key=lambda d: (d.properties.timestamp or datetime.min.replace(tzinfo=timezone.utc), d.name))
    return good[-1] if good else None


def provisioning_state(item: Any) -> str:
    """A deployment's or resource group's provisioning state, lower case ("" when it has none)."""
    state = getattr(item.properties, "provisioning_state", None) or ""
    return str(getattr(state, "value", state)).lower()


def tagged_resources(session: AzureSession) -> dict[str, Any]:
    """Resources of the group tagged ``iacli-stack: <stack>``, by lower-case id."""
    with azure_errors(f"list resources of {session.group}"):
        items = list(session.resources.resources.list_by_resource_group(session.group))
    return {str(r.id).lower(): r for r in items if (r.tags or {}).get(STACK_TAG) == session.target.stack}


class Planner:
    """What-if previews, normalised, for one target."""

    def __init__(self, session: AzureSession, target: Target) -> None:
        self.session = session
        self.target = target

    def plan(self, deployable: Deployable) -> Plan:
        submission = submission_for(self.target, deployable)
        name = deployment_name(submission.template_hash)
        secrets = frozenset(str(v) for k, v in submission.parameters.items() if k in submission.secrets and v)
        vaults = VaultLookup(self.session.resources)
        group = get_group(self.session)
        if group is None:
            submission.arm_parameters(vaults)  # a vault that does not exist fails the plan, not the deploy
            changes = _local_creates(submission, self.session)
            ref = {"deployment_name": name, "resource_group": self.session.group, "new_group": True,
                   "template_hash": submission.template_hash, "delete": [], "creates": [c.physical_id for c in changes]}
            return self._plan(submission, changes, ref, (), True)
        refuse_foreign(group, self.target.stack)
        with azure_errors(f"what-if on {self.session.group}"):
            result = self.session.deployments.deployments.begin_what_if(
                self.session.group, name,
                {"properties": {"template": submission.body, "parameters": submission.arm_parameters(vaults),
                                "mode": "Incremental"}},
            ).result()
        if getattr(result, "error", None) is not None and str(getattr(result, "status", "")).lower() == "failed":
            err = result.error
            raise ProviderError(f"what-if on {self.session.group} failed: {err.code}: {err.message}")
        tagged = tagged_resources(self.session)
        planned: list[Change] = []
        deletes: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in result.changes or []:
            data = item.as_dict()
            rid = str(data.get("resourceId") or data.get("resource_id") or "")
            seen.add(rid.lower())
            kind = str(data.get("changeType") or data.get("change_type") or "").lower()
            change = ch.from_what_if(data, secrets, kind == "ignore" and rid.lower() in tagged)
            planned.append(change)
            if change.action is ChangeAction.DELETE:
                before = data.get("before") or {}
                deletes.append({"id": rid, "type": change.resource_type, "api_version": before.get("apiVersion")})
        for lid, resource in sorted(tagged.items()):
            if lid not in seen:  # tagged by this stack, absent from the what-if: not in the template
                planned.append(ch.deleted(resource.id, resource.type, "no longer in the template (tagged iacli-stack)"))
                deletes.append({"id": resource.id, "type": resource.type, "api_version": None})
        planned.sort(key=lambda c: (c.logical_id.lower(), c.resource_type))
        ref = {"deployment_name": name, "resource_group": self.session.group, "new_group": False,
               "template_hash": submission.template_hash, "delete": deletes,
               "creates": [c.physical_id for c in planned if c.action is ChangeAction.CREATE]}
        return self._plan(submission, tuple(planned), ref, self._parameter_changes(submission), False)

    def _parameter_changes(self, submission: ArmSubmission) -> tuple[PropertyChange, ...]:
        previous = last_succeeded(self.session)
        if previous is None:
            return ()
        old = {k: (v or {}).get("value") for k, v in (previous.properties.parameters or {}).items()
               if isinstance(v, Mapping) and "value" in v}
        out: list[PropertyChange] = []
        for name in sorted(set(old) | set(submission.parameters)):
            if name in submission.secrets:
                continue
            before, after = old.get(name), submission.parameters.get(name)
            if name in submission.parameters and before != after:
                out.append(PropertyChange(name, before, after))
        return tuple(out)

    def _plan(self, submission: ArmSubmission, changes: tuple[Change, ...], ref: dict[str, Any],
              params: tuple[PropertyChange, ...], is_new: bool) -> Plan:
        return Plan(
            stack=self.target.stack,
            provider="azure",
            target=self.session.location,
            changes=changes,
            template_hash=submission.template_hash,
            params_hash=submission.params_hash(self.target.stack),
            provider_ref=ref,
            is_new_stack=is_new,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            parameters=params,
        )

    def check(self, plan: Plan) -> None:
        """A plan goes stale when its group appeared/vanished or its deployment name was used."""
        ref = plan.provider_ref
        group = get_group(self.session)
        if ref.get("new_group") and group is not None:
            raise StalePlanError("stale: the resource group was created after the plan", hint="plan again")
        if not ref.get("new_group") and group is None:
            raise StalePlanError("stale: the resource group is gone", hint="plan again")
        if group is not None and ref.get("deployment_name"):
            from azure.core.exceptions import ResourceNotFoundError

            try:
                self.session.deployments.deployments.get(self.session.group, ref["deployment_name"])
            except ResourceNotFoundError:
                return
            except Exception as exc:
                if error_code(exc) in ("DeploymentNotFound", "NotFound"):
                    return
                raise
            raise StalePlanError("stale: the plan was applied already", hint="plan again")


def _local_creates(submission: ArmSubmission, session: AzureSession) -> tuple[Change, ...]:
    """A group that does not exist holds nothing: every resource of the template is created.

    ARM's what-if needs the group to exist; planning must not create it, so the template is expanded
    offline (conditions, copy loops, names) by the ARM evaluator."""
    from iacli_azure.arm import (
        ArmTemplateError,
        EvaluationContext,
        ResourceGroupInfo,
        SubscriptionInfo,
        expand_resources,
    )

    try:
        from_vault = {name: f"(from Key Vault: {ref.text})" for name, ref in submission.references.items()}
        ctx = EvaluationContext.create(
            submission.body, {**submission.parameters, **from_vault},
            resource_group=ResourceGroupInfo(session.group, session.region),
            subscription=SubscriptionInfo(session.subscription_id),  # names from uniqueString(subscription...)
        )
        expanded = expand_resources(submission.body, ctx)
    except ArmTemplateError as exc:
        raise ProviderError(f"cannot plan {session.group}: {exc}", hint="`iacli validate` lists the problems") from None
    out: list[Change] = []
    for resource in expanded:
        try:
            body: Mapping[str, Any] | None = resource.evaluate_body()
        except (ArmTemplateError, Exception):  # noqa: BLE001 - reference() of resources not deployed yet
            body = dict(resource.definition)
        out.append(ch.created(resource.resource_id, resource.type, body))
    return tuple(sorted(out, key=lambda c: (c.logical_id.lower(), c.resource_type)))

