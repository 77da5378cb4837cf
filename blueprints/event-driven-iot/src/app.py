"""Telemetry consumer: Kinesis records from an IoT Core topic rule -> readings table, raw archive, alerts.

Each Kinesis record carries one device message as the topic rule forwarded it: the device's JSON object
plus ``source_thing`` (the thing name taken from the MQTT topic) and ``received_at`` (epoch milliseconds
when IoT Core received it). A valid reading is a JSON object with::

    device_id   string, [A-Za-z0-9:_-]{1,128}   (optional when source_thing is present; must match it)
    metric      string, [A-Za-z0-9_.:/-]{1,64}  e.g. "temperature", "vibration_rms"
    value       number (not a boolean, finite)
    timestamp   epoch seconds, epoch milliseconds or ISO 8601 (defaults to received_at); at most
                MAX_CLOCK_SKEW_S in the future

For every batch the function:

1. archives the whole batch to S3 as JSON lines (one line per record, valid or not, with the decoded
   payload and the reason a record was rejected) under ``raw/year=/month=/day=/hour=/``;
2. writes the valid readings to DynamoDB (``device_id`` + ``reading_id`` = ``<ISO time>#<metric>``) with
   an ``expires_at`` TTL attribute READING_TTL_DAYS after the reading's time;
3. publishes one SNS alert per reading whose value is over ALERT_THRESHOLD (for the metrics in
   ALERT_METRICS, or every metric when it is empty).

Invalid records are logged, archived and skipped (retrying cannot fix them). When a write or a publish
fails, the function stops and reports the first record not yet done in ``batchItemFailures``: Lambda
retries from there (bisecting the batch if configured) and, once the retries are used up, sends the
batch's details to the on-failure destination. Writes are idempotent (same key for the same reading),
so delivery is at least once: a retried alert may be sent twice and a retried batch archived twice.

Configuration (environment): TABLE_NAME, ARCHIVE_BUCKET, ALERT_TOPIC_ARN (required); ALERT_THRESHOLD
(default 80), ALERT_METRICS (comma-separated, default all), READING_TTL_DAYS (default 30),
ARCHIVE_PREFIX (default ``raw/``), LOG_LEVEL (default INFO). Logs are one JSON object per line.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Context, Decimal
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEVICE_ID = re.compile(r"[A-Za-z0-9:_-]{1,128}")
METRIC = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")
MAX_CLOCK_SKEW_S = 300
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
WRITE_CHUNK = 25  # BatchWriteItem's limit
PUBLISH_CHUNK = 10  # PublishBatch's limit
WRITE_ATTEMPTS = 4
MAX_ALERT_SUBJECT = 100
# DynamoDB numbers: 38 significant digits, magnitude between 1e-130 and 1e125
_DECIMAL = Context(prec=38)
_MAX_MAGNITUDE = Decimal("1e125")
_MIN_MAGNITUDE = Decimal("1e-130")

_AWS_ERRORS = (ClientError, BotoCoreError)


class InvalidReading(ValueError):
    """A record that can never become a reading (bad encoding, JSON or fields)."""


class DeliveryError(RuntimeError):
    """A write or publish that did not complete; the batch is retried from the failing record."""


# ---------------------------------------------------------------- logging


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with any ``extra={"fields": {...}}`` merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _make_logger() -> logging.Logger:
    log = logging.getLogger("telemetry-consumer")
    if not log.handlers:
        stream = logging.StreamHandler(sys.stdout)
        stream.setFormatter(JsonFormatter())
        log.addHandler(stream)
        log.propagate = False  # the Lambda runtime's root handler would log each line a second time
    log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    return log


logger = _make_logger()


# ---------------------------------------------------------------- AWS clients


_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 5})


@cache
def _client(service: str) -> Any:
    """One client per service and execution environment (reused across invocations)."""
    return boto3.client(service, config=_CONFIG)


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    table_name: str
    archive_bucket: str
    alert_topic_arn: str
    alert_threshold: float
    alert_metrics: frozenset[str]
    reading_ttl_days: int
    archive_prefix: str

    @classmethod
    def from_env(cls) -> Settings:
        metrics = os.environ.get("ALERT_METRICS", "")
        prefix = os.environ.get("ARCHIVE_PREFIX", "raw/")
        return cls(
            table_name=os.environ["TABLE_NAME"],
            archive_bucket=os.environ["ARCHIVE_BUCKET"],
            alert_topic_arn=os.environ["ALERT_TOPIC_ARN"],
            alert_threshold=float(os.environ.get("ALERT_THRESHOLD", "80")),
            alert_metrics=frozenset(m.strip() for m in metrics.split(",") if m.strip()),
            reading_ttl_days=int(os.environ.get("READING_TTL_DAYS", "30")),
            archive_prefix=prefix if not prefix or prefix.endswith("/") else prefix + "/",
        )

    def alerts_on(self, reading: Reading) -> bool:
        """Whether ``reading`` is over the threshold for a metric that is watched."""
        watched = not self.alert_metrics or reading.metric in self.alert_metrics
        return watched and reading.value > Decimal(repr(self.alert_threshold))


# ---------------------------------------------------------------- decoding and validation


@dataclass(frozen=True)
class Reading:
    device_id: str
    metric: str
    value: Decimal
    timestamp: datetime
    sequence_number: str

    @property
    def time_text(self) -> str:
        return self.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    @property
    def reading_id(self) -> str:
        return f"{self.time_text}#{self.metric}"

    def item(self, ttl_days: int) -> dict[str, Any]:
        """The DynamoDB item (attribute-value form) of this reading, expiring ``ttl_days`` after it."""
        expires_at = int(self.timestamp.timestamp()) + ttl_days * 86400
        return {
            "device_id": {"S": self.device_id},
            "reading_id": {"S": self.reading_id},
            "metric": {"S": self.metric},
            "value": {"N": str(self.value)},
            "timestamp": {"S": self.time_text},
            "expires_at": {"N": str(expires_at)},
            "sequence_number": {"S": self.sequence_number},
        }


@dataclass
class Decoded:
    """One Kinesis record of the batch: its metadata, its payload if it is JSON, and the outcome."""

    sequence_number: str
    partition_key: str
    arrival: float | None
    payload: Any = None
    raw_base64: str | None = None
    reading: Reading | None = None
    error: str | None = None

    def archive_line(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "sequence_number": self.sequence_number,
            "partition_key": self.partition_key,
            "arrival_time": self.arrival,
            "payload": self.payload,
            "valid": self.reading is not None,
        }
        if self.raw_base64 is not None:
            line["raw_base64"] = self.raw_base64
        if self.error is not None:
            line["error"] = self.error
        return line


def parse_timestamp(value: Any) -> datetime:
    """An aware UTC datetime from epoch seconds, epoch milliseconds or ISO 8601 text."""
    if isinstance(value, bool):
        raise InvalidReading("'timestamp' must be epoch seconds, epoch milliseconds or ISO 8601 text")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise InvalidReading("'timestamp' must be finite")
        seconds = value / 1000 if abs(value) >= 1e11 else value  # 1e11 s is the year 5138
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise InvalidReading("'timestamp' is out of range") from None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidReading(f"'timestamp' is not ISO 8601: {value[:40]!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)  # no offset: read as UTC
        return parsed.astimezone(timezone.utc)
    raise InvalidReading("'timestamp' must be epoch seconds, epoch milliseconds or ISO 8601 text")


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidReading("'value' must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidReading("'value' must be finite")
    number = _DECIMAL.create_decimal(repr(value) if isinstance(value, float) else value)
    if number != 0 and not _MIN_MAGNITUDE <= abs(number) < _MAX_MAGNITUDE:
        raise InvalidReading("'value' is out of the range the table can store")
    return number


def validate_reading(payload: Any, sequence_number: str, now: datetime | None = None) -> Reading:
    """The reading in one decoded message; raises InvalidReading with the reason otherwise."""
    if not isinstance(payload, dict):
        raise InvalidReading("payload must be a JSON object")
    source = payload.get("source_thing")
    device_id = payload.get("device_id", source)
    if not isinstance(device_id, str) or not DEVICE_ID.fullmatch(device_id):
        raise InvalidReading("'device_id' must be 1-128 characters of letters, digits, ':', '_' or '-'")
    if source is not None and device_id != source:
        raise InvalidReading(f"'device_id' {device_id!r} does not match the publishing thing {source!r}")
    metric = payload.get("metric")
    if not isinstance(metric, str) or not METRIC.fullmatch(metric):
        raise InvalidReading("'metric' must be 1-64 characters of letters, digits, '_', '.', ':', '/' or '-'")
    if "value" not in payload:
        raise InvalidReading("'value' is required")
    value = _number(payload["value"])
    stamp = payload.get("timestamp", payload.get("received_at"))
    if stamp is None:
        raise InvalidReading("'timestamp' is required")
    when = parse_timestamp(stamp)
    now = now or datetime.now(timezone.utc)
    if (when - now).total_seconds() > MAX_CLOCK_SKEW_S:
        raise InvalidReading(f"'timestamp' {when.isoformat()} is in the future")
    if when < EARLIEST:
        raise InvalidReading(f"'timestamp' {when.isoformat()} is before {EARLIEST.year}")
    return Reading(device_id, metric, value, when, sequence_number)


def decode_record(record: dict[str, Any], now: datetime | None = None) -> Decoded:
    """One Kinesis event record, decoded and validated (never raises for bad content)."""
    kinesis = record.get("kinesis") or {}
    decoded = Decoded(
        sequence_number=str(kinesis.get("sequenceNumber", "")),
        partition_key=str(kinesis.get("partitionKey", "")),
        arrival=kinesis.get("approximateArrivalTimestamp"),
    )
    try:
        if not decoded.sequence_number:
            raise InvalidReading("not a Kinesis record (no sequence number)")
        try:
            data = base64.b64decode(kinesis.get("data", ""), validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise InvalidReading("record data is not base64") from None
        try:
            decoded.payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            decoded.raw_base64 = base64.b64encode(data).decode("ascii")
            raise InvalidReading("record data is not UTF-8 JSON") from None
        decoded.reading = validate_reading(decoded.payload, decoded.sequence_number, now)
    except InvalidReading as exc:
        decoded.error = str(exc)
    return decoded


# ---------------------------------------------------------------- side effects


def archive_key(records: Sequence[dict[str, Any]], decoded: Sequence[Decoded], prefix: str) -> str:
    """A deterministic key for the batch (a retried identical batch overwrites its own object)."""
    first = decoded[0]
    arrival = first.arrival if isinstance(first.arrival, (int, float)) else time.time()
    when = datetime.fromtimestamp(arrival, timezone.utc)
    shard = str(records[0].get("eventID", "")).split(":", 1)[0] or "shard"
    shard = re.sub(r"[^A-Za-z0-9_.-]", "_", shard)
    return (
        f"{prefix}year={when:%Y}/month={when:%m}/day={when:%d}/hour={when:%H}/"
        f"{shard}-{first.sequence_number}-{decoded[-1].sequence_number}.jsonl"
    )


def archive_batch(settings: Settings, key: str, decoded: Sequence[Decoded]) -> None:
    body = "".join(json.dumps(d.archive_line(), separators=(",", ":"), default=str) + "\n" for d in decoded)
    _client("s3").put_object(
        Bucket=settings.archive_bucket,
        Key=key,
        Body=body.encode("utf-8"),
        ContentType="application/x-ndjson",
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_readings(settings: Settings, readings: Sequence[Reading]) -> None:
    """Put up to 25 readings with BatchWriteItem, retrying unprocessed ones; DeliveryError if some stay."""
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for reading in readings:  # one batch request may not name a key twice; the last reading wins
        unique[(reading.device_id, reading.reading_id)] = reading.item(settings.reading_ttl_days)
    requests = [{"PutRequest": {"Item": item}} for item in unique.values()]
    for attempt in range(WRITE_ATTEMPTS):
        response = _client("dynamodb").batch_write_item(RequestItems={settings.table_name: requests})
        requests = (response.get("UnprocessedItems") or {}).get(settings.table_name, [])
        if not requests:
            return
        time.sleep(min(0.05 * 2**attempt, 1.0))
    raise DeliveryError(f"{len(requests)} reading(s) stayed unprocessed after {WRITE_ATTEMPTS} attempts")


def alert_message(settings: Settings, reading: Reading) -> dict[str, Any]:
    """One PublishBatch entry for a reading over the threshold."""
    subject = f"{reading.metric} {reading.value} over {settings.alert_threshold:g} on {reading.device_id}"
    subject = "".join(c if c.isascii() and c.isprintable() else "?" for c in subject)
    body = {
        "alert": "threshold_exceeded",
        "device_id": reading.device_id,
        "metric": reading.metric,
        "value": float(reading.value),
        "threshold": settings.alert_threshold,
        "timestamp": reading.time_text,
        "sequence_number": reading.sequence_number,
    }
    return {
        "Subject": subject[:MAX_ALERT_SUBJECT],
        "Message": json.dumps(body),
        "MessageAttributes": {
            "device_id": {"DataType": "String", "StringValue": reading.device_id},
            "metric": {"DataType": "String", "StringValue": reading.metric},
        },
    }


def publish_alerts(settings: Settings, readings: Sequence[Reading]) -> int:
    """Publish an alert for each reading (PublishBatch, 10 at a time); DeliveryError if any fails."""
    for chunk in _chunks(readings, PUBLISH_CHUNK):
        entries = [{"Id": str(i), **alert_message(settings, r)} for i, r in enumerate(chunk)]
        response = _client("sns").publish_batch(
            TopicArn=settings.alert_topic_arn, PublishBatchRequestEntries=entries
        )
        failed = response.get("Failed") or []
        if failed:
            raise DeliveryError(f"{len(failed)} alert(s) not published: {failed[0].get('Code')}")
    return len(readings)


# ---------------------------------------------------------------- entry point


def process(records: Sequence[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Archive, store and alert on one batch; returns the partial-batch response and a summary."""
    decoded = [decode_record(record) for record in records]
    summary: dict[str, Any] = {
        "records": len(decoded),
        "valid": sum(d.reading is not None for d in decoded),
        "invalid": sum(d.reading is None for d in decoded),
        "stored": 0,
        "alerts": 0,
    }
    for d in decoded:
        if d.error is not None:
            logger.warning(
                "invalid record", extra={"fields": {"sequence_number": d.sequence_number, "error": d.error}}
            )
    if not decoded:
        return {"batchItemFailures": [], "summary": summary}

    key = archive_key(records, decoded, settings.archive_prefix)
    try:
        archive_batch(settings, key, decoded)
    except _AWS_ERRORS as exc:
        return _failed(decoded[0].sequence_number, "archive", exc, summary)
    summary["archive_key"] = key

    readings = [d.reading for d in decoded if d.reading is not None]
    for chunk in _chunks(readings, WRITE_CHUNK):
        try:
            write_readings(settings, chunk)
            summary["alerts"] += publish_alerts(settings, [r for r in chunk if settings.alerts_on(r)])
        except (*_AWS_ERRORS, DeliveryError) as exc:
            return _failed(chunk[0].sequence_number, "store", exc, summary)
        summary["stored"] += len(chunk)
    return {"batchItemFailures": [], "summary": summary}


def _failed(sequence_number: str, step: str, exc: Exception, summary: dict[str, Any]) -> dict[str, Any]:
    logger.error(
        "batch step failed; retrying from a record",
        exc_info=exc,
        extra={"fields": {"step": step, "retry_from": sequence_number, **summary}},
    )
    return {"batchItemFailures": [{"itemIdentifier": sequence_number}], "summary": summary}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Kinesis event source mapping entry point (FunctionResponseTypes: ReportBatchItemFailures)."""
    started = time.perf_counter()
    result = process(event.get("Records") or [], Settings.from_env())
    fields = {
        "request_id": getattr(context, "aws_request_id", None),
        "failed": bool(result["batchItemFailures"]),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        **result["summary"],
    }
    logger.info("batch", extra={"fields": fields})
    return {"batchItemFailures": result["batchItemFailures"]}
