"""The serverless-web function (blueprints/serverless-web/src/app.py) against an in-process moto table."""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import os
import sys
import uuid
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

APP_FILE = Path(__file__).resolve().parents[2] / "blueprints" / "serverless-web" / "src" / "app.py"
ORIGIN = "https://d111111abcdef8.cloudfront.net"
CONTEXT = SimpleNamespace(aws_request_id="req-1")


def _load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("swb_items_app", APP_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep src/ (the zip) clean
    sys.path.insert(0, str(APP_FILE.parent))  # the zip's root, as on Lambda: app.py imports its siblings
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(APP_FILE.parent))
        sys.dont_write_bytecode = dont_write
    return module


@pytest.fixture(scope="module")
def _mocked_app() -> Any:
    """One moto mock and one import for the module (a fresh mock per test costs ~0.3 s)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            mp.setenv(name, value)
        with mock_aws():
            module = _load_app()
            yield module
            module._dynamodb.cache_clear()


@pytest.fixture
def app(_mocked_app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app module, pointed at a new empty table."""
    table = f"items-{uuid.uuid4().hex[:12]}"
    boto3.client("dynamodb").create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("ALLOWED_ORIGIN", ORIGIN)
    yield _mocked_app
    boto3.client("dynamodb").delete_table(TableName=table)


def _stored() -> Any:
    """The table the app under test uses."""
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def _event(method: str, resource: str, **kw: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "httpMethod": method,
        "resource": resource,
        "path": resource,
        "pathParameters": None,
        "queryStringParameters": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {"requestId": "api-req-1"},
    }
    event.update(kw)
    return event


def _call(app: Any, method: str, resource: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    response = app.handler(_event(method, resource, **kw), CONTEXT)
    body = json.loads(response["body"]) if response["body"] else None
    return response["statusCode"], body, response["headers"]


def _create(app: Any, payload: Any) -> tuple[int, Any, dict[str, str]]:
    return _call(app, "POST", "/items", body=json.dumps(payload))


def _get(app: Any, item_id: str) -> tuple[int, Any, dict[str, str]]:
    return _call(app, "GET", "/items/{id}", pathParameters={"id": item_id})


# ---------------------------------------------------------------- create


def test_create_returns_201_with_generated_id_and_stores_item(app: Any) -> None:
    status, body, headers = _create(app, {"name": "  first  ", "description": "the first one"})
    assert status == 201
    assert body["name"] == "first"
    assert body["description"] == "the first one"
    assert len(body["id"]) == 36 and body["created_at"].endswith("+00:00")
    assert headers["Content-Type"] == "application/json"
    stored = _stored().get_item(Key={"id": body["id"]})["Item"]
    assert stored == body


def test_create_generates_distinct_ids_and_omits_empty_description(app: Any) -> None:
    _, a, _ = _create(app, {"name": "a", "description": "   "})
    _, b, _ = _create(app, {"name": "b"})
    assert a["id"] != b["id"]
    assert "description" not in a and "description" not in b


def test_create_accepts_base64_body(app: Any) -> None:
    raw = base64.b64encode(json.dumps({"name": "encoded ✓"}).encode()).decode()
    status, body, _ = _call(app, "POST", "/items", body=raw, isBase64Encoded=True)
    assert status == 201 and body["name"] == "encoded ✓"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ("", "empty"),
        (None, "empty"),
        ("[1, 2]", "JSON object"),
        ('"text"', "JSON object"),
        ("{}", "'name' is required"),
        ('{"name": "   "}', "'name' is required"),
        ('{"name": 5}', "'name' must be a string"),
        ('{"name": "x", "description": ["a"]}', "'description' must be a string"),
        ('{"name": "x", "owner": "me"}', "unknown field(s): owner"),
        (json.dumps({"name": "x" * 201}), "at most 200"),
        (json.dumps({"name": "x", "description": "d" * 2001}), "at most 2000"),
    ],
)
def test_create_rejects_bad_input_with_400(app: Any, body: str | None, message: str) -> None:
    status, payload, _ = _call(app, "POST", "/items", body=body)
    assert status == 400
    assert message in payload["error"]
    assert _stored().scan()["Items"] == []


def test_create_rejects_bad_base64_with_400(app: Any) -> None:
    status, payload, _ = _call(app, "POST", "/items", body="%%%", isBase64Encoded=True)
    assert status == 400 and "base64" in payload["error"]


def test_create_rejects_oversized_body_with_413(app: Any) -> None:
    status, payload, _ = _call(app, "POST", "/items", body=json.dumps({"name": "x", "pad": "y" * 20000}))
    assert status == 413 and "larger than" in payload["error"]


# ---------------------------------------------------------------- get


def test_get_returns_created_item(app: Any) -> None:
    _, created, _ = _create(app, {"name": "thing"})
    status, body, _ = _get(app, created["id"])
    assert status == 200 and body == created


def test_get_missing_item_is_404(app: Any) -> None:
    status, body, _ = _get(app, "does-not-exist")
    assert status == 404 and body == {"error": "item not found"}


