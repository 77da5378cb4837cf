"""The event-driven-iot consumer (blueprints/event-driven-iot/src/app.py) against in-process moto.

One moto mock for the module; each test gets its own table, archive bucket, alert topic and a queue
subscribed to the topic (to read the alerts back).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

APP_FILE = Path(__file__).resolve().parents[2] / "blueprints" / "event-driven-iot" / "src" / "app.py"
CONTEXT = SimpleNamespace(aws_request_id="req-1")
SHARD = "shardId-000000000000"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iot_consumer_app", APP_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep src/ (the zip) clean
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write
    return module


@pytest.fixture(scope="module")
def _mocked_app() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            mp.setenv(name, value)
        mp.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            module = _load_app()
            module.time.sleep = lambda _s: None  # no real back-off in tests
            yield module
            module._client.cache_clear()


@pytest.fixture
def env(_mocked_app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fresh resources for one test; returns a namespace with the app and the resource names."""
    suffix = uuid.uuid4().hex[:10]
    table, bucket = f"readings-{suffix}", f"archive-{suffix}"
    boto3.client("dynamodb").create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "device_id", "AttributeType": "S"},
            {"AttributeName": "reading_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "device_id", "KeyType": "HASH"},
            {"AttributeName": "reading_id", "KeyType": "RANGE"},
        ],
    )
    boto3.client("s3").create_bucket(Bucket=bucket)
    topic = boto3.client("sns").create_topic(Name=f"alerts-{suffix}")["TopicArn"]
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName=f"alerts-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"}
    )
    for name, value in {
        "TABLE_NAME": table,
        "ARCHIVE_BUCKET": bucket,
        "ALERT_TOPIC_ARN": topic,
        "ALERT_THRESHOLD": "80",
        "ALERT_METRICS": "",
        "READING_TTL_DAYS": "30",
        "ARCHIVE_PREFIX": "raw/",
    }.items():
        monkeypatch.setenv(name, value)
    return SimpleNamespace(app=_mocked_app, table=table, bucket=bucket, topic=topic, queue=queue)


# ---------------------------------------------------------------- helpers


def _reading(device: str = "pump-1", metric: str = "temperature", value: Any = 21.5, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"device_id": device, "metric": metric, "value": value}
    body.setdefault("timestamp", NOW.isoformat())
    body.update(extra)
    return body


def _record(payload: Any, seq: int, *, raw: bytes | None = None, arrival: float | None = None) -> dict[str, Any]:
    data = raw if raw is not None else json.dumps(payload).encode()
    return {
        "eventSource": "aws:kinesis",
        "eventID": f"{SHARD}:{seq:056d}",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/telemetry",
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "pump-1",
            "sequenceNumber": f"{seq:056d}",
            "data": base64.b64encode(data).decode(),
            "approximateArrivalTimestamp": arrival if arrival is not None else NOW.timestamp(),
        },
    }


def _event(payloads: list[Any], start: int = 1) -> dict[str, Any]:
    return {"Records": [_record(p, start + i) for i, p in enumerate(payloads)]}


def _items(env: Any) -> list[dict[str, Any]]:
    return boto3.resource("dynamodb").Table(env.table).scan()["Items"]


def _archive(env: Any) -> dict[str, list[dict[str, Any]]]:
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=env.bucket).get("Contents", [])]
    out = {}
    for key in keys:
        body = s3.get_object(Bucket=env.bucket, Key=key)["Body"].read().decode()
        out[key] = [json.loads(line) for line in body.splitlines()]
    return out


def _alerts(env: Any) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=env.queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        for message in got:
            envelope = json.loads(message["Body"])
            found.append({"subject": envelope.get("Subject"), "body": json.loads(envelope["Message"]),
                          "attributes": envelope.get("MessageAttributes", {})})
            sqs.delete_message(QueueUrl=env.queue, ReceiptHandle=message["ReceiptHandle"])


