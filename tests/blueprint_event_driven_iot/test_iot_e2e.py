"""event-driven-iot end to end through the CLI (in-process) against the sandbox.

deploy -> look inside with boto3 -> plan a batch-size change (exactly one update) -> deploy it ->
destroy -> nothing of it is left. The sandbox (a moto server process) is started on demand by the first
command and stopped at the end.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import boto3
import pytest


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")


def _policy(document: Any) -> dict[str, Any]:
    """A role policy as GetRolePolicy gives it.

    The sandbox returns inline policies of a role created by CloudFormation as Python repr text (moto's
    Role model stores the dict; only updates are normalised to JSON), so accept that form too.
    """
    if isinstance(document, dict):
        return document
    try:
        return json.loads(document)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return ast.literal_eval(document)  # type: ignore[no-any-return]


def _inline_policies(iam: Any, role_prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Statements of each role whose name contains ``role_prefix``, by role logical-id part."""
    found: dict[str, list[dict[str, Any]]] = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        if role_prefix not in name:
            continue
        assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
        logical = name.split("-")[-2]  # <stack>-<LogicalId>-<suffix>
        found[logical] = [
            statement
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
            for statement in _policy(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])[
                "Statement"
            ]
        ]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture
def sandbox_cli(cli: Any, project: Path) -> Any:
    try:
        yield cli
    finally:
        cli("sandbox", "stop")


