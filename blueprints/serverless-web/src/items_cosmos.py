"""The items store on one Cosmos DB (NoSQL) container partitioned by ``/id``: the Azure Functions side.

Standard library only. A Linux Consumption function app running from a package URL installs nothing, so
this module speaks the Cosmos DB REST API itself, signed in with Microsoft Entra ID as the app's
user-assigned managed identity (the account's keys are off):

- token: ``GET $IDENTITY_ENDPOINT?resource=<account URL>&api-version=2019-08-01&client_id=<id>`` with the
  ``X-IDENTITY-HEADER: $IDENTITY_HEADER`` secret (App Service's managed identity endpoint), reused until
  five minutes before it expires. The audience is the account's own URL, as the Azure SDKs request it;
- every request: ``Authorization`` = ``type=aad&ver=1.0&sig=<token>`` URL-encoded, ``x-ms-date`` (RFC
  1123) and ``x-ms-version``; a point operation names its partition key, ``["<id>"]`` (key path ``/id``);
- 429 (request rate too large) is retried after ``x-ms-retry-after-ms``, ``ATTEMPTS`` requests in all.

Pages are keyset pages in ``id`` order (``WHERE c.id > @after``), so a page token is the last id, as on
DynamoDB. The gateway refuses ``TOP`` and ``ORDER BY`` across partitions (an SDK merges per-range results
itself), so a page runs its query on each partition key range and merges what they return.

References: Entra ID authorization header, https://learn.microsoft.com/rest/api/cosmos-db/access-control-on-cosmosdb-resources;
query headers, https://learn.microsoft.com/rest/api/cosmos-db/query-documents; queries the gateway cannot serve,
https://learn.microsoft.com/rest/api/cosmos-db/querying-cosmosdb-resources-using-the-rest-api; partition key
ranges, https://learn.microsoft.com/rest/api/documentdb/get-partition-key-ranges; the managed identity
endpoint, https://learn.microsoft.com/azure/app-service/overview-managed-identity. That a query scoped to one
range (``x-ms-documentdb-partitionkeyrangeid``) is accepted is what the SDKs do, not a documented contract.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from email.utils import formatdate
from typing import Any

from items_api import Item, Page

API_VERSION = "2018-12-31"
IDENTITY_API_VERSION = "2019-08-01"
TOKEN_MARGIN_S = 300  # fetch a new token this long before the current one expires
ATTEMPTS = 4  # requests in all when Cosmos DB answers 429
MAX_RETRY_WAIT_S = 5.0
TIMEOUT_S = 15.0
OWNER_RESOURCE_NOT_FOUND = 1003  # 404 sub-status: the database or the container itself is missing
ID_FORBIDDEN = frozenset("/\\?#")  # characters a Cosmos DB id cannot hold

FIRST_PAGE = "SELECT TOP @top * FROM c ORDER BY c.id"
NEXT_PAGE = "SELECT TOP @top * FROM c WHERE c.id > @after ORDER BY c.id"


class CosmosError(Exception):
    """A request Cosmos DB or the managed identity endpoint refused: status, Cosmos sub-status, error code."""

    def __init__(self, status: int, sub_status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code} (sub-status {sub_status}): {message}")
        self.status = status
        self.sub_status = sub_status
        self.code = code


class ItemExistsError(CosmosError):
    """Create refused: an item with that id exists already (409 Conflict); nothing was overwritten."""


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: header names lower-cased, the body as JSON (None when empty) and as text."""

    status: int
    headers: Mapping[str, str]
    body: Any
    text: str

    @property
    def sub_status(self) -> int:
        value = self.headers.get("x-ms-substatus", "0")
        return int(value) if value.isdigit() else 0

    def error(self) -> CosmosError:
        body = self.body if isinstance(self.body, dict) else {}
        kind = ItemExistsError if self.status == 409 else CosmosError
        message = str(body.get("message") or self.text[:300])
        return kind(self.status, self.sub_status, str(body.get("code", "")), message)


def _reply(status: int, headers: Message, raw: bytes) -> Reply:
    text = raw.decode("utf-8", "replace")
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    return Reply(status, {name.lower(): value for name, value in headers.items()}, body, text)


