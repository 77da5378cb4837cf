"""The serverless-web items API core (src/items_api.py) and its two stores: DynamoDB (against in-process
moto) and Cosmos DB (against the fake Cosmos DB REST API of swb_cosmos_fake.py; the requests themselves are
checked in test_swb_cosmos.py).

The Lambda adapter's behaviour is pinned by test_swb_handler.py; this file checks what the core promises
any runtime adapter, and that both stores page, read, create and delete alike."""

from __future__ import annotations

import ast
import base64
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from swb_src import SRC, load

core = load("items_api")
cosmos = load("items_cosmos")
dynamo = load("items_dynamodb")


class DictStore:
    """The simplest ItemStore: a dict, pages in id order."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def page(self, limit: int, after: str | None) -> Any:
        ids = sorted(i for i in self.items if after is None or i > after)
        more = len(ids) > limit
        return core.Page([self.items[i] for i in ids[:limit]], ids[limit - 1] if more else None)

    def create(self, item: dict[str, Any]) -> None:
        self.items[item["id"]] = item

    def get(self, item_id: str) -> dict[str, Any] | None:
        return self.items.get(item_id)

    def delete(self, item_id: str) -> bool:
        return self.items.pop(item_id, None) is not None


LOG = logging.getLogger("swb-core-test")


def call(store: Any, method: str, resource: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    request = core.ApiRequest(method, resource, **kw)
    answer = core.handle(request, lambda: store, LOG, {"request_id": "r1"})
    return answer.status, json.loads(answer.body) if answer.body else None, answer.headers


def unopenable() -> Any:
    raise AssertionError("the store must not be opened for a request refused before it is needed")


# ---------------------------------------------------------------- core


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("items", ("/items", {})),
        ("/items/", ("/items", {})),
        ("items/abc", ("/items/{id}", {"id": "abc"})),
        ("", None),
        ("items/a/b", None),
        ("things", None),
        ("items/a/", ("/items/{id}", {"id": "a"})),
    ],
)
def test_match_path_maps_concrete_paths_to_routes(path: str, expected: Any) -> None:
    assert core.match_path(path) == expected


def test_create_get_list_delete_round_trip() -> None:
    store = DictStore()
    status, item, headers = call(store, "POST", "/items", body=b'{"name": " a ", "description": "d"}')
    assert status == 201 and item["name"] == "a" and headers["Content-Type"] == "application/json"
    assert call(store, "GET", "/items/{id}", path_params={"id": item["id"]})[1] == item
    assert call(store, "GET", "/items")[1] == {"items": [item]}
    status, body, headers = call(store, "DELETE", "/items/{id}", path_params={"id": item["id"]})
    assert (status, body) == (204, None) and "Content-Type" not in headers
    assert call(store, "DELETE", "/items/{id}", path_params={"id": item["id"]})[0] == 404


def test_pages_carry_the_last_id_as_token() -> None:
    store = DictStore()
    for name in "abc":
        call(store, "POST", "/items", body=json.dumps({"name": name}).encode())
    first = call(store, "GET", "/items", query={"limit": "2"})[1]
    assert len(first["items"]) == 2 and core.decode_token(first["next"]) == first["items"][-1]["id"]
    rest = call(store, "GET", "/items", query={"limit": "2", "next": first["next"]})[1]
    assert len(rest["items"]) == 1 and "next" not in rest


def test_refused_requests_never_open_the_store() -> None:
    for method, resource, kw in (
        ("POST", "/items", {"body": b"{}"}),
        ("GET", "/items", {"query": {"limit": "0"}}),
        ("GET", "/items", {"query": {"next": "%%%"}}),
        ("PUT", "/items", {}),
        ("GET", "", {}),
    ):
        answer = core.handle(core.ApiRequest(method, resource, **kw), unopenable, LOG, {})
        assert 400 <= answer.status < 500, (method, resource, answer)


def test_routing_errors_are_json_with_cors() -> None:
    status, body, headers = call(DictStore(), "PATCH", "/items/{id}", path_params={"id": "x"})
    assert status == 405 and body == {"error": "method PATCH not allowed on /items/{id}"}
    assert headers["Access-Control-Allow-Origin"] and "DELETE" in headers["Access-Control-Allow-Methods"]
    assert call(DictStore(), "GET", "")[:2] == (404, {"error": "no such route"})


def test_bodies_plain_base64_and_bad_encodings() -> None:
    store = DictStore()
    encoded = base64.b64encode(b'{"name": "b64"}')
    assert call(store, "POST", "/items", body=encoded, body_base64=True)[1]["name"] == "b64"
    status, body, _ = call(store, "POST", "/items", body=b"not base64!", body_base64=True)
    assert status == 400 and "base64" in body["error"]
    status, body, _ = call(store, "POST", "/items", body=b'{"name": "\xff"}')
    assert status == 400 and body["error"] == "request body is not valid UTF-8"
    big = json.dumps({"name": "x" * (core.MAX_BODY_BYTES + 1)}).encode()
    assert call(store, "POST", "/items", body=big)[0] == 413


def test_item_ids_are_bounded() -> None:
    assert call(DictStore(), "GET", "/items/{id}", path_params={"id": "x" * 65})[0] == 400
    assert call(DictStore(), "GET", "/items/{id}", path_params={"id": "x" * 64})[0] == 404


def test_store_failure_is_a_logged_generic_500(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Any:
        raise RuntimeError("secret backend detail")

    with caplog.at_level(logging.INFO, logger=LOG.name):
        answer = core.handle(core.ApiRequest("GET", "/items"), broken, LOG, {"request_id": "r9"})
    assert answer.status == 500 and json.loads(answer.body) == {"error": "internal error"}
    assert "secret" not in answer.body
    failed, done = caplog.records
    assert failed.levelno == logging.ERROR and failed.exc_info is not None and failed.fields == {"request_id": "r9"}
    assert done.fields["status"] == 500 and done.fields["request_id"] == "r9"


# what each runtime provides besides the standard library: nothing else is installed (Lambda zips and
# Linux Consumption run-from-package apps do no build), so nothing else may be imported, anywhere in a module
RUNTIME_PROVIDED = {
    "app.py": {"boto3", "botocore"},
    "items_dynamodb.py": {"boto3", "botocore"},
    "function_app.py": {"azure.functions"},
}


@pytest.mark.parametrize("path", sorted(SRC.glob("*.py")), ids=lambda p: p.name)
def test_src_imports_only_the_standard_library_and_what_the_runtime_provides(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    siblings = {p.stem for p in SRC.glob("*.py")}
    allowed = RUNTIME_PROVIDED.get(path.name, set())
    foreign = {
        module for module in imported
        if module.split(".")[0] not in sys.stdlib_module_names | siblings
        and not any(module == a or module.startswith(f"{a}.") for a in allowed)
    }
    assert not foreign, (path.name, foreign)


# ---------------------------------------------------------------- both stores


@pytest.fixture(scope="module")
def _moto() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            mp.setenv(name, "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            yield


def _dynamo_store() -> Any:
    name = f"items-{uuid.uuid4().hex[:12]}"
    boto3.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    return dynamo.DynamoItemStore(boto3.resource("dynamodb").Table(name))


@pytest.fixture(params=["dynamodb", "cosmos"])
def store(request: pytest.FixtureRequest, _moto: None) -> Any:
    return _dynamo_store() if request.param == "dynamodb" else request.getfixturevalue("fake_cosmos").store()


def test_store_reads_back_what_it_stored(store: Any) -> None:
    item = {"id": "a1", "name": "first", "created_at": "2026-01-01T00:00:00+00:00"}
    store.create(item)
    assert store.get("a1") == item  # Cosmos DB's system properties (_rid, _etag, _ts...) are left out
    assert store.get("missing") is None


def test_store_delete_says_whether_there_was_an_item(store: Any) -> None:
    store.create({"id": "d1", "name": "x"})
    assert store.delete("d1") is True
    assert store.delete("d1") is False
    assert store.get("d1") is None


def test_store_pages_through_every_item_once(store: Any) -> None:
    ids = {f"id-{i:02d}" for i in range(7)}
    for item_id in ids:
        store.create({"id": item_id, "name": item_id})
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = store.page(3, after)
        assert len(page.items) <= 3
        seen += [item["id"] for item in page.items]
        if page.last_id is None:
            break
        after = page.last_id
    assert sorted(seen) == sorted(ids)


def test_store_through_the_core_api(store: Any) -> None:
    created = [call(store, "POST", "/items", body=json.dumps({"name": f"n{i}"}).encode())[1] for i in range(3)]
    seen, query = [], {"limit": "2"}
    for _ in range(5):
        status, body, _ = call(store, "GET", "/items", query=query)
        assert status == 200
        seen += body["items"]
        if "next" not in body:
            break
        query = {"limit": "2", "next": body["next"]}
    assert sorted(seen, key=lambda i: i["id"]) == sorted(created, key=lambda i: i["id"])


def test_cosmos_store_create_refuses_an_existing_id(fake_cosmos: Any) -> None:
    store = fake_cosmos.store()
    store.create({"id": "same", "name": "a"})
    with pytest.raises(cosmos.ItemExistsError) as refused:
        store.create({"id": "same", "name": "b"})
    assert (refused.value.status, refused.value.code) == (409, "Conflict")
    assert store.get("same") == {"id": "same", "name": "a"}


def test_cosmos_store_last_page_has_no_token(fake_cosmos: Any) -> None:
    store = fake_cosmos.store()
    for item_id in ("a", "b"):
        store.create({"id": item_id, "name": item_id})
    assert store.page(2, None) == core.Page([{"id": "a", "name": "a"}, {"id": "b", "name": "b"}], None)
    assert store.page(1, None).last_id == "a"
    assert store.page(1, "a") == core.Page([{"id": "b", "name": "b"}], None)
