"""Recognising and repairing stuck CloudFormation stacks (``iacli doctor``)."""

from __future__ import annotations

from typing import Any

from iacli.errors import ProviderError
from iacli.providers import Finding, FindingCode
from iacli_aws.errors import aws_errors
from iacli_aws.stacks import describe_stack, stack_resources, wait_for

CHANGE_SET_PREFIX = "iacli-"


def diagnose(cfn: Any, stack: str) -> list[Finding]:
    """What keeps ``stack`` from being deployed normally."""
    deployed = describe_stack(cfn, stack)
    if deployed is None:
        return []
    findings = _status_findings(cfn, stack, deployed.status)
    if deployed.status != "REVIEW_IN_PROGRESS":
        findings += _abandoned_change_sets(cfn, stack)
    return findings


def _status_findings(cfn: Any, stack: str, status: str) -> list[Finding]:
    if status == "UPDATE_ROLLBACK_FAILED":
        skip = [r["logical_id"] for r in stack_resources(cfn, stack) if r["status"] == "UPDATE_FAILED"]
        return [Finding(
            FindingCode.UPDATE_ROLLBACK_FAILED,
            f"{stack} is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback; nothing can be deployed",
            "continue the update rollback" + (f", skipping {', '.join(skip)} (they keep their current state)" if skip else ""),
            True, {"skip": skip})]
    if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"):
        return [Finding(FindingCode.FAILED_CREATE,
                        f"{stack} is {status}: its creation failed; the stack cannot be updated, only deleted",
                        "delete the failed stack (it was never deployed successfully)", True)]
    if status == "REVIEW_IN_PROGRESS":
        return [Finding(FindingCode.EMPTY_STACK,
                        f"{stack} is REVIEW_IN_PROGRESS: a plan created it but was never applied; it holds nothing",
                        "delete its change sets and the empty stack", True)]
    if status == "DELETE_FAILED":
        return [Finding(FindingCode.DELETE_FAILED, f"{stack} is DELETE_FAILED: some resources could not be deleted",
                        "retry the deletion", True)]
    if status == "UPDATE_FAILED":
        return [Finding(FindingCode.UPDATE_FAILED, f"{stack} is UPDATE_FAILED: the last update failed half-way",
                        "roll back to the last good release: `iacli rollback`", False)]
    return []


def _abandoned_change_sets(cfn: Any, stack: str) -> list[Finding]:
    with aws_errors(f"list change sets of {stack}"):
        summaries = cfn.list_change_sets(StackName=stack).get("Summaries", [])
    return [
        Finding(FindingCode.ABANDONED_CHANGE_SET,
                f"change set {s['ChangeSetName']} ({s.get('CreationTime', '')}) was planned but never applied",
                "delete it (a plan file that names it becomes stale)", True,
                {"change_set": s.get("ChangeSetId") or s["ChangeSetName"]})
        for s in summaries
        if s.get("ChangeSetName", "").startswith(CHANGE_SET_PREFIX) and s.get("ExecutionStatus") == "AVAILABLE"
    ]


def remedy(cfn: Any, stack: str, finding: Finding, sleep: Any) -> str:
    """Apply the finding's remedy and wait until the stack settles."""
    with aws_errors(f"fix {stack}"):
        if finding.code is FindingCode.UPDATE_ROLLBACK_FAILED:
            cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=list(finding.data.get("skip", [])))
            _settle(cfn, stack, sleep)
            return f"continued the rollback of {stack}"
        if finding.code in (FindingCode.FAILED_CREATE, FindingCode.DELETE_FAILED, FindingCode.EMPTY_STACK):
            cfn.delete_stack(StackName=stack)
            _settle(cfn, stack, sleep)
            return f"deleted {stack}"
        if finding.code is FindingCode.ABANDONED_CHANGE_SET:
            cfn.delete_change_set(ChangeSetName=finding.data["change_set"], StackName=stack)
            return f"deleted change set {finding.data['change_set']}"
    raise ProviderError(f"no remedy for {finding.code.value}")


def _settle(cfn: Any, stack: str, sleep: Any) -> None:
    def settled() -> bool:
        deployed = describe_stack(cfn, stack)
        return deployed is None or not deployed.status.endswith("IN_PROGRESS")

    wait_for(settled, 3600, f"{stack} to settle", sleep)


__all__ = ["diagnose", "remedy"]
