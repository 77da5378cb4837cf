"""Recognising and repairing stuck Azure stacks (``iacli doctor``).

A stack is one resource group (tagged ``iacli-managed-by: iacli``, ``iacli-stack: <stack>``) and its ARM
deployments. What keeps it from deploying normally, and what ``--fix`` does about it:

* the group is someone else's (``foreign-stack``) or not ``Succeeded``, e.g. ``Deleting``
  (``stack-not-ready``): reported only, nothing else is examined;
* a deployment still runs. iacli cannot see from here whether a live run waits for it (core's
  ``live-lock`` says so), so age decides: one that started more than :data:`STUCK_AFTER` ago is
  ``stuck-deployment`` and ``--fix`` cancels it; a younger one is ``deployment-in-progress`` (manual);
* the newest deployment that ended Failed or Canceled, with no success after it: iacli's automatic
  rollback was interrupted or failed. ``update-failed`` when an earlier deployment succeeded
  (``iacli rollback --to N`` re-applies the last good release: the engine's job, so not fixable here;
  plain ``iacli rollback`` would go to the release before it, since the failed run recorded no success),
  ``failed-create`` when none did (deploy again, or ``iacli destroy``);
* resources tagged ``iacli-stack: <stack>`` that the last successful deployment does not declare
  (``leftover-resource``): ``--fix`` deletes them. Skipped while a deployment runs (what it is creating
  looks the same) and when nothing ever succeeded (deleting everything is ``iacli destroy``'s job).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from iacli.errors import ProviderError
from iacli.providers import Finding, FindingCode
from iacli_azure.errors import azure_errors, mapped
from iacli_azure.planner import get_group, owned, provisioning_state, tagged_resources
from iacli_azure.session import AzureSession
from iacli_azure.template import MANAGED_TAG, MANAGED_VALUE, STACK_TAG

STUCK_AFTER = timedelta(hours=1)
"""A deployment running longer than this is taken as stuck (no iacli deploy waits that long for one)."""

ENDED = frozenset({"succeeded", "failed", "canceled", "deleted"})
UNSUCCESSFUL = frozenset({"failed", "canceled"})
ROLLBACK_SUFFIX = "-rollback"
CANCEL_HINT = ("cancel it in the Azure portal (resource group {group}, Deployments), "
               "then run `iacli doctor` again")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _started(deployment: Any) -> datetime:
    stamp = deployment.properties.timestamp
    return stamp if isinstance(stamp, datetime) else datetime.min.replace(tzinfo=timezone.utc)


def _when(deployment: Any) -> str:
    stamp = deployment.properties.timestamp
    return stamp.strftime("%Y-%m-%d %H:%M:%S UTC") if isinstance(stamp, datetime) else "an unknown time"


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


class Doctor:
    """Diagnoses and repairs one stack's resource group through the session's SDK clients."""

    def __init__(self, session: AzureSession, now: Callable[[], datetime] = _utc_now,
                 stuck_after: timedelta = STUCK_AFTER) -> None:
        self.session = session
        self.group = session.group
        self.stack = session.target.stack
        self.now = now
        self.stuck_after = stuck_after

    # --- diagnose ---------------------------------------------------------------------------------
    def diagnose(self) -> list[Finding]:
        """Every finding for the stack's group (none when there is no group)."""
        group = get_group(self.session)
        if group is None:
            return []
        if not owned(group, self.stack):
            return [self._foreign()]
        state = provisioning_state(group)
        if state != "succeeded":
            return [self._not_ready(state)]
        deployments = self._deployments()
        running = [d for d in deployments if provisioning_state(d) not in ENDED]
        findings = [self._running(d) for d in running] + self._failed(deployments)
        if not running:
            findings += self._leftovers(deployments)
        return findings

    def _foreign(self) -> Finding:
        return Finding(
            FindingCode.FOREIGN_STACK,
            f"resource group {self.group} exists but was not created by iacli for stack {self.stack} "
            f"(it lacks the tags {MANAGED_TAG}: {MANAGED_VALUE}, {STACK_TAG}: {self.stack}); iacli will not "
            "deploy to it or delete it",
            "choose another --name/--env, or tag the group if it really belongs to this stack", False)

    def _not_ready(self, state: str) -> Finding:
        if state == "deleting":
            return Finding(FindingCode.STACK_NOT_READY, f"resource group {self.group} is being deleted",
                           "wait until it is gone; deploying then creates it again", False, {"state": state})
        shown = state.capitalize() or "unknown"
        return Finding(FindingCode.STACK_NOT_READY,
                       f"resource group {self.group} is in provisioning state {shown}, not Succeeded",
                       "wait for it to settle; if it stays so, its activity log in the Azure portal says why",
                       False, {"state": state})

    def _deployments(self) -> list[Any]:
        """The group's deployments, oldest first (by timestamp: the end of the ended ones)."""
        with azure_errors(f"list deployments of {self.group}"):
            items = list(self.session.deployments.deployments.list_by_resource_group(self.group))
        return sorted(items, key=lambda d: (_started(d), str(d.name)))

    def _running(self, deployment: Any) -> Finding:
        name, state = str(deployment.name), provisioning_state(deployment)
        age = self.now() - _started(deployment)
        data = {"deployment": name, "state": state}
        since = f"deployment {name} is {state.capitalize()} since {_when(deployment)} ({_minutes(age)} ago)"
        if age > self.stuck_after:
            return Finding(FindingCode.STUCK_DEPLOYMENT,
                           f"{since}; a deploy now would compete with it for the same resources",
                           "cancel it (what it created so far stays; `iacli plan` then shows the state)",
                           True, data)
        limit = _minutes(self.stuck_after)
        return Finding(FindingCode.DEPLOYMENT_IN_PROGRESS,
                       f"{since}; it may belong to a run that is still going",
                       f"wait for it; doctor offers to cancel it once it runs over {limit} "
                       f"(or `az deployment group cancel -g {self.group} -n {name}`)", False, data)

    def _failed(self, deployments: list[Any]) -> list[Finding]:
        ended = [d for d in deployments if provisioning_state(d) in ENDED - {"deleted"}]
        if not ended or provisioning_state(ended[-1]) not in UNSUCCESSFUL:
            return []
        newest = ended[-1]
        name, state = str(newest.name), provisioning_state(newest)
        which = "iacli's rollback deployment" if name.endswith(ROLLBACK_SUFFIX) else "the newest deployment"
        what = f"{which} {name} ended {state.capitalize()}"
        error = _deployment_error(newest)
        why = f" ({error})" if error else ""
        data = {"deployment": name, "state": state}
        if any(provisioning_state(d) == "succeeded" for d in ended):
            return [Finding(FindingCode.UPDATE_FAILED,
                            f"{what} at {_when(newest)}{why} and nothing succeeded after it: the automatic "
                            f"rollback was interrupted or failed, so {self.group} may hold half-done changes",
                            "re-apply the last good release: `iacli rollback --to N`, N from `iacli history` "
                            "(it also deletes what was added since); or deploy again", False, data)]
        return [Finding(FindingCode.FAILED_CREATE,
                        f"{what} at {_when(newest)}{why} and no deployment of {self.group} ever succeeded: "
                        "the group may hold half-created resources",
                        f"deploy again (ARM completes what exists), or `iacli destroy` deletes {self.group}",
                        False, data)]

    def _leftovers(self, deployments: list[Any]) -> list[Finding]:
        good = [d for d in deployments if provisioning_state(d) == "succeeded"]
        if not good:
            return []
        last = str(good[-1].name)
        with azure_errors(f"read deployment {last}"):
            full = self.session.deployments.deployments.get(self.group, last)
        declared = {str(r.id).lower() for r in full.properties.output_resources or []}
        return [
            Finding(FindingCode.LEFTOVER_RESOURCE,
                    f"{resource.type} {resource.name} is tagged {STACK_TAG}: {self.stack} but the last "
                    f"successful deployment {last} does not declare it (left over from a failed or "
                    "interrupted deploy)",
                    "delete it (it is tagged as this stack's)", True,
                    {"id": str(resource.id), "type": str(resource.type), "deployment": last})
            for rid, resource in sorted(tagged_resources(self.session).items()) if rid not in declared
        ]

    # --- remedy -----------------------------------------------------------------------------------
    def remedy(self, finding: Finding) -> str:
        """Apply the remedy of a fixable finding; say what was done."""
        if finding.code is FindingCode.STUCK_DEPLOYMENT:
            return self._cancel(str(finding.data["deployment"]))
        if finding.code is FindingCode.LEFTOVER_RESOURCE:
            return self._delete_leftover(str(finding.data["id"]), str(finding.data["type"]))
        raise ProviderError(f"no automatic remedy for {finding.code.value}: {finding.remedy}")

    def _cancel(self, name: str) -> str:
        from azure.core.exceptions import HttpResponseError

        action = f"cancel deployment {name}"
        deployments = self.session.deployments.deployments
        with azure_errors(action):
            try:
                deployments.cancel(self.group, name)
            except HttpResponseError as exc:
                state = provisioning_state(deployments.get(self.group, name))
                if state in ENDED:
                    return f"deployment {name} had already ended ({state.capitalize()}): nothing to cancel"
                error = mapped(action, exc)
                error.hint = error.hint or CANCEL_HINT.format(group=self.group)
                raise error from None
            now = provisioning_state(deployments.get(self.group, name)).capitalize() or "unknown"
            return f"cancelled deployment {name} (now {now})"

    def _delete_leftover(self, rid: str, rtype: str) -> str:
        """Delete ``rid`` if it is still a leftover (tagged as this stack's, undeclared, nothing running)."""
        from iacli_azure.applier import Applier

        deployments = self._deployments()
        if any(provisioning_state(d) not in ENDED for d in deployments):
            return f"left {rid} alone: a deployment of {self.group} is running now"
        if rid.lower() not in {str(f.data["id"]).lower() for f in self._leftovers(deployments)}:
            return f"left {rid} alone: it is no longer a leftover of {self.stack} (gone, re-tagged, declared)"
        Applier(self.session, self.session.target).delete_resource(rid, rtype, None, lambda event: None)
        return f"deleted {rtype} {rid.rsplit('/', 1)[-1]}"


def _deployment_error(deployment: Any) -> str:
    """``code: message`` of a deployment's error (its first detail when the top level is generic)."""
    error = getattr(deployment.properties, "error", None)
    if error is None or not getattr(error, "code", None):
        return ""
    details = [d for d in getattr(error, "details", None) or [] if getattr(d, "code", None)]
    inner = details[0] if details else error
    lines = str(inner.message or "").splitlines()
    return f"{inner.code}: {lines[0]}" if lines else str(inner.code)


__all__ = ["STUCK_AFTER", "Doctor"]
