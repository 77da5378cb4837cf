"""Items API core: the routes, validation, paging and responses, free of any cloud runtime or SDK.

A runtime adapter turns its request into an :class:`ApiRequest`, calls :func:`handle` with a way to open
an :class:`ItemStore`, and turns the :class:`ApiResponse` back into its own response type:
``app.py`` (AWS Lambda behind API Gateway, DynamoDB) and ``function_app.py`` (Azure Functions, Cosmos DB).

Routes (resource paths; the stage is a prefix in front of them):
    GET    /items          list items, ``?limit=1..100`` (default 25) and ``?next=<token>`` to page
    POST   /items          create an item from ``{"name": str, "description": str?}``; 201 + the item
    GET    /items/{id}     one item, 404 if missing
    DELETE /items/{id}     delete an item, 204, or 404 if missing

Configuration (environment): ``ALLOWED_ORIGIN`` (CORS origin, default ``*``), ``LOG_LEVEL`` (default
``INFO``). Logs are one JSON object per line on stdout.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import IO, Any, Protocol

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_BODY_BYTES = 16 * 1024
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_ID = 64

ITEMS = "/items"
ITEM = "/items/{id}"

Item = dict[str, Any]


class ApiError(Exception):
    """An error the client caused; becomes a JSON error response with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Page:
    """One page of a listing; ``last_id`` is where the next page starts after (None: no more pages)."""

    items: list[Item]
    last_id: str | None = None


class ItemStore(Protocol):
    """Where items live (a DynamoDB table, a Cosmos DB container); keyed by the string ``id``."""

    def page(self, limit: int, after: str | None) -> Page:
        """Up to ``limit`` items, starting after the item ``after`` when given."""

    def create(self, item: Item) -> None:
        """Store a new item (its ``id`` must not exist yet)."""

    def get(self, item_id: str) -> Item | None:
        """The item, or None."""

    def delete(self, item_id: str) -> bool:
        """Delete the item; False when there was none."""


@dataclass(frozen=True)
class ApiRequest:
    """A request as the core sees it: ``resource`` is the matched route (``/items/{id}``), "" for none."""

    method: str
    resource: str
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    body_base64: bool = False


@dataclass(frozen=True)
class ApiResponse:
    """Status, headers and the body text ("" for no content)."""

    status: int
    headers: dict[str, str]
    body: str = ""


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


def make_logger(stream: IO[str]) -> logging.Logger:
    """The ``items-api`` logger: JSON lines to ``stream``, not passed on to the runtime's root handler
    (which would log each line a second time)."""
    log = logging.getLogger("items-api")
    if not log.handlers:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    return log


# ---------------------------------------------------------------- responses


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def response(status: int, body: Any = None) -> ApiResponse:
    """A response with the CORS headers; a JSON body unless ``body`` is None."""
    headers = {
        "Access-Control-Allow-Origin": os.environ.get("ALLOWED_ORIGIN", "*"),
        "Access-Control-Allow-Headers": "Content-Type,Authorization",
        "Access-Control-Allow-Methods": "GET,POST,DELETE,OPTIONS",
        "Vary": "Origin",
    }
    if body is None:
        return ApiResponse(status, headers)
    headers["Content-Type"] = "application/json"
    return ApiResponse(status, headers, json.dumps(body, default=_json_default))


def error(status: int, message: str) -> ApiResponse:
    return response(status, {"error": message})


# ---------------------------------------------------------------- request parsing


def match_path(path: str) -> tuple[str, dict[str, str]] | None:
    """The route a concrete path (without the stage) belongs to, with its path parameters."""
    parts = path.strip("/").split("/")
    if parts == ["items"]:
        return ITEMS, {}
    if len(parts) == 2 and parts[0] == "items" and parts[1]:
        return ITEM, {"id": parts[1]}
    return None


def _path_id(request: ApiRequest) -> str:
    item_id = request.path_params.get("id", "")
    if not item_id or len(item_id) > MAX_ID:
        raise ApiError(400, "invalid item id")
    return item_id


def _body_text(request: ApiRequest) -> str:
    if request.body_base64:
        try:
            return base64.b64decode(request.body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(400, "request body is not valid base64 UTF-8") from None
    try:
        return request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "request body is not valid UTF-8") from None


def _json_body(request: ApiRequest) -> Any:
    raw = _body_text(request)
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


def _limit(query: Mapping[str, str]) -> int:
    text = query.get("limit")
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiError(400, f"'limit' must be an integer from 1 to {MAX_LIMIT}")
    return int(text)


def encode_token(last_id: str) -> str:
    """The opaque ``next`` token of a page that ends at item ``last_id``."""
    return base64.urlsafe_b64encode(json.dumps({"id": last_id}).encode()).decode()


def decode_token(token: str) -> str:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise ApiError(400, "'next' is not a valid page token") from None
    if not isinstance(key, dict) or set(key) != {"id"} or not isinstance(key["id"], str):
        raise ApiError(400, "'next' is not a valid page token")
    return key["id"]


# ---------------------------------------------------------------- routes

StoreOpener = Callable[[], ItemStore]


def list_items(request: ApiRequest, store: StoreOpener) -> ApiResponse:
    limit = _limit(request.query)
    after = decode_token(request.query["next"]) if request.query.get("next") else None
    page = store().page(limit, after)
    body: dict[str, Any] = {"items": page.items}
    if page.last_id is not None:
        body["next"] = encode_token(page.last_id)
    return response(200, body)


def create_item(request: ApiRequest, store: StoreOpener) -> ApiResponse:
    item: Item = dict(validate_new_item(_json_body(request)))
    item["id"] = str(uuid.uuid4())
    item["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    store().create(item)
    return response(201, item)


def get_item(request: ApiRequest, store: StoreOpener) -> ApiResponse:
    found = store().get(_path_id(request))
    if found is None:
        raise ApiError(404, "item not found")
    return response(200, found)


def delete_item(request: ApiRequest, store: StoreOpener) -> ApiResponse:
    if not store().delete(_path_id(request)):
        raise ApiError(404, "item not found")
    return response(204)


Route = Callable[[ApiRequest, StoreOpener], ApiResponse]

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", ITEMS): list_items,
    ("POST", ITEMS): create_item,
    ("GET", ITEM): get_item,
    ("DELETE", ITEM): delete_item,
}


def _route(request: ApiRequest) -> Route:
    method = request.method.upper()
    route = ROUTES.get((method, request.resource))
    if route is not None:
        return route
    if any(path == request.resource for _, path in ROUTES):
        raise ApiError(405, f"method {method} not allowed on {request.resource}")
    raise ApiError(404, "no such route")


def handle(request: ApiRequest, store: StoreOpener, logger: logging.Logger,
           log_fields: Mapping[str, Any]) -> ApiResponse:
    """Answer one request; the store is opened only by routes that need it. Logs one line per request
    (``log_fields`` plus status and duration); unexpected errors become a generic 500, logged."""
    started = time.perf_counter()
    try:
        answer = _route(request)(request, store)
    except ApiError as exc:
        answer = error(exc.status, exc.message)
    except Exception:  # the client gets a generic 500; the details go to the log only
        logger.exception("unhandled error", extra={"fields": dict(log_fields)})
        answer = error(500, "internal error")
    fields = dict(log_fields)
    fields.update(status=answer.status, duration_ms=round((time.perf_counter() - started) * 1000, 1))
    logger.info("request", extra={"fields": fields})
    return answer
