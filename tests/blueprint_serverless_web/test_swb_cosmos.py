"""The Cosmos DB store of the serverless-web function (src/items_cosmos.py) against the fake Cosmos DB REST
API and managed identity endpoint of swb_cosmos_fake.py: the requests it makes (paths, Microsoft Entra ID
authorization, partition key, query headers and bodies, continuations) and what it makes of the answers
(conflicts, missing items, 429 retries, token reuse). Store behaviour shared with DynamoDB is in
test_swb_core.py."""

from __future__ import annotations

import json
import urllib.parse
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from swb_cosmos_fake import CLIENT_ID, CONTAINER, DATABASE, SECRET, FakeCosmos, cosmos

DOCS = f"/dbs/{DATABASE}/colls/{CONTAINER}/docs"


def _fill(fake: FakeCosmos, count: int) -> list[str]:
    store = fake.store()
    ids = [f"id-{i:02d}" for i in range(count)]
    for item_id in ids:
        store.create({"id": item_id, "name": item_id})
    fake.requests.clear()
    return ids


def _throttled(wait_ms: str | None = "250") -> tuple[int, dict[str, str], Any]:
    headers = {"x-ms-retry-after-ms": wait_ms} if wait_ms is not None else {}
    return 429, headers, {"code": "TooManyRequests", "message": "Request rate is large."}


# ---------------------------------------------------------------- sign-in


def test_audience_is_the_account_url() -> None:
    assert cosmos.audience("https://acct.documents.azure.com:443/") == "https://acct.documents.azure.com"


def test_token_comes_from_the_identity_endpoint_for_the_account_and_identity(fake_cosmos: FakeCosmos) -> None:
    fake_cosmos.store().get("anything")
    (asked,) = fake_cosmos.token_requests
    assert (asked.method, asked.path) == ("GET", "/msi/token")
    assert asked.query == {"resource": fake_cosmos.audience, "api-version": "2019-08-01", "client_id": CLIENT_ID}
    assert asked.headers["x-identity-header"] == SECRET


def test_every_request_carries_the_aad_authorization_date_and_version(fake_cosmos: FakeCosmos) -> None:
    store = fake_cosmos.store()
    store.create({"id": "a", "name": "a"})
    store.get("a")
    store.page(5, None)
    store.delete("a")
    assert len(fake_cosmos.requests) == 6  # create, read, pkranges, a query per range, delete
    for request in fake_cosmos.requests:
        assert request.headers["authorization"] == "type%3Daad%26ver%3D1.0%26sig%3Dtoken-1"
        assert request.headers["x-ms-version"] == cosmos.API_VERSION == "2018-12-31"
        date = request.headers["x-ms-date"]
        assert date.endswith(" GMT") and parsedate_to_datetime(date).utcoffset() is not None


def test_the_token_is_reused_until_shortly_before_it_expires(fake_cosmos: FakeCosmos) -> None:
    now = [1_000_000.0]
    store = fake_cosmos.store(token=fake_cosmos.token_source(clock=lambda: now[0]))
    fake_cosmos.clock = lambda: now[0]
    for _ in range(3):
        store.get("x")
    now[0] += fake_cosmos.token_lifetime_s - cosmos.TOKEN_MARGIN_S - 1
    store.get("x")
    assert len(fake_cosmos.token_requests) == 1
    now[0] += 1  # within the margin: a new token before Cosmos DB would refuse the old one
    store.get("x")
    assert len(fake_cosmos.token_requests) == 2
    assert fake_cosmos.requests[-1].headers["authorization"].endswith("sig%3Dtoken-2")


def test_an_identity_endpoint_refusal_is_an_error_and_nothing_is_sent(fake_cosmos: FakeCosmos) -> None:
    token = cosmos.ManagedIdentityToken(fake_cosmos.identity_endpoint, "wrong", fake_cosmos.audience, CLIENT_ID)
    with pytest.raises(cosmos.CosmosError) as refused:
        fake_cosmos.store(token=token).get("a")
    assert refused.value.status == 401 and fake_cosmos.requests == []