def _seq(n: int) -> str:
    return f"{n:056d}"


# ---------------------------------------------------------------- the happy path


def test_valid_batch_is_stored_archived_and_alerted(env: Any) -> None:
    payloads = [
        _reading("pump-1", "temperature", 21.5),
        _reading("pump-1", "vibration_rms", 93),
        _reading("pump-2", "temperature", 80),  # equal to the threshold: no alert
    ]
    result = env.app.handler(_event(payloads), CONTEXT)
    assert result == {"batchItemFailures": []}

    items = sorted(_items(env), key=lambda i: (i["device_id"], i["metric"]))
    assert [(i["device_id"], i["metric"], i["value"]) for i in items] == [
        ("pump-1", "temperature", Decimal("21.5")),
        ("pump-1", "vibration_rms", Decimal(93)),
        ("pump-2", "temperature", Decimal(80)),
    ]
    stamp = NOW.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert items[0]["reading_id"] == f"{stamp}#temperature"
    assert items[0]["timestamp"] == stamp
    assert items[0]["sequence_number"] == _seq(1)
    assert items[0]["expires_at"] == int(NOW.timestamp()) + 30 * 86400

    (alert,) = _alerts(env)
    assert alert["body"] == {
        "alert": "threshold_exceeded",
        "device_id": "pump-1",
        "metric": "vibration_rms",
        "value": 93.0,
        "threshold": 80.0,
        "timestamp": stamp,
        "sequence_number": _seq(2),
    }
    assert alert["subject"] == "vibration_rms 93 over 80 on pump-1"
    assert alert["attributes"]["device_id"]["Value"] == "pump-1"
    assert alert["attributes"]["metric"]["Value"] == "vibration_rms"

    ((key, lines),) = _archive(env).items()
    assert key == (
        f"raw/year={NOW:%Y}/month={NOW:%m}/day={NOW:%d}/hour={NOW:%H}/{SHARD}-{_seq(1)}-{_seq(3)}.jsonl"
    )
    assert [line["payload"] for line in lines] == payloads
    assert all(line["valid"] for line in lines) and [line["sequence_number"] for line in lines] == [
        _seq(1), _seq(2), _seq(3)
    ]


def test_empty_event_does_nothing(env: Any) -> None:
    assert env.app.handler({"Records": []}, CONTEXT) == {"batchItemFailures": []}
    assert env.app.handler({}, CONTEXT) == {"batchItemFailures": []}
    assert _items(env) == [] and _archive(env) == {}


def test_reprocessing_the_same_batch_is_idempotent(env: Any) -> None:
    event = _event([_reading("a", "t", 1), _reading("b", "t", 2)])
    env.app.handler(event, CONTEXT)
    env.app.handler(event, CONTEXT)
    assert len(_items(env)) == 2
    assert len(_archive(env)) == 1  # the same key, overwritten


def test_duplicate_readings_in_one_batch_keep_the_last(env: Any) -> None:
    event = _event([_reading("a", "t", 1), _reading("a", "t", 2), _reading("a", "t", 3)])
    assert env.app.handler(event, CONTEXT) == {"batchItemFailures": []}
    (item,) = _items(env)
    assert item["value"] == Decimal(3) and item["sequence_number"] == _seq(3)


def test_large_batches_are_written_and_alerted_in_chunks(env: Any) -> None:
    payloads = [_reading(f"dev-{i}", "temperature", 100 + i) for i in range(60)]
    assert env.app.handler(_event(payloads), CONTEXT) == {"batchItemFailures": []}
    assert len(_items(env)) == 60
    alerts = _alerts(env)
    assert sorted(a["body"]["device_id"] for a in alerts) == sorted(f"dev-{i}" for i in range(60))


