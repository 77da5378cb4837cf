"""Bring your own template, through the CLI in-process, against the session's real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

TEMPLATE = """\
Parameters:
  QueueSeconds:
    Type: Number
    Default: 30
    MinValue: 0
    MaxValue: 900
  TableName:
    Type: String
    AllowedPattern: '^[a-z0-9-]+$'
  ApiToken:
    Type: String
    NoEcho: true
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref QueueSeconds
      Tags:
        - Key: token
          Value: !Ref ApiToken
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  QueueUrl:
    Value: !Ref Queue
  TableArn:
    Value: !GetAtt Table.Arn
"""
CANARY = "canary-s3cr3t-7f2e"


@pytest.fixture
def byo(sandbox_project: Path, cli):  # type: ignore[no-untyped-def]
    (sandbox_project / "app.yaml").write_text(TEMPLATE)
    name = f"byo{abs(hash(str(sandbox_project))) % 10_000}"
    base = ("--template", "app.yaml", "--name", name)

    def run(command: str, *extra: str):  # type: ignore[no-untyped-def]
        return cli(command, *base, *extra)

    yield run
    run("destroy", "--yes")


def test_byo_template_plan_deploy_update_destroy(byo, sandbox_home: Path) -> None:  # type: ignore[no-untyped-def]
    first = byo("plan", "-p", "TableName=t-one", "-p", f"ApiToken={CANARY}")
    assert first.exit_code == 0, first.stderr
    assert "(new stack)" in first.stdout and "Plan: 2 to create" in first.stdout

    deployed = byo("deploy", "-p", "TableName=t-one", "-p", f"ApiToken={CANARY}", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.stderr
    outputs = json.loads(deployed.stdout)
    assert outputs["TableArn"].endswith(":table/t-one") and outputs["QueueUrl"].startswith("http")

    plan = byo("plan", "-p", "TableName=t-two", "-p", "QueueSeconds=60", "-p", f"ApiToken={CANARY}", "--output", "json")
    changes = {c["logical_id"]: c for c in json.loads(plan.stdout)["changes"]}
    assert changes["Table"]["action"] == "replace" and changes["Table"]["risks"] == ["data-loss"]
    assert changes["Table"]["properties"][0] == {
        "path": "TableName", "before": "t-one", "after": "t-two", "forces_replacement": True, "sensitive": False}
    assert changes["Queue"]["action"] == "update"
    assert ("VisibilityTimeout", "30", "60") in [(p["path"], p["before"], p["after"]) for p in changes["Queue"]["properties"]]

    text = byo("plan", "-p", "TableName=t-two", "-p", f"ApiToken={CANARY}")
    assert "[data-loss]" in text.stdout and "TableName: \"t-one\" -> \"t-two\" (forces replacement)" in text.stdout
    for result in (first, deployed, plan, text):
        assert CANARY not in result.stdout + result.stderr

    destroyed = byo("destroy", "--yes")
    assert destroyed.exit_code == 0 and "2 resource(s) deleted" in destroyed.stdout
    assert byo("outputs").exit_code == 4


def test_byo_parameters_are_checked_before_anything_is_sent(byo) -> None:  # type: ignore[no-untyped-def]
    bad = byo("plan", "-p", "TableName=Not_Valid", "-p", "ApiToken=x")
    assert bad.exit_code == 3 and "must match ^[a-z0-9-]+$" in bad.stderr
    missing = byo("plan", "-p", "ApiToken=x")
    assert missing.exit_code == 3 and "missing required parameter(s): TableName" in missing.stderr
    too_big = byo("plan", "-p", "TableName=a", "-p", "QueueSeconds=901", "-p", "ApiToken=x")
    assert too_big.exit_code == 3 and "the maximum is 900" in too_big.stderr


def test_failed_update_is_rolled_back_in_the_sandbox(byo, cli) -> None:  # type: ignore[no-untyped-def]
    assert byo("deploy", "-p", "TableName=t-keep", "-p", "ApiToken=x", "--yes").exit_code == 0
    # a second stack that takes the table name first makes the update collide
    endpoint = json.loads(cli("sandbox", "status", "--output", "json").stdout)["aws"]["endpoint_url"]
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    ddb.create_table(TableName="t-taken", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    try:
        failed = byo("deploy", "-p", "TableName=t-taken", "-p", "ApiToken=x", "--yes")
        assert failed.exit_code == 5, failed.stdout + failed.stderr
        assert "restored to its previous template" in failed.stderr
        after = byo("plan", "-p", "TableName=t-keep", "-p", "ApiToken=x", "--detailed-exitcode")
        assert after.exit_code in (0, 6), after.stderr
        outputs = json.loads(byo("outputs", "--output", "json").stdout)
        assert outputs["TableArn"].endswith(":table/t-keep")
    finally:
        ddb.delete_table(TableName="t-taken")