def test_a_token_for_another_audience_is_refused(fake_cosmos: FakeCosmos) -> None:
    token = cosmos.ManagedIdentityToken(fake_cosmos.identity_endpoint, SECRET, "https://management.azure.com",
                                        CLIENT_ID)
    with pytest.raises(cosmos.CosmosError) as refused:
        fake_cosmos.store(token=token).get("a")
    assert refused.value.status == 401


# ---------------------------------------------------------------- point operations


def test_create_posts_the_item_with_its_partition_key_and_never_upserts(fake_cosmos: FakeCosmos) -> None:
    item = {"id": "a1", "name": "first", "created_at": "2026-01-01T00:00:00+00:00"}
    fake_cosmos.store().create(item)
    (request,) = fake_cosmos.requests
    assert (request.method, request.path, request.body) == ("POST", DOCS, item)
    assert request.headers["x-ms-documentdb-partitionkey"] == '["a1"]'
    assert request.headers["content-type"] == "application/json"
    assert "x-ms-documentdb-is-upsert" not in request.headers


def test_reads_and_deletes_address_the_item_in_its_partition(fake_cosmos: FakeCosmos) -> None:
    store = fake_cosmos.store()
    store.create({"id": "é 1", "name": "x"})
    fake_cosmos.requests.clear()
    assert store.get("é 1") == {"id": "é 1", "name": "x"}  # without _rid, _self, _etag, _attachments, _ts
    assert store.delete("é 1") is True
    quoted = urllib.parse.quote("é 1", safe="")
    assert [(r.method, r.path) for r in fake_cosmos.requests] == [("GET", f"{DOCS}/{quoted}"),
                                                                   ("DELETE", f"{DOCS}/{quoted}")]
    assert {r.headers["x-ms-documentdb-partitionkey"] for r in fake_cosmos.requests} == {json.dumps(["é 1"])}


def test_missing_items_are_none_and_false(fake_cosmos: FakeCosmos) -> None:
    store = fake_cosmos.store()
    assert store.get("missing") is None
    assert store.delete("missing") is False


def test_ids_cosmos_cannot_hold_are_missing_without_a_request(fake_cosmos: FakeCosmos) -> None:
    store = fake_cosmos.store()
    assert store.get("a/b") is None and store.delete("a?b") is False
    assert fake_cosmos.requests == []


def test_a_missing_container_is_an_error_not_a_missing_item(fake_cosmos: FakeCosmos) -> None:
    container = cosmos.CosmosContainer(fake_cosmos.url, DATABASE, "no-such-container", fake_cosmos.token_source())
    with pytest.raises(cosmos.CosmosError) as refused:
        cosmos.CosmosItemStore(container).get("a")
    assert (refused.value.status, refused.value.sub_status) == (404, cosmos.OWNER_RESOURCE_NOT_FOUND)


# ---------------------------------------------------------------- 429


def test_throttled_requests_are_sent_again_after_the_wait_cosmos_asks_for(fake_cosmos: FakeCosmos) -> None:
    waits: list[float] = []
    fake_cosmos.script += [_throttled("250"), _throttled(None)]
    fake_cosmos.store(sleep=waits.append).create({"id": "t", "name": "t"})
    assert waits == [0.25, 0.4]  # x-ms-retry-after-ms, else a short doubling back-off
    assert len(fake_cosmos.requests) == 3 and "t" in fake_cosmos.docs


def test_throttling_that_persists_is_an_error(fake_cosmos: FakeCosmos) -> None:
    waits: list[float] = []
    fake_cosmos.script += [_throttled("60000")] * cosmos.ATTEMPTS
    with pytest.raises(cosmos.CosmosError) as refused:
        fake_cosmos.store(sleep=waits.append).get("a")
    assert refused.value.status == 429 and len(fake_cosmos.requests) == cosmos.ATTEMPTS
    assert waits == [cosmos.MAX_RETRY_WAIT_S] * (cosmos.ATTEMPTS - 1)