def test_ttl_follows_reading_ttl_days_and_the_reading_time(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READING_TTL_DAYS", "7")
    then = NOW - timedelta(days=2)
    env.app.handler(_event([_reading(timestamp=int(then.timestamp()))]), CONTEXT)
    (item,) = _items(env)
    assert item["expires_at"] == int(then.timestamp()) + 7 * 86400


# ---------------------------------------------------------------- alerts


def test_alert_metrics_limit_which_metrics_alert(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_METRICS", "vibration_rms, bearing_temp")
    monkeypatch.setenv("ALERT_THRESHOLD", "7.1")
    payloads = [
        _reading("m1", "vibration_rms", 7.2),
        _reading("m1", "temperature", 95),  # over, but not a watched metric
        _reading("m2", "bearing_temp", 7.1),  # not over
        _reading("m3", "vibration_rms", 7.10001),
    ]
    env.app.handler(_event(payloads), CONTEXT)
    assert sorted((a["body"]["device_id"], a["body"]["value"]) for a in _alerts(env)) == [
        ("m1", 7.2),
        ("m3", 7.10001),
    ]


def test_settings_from_environment(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_PREFIX", "batches")
    monkeypatch.setenv("ALERT_METRICS", " a,,b ")
    settings = env.app.Settings.from_env()
    assert settings.archive_prefix == "batches/"
    assert settings.alert_metrics == frozenset({"a", "b"})
    assert settings.alert_threshold == 80.0 and settings.reading_ttl_days == 30


# ---------------------------------------------------------------- decoding and validation


def test_invalid_records_are_archived_with_the_reason_and_skipped(env: Any) -> None:
    records = [
        _record(None, 1, raw=b"\xff\xfe not json"),
        _record(["a", "list"], 2),
        _record(_reading(value="hot"), 3),
        _record(_reading("pump-9", "temperature", 99), 4),
    ]
    records.append(_record(None, 5))
    records[-1]["kinesis"]["data"] = "%%% not base64"
    result = env.app.handler({"Records": records}, CONTEXT)
    assert result == {"batchItemFailures": []}  # retrying cannot fix them

    assert [i["device_id"] for i in _items(env)] == ["pump-9"]
    (lines,) = _archive(env).values()
    assert [line["valid"] for line in lines] == [False, False, False, True, False]
    assert lines[0]["error"] == "record data is not UTF-8 JSON"
    assert base64.b64decode(lines[0]["raw_base64"]) == b"\xff\xfe not json"
    assert lines[1]["error"] == "payload must be a JSON object"
    assert lines[2]["error"] == "'value' must be a number" and lines[2]["payload"]["value"] == "hot"
    assert lines[4]["error"] == "record data is not base64"
    assert len(_alerts(env)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"device_id": ""}, "'device_id'"),
        ({"device_id": "a/b"}, "'device_id'"),
        ({"device_id": 7}, "'device_id'"),
        ({"device_id": "x" * 129}, "'device_id'"),
        ({"metric": ""}, "'metric'"),
        ({"metric": "temp#1"}, "'metric'"),
        ({"metric": None}, "'metric'"),
        ({"value": True}, "'value' must be a number"),
        ({"value": "1"}, "'value' must be a number"),
        ({"value": None}, "'value' must be a number"),
        ({"value": float("nan")}, "'value' must be finite"),
        ({"value": float("inf")}, "'value' must be finite"),
        ({"value": 1e130}, "out of the range"),
        ({"value": 10**130}, "out of the range"),
        ({"timestamp": "yesterday"}, "not ISO 8601"),
        ({"timestamp": True}, "'timestamp' must be"),
        ({"timestamp": [1]}, "'timestamp' must be"),
        ({"timestamp": (NOW + timedelta(hours=1)).isoformat()}, "in the future"),
        ({"timestamp": "1999-12-31T23:59:59Z"}, "before 2000"),
        ({"timestamp": 1e300}, "out of range"),
    ],
)
def test_validation_rejects(env: Any, change: dict[str, Any], message: str) -> None:
    with pytest.raises(env.app.InvalidReading, match=message.replace("(", r"\(")):
        env.app.validate_reading({**_reading(), **change}, _seq(1))


