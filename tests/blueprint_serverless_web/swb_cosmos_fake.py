"""A fake of the Cosmos DB NoSQL REST API (one container, partition key ``/id``) and of App Service's
managed identity endpoint, over HTTP on 127.0.0.1 in a thread, for the Cosmos store's tests (no tests here).

It checks what the service checks where the store depends on it, and refuses alike: a token that it did
not issue for the expected audience and client id (401), a point operation whose partition key header is
not ``["<id>"]`` (400), a query without the query headers (400), and ``TOP``/``ORDER BY`` across
partitions: the gateway runs those within one partition key range only (400, sub-status 1004). Items are
spread over ``ranges`` partition key ranges by a hash of their id; ``page_size`` caps every query page,
so the client has to follow ``x-ms-continuation``. ``script`` holds canned answers served before the next
Cosmos DB requests (a 429, say). Every request is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from swb_src import load

cosmos = load("items_cosmos")

DATABASE = "webapp"
CONTAINER = "items"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "identity-header-secret"
GATEWAY_REFUSAL = "The provided cross partition query can not be directly served by the gateway."

Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body (None: empty)


@dataclass(frozen=True)
class Recorded:
    """One request the fake received: header names lower-cased, the body as JSON (None when empty)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def _error(status: int, code: str, message: str, sub_status: int = 0) -> Answer:
    headers = {"x-ms-substatus": str(sub_status)} if sub_status else {}
    return status, headers, {"code": code, "message": message}


