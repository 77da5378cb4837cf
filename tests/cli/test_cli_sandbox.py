"""`iacli sandbox status|reset|stop` on a sandbox of its own, and what iacli reports after each."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\nOutputs:\n  Url:\n    Value: !Ref Q\n"


def test_sandbox_lifecycle(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    stopped = json.loads(cli("sandbox", "status", "--output", "json").stdout)
    assert stopped["aws"] == {"running": False, "endpoint_url": None}
    assert "aws: stopped" in cli("sandbox", "status").stdout.splitlines()

    (project / "q.yaml").write_text(QUEUE)
    assert cli("deploy", "--template", "q.yaml", "--name", "q", "--yes").exit_code == 0
    status = json.loads(cli("sandbox", "status", "--output", "json").stdout)["aws"]
    assert status["running"] and status["stacks"] == ["q-dev"]
    sqs = boto3.client("sqs", endpoint_url=status["endpoint_url"], region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    assert len(sqs.list_queues().get("QueueUrls", [])) == 1  # really created, visible to any AWS tool

    assert cli("sandbox", "reset").exit_code == 0
    assert sqs.list_queues().get("QueueUrls", []) == []
    gone = cli("outputs", "--template", "q.yaml", "--name", "q")
    assert gone.exit_code == 4 and "stack q-dev does not exist on sandbox" in gone.stderr

    assert cli("sandbox", "stop").exit_code == 0
    assert json.loads(cli("sandbox", "status", "--output", "json").stdout)["aws"]["running"] is False
    after_stop = cli("outputs", "--template", "q.yaml", "--name", "q")
    assert after_stop.exit_code == 4 and "the sandbox is not running" in after_stop.stderr
    assert cli("sandbox", "stop").exit_code == 0  # idempotent


def test_render_to_folder_and_validate(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    out = project / "out"
    result = cli("render", "serverless-web", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert "template.yaml" in files and any(f.endswith(".zip") for f in files)
    valid = cli("validate", "serverless-web", "-p", "auth=true", "--output", "json")
    assert valid.exit_code == 0 and json.loads(valid.stdout) == []


def test_validate_reports_cfn_lint_errors(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "bad.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Nope: 1\n")
    result = cli("validate", "--template", "bad.yaml", "--name", "bad")
    assert result.exit_code == 3
    assert "E3002" in result.stdout and "bad.yaml:5" in result.stdout
    planned = cli("plan", "--template", "bad.yaml", "--name", "bad")
    assert planned.exit_code == 3 and "E3002" in planned.stderr