def send(request: urllib.request.Request) -> Reply:
    """The answer to ``request``, error statuses included (they are data here, not exceptions)."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return _reply(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as refused:
        with refused:
            return _reply(refused.code, refused.headers, refused.read())


def audience(endpoint: str) -> str:
    """The token audience of a Cosmos DB account: its URL without port or path."""
    url = urllib.parse.urlsplit(endpoint)
    return f"{url.scheme}://{url.hostname}"


def _expires_on(body: Mapping[str, Any], now: float) -> float:
    if "expires_on" in body:  # epoch seconds, a string on api-version 2019-08-01
        return float(body["expires_on"])
    return now + float(body.get("expires_in", 0))


class ManagedIdentityToken:
    """Entra ID access tokens for one audience from the App Service / Functions managed identity
    endpoint; calling it returns a token that is good for at least ``TOKEN_MARGIN_S`` more seconds."""

    def __init__(self, endpoint: str, secret: str, resource: str, client_id: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.endpoint = endpoint
        self.resource = resource
        self.client_id = client_id
        self._secret = secret
        self._clock = clock
        self._cached: tuple[str, float] | None = None  # token, expires_on; replaced whole (thread-safe)

    def __call__(self) -> str:
        cached = self._cached
        if cached is None or self._clock() >= cached[1] - TOKEN_MARGIN_S:
            cached = self._cached = self._fetch()
        return cached[0]

    def _fetch(self) -> tuple[str, float]:
        query = {"resource": self.resource, "api-version": IDENTITY_API_VERSION}
        if self.client_id:
            query["client_id"] = self.client_id  # the user-assigned identity, not a system-assigned one
        url = f"{self.endpoint}?{urllib.parse.urlencode(query)}"
        reply = send(urllib.request.Request(url, headers={"X-IDENTITY-HEADER": self._secret}))
        if reply.status != 200 or not isinstance(reply.body, dict) or "access_token" not in reply.body:
            raise reply.error()
        return str(reply.body["access_token"]), _expires_on(reply.body, self._clock())


def _segment(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _retry_wait(reply: Reply, attempt: int) -> float:
    header = reply.headers.get("x-ms-retry-after-ms", "")
    wait = float(header) / 1000 if header.replace(".", "", 1).isdigit() else 0.1 * 2**attempt
    return min(wait, MAX_RETRY_WAIT_S)


class CosmosContainer:
    """REST calls on one container, each signed with a current token from ``token()``."""

    def __init__(self, endpoint: str, database: str, container: str, token: Callable[[], str],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = f"{endpoint.rstrip('/')}/dbs/{_segment(database)}/colls/{_segment(container)}"
        self._token = token
        self._sleep = sleep

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> CosmosContainer:
        """The container of the app settings ``COSMOS_ENDPOINT``, ``COSMOS_DATABASE``, ``TABLE_NAME``,
        signed in as ``AZURE_CLIENT_ID`` through the platform's ``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``."""
        endpoint = environ["COSMOS_ENDPOINT"]
        token = ManagedIdentityToken(environ["IDENTITY_ENDPOINT"], environ["IDENTITY_HEADER"], audience(endpoint),
                                     environ.get("AZURE_CLIENT_ID") or None)
        return cls(endpoint, environ["COSMOS_DATABASE"], environ["TABLE_NAME"], token)

    def _request(self, method: str, path: str, body: Any, headers: Mapping[str, str]) -> urllib.request.Request:
        signed = {
            "Authorization": urllib.parse.quote(f"type=aad&ver=1.0&sig={self._token()}", safe=""),
            "x-ms-date": formatdate(usegmt=True),
            "x-ms-version": API_VERSION,
            "Accept": "application/json",
        }
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            signed["Content-Type"] = "application/json"
        signed.update(headers)
        return urllib.request.Request(f"{self.url}/{path}", data=data, headers=signed, method=method)

    def call(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Reply:
        """One operation on ``<container>/<path>``, sent again after a 429, ``ATTEMPTS`` requests in all."""
        reply = send(self._request(method, path, body, headers or {}))
        for attempt in range(1, ATTEMPTS):
            if reply.status != 429:
                break
            self._sleep(_retry_wait(reply, attempt))
            reply = send(self._request(method, path, body, headers or {}))
        return reply

    def feed(self, method: str, path: str, body: Any = None,
             headers: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """The pages of a feed (a query, a listing), following ``x-ms-continuation``; non-200 raises."""
        continuation = ""
        while True:
            page_headers = dict(headers or {})
            if continuation:
                page_headers["x-ms-continuation"] = continuation
            reply = self.call(method, path, body, page_headers)
            if reply.status != 200:
                raise reply.error()
            yield reply.body
            continuation = reply.headers.get("x-ms-continuation", "")
            if not continuation:
                return

    def partition_key_ranges(self) -> list[str]:
        """The ids of the container's partition key ranges, leaving out any that split into others."""
        ranges = [found for body in self.feed("GET", "pkranges") for found in body["PartitionKeyRanges"]]
        parents = {parent for found in ranges for parent in found.get("parents") or []}
        return [str(found["id"]) for found in ranges if found["id"] not in parents]

    def query(self, query: str, parameters: list[dict[str, Any]], range_id: str, limit: int) -> list[Item]:
        """The first ``limit`` documents a query finds in one partition key range."""
        headers = {
            "Content-Type": "application/query+json",
            "x-ms-documentdb-isquery": "True",
            "x-ms-documentdb-query-enablecrosspartition": "True",
            "x-ms-documentdb-partitionkeyrangeid": range_id,
            "x-ms-max-item-count": str(limit),
        }
        found: list[Item] = []
        for body in self.feed("POST", "docs", {"query": query, "parameters": parameters}, headers):
            found += body["Documents"]
            if len(found) >= limit:
                break
        return found[:limit]

    def create(self, document: Item) -> Reply:
        """Create a document (never an upsert: an existing id answers 409)."""
        return self.call("POST", "docs", document, {"x-ms-documentdb-partitionkey": _key(document["id"])})

    def point(self, method: str, item_id: str) -> Reply:
        """Read (GET) or delete (DELETE) the document ``item_id`` in its partition."""
        return self.call(method, f"docs/{_segment(item_id)}", headers={"x-ms-documentdb-partitionkey": _key(item_id)})


def _key(item_id: str) -> str:
    """The partition key header of an item: a JSON array holding its id (ASCII, as headers must be)."""
    return json.dumps([item_id])


def _public(document: dict[str, Any]) -> Item:
    """The item without Cosmos DB's system properties (``_rid``, ``_self``, ``_etag``, ``_ts``...)."""
    return {key: value for key, value in document.items() if not key.startswith("_")}


def _page_query(limit: int, after: str | None) -> tuple[str, list[dict[str, Any]]]:
    parameters: list[dict[str, Any]] = [{"name": "@top", "value": limit + 1}]
    if after is None:
        return FIRST_PAGE, parameters
    return NEXT_PAGE, [*parameters, {"name": "@after", "value": after}]


class CosmosItemStore:
    """Items in a Cosmos DB container whose partition key is the item's ``id``."""

    def __init__(self, container: CosmosContainer) -> None:
        self.container = container

    def page(self, limit: int, after: str | None) -> Page:
        query, parameters = _page_query(limit, after)
        ranges = self.container.partition_key_ranges()
        rows = [row for range_id in ranges for row in self.container.query(query, parameters, range_id, limit + 1)]
        rows = sorted(rows, key=lambda row: str(row["id"]))[: limit + 1]
        more = len(rows) > limit
        return Page([_public(row) for row in rows[:limit]], str(rows[limit - 1]["id"]) if more else None)

    def create(self, item: Item) -> None:
        reply = self.container.create(item)
        if reply.status != 201:
            raise reply.error()  # ItemExistsError on 409

    def get(self, item_id: str) -> Item | None:
        reply = self._point("GET", item_id)
        return None if reply is None else _public(reply.body)

    def delete(self, item_id: str) -> bool:
        return self._point("DELETE", item_id) is not None

    def _point(self, method: str, item_id: str) -> Reply | None:
        """The answer for an existing item, None for no such item; any other failure raises."""
        if ID_FORBIDDEN & set(item_id):
            return None  # no stored item can have this id
        reply = self.container.point(method, item_id)
        if reply.status == 404 and reply.sub_status != OWNER_RESOURCE_NOT_FOUND:
            return None
        if reply.status not in (200, 204):
            raise reply.error()
        return reply