@dataclass
class FakeCosmos:
    """The state behind the server: documents, issued tokens, recorded requests, scripted answers."""

    ranges: list[str] = field(default_factory=lambda: ["0", "1"])
    split_parents: list[str] = field(default_factory=list)  # listed as ranges too, as parents of the others
    page_size: int = 1000
    clock: Callable[[], float] = time.time
    token_lifetime_s: int = 3600
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    token_requests: list[Recorded] = field(default_factory=list)
    script: list[Answer] = field(default_factory=list)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (resource, client id)
    url: str = ""

    @property
    def audience(self) -> str:
        return cosmos.audience(self.url)

    @property
    def identity_endpoint(self) -> str:
        return f"{self.url}/msi/token"

    def token_source(self, clock: Callable[[], float] | None = None) -> Any:
        return cosmos.ManagedIdentityToken(self.identity_endpoint, SECRET, self.audience, CLIENT_ID,
                                           clock=clock or self.clock)

    def container(self, sleep: Callable[[float], None] | None = None, token: Any = None) -> Any:
        """A store's container client pointed at this fake (``sleep`` replaces the 429 back-off)."""
        return cosmos.CosmosContainer(self.url, DATABASE, CONTAINER, token or self.token_source(),
                                      sleep=sleep or (lambda _s: None))

    def store(self, **kw: Any) -> Any:
        return cosmos.CosmosItemStore(self.container(**kw))

    def cosmos_requests(self, *, kind: str = "") -> list[Recorded]:
        """The recorded Cosmos DB requests; ``kind`` "query", "pkranges" or "point" narrows them."""
        return [r for r in self.requests if not kind or _kind(r) == kind]

    # ------------------------------------------------------------ answering

    def answer(self, request: Recorded) -> Answer:
        if request.path == "/msi/token":
            self.token_requests.append(request)
            return self._issue(request)
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)
        refused = self._refusal(request)
        return refused or self._route(request)

    def _issue(self, request: Recorded) -> Answer:
        if request.headers.get("x-identity-header") != SECRET:
            return 401, {}, {"statusCode": 401, "message": "wrong X-IDENTITY-HEADER"}
        if request.query.get("api-version") != "2019-08-01" or not request.query.get("resource"):
            return 400, {}, {"statusCode": 400, "message": "api-version 2019-08-01 and resource are required"}
        token = f"token-{len(self.tokens) + 1}"
        self.tokens[token] = (request.query["resource"], request.query.get("client_id", ""))
        expires_on = str(int(self.clock()) + self.token_lifetime_s)
        return 200, {}, {"access_token": token, "expires_on": expires_on, "resource": request.query["resource"],
                         "token_type": "Bearer", "client_id": request.query.get("client_id", "")}

    def _refusal(self, request: Recorded) -> Answer | None:
        raw = request.headers.get("authorization", "")
        decoded = urllib.parse.unquote(raw)
        token = decoded.removeprefix("type=aad&ver=1.0&sig=")
        if "&" in raw or token == decoded or self.tokens.get(token) != (self.audience, CLIENT_ID):
            return _error(401, "Unauthorized", f"no valid AAD token for {self.audience} in {raw!r}")
        if request.headers.get("x-ms-version") != cosmos.API_VERSION or "x-ms-date" not in request.headers:
            return _error(400, "BadRequest", "x-ms-version and x-ms-date are required")
        return None

    def _route(self, request: Recorded) -> Answer:
        parts = [urllib.parse.unquote(p) for p in request.path.strip("/").split("/")]
        if parts[:4] != ["dbs", DATABASE, "colls", CONTAINER]:
            return _error(404, "NotFound", "Owner resource does not exist", cosmos.OWNER_RESOURCE_NOT_FOUND)
        rest, method = parts[4:], request.method
        if rest == ["pkranges"] and method == "GET":
            listed = [{"id": r, "parents": self.split_parents} for r in self.ranges]
            return 200, {}, {"PartitionKeyRanges": [{"id": p, "parents": []} for p in self.split_parents] + listed}
        if rest == ["docs"] and method == "POST":
            return self._query(request) if "x-ms-documentdb-isquery" in request.headers else self._create(request)
        if len(rest) == 2 and rest[0] == "docs" and method in ("GET", "DELETE"):
            return self._point(method, rest[1], request)
        return _error(405, "MethodNotAllowed", f"{method} {request.path}")

    def range_of(self, item_id: str) -> str:
        return self.ranges[int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % len(self.ranges)]

    def _create(self, request: Recorded) -> Answer:
        body = request.body
        if request.headers.get("content-type") != "application/json" or not isinstance(body, dict):
            return _error(400, "BadRequest", "a JSON document is required")
        if json.loads(request.headers.get("x-ms-documentdb-partitionkey", "null")) != [body.get("id")]:
            return _error(400, "BadRequest", "PartitionKey extracted from document doesn't match the header")
        if body["id"] in self.docs and request.headers.get("x-ms-documentdb-is-upsert", "").lower() != "true":
            return _error(409, "Conflict", "Entity with the specified id already exists in the system.")
        stored = {**body, "_rid": "rid==", "_self": "self", "_etag": '"0"', "_attachments": "attachments/", "_ts": 1}
        self.docs[body["id"]] = stored
        return 201, {"etag": '"0"'}, stored

    def _point(self, method: str, item_id: str, request: Recorded) -> Answer:
        if json.loads(request.headers.get("x-ms-documentdb-partitionkey", "null")) != [item_id]:
            return _error(400, "BadRequest", "the partition key header must be the id, as a JSON array")
        if item_id not in self.docs:
            return _error(404, "NotFound", "Entity with the specified id does not exist in the system.")
        if method == "DELETE":
            del self.docs[item_id]
            return 204, {}, None
        return 200, {}, self.docs[item_id]

    def _query(self, request: Recorded) -> Answer:
        headers = request.headers
        if headers.get("content-type") != "application/query+json" or headers["x-ms-documentdb-isquery"] != "True":
            return _error(400, "BadRequest", "a query needs Content-Type application/query+json and isquery True")
        range_id = headers.get("x-ms-documentdb-partitionkeyrangeid")
        if range_id is None:  # TOP and ORDER BY: the gateway will not merge across partitions
            return _error(400, "BadRequest", GATEWAY_REFUSAL, 1004)
        if range_id not in self.ranges:
            return _error(410, "Gone", "PartitionKeyRangeGone", 1002)
        rows = self._run(request.body, range_id)
        if isinstance(rows, tuple):
            return rows
        return self._query_page(rows, request, range_id)

    def _run(self, body: Any, range_id: str) -> list[dict[str, Any]] | Answer:
        values = {p["name"]: p["value"] for p in body.get("parameters", [])}
        if (body["query"], "@after" in values) not in ((cosmos.FIRST_PAGE, False), (cosmos.NEXT_PAGE, True)):
            return _error(400, "BadRequest", f"the fake does not know this query: {body}")
        ids = sorted(i for i in self.docs if self.range_of(i) == range_id and i > values.get("@after", ""))
        return [self.docs[i] for i in ids[: values["@top"]]]

    def _query_page(self, rows: list[dict[str, Any]], request: Recorded, range_id: str) -> Answer:
        state = json.dumps({"range": range_id, "body": request.body}, sort_keys=True)
        start = 0
        if "x-ms-continuation" in request.headers:
            token = json.loads(base64.b64decode(request.headers["x-ms-continuation"]))
            if token["state"] != state:
                return _error(400, "BadRequest", "continuation of another query or range")
            start = token["start"]
        size = min(int(request.headers.get("x-ms-max-item-count", "100")), self.page_size)
        found, end = rows[start : start + size], start + size
        headers = {"x-ms-item-count": str(len(found))}
        if end < len(rows):
            headers["x-ms-continuation"] = base64.b64encode(json.dumps({"state": state, "start": end}).encode()).decode()
        return 200, headers, {"_rid": "rid==", "Documents": found, "_count": len(found)}


def _kind(request: Recorded) -> str:
    if request.path.endswith("/pkranges"):
        return "pkranges"
    return "query" if "x-ms-documentdb-isquery" in request.headers else "point"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = Recorded(self.command, url.path, dict(urllib.parse.parse_qsl(url.query)),
                           {k.lower(): v for k, v in self.headers.items()}, json.loads(raw) if raw else None)
        with self.server.lock:
            status, headers, body = self.server.fake.answer(request)
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeCosmos) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.lock = threading.Lock()


@contextmanager
def running(fake: FakeCosmos) -> Iterator[FakeCosmos]:
    """``fake`` served on a free port of 127.0.0.1 (its ``url``) until the block ends."""
    server = _Server(fake)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
