"""Releases end to end on the sandbox: history, diff, saved plans (and stale ones), rollback, automatic
rollback after a real failing change."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

SECRET = "tok-1"


def params(stack, seconds: int = 30, table: str | None = None) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return ("-p", f"Seconds={seconds}", "-p", f"TableName={table or stack.table}", "-p", f"Token={SECRET}")


def history(stack) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    result = stack("history", "--output", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_history_diff_rollback(stack) -> None:  # type: ignore[no-untyped-def]
    assert stack("deploy", *params(stack), "--yes").exit_code == 0
    assert stack("deploy", *params(stack, 60), "--yes").exit_code == 0

    text = stack("history")
    assert "deploy" in text.stdout and "succeeded" in text.stdout
    releases = history(stack)
    assert [(r["number"], r["kind"], r["outcome"]) for r in releases] == [(2, "deploy", "succeeded"), (1, "deploy", "succeeded")]
    assert releases[0]["summary"]["update"] == 1 and releases[1]["summary"]["create"] == 2
    assert releases[0]["parameters"]["Token"].startswith("sha256:")

    diff = stack("diff", *params(stack, 90), "--output", "json", "--detailed-exitcode")
    assert diff.exit_code == 6
    changed = {c["logical_id"]: c for c in json.loads(diff.stdout)["changes"] if c["action"] != "noop"}
    assert [(p["path"], p["before"], p["after"]) for p in changed["Queue"]["properties"]] == [("VisibilityTimeout", "60", "90")]
    assert json.loads(diff.stdout)["parameters"] == [
        {"path": "Seconds", "before": "60", "after": "90", "forces_replacement": False, "sensitive": False}]
    assert stack("diff", *params(stack, 60), "--detailed-exitcode").exit_code == 0

    back = stack("rollback", "--yes")
    assert back.exit_code == 0, back.stderr
    assert "Rolling" in back.stdout and "VisibilityTimeout: \"60\" -> \"30\"" in back.stdout
    assert [(r["number"], r["kind"], r["rollback_of"]) for r in history(stack)][:1] == [(3, "rollback", 1)]
    assert stack("diff", *params(stack, 30), "--detailed-exitcode").exit_code == 0

    forward = stack("rollback", "--to", "2", "--yes")
    assert forward.exit_code == 0, forward.stderr
    assert stack("diff", *params(stack, 60), "--detailed-exitcode").exit_code == 0
    assert stack("rollback", "--to", "9", "--yes").exit_code == 3


def test_saved_plan_applies_exactly_and_refuses_when_stale(stack, cli, sandbox_project: Path) -> None:  # type: ignore[no-untyped-def]
    assert stack("deploy", *params(stack), "--yes").exit_code == 0
    planned = stack("plan", *params(stack, 45), "-o", "plan.json", "--detailed-exitcode")
    assert planned.exit_code == 6
    document = json.loads((sandbox_project / "plan.json").read_text())
    assert document["kind"] == "iacli-plan" and document["schema_version"] == 1 and document["base_release"] == 1
    assert SECRET not in (sandbox_project / "plan.json").read_text()

    assert cli("deploy", "plan.json", "--yes").exit_code == 0
    assert stack("diff", *params(stack, 45), "--detailed-exitcode").exit_code == 0
    again = cli("deploy", "plan.json", "--yes")
    assert again.exit_code == 3
    assert "stale: planned against release 1, but release 2 is deployed now" in again.stderr

    no_seconds = ("-p", f"TableName={stack.table}", "-p", f"Token={SECRET}")  # Seconds comes from the default
    assert stack("plan", *no_seconds, "-o", "p2.json").exit_code == 0
    (sandbox_project / "iacli.yaml").write_text("environments:\n  dev:\n    parameters: {Seconds: 55}\n")
    moved = cli("deploy", "p2.json", "--yes")
    assert moved.exit_code == 3 and "stale: the parameters changed since the plan" in moved.stderr
    (sandbox_project / "iacli.yaml").unlink()
    assert stack("deploy", *params(stack, 31), "--yes").exit_code == 0
    assert cli("deploy", "p2.json", "--yes").exit_code == 3  # the stack moved: release 3 is deployed now

    assert stack("plan", *params(stack, 33), "-o", "p3.json").exit_code == 0
    template = sandbox_project / "app.yaml"
    template.write_text(template.read_text().replace("Outputs:", "  Extra:\n    Type: AWS::SQS::Queue\n    Properties: {}\nOutputs:"))
    edited = cli("deploy", "p3.json", "--yes")
    assert edited.exit_code == 3 and "stale: the template changed since the plan" in edited.stderr


def test_failed_change_is_rolled_back_automatically(stack, cli) -> None:  # type: ignore[no-untyped-def]
    assert stack("deploy", *params(stack), "--yes").exit_code == 0
    endpoint = json.loads(cli("sandbox", "status", "--output", "json").stdout)["aws"]["endpoint_url"]
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")
    taken = f"{stack.name}-taken"
    ddb.create_table(TableName=taken, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    try:
        failed = stack("deploy", *params(stack, 40, taken), "--yes")
        assert failed.exit_code == 5, failed.stdout + failed.stderr
        releases = history(stack)
        assert [(r["number"], r["kind"], r["outcome"], r["rollback_of"]) for r in releases[:2]] == [
            (3, "auto-rollback", "succeeded", 1), (2, "deploy", "rolled-back", None)]
        assert releases[1]["error"]
        assert stack("diff", *params(stack), "--detailed-exitcode").exit_code == 0  # back at release 1
        assert json.loads(stack("outputs", "--output", "json").stdout)["TableArn"].endswith(f"/{stack.table}")
    finally:
        ddb.delete_table(TableName=taken)