@pytest.mark.parametrize("params", [None, {}, {"id": ""}, {"id": "x" * 65}])
def test_get_with_invalid_id_is_400(app: Any, params: Any) -> None:
    status, body, _ = _call(app, "GET", "/items/{id}", pathParameters=params)
    assert status == 400 and body == {"error": "invalid item id"}


# ---------------------------------------------------------------- delete


def test_delete_removes_item_and_returns_204(app: Any) -> None:
    _, created, _ = _create(app, {"name": "doomed"})
    status, body, headers = _call(app, "DELETE", "/items/{id}", pathParameters={"id": created["id"]})
    assert status == 204 and body is None
    assert "Content-Type" not in headers
    assert _get(app, created["id"])[0] == 404


def test_delete_missing_item_is_404(app: Any) -> None:
    status, body, _ = _call(app, "DELETE", "/items/{id}", pathParameters={"id": "nope"})
    assert status == 404 and body == {"error": "item not found"}


# ---------------------------------------------------------------- list


def test_list_empty_table(app: Any) -> None:
    status, body, _ = _call(app, "GET", "/items")
    assert status == 200 and body == {"items": []}


def test_list_pages_through_every_item(app: Any) -> None:
    created = {_create(app, {"name": f"item {i}"})[1]["id"] for i in range(5)}
    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    for _ in range(10):
        status, body, _ = _call(app, "GET", "/items", queryStringParameters=query)
        assert status == 200 and len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        if "next" not in body:
            break
        query = {"limit": "2", "next": body["next"]}
    assert sorted(seen) == sorted(created)


def test_list_default_limit(app: Any) -> None:
    for i in range(app.DEFAULT_LIMIT + 1):
        _create(app, {"name": f"n{i}"})
    _, body, _ = _call(app, "GET", "/items")
    assert len(body["items"]) == app.DEFAULT_LIMIT and "next" in body


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "٣"])
def test_list_rejects_bad_limit(app: Any, limit: str) -> None:
    status, body, _ = _call(app, "GET", "/items", queryStringParameters={"limit": limit})
    assert status == 400 and "'limit'" in body["error"]


@pytest.mark.parametrize(
    "token",
    [
        "%%%",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["id"]').decode(),
        base64.urlsafe_b64encode(b'{"id": 1}').decode(),
        base64.urlsafe_b64encode(b'{"id": "a", "x": "b"}').decode(),
    ],
)
def test_list_rejects_bad_page_token(app: Any, token: str) -> None:
    status, body, _ = _call(app, "GET", "/items", queryStringParameters={"next": token})
    assert status == 400 and "'next'" in body["error"]


# ---------------------------------------------------------------- routing, CORS, errors, logs


def test_unknown_route_is_404_and_wrong_method_is_405(app: Any) -> None:
    assert _call(app, "GET", "/nothing")[0] == 404
    status, body, _ = _call(app, "PUT", "/items")
    assert status == 405 and "PUT" in body["error"]
    assert _call(app, "PATCH", "/items/{id}", pathParameters={"id": "x"})[0] == 405


def test_every_response_carries_cors_headers(app: Any) -> None:
    for status, _, headers in (_call(app, "GET", "/items"), _get(app, "missing"), _call(app, "GET", "/x")):
        assert headers["Access-Control-Allow-Origin"] == ORIGIN, status
        assert "Authorization" in headers["Access-Control-Allow-Headers"]
        assert "DELETE" in headers["Access-Control-Allow-Methods"]


def test_cors_origin_defaults_to_any(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOWED_ORIGIN")
    assert _call(app, "GET", "/items")[2]["Access-Control-Allow-Origin"] == "*"


def test_backend_failure_is_generic_500_and_logged(
    app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    app.logger.addHandler(caplog.handler)
    try:
        status, body, _ = _call(app, "GET", "/items")
    finally:
        app.logger.removeHandler(caplog.handler)
    assert status == 500 and body == {"error": "internal error"}
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None
    assert "no-such-table" not in json.dumps(body)


def test_logs_one_json_object_per_request(app: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # the module's handler writes to the sys.stdout of import time; point it at the captured one
    stream_handler = app.logger.handlers[0]
    stream_handler.setStream(sys.stdout)
    _create(app, {"name": "logged"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    entry = lines[-1]
    assert entry["message"] == "request" and entry["level"] == "INFO"
    assert entry["status"] == 201 and entry["method"] == "POST" and entry["resource"] == "/items"
    assert entry["request_id"] == "req-1" and entry["api_request_id"] == "api-req-1"
    assert isinstance(entry["duration_ms"], float)


def test_validate_new_item_is_usable_on_its_own(app: Any) -> None:
    assert app.validate_new_item({"name": " n ", "description": " d "}) == {"name": "n", "description": "d"}
    with pytest.raises(app.ApiError) as err:
        app.validate_new_item({"description": "no name"})
    assert err.value.status == 400
