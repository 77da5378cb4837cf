"""Planning on CloudFormation: publish assets, translate SAM, create a change set, normalise it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from iacli.assets import substitute
from iacli.cache import digest
from iacli.errors import ProviderError
from iacli.plan import Change, ChangeAction, Plan, PropertyChange
from iacli.providers import Deployable, Target, TargetKind
from iacli_aws import assets, sam
from iacli_aws.changes import build_changes
from iacli_aws.diff import diff_templates, parameter_changes, with_defaults
from iacli_aws.errors import aws_errors, error_code
from iacli_aws.session import AwsSession
from iacli_aws.stacks import DeployedStack, deployed_template, describe_stack, stack_resources, wait_for
from iacli_aws.template import cfn_parameter_value, is_sam, template_json

INLINE_LIMIT = 51_200
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
CHANGE_SET_TIMEOUT = 600.0


@dataclass(frozen=True)
class Submission:
    """The template and parameters exactly as they are sent to CloudFormation."""

    body: dict[str, Any]
    processed: dict[str, Any]
    parameters: dict[str, str]
    secrets: frozenset[str]
    keep_previous: frozenset[str] = frozenset()

    @property
    def template_hash(self) -> str:
        return digest("template", self.body)

    def params_hash(self, salt: str) -> str:
        values = {k: (_salted(salt, v) if k in self.secrets else v) for k, v in self.parameters.items()}
        return digest("params", values)

    def cfn_parameters(self) -> list[dict[str, Any]]:
        kept = [{"ParameterKey": k, "UsePreviousValue": True} for k in sorted(self.keep_previous)]
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(self.parameters.items())] + kept


def _salted(salt: str, value: str) -> str:
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def build_submission(session: AwsSession, target: Target, deployable: Deployable, cache_dir: Path) -> Submission:
    """Point assets at their S3 locations, then translate SAM locally (uploads wait for a change set)."""
    with aws_errors("locate assets"):
        mapping = assets.locations(session, deployable.template.assets)
    body = substitute(deployable.template.body, mapping)
    params = {k: cfn_parameter_value(v) for k, v in deployable.parameters.items()}
    public = {k: v for k, v in params.items() if k not in deployable.secret_parameters}
    processed = sam.translate(body, public, session.region, cache_dir) if is_sam(body) else body
    submitted = processed if target.kind is TargetKind.SANDBOX else body
    return Submission(submitted, processed, params, deployable.secret_parameters, deployable.keep_previous)


class Planner:
    """Creates and normalises change sets for one target."""

    def __init__(
        self, session: AwsSession, target: Target, load: Callable[[str], dict[str, Any]], cache_dir: Path,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sleep = sleep
        self.session = session
        self.target = target
        self.load = load
        self.cache_dir = cache_dir
        self.cfn = session.client("cloudformation")

    def plan(self, deployable: Deployable) -> Plan:
        """A change set for the deployable, normalised (no change set when nothing changed)."""
        submission = build_submission(self.session, self.target, deployable, self.cache_dir)
        deployed, old = self._deployed()
        if deployed is not None and _unchanged(old, deployed, submission):
            return self._plan(submission, deployed, _noop_changes(old, self._physical_ids()), {}, ())
        with aws_errors("publish assets"):
            assets.publish(self.session, deployable.template.assets)
        return self._change_set_plan(submission, deployed, old, deployable.changed_secrets)

    def diff(self, deployable: Deployable, show_secrets: bool = False) -> Plan:
        """What differs between the deployed stack and the deployable, computed locally (no change set)."""
        submission = build_submission(self.session, self.target, deployable, self.cache_dir)
        deployed, old = self._deployed()
        secrets = _secret_names(submission, old)
        old_params = deployed.parameters if deployed else {}
        new_params = _sent_or_kept(submission, old_params)
        diffs = diff_templates(old, old_params, submission.processed, new_params,
                               frozenset() if show_secrets else secrets, self.session.region,
                               deployable.changed_secrets)
        changes = build_changes({}, diffs, old, submission.processed, self._physical_ids() if deployed else {})
        params = parameter_changes(with_defaults(old, old_params), with_defaults(submission.processed, new_params),
                                   secrets, show_secrets, deployable.changed_secrets)
        return self._plan(submission, deployed, changes, {}, params, is_new=deployed is None)

    def _deployed(self) -> tuple[DeployedStack | None, dict[str, Any]]:
        deployed = describe_stack(self.cfn, self.target.stack)
        if deployed is None or deployed.is_placeholder:
            return None, {}
        _refuse_busy(deployed)
        return deployed, deployed_template(self.cfn, self.target.stack, self.load)

    def _change_set_plan(self, submission: Submission, deployed: DeployedStack | None, old: dict[str, Any],
                         changed: frozenset[str] = frozenset()) -> Plan:
        is_new = deployed is None
        change_set_id, stack_id, status = self._create_change_set(submission, "CREATE" if is_new else "UPDATE")
        resource_changes = self._describe(change_set_id) if status == "CREATE_COMPLETE" else {}
        old_params = deployed.parameters if deployed else {}
        secrets = _secret_names(submission, old)
        new_params = _sent_or_kept(submission, old_params)
        diffs = diff_templates(old, old_params, submission.processed, new_params, secrets, self.session.region,
                               changed)
        changes = build_changes(resource_changes, diffs, old, submission.processed, {} if is_new else self._physical_ids())
        params = parameter_changes(with_defaults(old, old_params),
                                   with_defaults(submission.processed, new_params), secrets, changed=changed)
        if status != "CREATE_COMPLETE":
            if any(c.action is not ChangeAction.NOOP for c in changes) or params:
                raise ProviderError(f"CloudFormation could not plan {self.target.stack}: {status}")
            self._delete_change_set(change_set_id)
            ref: dict[str, Any] = {}
        else:
            ref = {"change_set_id": change_set_id, "stack_id": stack_id, "change_set_type": "CREATE" if is_new else "UPDATE"}
        return self._plan(submission, deployed, changes, ref, params, is_new)

    def _plan(self, submission: Submission, deployed: DeployedStack | None, changes: tuple[Change, ...],
              ref: dict[str, Any], params: tuple[PropertyChange, ...], is_new: bool = False) -> Plan:
        return Plan(
            stack=self.target.stack,
            provider="aws",
            target=self.session.location,
            changes=changes,
            template_hash=submission.template_hash,
            params_hash=submission.params_hash(self.target.stack),
            provider_ref=ref,
            is_new_stack=is_new,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            parameters=params,
        )

    def _physical_ids(self) -> dict[str, str]:
        return {r["logical_id"]: r["physical_id"] for r in stack_resources(self.cfn, self.target.stack)}

    def _create_change_set(self, submission: Submission, kind: str) -> tuple[str, str, str]:
        name = f"iacli-{int(time.time())}-{submission.template_hash[:8]}"
        args: dict[str, Any] = {
            "StackName": self.target.stack,
            "ChangeSetName": name,
            "ChangeSetType": kind,
            "Parameters": submission.cfn_parameters(),
            "Capabilities": CAPABILITIES,
            "Description": "planned by iacli",
        }
        args.update(self._template_argument(submission))
        with aws_errors(f"create change set for {self.target.stack}"):
            created = self.cfn.create_change_set(**args)
        change_set_id, stack_id = created["Id"], created.get("StackId", "")
        status = self._wait_change_set(change_set_id)
        return change_set_id, stack_id, status

    def _template_argument(self, submission: Submission) -> dict[str, str]:
        text = template_json(submission.body)
        if len(text.encode()) <= INLINE_LIMIT:
            return {"TemplateBody": text}
        with aws_errors("upload template"):
            s3 = self.session.client("s3")
            bucket = assets.asset_bucket(self.session)
            assets.ensure_bucket(s3, bucket, self.session.region)
            key = f"templates/{submission.template_hash}.json"
            s3.put_object(Bucket=bucket, Key=key, Body=text.encode(), ServerSideEncryption="AES256")
        host = "s3.amazonaws.com" if self.session.region == "us-east-1" else f"s3.{self.session.region}.amazonaws.com"
        return {"TemplateURL": f"https://{bucket}.{host}/{key}"}

    def _wait_change_set(self, change_set_id: str) -> str:
        status = {"value": ""}

        def done() -> bool:
            with aws_errors("describe change set"):
                response = self.cfn.describe_change_set(ChangeSetName=change_set_id)
            status["value"] = response["Status"]
            if response["Status"] == "FAILED":
                status["value"] = f"FAILED: {response.get('StatusReason', '')}"
            return response["Status"] in ("CREATE_COMPLETE", "FAILED")

        wait_for(done, CHANGE_SET_TIMEOUT, "the change set", self.sleep)
        return status["value"]

    def _describe(self, change_set_id: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        token: str | None = None
        with aws_errors("describe change set"):
            while True:
                args = {"ChangeSetName": change_set_id, **({"NextToken": token} if token else {})}
                page = self.cfn.describe_change_set(**args)
                for change in page.get("Changes", []):
                    rc = change.get("ResourceChange") or {}
                    if rc.get("LogicalResourceId"):
                        out[rc["LogicalResourceId"]] = rc
                token = page.get("NextToken")
                if not token:
                    return out

    def _delete_change_set(self, change_set_id: str) -> None:
        with aws_errors("delete change set"):
            self.cfn.delete_change_set(ChangeSetName=change_set_id)

    def check(self, plan: Plan) -> None:
        """The plan's change set must still exist and be executable."""
        from iacli.errors import StalePlanError

        change_set_id = plan.provider_ref.get("change_set_id")
        if not change_set_id:
            return
        try:
            response = self.cfn.describe_change_set(ChangeSetName=change_set_id)
        except Exception as exc:
            if error_code(exc) in ("ChangeSetNotFound", "ValidationError"):
                raise StalePlanError("stale: the plan's change set no longer exists", hint="plan again") from None
            raise
        if response.get("ExecutionStatus", "AVAILABLE") != "AVAILABLE":
            raise StalePlanError(f"stale: the plan's change set is {response['ExecutionStatus']}", hint="plan again")

    def discard(self, plan: Plan) -> None:
        """Delete the plan's change set, and the empty stack a CREATE change set leaves behind."""
        ref = plan.provider_ref
        if not ref.get("change_set_id"):
            return
        self._delete_change_set(ref["change_set_id"])
        if ref.get("change_set_type") == "CREATE":
            deployed = describe_stack(self.cfn, self.target.stack)
            if deployed is not None and deployed.is_placeholder:
                with aws_errors("delete empty stack"):
                    self.cfn.delete_stack(StackName=self.target.stack)


