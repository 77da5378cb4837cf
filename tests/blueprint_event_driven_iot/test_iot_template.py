"""The event-driven-iot blueprint: blueprint.yaml, examples, and the AWS SAM template it renders.

Templates are rendered through the core engine (parameter checks, sandboxed Jinja, asset zips), linted
with cfn-lint the way ``iacli validate`` does, and expanded with the same SAM translation the AWS provider
uses before planning, all offline.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from iacli.blueprint.model import BlueprintSpec
from iacli.blueprint.params import ParamSource, resolve
from iacli.config import ProjectConfig
from iacli.engine import Engine, Prepared, StackRequest
from iacli.render import render_template

BLUEPRINT = Path(__file__).resolve().parents[2] / "blueprints" / "event-driven-iot"
EXAMPLES = sorted((BLUEPRINT / "examples").glob("*.yaml"))
REGION = "us-east-1"

TRANSLATED_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::IAM::Role",
    "AWS::IoT::Policy",
    "AWS::IoT::ThingType",
    "AWS::IoT::TopicRule",
    "AWS::Kinesis::Stream",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
}
EMAIL_TYPES = {"AWS::SNS::Subscription"}


# ---------------------------------------------------------------- helpers


def _spec() -> dict[str, Any]:
    return yaml.safe_load((BLUEPRINT / "blueprint.yaml").read_text())


def _example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name} must be a mapping"
    return data


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("iot-render")


@pytest.fixture(scope="module")
def prepare(workdir: Path) -> Any:
    """Render the blueprint with ``overrides`` through the engine (cached per parameter set)."""
    engine = Engine(workdir, ProjectConfig(), workdir / "home")
    rendered: dict[str, Prepared] = {}

    def run(overrides: dict[str, Any] | None = None, env: str = "dev") -> Prepared:
        key = json.dumps([overrides or {}, env], sort_keys=True)
        if key not in rendered:
            params_file = workdir / f"params-{len(rendered)}.yaml"
            params_file.write_text(yaml.safe_dump(overrides or {}))
            request = StackRequest(blueprint="event-driven-iot", params_file=params_file, env=env)
            rendered[key] = engine.prepare(request)
        return rendered[key]

    run.engine = engine  # type: ignore[attr-defined]
    return run


def _body(prepared: Prepared) -> dict[str, Any]:
    return json.loads(json.dumps(prepared.deployable.template.body))


@cache
def _translate_text(text: str, cache_dir: Path) -> dict[str, Any]:
    from iacli_aws.sam import translate
    from iacli_aws.template import load_template

    return translate(load_template(text, "template", cache_dir), {}, REGION, cache_dir)


def _translated(prepared: Prepared, cache_dir: Path) -> dict[str, Any]:
    """What the AWS provider plans and deploys: the SAM template expanded (code at an S3 URI)."""
    text = prepared.deployable.template.text
    (placeholder,) = prepared.deployable.template.assets
    text = text.replace(placeholder, "s3://iacli-assets-123456789012-us-east-1/src.zip")
    return _translate_text(text, cache_dir)


def _resources(prepared: Prepared) -> dict[str, Any]:
    return _body(prepared)["Resources"]


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


CASES = [pytest.param(_example(p), id=f"example-{p.stem}") for p in EXAMPLES]


# ---------------------------------------------------------------- blueprint.yaml and examples


def test_blueprint_yaml_matches_core_model() -> None:
    spec = BlueprintSpec.model_validate(_spec())
    assert spec.name == BLUEPRINT.name
    assert (BLUEPRINT / spec.providers["aws"].template).is_file()
    assert {
        "shard_count", "retention_hours", "batch_size", "alert_threshold", "archive_days",
        "app_name", "memory_mb", "runtime", "reading_ttl_days", "alert_email", "parallelization_factor",
    } <= set(spec.parameters)
    assert {
        "stream_name", "table_name", "archive_bucket", "alert_topic_arn", "topic_rule_name", "iot_topic",
        "dlq_url",
    } <= set(spec.outputs)
    assert "predictive-maintenance" in spec.details and "aws (SAM" in spec.details


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_resolve_against_parameters(path: Path) -> None:
    spec = BlueprintSpec.model_validate(_spec())
    resolved = resolve(spec.parameters, [ParamSource(path.name, _example(path))])
    assert set(resolved.values) == set(spec.parameters)


def test_examples_exist_and_default_is_empty() -> None:
    assert {p.stem for p in EXAMPLES} >= {"default", "high-throughput", "predictive-maintenance"}
    assert _example(BLUEPRINT / "examples" / "default.yaml") == {}


def test_defaults_satisfy_their_own_constraints() -> None:
    for name, p in _spec()["parameters"].items():
        default = p["default"]
        if "enum" in p:
            assert default in p["enum"], name
        if "pattern" in p:
            assert re.fullmatch(p["pattern"], default), name
        if "min" in p:
            assert p["min"] <= default <= p["max"], name


def test_bad_parameters_are_refused_before_rendering(prepare: Any) -> None:
    from iacli.errors import IacliError

    for bad in ({"shard_count": 0}, {"retention_hours": 12}, {"batch_size": 10001},
                {"parallelization_factor": 11}, {"alert_email": "not-an-address"}, {"app_name": "Bad_Name"},
                {"alert_threshold": "high"}):
        with pytest.raises(IacliError):
            prepare(bad)


# ---------------------------------------------------------------- lint and translation


@pytest.mark.parametrize("overrides", CASES)
def test_lints_clean_and_translates_to_supported_types(
    prepare: Any, workdir: Path, overrides: dict[str, Any]
) -> None:
    prepared = prepare(overrides)
    findings = prepare.engine.validate(prepared)
    assert [(d.rule, d.severity.value, d.message) for d in findings] == []

    translated = _translated(prepared, workdir)
    types = {r["Type"] for r in translated["Resources"].values()}
    with_email = bool(prepared.params.values["alert_email"])
    assert types == TRANSLATED_TYPES | (EMAIL_TYPES if with_email else set())

    from iacli_aws.sandbox.fixes.unsupported import is_supported

    # AWS::SNS::Subscription (only with alert_email) is not in the sandbox yet; everything else is
    assert {t for t in types if not is_supported(t)} <= EMAIL_TYPES


@pytest.mark.parametrize("overrides", CASES)
def test_outputs_follow_blueprint_yaml(prepare: Any, overrides: dict[str, Any]) -> None:
    outputs = _body(prepare(overrides))["Outputs"]
    expected = {"".join(part.capitalize() for part in name.split("_")) for name in _spec()["outputs"]}
    assert set(outputs) == expected


def test_function_code_is_only_the_handler(prepare: Any) -> None:
    prepared = prepare()
    ((placeholder, asset),) = prepared.deployable.template.assets.items()
    assert _resources(prepared)["ConsumerFunction"]["Properties"]["CodeUri"] == placeholder
    assert zipfile.ZipFile(io.BytesIO(asset.data)).namelist() == ["app.py"]
    files = {p.name for p in (BLUEPRINT / "src").iterdir() if p.name != "__pycache__"}
    assert files == {"app.py"}


# ---------------------------------------------------------------- structural promises


def test_event_source_mapping(prepare: Any, workdir: Path) -> None:
    prepared = prepare(_example(BLUEPRINT / "examples" / "high-throughput.yaml"))
    translated = _translated(prepared, workdir)["Resources"]
    (esm,) = [r["Properties"] for r in translated.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert esm["EventSourceArn"] == {"Fn::GetAtt": ["TelemetryStream", "Arn"]}
    assert esm["FunctionName"] == {"Ref": "ConsumerFunction"}
    assert esm["StartingPosition"] == "TRIM_HORIZON"
    assert (esm["BatchSize"], esm["MaximumBatchingWindowInSeconds"], esm["ParallelizationFactor"]) == (1000, 5, 4)
    assert esm["BisectBatchOnFunctionError"] is True
    assert esm["MaximumRetryAttempts"] == 5
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}}
    # the function keeps the role of this template: SAM adds no managed policies or roles of its own
    roles = [name for name, r in translated.items() if r["Type"] == "AWS::IAM::Role"]
    assert sorted(roles) == ["ConsumerRole", "TopicRuleErrorRole", "TopicRuleRole"]
    assert translated["ConsumerFunction"]["Properties"]["Role"] == {"Fn::GetAtt": ["ConsumerRole", "Arn"]}


def test_parameters_reach_the_resources(prepare: Any) -> None:
    overrides = {
        "app_name": "pumps", "shard_count": 3, "retention_hours": 168, "alert_threshold": 7.1,
        "alert_metrics": ["vibration_rms", "bearing_temp"], "reading_ttl_days": 90, "archive_days": 730,
        "runtime": "python3.13", "architecture": "x86_64", "memory_mb": 1024, "timeout_s": 120,
        "log_retention_days": 90, "retain_data": True,
    }
    prepared = prepare(overrides, env="prod")
    body = _body(prepared)
    res = body["Resources"]
    stream = res["TelemetryStream"]["Properties"]
    assert (stream["ShardCount"], stream["RetentionPeriodHours"]) == (3, 168)
    fn = res["ConsumerFunction"]["Properties"]
    assert (fn["FunctionName"], fn["Runtime"], fn["Architectures"], fn["MemorySize"], fn["Timeout"]) == (
        "pumps-prod-consumer", "python3.13", ["x86_64"], 1024, 120
    )
    variables = fn["Environment"]["Variables"]
    assert variables["ALERT_THRESHOLD"] == "7.1"
    assert variables["ALERT_METRICS"] == "vibration_rms,bearing_temp"
    assert variables["READING_TTL_DAYS"] == "90"
    assert {k: variables[k] for k in ("TABLE_NAME", "ARCHIVE_BUCKET", "ALERT_TOPIC_ARN")} == {
        "TABLE_NAME": {"Ref": "ReadingsTable"},
        "ARCHIVE_BUCKET": {"Ref": "ArchiveBucket"},
        "ALERT_TOPIC_ARN": {"Ref": "AlertTopic"},
    }
    assert res["ConsumerLogGroup"]["Properties"] == {
        "LogGroupName": "/aws/lambda/pumps-prod-consumer", "RetentionInDays": 90
    }
    (rule,) = res["ArchiveBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 730 and rule["Status"] == "Enabled"
    for name in ("ReadingsTable", "ArchiveBucket"):
        assert res[name]["DeletionPolicy"] == res[name]["UpdateReplacePolicy"] == "Retain"
    assert res["SensorThingType"]["Properties"]["ThingTypeName"] == "pumps-prod-sensor"
    assert res["DevicePolicy"]["Properties"]["PolicyName"] == "pumps-prod-device"
    assert res["TelemetryRule"]["Properties"]["RuleName"] == "pumps_prod_telemetry"
    assert body["Outputs"]["IotTopic"]["Value"] == "pumps/prod/+/telemetry"
    assert body["Outputs"]["ThingTypeName"]["Value"] == "pumps-prod-sensor"


def test_defaults_are_disposable_and_have_no_subscription(prepare: Any) -> None:
    res = _resources(prepare())
    assert res["ReadingsTable"]["DeletionPolicy"] == res["ArchiveBucket"]["DeletionPolicy"] == "Delete"
    assert "AlertEmailSubscription" not in res
    assert res["ConsumerFunction"]["Properties"]["Environment"]["Variables"]["ALERT_METRICS"] == ""
    assert res["ConsumerFunction"]["Properties"]["Environment"]["Variables"]["ALERT_THRESHOLD"] == "80"


def test_alert_email_subscribes_to_the_topic(prepare: Any) -> None:
    res = _resources(prepare({"alert_email": "ops@example.com"}))
    assert res["AlertEmailSubscription"]["Properties"] == {
        "TopicArn": {"Ref": "AlertTopic"}, "Protocol": "email", "Endpoint": "ops@example.com"
    }


def test_topic_rule_routes_the_telemetry_topic_to_the_stream(prepare: Any) -> None:
    res = _resources(prepare())
    payload = res["TelemetryRule"]["Properties"]["TopicRulePayload"]
    assert payload["Sql"] == (
        "SELECT *, topic(3) AS source_thing, timestamp() AS received_at FROM 'sensors/dev/+/telemetry'"
    )
    assert payload["AwsIotSqlVersion"] == "2016-03-23" and payload["RuleDisabled"] is False
    (action,) = payload["Actions"]
    assert action["Kinesis"] == {
        "StreamName": {"Ref": "TelemetryStream"},
        "PartitionKey": "${topic(3)}",
        "RoleArn": {"Fn::GetAtt": ["TopicRuleRole", "Arn"]},
    }
    assert payload["ErrorAction"]["S3"]["Key"].startswith("rule-errors/")
    assert payload["ErrorAction"]["S3"]["RoleArn"] == {"Fn::GetAtt": ["TopicRuleErrorRole", "Arn"]}


def test_topic_rule_role_may_only_put_records_on_the_stream(prepare: Any) -> None:
    res = _resources(prepare())
    role = res["TopicRuleRole"]
    assert "ManagedPolicyArns" not in role["Properties"]
    (statement,) = _statements(role)
    assert statement["Effect"] == "Allow"
    assert _actions(statement) == ["kinesis:PutRecord"]
    assert statement["Resource"] == {"Fn::GetAtt": ["TelemetryStream", "Arn"]}
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "iot.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert trust["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"].endswith(":rule/sensors_dev_telemetry")

    (error_statement,) = _statements(res["TopicRuleErrorRole"])
    assert _actions(error_statement) == ["s3:PutObject"]
    assert error_statement["Resource"] == {"Fn::Sub": "${ArchiveBucket.Arn}/rule-errors/*"}


def test_consumer_role_is_least_privilege(prepare: Any) -> None:
    role = _resources(prepare())["ConsumerRole"]
    assert "ManagedPolicyArns" not in role["Properties"]
    granted = {s["Sid"]: (sorted(_actions(s)), s["Resource"]) for s in _statements(role)}
    assert granted == {
        "ReadTheStream": (
            ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
             "kinesis:GetShardIterator", "kinesis:ListShards"],
            {"Fn::GetAtt": ["TelemetryStream", "Arn"]},
        ),
        "WriteReadings": (["dynamodb:BatchWriteItem", "dynamodb:PutItem"], {"Fn::GetAtt": ["ReadingsTable", "Arn"]}),
        "ArchiveRawBatches": (["s3:PutObject"], {"Fn::Sub": "${ArchiveBucket.Arn}/raw/*"}),
        "PublishAlerts": (["sns:Publish"], {"Ref": "AlertTopic"}),
        "SendFailedBatchesToTheQueue": (["sqs:SendMessage"], {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}),
        "WriteOwnLogs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ConsumerLogGroup}:*"},
        ),
    }
    assert all(s["Effect"] == "Allow" for s in _statements(role))


def test_no_wildcard_grants_anywhere(prepare: Any) -> None:
    res = _resources(prepare())
    for name in ("ConsumerRole", "TopicRuleRole", "TopicRuleErrorRole"):
        for statement in _statements(res[name]):
            assert all("*" not in a for a in _actions(statement)), (name, statement)
            assert statement["Resource"] != "*", (name, statement)


def test_device_policy_pins_each_device_to_its_own_thing_and_topic(prepare: Any) -> None:
    statements = _resources(prepare())["DevicePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    connect, publish = statements
    assert connect["Action"] == "iot:Connect"
    assert connect["Resource"]["Fn::Sub"].endswith(":client/${!iot:Connection.Thing.ThingName}")
    assert connect["Condition"] == {
        "Bool": {"iot:Connection.Thing.IsAttached": "true"},
        "StringEquals": {"iot:Connection.Thing.ThingTypeName": "sensors-dev-sensor"},
    }
    assert publish["Action"] == "iot:Publish"
    assert publish["Resource"]["Fn::Sub"].endswith(":topic/sensors/dev/${!iot:Connection.Thing.ThingName}/telemetry")


def test_data_stores_are_private_encrypted_and_expire(prepare: Any) -> None:
    res = _resources(prepare())
    bucket = res["ArchiveBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 90
    (deny,) = res["ArchiveBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    table = res["ReadingsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["device_id", "reading_id"]

    stream = res["TelemetryStream"]["Properties"]
    assert stream["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
    assert res["DeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True
    assert res["DeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] == 1209600
    assert res["AlertTopic"]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"


def test_string_values_cannot_inject_template_structure(tmp_path: Path) -> None:
    # the engine checks patterns first; the template must be safe even without that
    from iacli_aws.template import load_template

    params = resolve(BlueprintSpec.model_validate(_spec()).parameters, []).public()
    params.update(app_name="a'\n  Evil: true", alert_email="x\nResources: {}")
    context = {"params": params, "stack_name": "s\n#", "env": "dev",
               "blueprint": {"name": "event-driven-iot", "version": "1.0.0"}}
    rendered = render_template(BLUEPRINT, "templates/aws/template.yaml.j2", context,
                               lambda text, source: load_template(text, source, tmp_path))
    res = rendered.body["Resources"]
    assert res["AlertEmailSubscription"]["Properties"]["Endpoint"] == "x\nResources: {}"
    assert "Evil" not in res["TelemetryRule"]["Properties"]
    assert len(res) > 10


def test_blueprints_show_explains_what_it_builds(cli: Any, project: Path) -> None:
    shown = cli("blueprints", "show", "event-driven-iot")
    assert shown.exit_code == 0, shown.stderr
    for text in ("IoT Core thing type", "kinesis:PutRecord", "dead-letter queue", "batch_size", "dlq_url",
                 "iot_topic", "TTL"):
        assert text in shown.stdout, text
