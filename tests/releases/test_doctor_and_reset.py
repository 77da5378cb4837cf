"""`iacli doctor` on stuck states, and history after the sandbox forgets everything."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import botocore.session
from botocore.stub import Stubber
from iacli_aws import doctor

from iacli.providers import FindingCode, Target, TargetKind

STACK = "app-prod"
NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


def cfn_client():  # type: ignore[no-untyped-def]
    return botocore.session.Session().create_client("cloudformation", region_name="us-east-1",
                                                      aws_access_key_id="a", aws_secret_access_key="b")


def stack(status: str) -> dict:  # type: ignore[type-arg]
    return {"Stacks": [{"StackName": STACK, "StackId": "arn:aws:cloudformation:us-east-1:1:stack/app-prod/1",
                        "StackStatus": status, "CreationTime": NOW}]}


def resources(*rows: tuple[str, str]) -> dict:  # type: ignore[type-arg]
    return {"StackResourceSummaries": [
        {"LogicalResourceId": lid, "PhysicalResourceId": f"p-{lid}", "ResourceType": "AWS::Lambda::Function",
         "LastUpdatedTimestamp": NOW, "ResourceStatus": status} for lid, status in rows]}


def test_update_rollback_failed_is_continued_skipping_failed_resources() -> None:
    cfn = cfn_client()
    with Stubber(cfn) as stub:
        stub.add_response("describe_stacks", stack("UPDATE_ROLLBACK_FAILED"), {"StackName": STACK})
        stub.add_response("list_stack_resources", resources(("Fn", "UPDATE_FAILED"), ("Table", "UPDATE_COMPLETE")),
                          {"StackName": STACK})
        stub.add_response("list_change_sets", {"Summaries": []}, {"StackName": STACK})
        findings = doctor.diagnose(cfn, STACK)
        assert [(f.code, f.fixable, list(f.data["skip"])) for f in findings] == [
            (FindingCode.UPDATE_ROLLBACK_FAILED, True, ["Fn"])]
        assert "skipping Fn" in findings[0].remedy
        stub.add_response("continue_update_rollback", {}, {"StackName": STACK, "ResourcesToSkip": ["Fn"]})
        stub.add_response("describe_stacks", stack("UPDATE_ROLLBACK_IN_PROGRESS"), {"StackName": STACK})
        stub.add_response("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE"), {"StackName": STACK})
        assert doctor.remedy(cfn, STACK, findings[0], sleep=lambda s: None) == "continued the rollback of app-prod"
        stub.assert_no_pending_responses()


def test_failed_create_and_review_in_progress_are_deleted() -> None:
    for status, code in (("ROLLBACK_COMPLETE", FindingCode.FAILED_CREATE), ("REVIEW_IN_PROGRESS", FindingCode.EMPTY_STACK)):
        cfn = cfn_client()
        with Stubber(cfn) as stub:
            stub.add_response("describe_stacks", stack(status), {"StackName": STACK})
            if status != "REVIEW_IN_PROGRESS":
                stub.add_response("list_change_sets", {"Summaries": []}, {"StackName": STACK})
            [finding] = doctor.diagnose(cfn, STACK)
            assert finding.code is code and finding.fixable
            stub.add_response("delete_stack", {}, {"StackName": STACK})
            stub.add_client_error("describe_stacks", "ValidationError", "does not exist", expected_params={"StackName": STACK})
            assert doctor.remedy(cfn, STACK, finding, sleep=lambda s: None) == f"deleted {STACK}"


def test_abandoned_change_set_on_the_sandbox(cli, sandbox_project: Path) -> None:  # type: ignore[no-untyped-def]
    (sandbox_project / "q.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\n")
    base = ("--template", "q.yaml", "--name", "dr")
    assert cli("deploy", *base, "--yes").exit_code == 0
    (sandbox_project / "q.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n")
    assert cli("plan", *base, "-o", "p.json").exit_code == 0
    found = cli("doctor", *base, "--output", "json")
    assert found.exit_code == 4 and [f["code"] for f in json.loads(found.stdout)] == ["abandoned-change-set"]
    fixed = cli("doctor", *base, "--fix", "--yes")
    assert fixed.exit_code == 0 and "deleted change set" in fixed.stdout
    assert cli("doctor", *base).stdout.strip() == "No problems found."
    stale = cli("deploy", "p.json", "--yes")
    assert stale.exit_code == 3 and "change set no longer exists" in stale.stderr
    assert cli("destroy", *base, "--yes").exit_code == 0


def test_history_follows_a_sandbox_reset(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "q.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\n")
    base = ("--template", "q.yaml", "--name", "rs")
    try:
        assert cli("deploy", *base, "--yes").exit_code == 0
        assert cli("sandbox", "reset").exit_code == 0
        releases = json.loads(cli("history", *base, "--output", "json").stdout)
        assert [(r["number"], r["gone"]) for r in releases] == [(1, True)]
        assert "gone: sandbox reset" in cli("history", *base).stdout
        assert cli("outputs", *base).exit_code == 4
        assert cli("rollback", *base, "--yes").exit_code == 4  # nothing deployed to roll back from
        replanned = json.loads(cli("plan", *base, "--output", "json").stdout)
        assert replanned["is_new_stack"] and replanned["base_release"] is None
    finally:
        cli("sandbox", "stop")


def test_provider_location() -> None:
    from iacli_aws.provider import AwsProvider

    from iacli.providers import ProviderContext

    provider = AwsProvider(ProviderContext(Path("/tmp"), Path("/tmp")))
    assert provider.location(Target("aws", TargetKind.SANDBOX, "s", region="eu-west-1")) == "sandbox:eu-west-1"
    assert provider.location(Target("aws", TargetKind.CLOUD, "s", region="us-west-2")) == "aws:us-west-2"