def _sent_or_kept(submission: Submission, old_params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the stack will have: those sent, and those kept at their deployed value."""
    kept = {name: old_params[name] for name in submission.keep_previous if name in old_params}
    return {**kept, **submission.parameters}


def _secret_names(submission: Submission, old: Mapping[str, Any]) -> frozenset[str]:
    """Every parameter whose value must not be shown: secrets, kept secrets, and NoEcho ones on either side."""
    no_echo = {
        name
        for body in (old, submission.processed)
        for name, decl in (body.get("Parameters") or {}).items()
        if isinstance(decl, dict) and str(decl.get("NoEcho", "")).lower() == "true"
    }
    return submission.secrets | submission.keep_previous | frozenset(no_echo)


def _refuse_busy(deployed: DeployedStack) -> None:
    """A stack in the middle of another operation cannot be planned against."""
    if deployed.status.endswith("_IN_PROGRESS"):
        raise ProviderError(
            f"stack {deployed.name} is {deployed.status}; another operation is running",
            hint="wait for it to finish, then plan again",
        )


def _unchanged(old: Mapping[str, Any], deployed: DeployedStack, submission: Submission) -> bool:
    """Same processed template and same parameters: nothing to plan (secrets cannot be compared)."""
    if submission.secrets or deployed.status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"):
        return False
    same_params = with_defaults(old, deployed.parameters) == with_defaults(submission.processed, submission.parameters)
    return same_params and digest(old) == digest(submission.processed)


def _noop_changes(old: Mapping[str, Any], physical_ids: Mapping[str, str]) -> tuple[Change, ...]:
    return tuple(
        Change(lid, str(res.get("Type", "")), ChangeAction.NOOP, physical_id=physical_ids.get(lid))
        for lid, res in sorted((old.get("Resources") or {}).items())
    )
