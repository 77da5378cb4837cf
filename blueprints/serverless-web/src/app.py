"""Items API: a small JSON CRUD service over one DynamoDB table, behind API Gateway (REST, proxy).

Routes (the API's resource paths):
    GET    /items          list items, ``?limit=1..100`` (default 25) and ``?next=<token>`` to page
    POST   /items          create an item from ``{"name": str, "description": str?}``; 201 + the item
    GET    /items/{id}     one item, 404 if missing
    DELETE /items/{id}     delete an item, 204, or 404 if missing

Configuration (environment): ``TABLE_NAME`` (required), ``ALLOWED_ORIGIN`` (CORS origin, default ``*``),
``LOG_LEVEL`` (default ``INFO``). Logs are one JSON object per line.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_BODY_BYTES = 16 * 1024
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

Response = dict[str, Any]


class ApiError(Exception):
    """An error the client caused; becomes a JSON error response with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
    log = logging.getLogger("items-api")
    if not log.handlers:
        stream = logging.StreamHandler(sys.stdout)
        stream.setFormatter(JsonFormatter())
        log.addHandler(stream)
        log.propagate = False  # the Lambda runtime's root handler would log each line a second time
    log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    return log


logger = _make_logger()


# ---------------------------------------------------------------- AWS


@lru_cache(maxsize=1)
def _dynamodb() -> Any:
    """One DynamoDB resource per execution environment (reused across invocations)."""
    return boto3.resource("dynamodb", config=Config(retries={"mode": "adaptive", "max_attempts": 5}))


def _table() -> Any:
    return _dynamodb().Table(os.environ["TABLE_NAME"])


# ---------------------------------------------------------------- responses


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _response(status: int, body: Any = None) -> Response:
    headers = {
        "Access-Control-Allow-Origin": os.environ.get("ALLOWED_ORIGIN", "*"),
        "Access-Control-Allow-Headers": "Content-Type,Authorization",
        "Access-Control-Allow-Methods": "GET,POST,DELETE,OPTIONS",
        "Vary": "Origin",
    }
    if body is None:
        return {"statusCode": status, "headers": headers, "body": ""}
    headers["Content-Type"] = "application/json"
    return {"statusCode": status, "headers": headers, "body": json.dumps(body, default=_json_default)}


def _error(status: int, message: str) -> Response:
    return _response(status, {"error": message})


# ---------------------------------------------------------------- request parsing


def _query(event: dict[str, Any]) -> dict[str, str]:
    return event.get("queryStringParameters") or {}


def _path_id(event: dict[str, Any]) -> str:
    item_id = (event.get("pathParameters") or {}).get("id", "")
    if not item_id or len(item_id) > 64:
        raise ApiError(400, "invalid item id")
    return item_id


def _json_body(event: dict[str, Any]) -> Any:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(400, "request body is not valid base64 UTF-8") from None
    if len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise ApiError(400, "request body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ApiError(400, "request body is not valid JSON") from None


def _text_field(data: dict[str, Any], name: str, max_len: int) -> str | None:
    """A trimmed string field, ``None`` when absent; wrong types and overlong values are refused."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"'{name}' must be a string")
    value = value.strip()
    if len(value) > max_len:
        raise ApiError(400, f"'{name}' must be at most {max_len} characters")
    return value


def validate_new_item(data: Any) -> dict[str, str]:
    """The fields of an item to create, checked; raises ApiError(400) on anything else."""
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    unknown = sorted(set(data) - {"name", "description"})
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(unknown)}")
    name = _text_field(data, "name", MAX_NAME)
    if not name:
        raise ApiError(400, "'name' is required and must not be empty")
    fields = {"name": name}
    description = _text_field(data, "description", MAX_DESCRIPTION)
    if description:
        fields["description"] = description
    return fields


def _limit(query: dict[str, str]) -> int:
    text = query.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiError(400, f"'limit' must be an integer from 1 to {MAX_LIMIT}")
    return int(text)


def _encode_token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=_json_default).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise ApiError(400, "'next' is not a valid page token") from None
    if not isinstance(key, dict) or set(key) != {"id"} or not isinstance(key["id"], str):
        raise ApiError(400, "'next' is not a valid page token")
    return key


# ---------------------------------------------------------------- routes


def list_items(event: dict[str, Any]) -> Response:
    query = _query(event)
    scan: dict[str, Any] = {"Limit": _limit(query)}
    if query.get("next"):
        scan["ExclusiveStartKey"] = _decode_token(query["next"])
    page = _table().scan(**scan)
    body: dict[str, Any] = {"items": page.get("Items", [])}
    if "LastEvaluatedKey" in page:
        body["next"] = _encode_token(page["LastEvaluatedKey"])
    return _response(200, body)


def create_item(event: dict[str, Any]) -> Response:
    item = validate_new_item(_json_body(event))
    item["id"] = str(uuid.uuid4())
    item["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    _table().put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
    return _response(201, item)


def get_item(event: dict[str, Any]) -> Response:
    found = _table().get_item(Key={"id": _path_id(event)}).get("Item")
    if found is None:
        raise ApiError(404, "item not found")
    return _response(200, found)


def delete_item(event: dict[str, Any]) -> Response:
    try:
        _table().delete_item(Key={"id": _path_id(event)}, ConditionExpression="attribute_exists(id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ApiError(404, "item not found") from None
        raise
    return _response(204)


ROUTES: dict[tuple[str, str], Callable[[dict[str, Any]], Response]] = {
    ("GET", "/items"): list_items,
    ("POST", "/items"): create_item,
    ("GET", "/items/{id}"): get_item,
    ("DELETE", "/items/{id}"): delete_item,
}


def _route(event: dict[str, Any]) -> Callable[[dict[str, Any]], Response]:
    method = str(event.get("httpMethod", "")).upper()
    resource = event.get("resource", "")
    route = ROUTES.get((method, resource))
    if route is not None:
        return route
    if any(path == resource for _, path in ROUTES):
        raise ApiError(405, f"method {method} not allowed on {resource}")
    raise ApiError(404, "no such route")


def handler(event: dict[str, Any], context: Any) -> Response:
    """API Gateway (REST, Lambda proxy integration) entry point."""
    started = time.perf_counter()
    try:
        response = _route(event)(event)
    except ApiError as exc:
        response = _error(exc.status, exc.message)
    except Exception:  # the client gets a generic 500; the details go to the log only
        logger.exception("unhandled error", extra={"fields": _request_fields(event, context)})
        response = _error(500, "internal error")
    fields = _request_fields(event, context)
    fields.update(status=response["statusCode"], duration_ms=round((time.perf_counter() - started) * 1000, 1))
    logger.info("request", extra={"fields": fields})
    return response


def _request_fields(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "request_id": getattr(context, "aws_request_id", None),
        "api_request_id": (event.get("requestContext") or {}).get("requestId"),
        "method": event.get("httpMethod"),
        "resource": event.get("resource"),
    }
