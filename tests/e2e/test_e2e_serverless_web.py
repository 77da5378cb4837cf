"""The README's quick start, run through the installed ``iacli`` executable against a real sandbox.

deploy -> outputs -> plan (1 change) -> deploy -> outputs -> destroy, then a look inside the sandbox with
plain boto3 to check what really exists before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.e2e


def iacli_executable() -> str:
    local = Path(sys.executable).with_name("iacli")
    found = str(local) if local.exists() else shutil.which("iacli")
    if not found:
        pytest.fail("the iacli console script is not installed (pip install .)")
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("e2e")
    project = root / "project"
    project.mkdir()
    env = {**os.environ, "IACLI_HOME": str(root / "home"), "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("AWS_ENDPOINT_URL", None)
    exe = iacli_executable()

    def invoke(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([exe, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300,
                              check=False)
        assert done.returncode == expect, f"iacli {' '.join(args)} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done

    yield invoke
    subprocess.run([exe, "sandbox", "stop"], cwd=project, env=env, capture_output=True, timeout=60, check=False)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")


def test_quick_start_flow(run) -> None:  # type: ignore[no-untyped-def]
    listed = run("blueprints", "list")
    assert "serverless-web" in listed.stdout

    shown = run("blueprints", "show", "serverless-web")
    assert "memory_mb" in shown.stdout and "api_url" in shown.stdout

    deployed = run("deploy", "serverless-web", "--yes")
    assert "Deployed serverless-web-dev" in deployed.stdout
    assert "ItemsFunction" in deployed.stderr  # live progress

    outputs = json.loads(run("outputs", "serverless-web", "--output", "json").stdout)
    assert {"api_url", "site_url", "table_name"} <= set(outputs)
    assert outputs["api_url"].startswith("https://") and outputs["site_url"].startswith("https://")

    status = json.loads(run("sandbox", "status", "--output", "json").stdout)
    endpoint = status["aws"]["endpoint_url"]
    assert status["aws"]["running"] and endpoint.startswith("http://127.0.0.1:")
    lam = client(endpoint, "lambda")
    function = lam.get_function_configuration(FunctionName=outputs["function_name"])
    assert function["MemorySize"] == 256
    assert client(endpoint, "dynamodb").describe_table(TableName=outputs["table_name"])["Table"]["TableStatus"]
    distributions = client(endpoint, "cloudfront").list_distributions()["DistributionList"].get("Items", [])
    assert [d["DomainName"] for d in distributions] == [outputs["site_url"].removeprefix("https://")]

    plan = run("plan", "serverless-web", "-p", "memory_mb=512")
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete" in plan.stdout
    assert "ItemsFunction" in plan.stdout and "MemorySize: 256 -> 512" in plan.stdout

    plan_json = json.loads(run("plan", "serverless-web", "-p", "memory_mb=512", "--output", "json").stdout)
    changed = [c for c in plan_json["changes"] if c["action"] != "noop"]
    assert [(c["logical_id"], c["action"], [(p["path"], p["before"], p["after"]) for p in c["properties"]])
            for c in changed] == [("ItemsFunction", "update", [("MemorySize", 256, 512)])]

    run("plan", "serverless-web", "-p", "memory_mb=512", "--detailed-exitcode", expect=6)
    run("deploy", "serverless-web", "-p", "memory_mb=512", "--yes")
    assert lam.get_function_configuration(FunctionName=outputs["function_name"])["MemorySize"] == 512
    assert json.loads(run("outputs", "serverless-web", "--output", "json").stdout) == outputs
    run("plan", "serverless-web", "-p", "memory_mb=512", "--detailed-exitcode", expect=0)

    destroyed = run("destroy", "serverless-web", "--yes")
    assert "Destroyed serverless-web-dev" in destroyed.stdout
    assert_nothing_left(endpoint)
    missing = run("outputs", "serverless-web", expect=4)
    assert "does not exist" in missing.stderr


def assert_nothing_left(endpoint: str) -> None:
    cfn = client(endpoint, "cloudformation")
    live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert live == []
    assert client(endpoint, "lambda").list_functions()["Functions"] == []
    assert client(endpoint, "dynamodb").list_tables()["TableNames"] == []
    assert client(endpoint, "apigateway").get_rest_apis()["items"] == []
    assert client(endpoint, "cloudfront").list_distributions()["DistributionList"].get("Items", []) == []
    buckets = [b["Name"] for b in client(endpoint, "s3").list_buckets()["Buckets"]]
    assert all(b.startswith("iacli-assets-") for b in buckets), buckets  # the shared assets bucket stays
    roles = [r["RoleName"] for r in client(endpoint, "iam").list_roles()["Roles"]]
    assert roles == []
    groups = client(endpoint, "logs").describe_log_groups()["logGroups"]
    assert groups == []