def test_deploy_plan_update_destroy(sandbox_cli: Any) -> None:
    run = sandbox_cli

    deployed = run("deploy", "event-driven-iot", "--yes")
    assert deployed.exit_code == 0, deployed.stderr
    assert "Deployed event-driven-iot-dev" in deployed.stdout
    assert "Plan: 15 to create" in deployed.stdout

    outputs = json.loads(run("outputs", "event-driven-iot", "--output", "json").stdout)
    assert set(outputs) == {
        "stream_name", "table_name", "archive_bucket", "alert_topic_arn", "topic_rule_name", "iot_topic",
        "dlq_url", "function_name", "thing_type_name", "device_policy_name",
    }
    assert outputs["topic_rule_name"] == "sensors_dev_telemetry"
    assert outputs["iot_topic"] == "sensors/dev/+/telemetry"
    assert outputs["function_name"] == "sensors-dev-consumer"
    assert (outputs["thing_type_name"], outputs["device_policy_name"]) == ("sensors-dev-sensor", "sensors-dev-device")

    status = json.loads(run("sandbox", "status", "--output", "json").stdout)
    endpoint = status["aws"]["endpoint_url"]
    assert status["aws"]["running"]

    # ---- IoT Core: rule -> stream, thing type, device policy
    iot = _client(endpoint, "iot")
    (rule,) = iot.list_topic_rules()["rules"]
    assert (rule["ruleName"], rule["topicPattern"], rule["ruleDisabled"]) == (
        "sensors_dev_telemetry", "sensors/dev/+/telemetry", False
    )
    detail = iot.get_topic_rule(ruleName="sensors_dev_telemetry")["rule"]
    (action,) = detail["actions"]
    assert action["kinesis"]["streamName"] == outputs["stream_name"]
    assert action["kinesis"]["partitionKey"] == "${topic(3)}"
    assert detail["errorAction"]["s3"]["bucketName"] == outputs["archive_bucket"]
    assert [t["thingTypeName"] for t in iot.list_thing_types()["thingTypes"]] == ["sensors-dev-sensor"]
    assert [p["policyName"] for p in iot.list_policies()["policies"]] == ["sensors-dev-device"]

    # ---- IAM: the rule's role may only PutRecord on the stream; nothing is attached anywhere
    iam = _client(endpoint, "iam")
    roles = _inline_policies(iam, "event-driven-iot-dev-")
    assert set(roles) == {"ConsumerRole", "TopicRuleRole", "TopicRuleErrorRole"}
    (put,) = roles["TopicRuleRole"]
    assert _as_list(put["Action"]) == ["kinesis:PutRecord"]
    assert put["Resource"].endswith(f":stream/{outputs['stream_name']}")
    consumer_actions = sorted(a for s in roles["ConsumerRole"] for a in _as_list(s["Action"]))
    assert "sqs:SendMessage" in consumer_actions and "sns:Publish" in consumer_actions
    assert all("*" not in a for a in consumer_actions)

    # ---- stream, table, archive, topic, queue
    stream = _client(endpoint, "kinesis").describe_stream(StreamName=outputs["stream_name"])["StreamDescription"]
    assert stream["StreamStatus"] == "ACTIVE" and stream["RetentionPeriodHours"] == 24
    assert len(stream["Shards"]) == 1
    ddb = _client(endpoint, "dynamodb")
    table = ddb.describe_table(TableName=outputs["table_name"])["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["device_id", "reading_id"]
    assert ddb.describe_time_to_live(TableName=outputs["table_name"])["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"
    }
    s3 = _client(endpoint, "s3")
    encryption = s3.get_bucket_encryption(Bucket=outputs["archive_bucket"])["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=outputs["archive_bucket"])["Policy"]
    topic = _client(endpoint, "sns").get_topic_attributes(TopicArn=outputs["alert_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    queue = _client(endpoint, "sqs").get_queue_attributes(QueueUrl=outputs["dlq_url"], AttributeNames=["All"])
    assert queue["Attributes"]["SqsManagedSseEnabled"] == "true"
    assert queue["Attributes"]["MessageRetentionPeriod"] == "1209600"

    # ---- the consumer and its event source mapping
    lam = _client(endpoint, "lambda")
    function = lam.get_function_configuration(FunctionName=outputs["function_name"])
    assert function["Handler"] == "app.handler" and function["MemorySize"] == 256
    assert function["Environment"]["Variables"]["TABLE_NAME"] == outputs["table_name"]
    (mapping,) = lam.list_event_source_mappings(FunctionName=outputs["function_name"])["EventSourceMappings"]
    assert mapping["EventSourceArn"] == stream["StreamARN"]
    assert (mapping["BatchSize"], mapping["ParallelizationFactor"], mapping["BisectBatchOnFunctionError"]) == (
        100, 1, True
    )
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue["Attributes"]["QueueArn"]

    # ---- an honest plan for a batch-size change, then apply it
    plan = run("plan", "event-driven-iot", "-p", "batch_size=50", "--output", "json")
    assert plan.exit_code == 0, plan.stderr
    changed = [c for c in json.loads(plan.stdout)["changes"] if c["action"] != "noop"]
    assert [(c["logical_id"], c["action"], [(p["path"], p["before"], p["after"]) for p in c["properties"]])
            for c in changed] == [("ConsumerFunctionTelemetry", "update", [("BatchSize", 100, 50)])]

    updated = run("deploy", "event-driven-iot", "-p", "batch_size=50", "--yes")
    assert updated.exit_code == 0, updated.stderr
    (mapping,) = lam.list_event_source_mappings(FunctionName=outputs["function_name"])["EventSourceMappings"]
    assert mapping["BatchSize"] == 50
    assert json.loads(run("outputs", "event-driven-iot", "--output", "json").stdout) == outputs
    assert run("plan", "event-driven-iot", "-p", "batch_size=50", "--detailed-exitcode").exit_code == 0

    # ---- destroy: nothing of it is left
    destroyed = run("destroy", "event-driven-iot", "--yes")
    assert destroyed.exit_code == 0, destroyed.stderr
    assert "Destroyed event-driven-iot-dev" in destroyed.stdout
    assert iot.list_topic_rules()["rules"] == []
    assert iot.list_thing_types()["thingTypes"] == []
    assert iot.list_policies()["policies"] == []
    assert _client(endpoint, "kinesis").list_streams()["StreamNames"] == []
    assert ddb.list_tables()["TableNames"] == []
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert all(b.startswith("iacli-assets-") for b in buckets), buckets  # the shared assets bucket stays
    assert _client(endpoint, "sns").list_topics()["Topics"] == []
    assert _client(endpoint, "sqs").list_queues().get("QueueUrls", []) == []
    assert lam.list_functions()["Functions"] == []
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    assert iam.list_roles()["Roles"] == []
    assert _client(endpoint, "logs").describe_log_groups()["logGroups"] == []
    live = [s for s in _client(endpoint, "cloudformation").list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"]
    assert live == []