# ---------------------------------------------------------------- pages


def test_a_page_queries_each_partition_key_range_and_merges_in_id_order(fake_cosmos: FakeCosmos) -> None:
    fake_cosmos.ranges = ["0", "1", "2"]
    ids = _fill(fake_cosmos, 9)
    page = fake_cosmos.store().page(4, None)
    assert [item["id"] for item in page.items] == ids[:4] and page.last_id == ids[3]
    assert all(set(item) == {"id", "name"} for item in page.items)
    (ranges,) = fake_cosmos.cosmos_requests(kind="pkranges")
    assert (ranges.method, ranges.path) == ("GET", f"/dbs/{DATABASE}/colls/{CONTAINER}/pkranges")
    queries = fake_cosmos.cosmos_requests(kind="query")
    assert sorted(q.headers["x-ms-documentdb-partitionkeyrangeid"] for q in queries) == ["0", "1", "2"]
    for query in queries:
        assert (query.method, query.path) == ("POST", DOCS)
        assert query.headers["content-type"] == "application/query+json"
        assert query.headers["x-ms-documentdb-isquery"] == "True"
        assert query.headers["x-ms-documentdb-query-enablecrosspartition"] == "True"
        assert query.headers["x-ms-max-item-count"] == "5"
        assert query.body == {"query": cosmos.FIRST_PAGE, "parameters": [{"name": "@top", "value": 5}]}


def test_the_next_page_starts_after_the_last_id(fake_cosmos: FakeCosmos) -> None:
    ids = _fill(fake_cosmos, 5)
    page = fake_cosmos.store().page(3, ids[2])
    assert [item["id"] for item in page.items] == ids[3:] and page.last_id is None
    for query in fake_cosmos.cosmos_requests(kind="query"):
        assert query.body == {"query": cosmos.NEXT_PAGE,
                              "parameters": [{"name": "@top", "value": 4}, {"name": "@after", "value": ids[2]}]}


def test_query_continuations_are_followed_until_the_range_has_enough(fake_cosmos: FakeCosmos) -> None:
    fake_cosmos.ranges, fake_cosmos.page_size = ["0"], 2
    ids = _fill(fake_cosmos, 7)
    page = fake_cosmos.store().page(4, None)
    assert [item["id"] for item in page.items] == ids[:4] and page.last_id == ids[3]
    queries = fake_cosmos.cosmos_requests(kind="query")
    assert len(queries) == 3  # 2 + 2 + 1 rows: the fifth tells there is a next page
    assert "x-ms-continuation" not in queries[0].headers
    assert queries[1].headers["x-ms-continuation"] and queries[1].headers["x-ms-continuation"] != queries[2].headers[
        "x-ms-continuation"]


def test_ranges_that_split_are_left_out(fake_cosmos: FakeCosmos) -> None:
    fake_cosmos.ranges, fake_cosmos.split_parents = ["1", "2"], ["0"]
    ids = _fill(fake_cosmos, 4)
    assert [item["id"] for item in fake_cosmos.store().page(10, None).items] == ids
    assert {q.headers["x-ms-documentdb-partitionkeyrangeid"] for q in fake_cosmos.cosmos_requests(kind="query")} == {
        "1", "2"}


def test_the_fake_refuses_cross_partition_top_like_the_gateway(fake_cosmos: FakeCosmos) -> None:
    """Why the store queries range by range: without a range the gateway answers 400, sub-status 1004."""
    container = fake_cosmos.container()
    headers = {"Content-Type": "application/query+json", "x-ms-documentdb-isquery": "True",
               "x-ms-documentdb-query-enablecrosspartition": "True"}
    body = {"query": cosmos.FIRST_PAGE, "parameters": [{"name": "@top", "value": 2}]}
    with pytest.raises(cosmos.CosmosError) as refused:
        list(container.feed("POST", "docs", body, headers))
    assert (refused.value.status, refused.value.sub_status) == (400, 1004)
