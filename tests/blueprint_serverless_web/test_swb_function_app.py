"""The serverless-web Azure Functions entry point (src/function_app.py): its registered HTTP functions,
called with real ``azure.functions.HttpRequest`` objects, over the Cosmos store on the fake Cosmos DB REST API
(swb_cosmos_fake.py)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from swb_cosmos_fake import CLIENT_ID, CONTAINER, DATABASE, SECRET, FakeCosmos
from swb_src import load

func = pytest.importorskip("azure.functions")

function_app = load("function_app")
cosmos = load("items_cosmos")

ORIGIN = "https://web-abc.z01.azurefd.net"
CONTEXT = SimpleNamespace(invocation_id="inv-1")


@pytest.fixture
def container(monkeypatch: pytest.MonkeyPatch, fake_cosmos: FakeCosmos) -> FakeCosmos:
    monkeypatch.setenv("ALLOWED_ORIGIN", ORIGIN)
    return fake_cosmos


@pytest.fixture
def functions(container: FakeCosmos) -> dict[str, Any]:
    app = function_app.make_app(container.store)
    return {f.get_function_name(): f.get_user_function() for f in app.get_functions()}


def call(functions: dict[str, Any], name: str, method: str, route: dict[str, str] | None = None,
         body: bytes = b"", params: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    path = "/".join(["items", *(route or {}).values()]) if name != "not_found" else (route or {})["path"]
    request = func.HttpRequest(method=method, url=f"https://app.azurewebsites.net/dev/{path}", body=body,
                               route_params=route or {}, params=params or {})
    response = functions[name](request, CONTEXT)
    raw = response.get_body()
    return response.status_code, json.loads(raw) if raw else None, {**response.headers,
                                                                    "mimetype": response.mimetype}


def test_registered_functions_and_routes() -> None:
    bindings = {f.get_function_name(): f.get_bindings_dict()["bindings"][0] for f in function_app.app.get_functions()}
    assert set(bindings) == {"items", "item", "not_found"}
    routes = {name: (b["route"], sorted(str(getattr(m, "value", m)) for m in b["methods"])) for name, b in bindings.items()}
    assert routes["items"] == ("items", ["GET", "POST"])
    assert routes["item"] == ("items/{id}", ["DELETE", "GET"])
    assert routes["not_found"][0] == "{*path}" and "PUT" in routes["not_found"][1]
    assert {str(getattr(b["authLevel"], "value", b["authLevel"])) for b in bindings.values()} == {"anonymous"}


def test_importing_the_app_opens_no_connection() -> None:
    """The worker imports function_app.py to index it: no Cosmos DB client, no token, at import time."""
    assert function_app._container.cache_info().currsize == 0
    tree = ast.parse(Path(function_app.__file__).read_text())
    top_level = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    top_level |= {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert not {"azure.cosmos", "azure.identity"} & top_level


def test_create_get_list_delete(functions: dict[str, Any], container: FakeCosmos) -> None:
    status, item, headers = call(functions, "items", "POST", body=b'{"name": "first", "description": "d"}')
    assert status == 201 and item["name"] == "first" and headers["mimetype"] == "application/json"
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert set(container.docs[item["id"]]) >= {"_rid", "_etag"}  # stored with Cosmos's system properties
    assert call(functions, "item", "GET", {"id": item["id"]})[:2] == (200, item)  # returned without them
    assert call(functions, "items", "GET")[:2] == (200, {"items": [item]})
    status, body, _ = call(functions, "item", "DELETE", {"id": item["id"]})
    assert (status, body) == (204, None)
    assert call(functions, "item", "GET", {"id": item["id"]})[:2] == (404, {"error": "item not found"})


def test_paging_over_cosmos(functions: dict[str, Any]) -> None:
    created = {call(functions, "items", "POST", body=json.dumps({"name": f"n{i}"}).encode())[1]["id"] for i in range(5)}
    seen: list[str] = []
    params = {"limit": "2"}
    for _ in range(5):
        status, body, _ = call(functions, "items", "GET", params=params)
        assert status == 200 and len(body["items"]) <= 2
        seen += [i["id"] for i in body["items"]]
        if "next" not in body:
            break
        params = {"limit": "2", "next": body["next"]}
    assert sorted(seen) == sorted(created)


def test_validation_errors_match_the_lambda_api(functions: dict[str, Any]) -> None:
    assert call(functions, "items", "POST", body=b"")[:2] == (400, {"error": "request body is empty; send a JSON object"})
    assert call(functions, "items", "POST", body=b'{"name": 1}')[1] == {"error": "'name' must be a string"}
    assert call(functions, "items", "GET", params={"limit": "101"})[0] == 400
    assert call(functions, "item", "GET", {"id": "x" * 65})[:2] == (400, {"error": "invalid item id"})


def test_catch_all_answers_404_and_405_with_cors(functions: dict[str, Any]) -> None:
    status, body, headers = call(functions, "not_found", "PUT", {"path": "items"})
    assert (status, body) == (405, {"error": "method PUT not allowed on /items"})
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert call(functions, "not_found", "PATCH", {"path": "items/abc"})[:2] == (
        405, {"error": "method PATCH not allowed on /items/{id}"})
    assert call(functions, "not_found", "GET", {"path": "nothing/here"})[:2] == (404, {"error": "no such route"})


def test_backend_failure_is_generic_500(container: FakeCosmos, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Any:
        raise RuntimeError("COSMOS_ENDPOINT unset")

    app = function_app.make_app(broken)
    items = {f.get_function_name(): f.get_user_function() for f in app.get_functions()}["items"]
    function_app.logger.addHandler(caplog.handler)
    try:
        response = items(func.HttpRequest("GET", "https://app/dev/items", body=b""), CONTEXT)
    finally:
        function_app.logger.removeHandler(caplog.handler)
    assert response.status_code == 500 and json.loads(response.get_body()) == {"error": "internal error"}
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert failed and failed[0].fields["request_id"] == "inv-1"
    done = [r for r in caplog.records if r.getMessage() == "request"]
    assert done[-1].fields == {"request_id": "inv-1", "method": "GET", "resource": "/items", "status": 500,
                               "duration_ms": done[-1].fields["duration_ms"]}


@pytest.fixture
def app_settings(monkeypatch: pytest.MonkeyPatch, fake_cosmos: FakeCosmos) -> Iterator[FakeCosmos]:
    """The function app's settings as ARM writes them, and the platform's identity endpoint, on the fake."""
    settings = {
        "COSMOS_ENDPOINT": f"{fake_cosmos.url}/", "COSMOS_DATABASE": DATABASE, "TABLE_NAME": CONTAINER,
        "AZURE_CLIENT_ID": CLIENT_ID, "IDENTITY_ENDPOINT": fake_cosmos.identity_endpoint, "IDENTITY_HEADER": SECRET,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    yield fake_cosmos
    function_app._container.cache_clear()


def test_the_deployed_store_signs_in_with_the_app_settings(app_settings: FakeCosmos) -> None:
    """``cosmos_store`` (what the registered functions open) reaches Cosmos DB with nothing but the
    settings: the identity endpoint issues one token for the account, for the user-assigned identity."""
    app = function_app.make_app(function_app.cosmos_store)  # the opener of the module's `app`
    items = {f.get_function_name(): f.get_user_function() for f in app.get_functions()}["items"]
    body = json.dumps({"name": "deployed"}).encode()
    created = items(func.HttpRequest("POST", "https://app/dev/items", body=body), CONTEXT)
    listed = items(func.HttpRequest("GET", "https://app/dev/items", body=b""), CONTEXT)
    assert created.status_code == 201 and listed.status_code == 200
    assert json.loads(listed.get_body())["items"] == [json.loads(created.get_body())]
    (token_request,) = app_settings.token_requests
    assert token_request.query["resource"] == app_settings.audience
    assert token_request.query["client_id"] == CLIENT_ID
    assert function_app._container.cache_info().currsize == 1  # one client (and token) per worker process