@pytest.mark.parametrize("missing", ["metric", "value"])
def test_validation_requires_fields(env: Any, missing: str) -> None:
    payload = _reading()
    del payload[missing]
    with pytest.raises(env.app.InvalidReading, match=f"'{missing}'"):
        env.app.validate_reading(payload, _seq(1))


def test_validation_requires_a_device_and_a_time(env: Any) -> None:
    payload = _reading()
    del payload["device_id"]
    with pytest.raises(env.app.InvalidReading, match="'device_id'"):
        env.app.validate_reading(payload, _seq(1))
    payload = _reading()
    del payload["timestamp"]
    with pytest.raises(env.app.InvalidReading, match="'timestamp' is required"):
        env.app.validate_reading(payload, _seq(1))


@pytest.mark.parametrize(
    "stamp",
    [
        int(NOW.timestamp()),
        float(NOW.timestamp()),
        int(NOW.timestamp()) * 1000,  # epoch milliseconds
        NOW.isoformat(),
        NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        NOW.strftime("%Y-%m-%dT%H:%M:%S"),  # no offset: UTC
        NOW.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
    ],
    # stable ids: the values depend on the clock, and pytest-xdist workers must collect the same tests
    ids=["epoch-s", "epoch-float", "epoch-ms", "iso-offset", "iso-z", "iso-naive", "iso-plus-0530"],
)
def test_timestamp_forms(env: Any, stamp: Any) -> None:
    reading = env.app.validate_reading(_reading(timestamp=stamp), _seq(1))
    assert reading.timestamp == NOW


def test_the_thing_name_from_the_topic_is_the_device(env: Any) -> None:
    app = env.app
    # no device_id in the payload: the rule's source_thing is used
    payload = {"metric": "t", "value": 1, "timestamp": NOW.isoformat(), "source_thing": "pump-7"}
    assert app.validate_reading(payload, _seq(1)).device_id == "pump-7"
    # a device may not report for another thing
    with pytest.raises(app.InvalidReading, match="does not match the publishing thing"):
        app.validate_reading({**payload, "device_id": "pump-8"}, _seq(1))
    assert app.validate_reading({**payload, "device_id": "pump-7"}, _seq(1)).device_id == "pump-7"


def test_receive_time_is_the_fallback_timestamp(env: Any) -> None:
    payload = {"device_id": "d", "metric": "t", "value": 1, "received_at": int(NOW.timestamp() * 1000)}
    assert env.app.validate_reading(payload, _seq(1)).timestamp == NOW
    payload["timestamp"] = (NOW - timedelta(minutes=5)).isoformat()
    assert env.app.validate_reading(payload, _seq(1)).timestamp == NOW - timedelta(minutes=5)


def test_values_keep_their_precision(env: Any) -> None:
    app = env.app
    assert app.validate_reading(_reading(value=0.1), _seq(1)).value == Decimal("0.1")
    assert app.validate_reading(_reading(value=-3), _seq(1)).value == Decimal(-3)
    assert app.validate_reading(_reading(value=0.0), _seq(1)).value == 0
    assert app.validate_reading(_reading(value=1e-20), _seq(1)).value == Decimal("1e-20")


def test_a_record_without_kinesis_data_is_invalid(env: Any) -> None:
    decoded = env.app.decode_record({"eventID": "x"})
    assert decoded.reading is None and "not a Kinesis record" in decoded.error


# ---------------------------------------------------------------- partial batch failures


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, client: Any, method: str, failing_call: int) -> list[int]:
    """Make ``client.method`` raise a ClientError on its ``failing_call``-th call (1-based)."""
    real = getattr(client, method)
    calls: list[int] = []

    def fake(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == failing_call:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                              method)
        return real(**kwargs)

    monkeypatch.setattr(client, method, fake)
    return calls


