"""The real-AWS paths (asynchronous statuses, SAM sent as-is, large templates) with botocore's Stubber
fed realistic responses: moto cannot reproduce CloudFormation's asynchronous behaviour (OFFLINE-FACTS.md)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.stub import ANY, Stubber
from iacli_aws.applier import Applier
from iacli_aws.planner import INLINE_LIMIT, Planner
from iacli_aws.session import AwsSession

from iacli.errors import DeploymentFailedError
from iacli.plan import ChangeAction, EventStatus
from iacli.providers import Deployable, Target, TargetKind
from iacli.render import RenderedTemplate

STACK = "app-prod"
STACK_ID = f"arn:aws:cloudformation:eu-west-1:111122223333:stack/{STACK}/1"
CS_ID = "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/iacli-1/2"
SAM = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Fn": {"Type": "AWS::Serverless::Function",
               "Properties": {"Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "s3://b/k.zip"}},
    },
    "Outputs": {"FnArn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}}},
}
NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


class Capture:
    """An expected-parameter value that accepts anything and remembers it."""

    value: Any = None

    def __eq__(self, other: object) -> bool:
        self.value = other
        return True


def client(service: str) -> Any:
    session = botocore.session.Session()
    return session.create_client(service, region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")


@pytest.fixture
def aws(tmp_path: Path):  # type: ignore[no-untyped-def]
    cfn, s3 = client("cloudformation"), client("s3")
    target = Target("aws", TargetKind.CLOUD, STACK, region="eu-west-1")
    session = AwsSession(target, None, clients={"cloudformation": cfn, "s3": s3, "sts": client("sts")})
    with Stubber(cfn) as cfn_stub, Stubber(s3) as s3_stub, Stubber(session.client("sts")) as sts_stub:
        yield {"session": session, "target": target, "cfn": cfn_stub, "s3": s3_stub, "sts": sts_stub, "tmp": tmp_path}
        cfn_stub.assert_no_pending_responses()


def deployable(body: dict[str, Any]) -> Deployable:
    text = json.dumps(body)
    return Deployable(STACK, RenderedTemplate(Path("t.json"), text, body))


def no_stack(stub: Stubber) -> None:
    stub.add_client_error("describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist",
                          expected_params={"StackName": STACK})


def stack(status: str, outputs: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"Stacks": [{"StackName": STACK, "StackId": STACK_ID, "StackStatus": status, "CreationTime": NOW,
                        "Outputs": outputs or []}]}


def event(n: int, logical: str, status: str, reason: str = "") -> dict[str, Any]:
    return {"StackId": STACK_ID, "EventId": f"e{n}", "StackName": STACK, "LogicalResourceId": logical,
            "ResourceType": "AWS::Lambda::Function", "Timestamp": NOW, "ResourceStatus": status,
            "ResourceStatusReason": reason}


def plan_new_stack(aws: dict[str, Any], body: dict[str, Any], sent: Capture | None = None):  # type: ignore[no-untyped-def]
    cfn = aws["cfn"]
    sent = sent or Capture()
    no_stack(cfn)
    cfn.add_response("create_change_set", {"Id": CS_ID, "StackId": STACK_ID}, {
        "StackName": STACK, "ChangeSetName": ANY, "ChangeSetType": "CREATE", "Parameters": [],
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        "Description": ANY, **({"TemplateURL": sent} if len(json.dumps(body, indent=1)) > INLINE_LIMIT else {"TemplateBody": sent}),
    })
    cfn.add_response("describe_change_set", {"Status": "CREATE_PENDING", "ChangeSetId": CS_ID}, {"ChangeSetName": CS_ID})
    cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "ChangeSetId": CS_ID}, {"ChangeSetName": CS_ID})
    cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "ChangeSetId": CS_ID, "Changes": [
        {"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "Fn", "ResourceType": "AWS::Lambda::Function"}},
        {"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "FnRole", "ResourceType": "AWS::IAM::Role"}},
    ]}, {"ChangeSetName": CS_ID})
    planner = Planner(aws["session"], aws["target"], json.loads, aws["tmp"], sleep=lambda s: None)
    return planner.plan(deployable(body))


def test_sam_is_sent_untransformed_and_planned_from_the_local_translation(aws) -> None:  # type: ignore[no-untyped-def]
    sent = Capture()
    plan = plan_new_stack(aws, SAM, sent)
    assert json.loads(sent.value)["Transform"] == "AWS::Serverless-2016-10-31"  # AWS expands it itself
    assert plan.is_new_stack and plan.provider_ref["change_set_id"] == CS_ID
    assert {(c.logical_id, c.action) for c in plan.changes} == {("Fn", ChangeAction.CREATE), ("FnRole", ChangeAction.CREATE)}
    assert plan.target == "aws:eu-west-1"


def test_apply_follows_async_statuses_and_reports_events(aws) -> None:  # type: ignore[no-untyped-def]
    plan = plan_new_stack(aws, SAM)
    cfn = aws["cfn"]
    cfn.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": STACK})
    cfn.add_response("execute_change_set", {}, {"ChangeSetName": CS_ID})
    cfn.add_response("describe_stack_events", {"StackEvents": [event(1, "Fn", "CREATE_IN_PROGRESS")]}, {"StackName": STACK})
    cfn.add_response("describe_stacks", stack("CREATE_IN_PROGRESS"), {"StackName": STACK})
    cfn.add_response("describe_stack_events", {"StackEvents": [event(2, "Fn", "CREATE_COMPLETE"), event(1, "Fn", "CREATE_IN_PROGRESS")]}, {"StackName": STACK})
    cfn.add_response("describe_stacks", stack("CREATE_COMPLETE"), {"StackName": STACK})
    cfn.add_response("describe_stacks", stack("CREATE_COMPLETE", [{"OutputKey": "FnArn", "OutputValue": "arn:fn"}]), {"StackName": STACK})
    seen = []
    result = Applier(aws["session"], aws["target"], json.loads, sleep=lambda s: None).apply(plan, seen.append)
    assert result.outputs == {"FnArn": "arn:fn"} and result.status == "CREATE_COMPLETE"
    assert [(e.logical_id, e.raw_status, e.status) for e in seen] == [
        ("Fn", "CREATE_IN_PROGRESS", EventStatus.IN_PROGRESS), ("Fn", "CREATE_COMPLETE", EventStatus.COMPLETE)]


@pytest.mark.parametrize("final", ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_FAILED"])
def test_failed_apply_exits_5_with_cloudformation_rollback(aws, final: str) -> None:  # type: ignore[no-untyped-def]
    plan = plan_new_stack(aws, SAM)
    cfn = aws["cfn"]
    cfn.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": STACK})
    cfn.add_response("execute_change_set", {}, {"ChangeSetName": CS_ID})
    failing = [event(2, "Fn", "CREATE_FAILED", "Resource handler returned message: Code not found"),
               event(3, STACK, "ROLLBACK_IN_PROGRESS")]
    cfn.add_response("describe_stack_events", {"StackEvents": list(reversed(failing))}, {"StackName": STACK})
    cfn.add_response("describe_stacks", stack(final), {"StackName": STACK})
    cfn.add_response("describe_stacks", stack(final), {"StackName": STACK})
    if final == "ROLLBACK_COMPLETE":  # a failed create leaves an empty stack that blocks the next deploy
        cfn.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": STACK})
        cfn.add_response("delete_stack", {}, {"StackName": STACK})
        cfn.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": STACK})
        cfn.add_client_error("describe_stacks", "ValidationError", "does not exist", expected_params={"StackName": STACK})
    seen = []
    with pytest.raises(DeploymentFailedError) as err:
        Applier(aws["session"], aws["target"], json.loads, sleep=lambda s: None).apply(plan, seen.append)
    assert final in err.value.message and int(err.value.exit_code) == 5
    assert err.value.rolled_back is (final != "ROLLBACK_FAILED")
    assert [e.status for e in seen] == [EventStatus.FAILED, EventStatus.ROLLING_BACK]
    assert seen[0].reason == "Resource handler returned message: Code not found"


def test_large_template_is_uploaded_to_the_assets_bucket(aws) -> None:  # type: ignore[no-untyped-def]
    big = json.loads(json.dumps(SAM))
    big["Description"] = "x" * (INLINE_LIMIT + 10)
    aws["sts"].add_response("get_caller_identity", {"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/ci", "UserId": "AIDAEXAMPLEUSERID1234"})
    bucket = "iacli-assets-111122223333-eu-west-1"
    aws["s3"].add_response("head_bucket", {}, {"Bucket": bucket})
    aws["s3"].add_response("put_object", {}, {"Bucket": bucket, "Key": ANY, "Body": ANY, "ServerSideEncryption": "AES256"})
    sent = Capture()
    plan = plan_new_stack(aws, big, sent)
    assert sent.value.startswith(f"https://{bucket}.s3.eu-west-1.amazonaws.com/templates/")
    assert plan.is_new_stack
    aws["s3"].assert_no_pending_responses()