def test_a_failed_write_reports_the_first_record_not_stored(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = env.app
    _fail_on_call(monkeypatch, app._client("dynamodb"), "batch_write_item", 2)
    payloads: list[Any] = [_reading(f"d{i}", "t", i) for i in range(60)]
    payloads[0] = "not an object"  # invalid records before the failure are simply skipped
    result = app.handler(_event(payloads), CONTEXT)
    # chunk 1 = readings from records 2..26, chunk 2 (failing) starts at record 27
    assert result == {"batchItemFailures": [{"itemIdentifier": _seq(27)}]}
    assert len(_items(env)) == 25
    assert len(_archive(env)) == 1


def test_a_failed_archive_retries_the_whole_batch(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_BUCKET", "no-such-bucket-for-iot-tests")
    result = env.app.handler(_event([_reading(), _reading(metric="x")], start=5), CONTEXT)
    assert result == {"batchItemFailures": [{"itemIdentifier": _seq(5)}]}
    assert _items(env) == []


def test_a_failed_alert_retries_from_its_chunk(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = env.app
    sns = app._client("sns")
    real = sns.publish_batch

    def partly_failing(**kwargs: Any) -> Any:
        response = real(**kwargs)
        entry = kwargs["PublishBatchRequestEntries"][0]
        response["Failed"] = [{"Id": entry["Id"], "Code": "InternalError", "SenderFault": False}]
        return response

    monkeypatch.setattr(sns, "publish_batch", partly_failing)
    result = app.handler(_event([_reading("a", "t", 1), _reading("b", "t", 99)]), CONTEXT)
    assert result == {"batchItemFailures": [{"itemIdentifier": _seq(1)}]}


def test_unprocessed_items_are_retried(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = env.app
    ddb = app._client("dynamodb")
    real = ddb.batch_write_item
    calls: list[int] = []

    def throttled_once(**kwargs: Any) -> Any:
        calls.append(1)
        requests = kwargs["RequestItems"][env.table]
        if len(calls) == 1:  # first call: write one, hand back the rest unprocessed
            real(RequestItems={env.table: requests[:1]})
            return {"UnprocessedItems": {env.table: requests[1:]}}
        return real(**kwargs)

    monkeypatch.setattr(ddb, "batch_write_item", throttled_once)
    assert app.handler(_event([_reading(f"d{i}") for i in range(5)]), CONTEXT) == {"batchItemFailures": []}
    assert len(calls) == 2 and len(_items(env)) == 5


def test_items_that_stay_unprocessed_fail_the_chunk(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app = env.app
    ddb = app._client("dynamodb")
    calls: list[int] = []

    def always_throttled(**kwargs: Any) -> Any:
        calls.append(1)
        return {"UnprocessedItems": kwargs["RequestItems"]}

    monkeypatch.setattr(ddb, "batch_write_item", always_throttled)
    result = app.handler(_event([_reading("d1"), _reading("d2")], start=3), CONTEXT)
    assert result == {"batchItemFailures": [{"itemIdentifier": _seq(3)}]}
    assert len(calls) == app.WRITE_ATTEMPTS


def test_unexpected_errors_propagate_so_lambda_bisects(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env.app, "write_readings", lambda *_a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        env.app.handler(_event([_reading()]), CONTEXT)


# ---------------------------------------------------------------- logs


def test_logs_one_json_summary_per_batch(env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    env.app.logger.handlers[0].setStream(sys.stdout)
    env.app.handler(_event([_reading(value=90), "bad"]), CONTEXT)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    warning, summary = lines[-2], lines[-1]
    assert warning["level"] == "WARNING" and warning["error"] == "payload must be a JSON object"
    assert summary["message"] == "batch" and summary["request_id"] == "req-1"
    assert (summary["records"], summary["valid"], summary["invalid"], summary["stored"], summary["alerts"]) == (
        2, 1, 1, 1, 1
    )
    assert summary["failed"] is False and summary["archive_key"].startswith("raw/year=")
