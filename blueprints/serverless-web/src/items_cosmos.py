"""The items store on one Cosmos DB (NoSQL) container partitioned by ``/id``: the Azure Functions side.

The store takes an ``azure.cosmos`` ``ContainerProxy`` (built by ``function_app.py``) and uses only
``create_item``, ``read_item``, ``delete_item`` and ``query_items``. Pages are keyset pages in ``id``
order (``WHERE c.id > @after``), so a page token is the last id, as on DynamoDB.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from items_api import Item, Page

FIRST_PAGE = "SELECT TOP @top * FROM c ORDER BY c.id"
NEXT_PAGE = "SELECT TOP @top * FROM c WHERE c.id > @after ORDER BY c.id"


def _public(document: dict[str, Any]) -> Item:
    """The item without Cosmos DB's system properties (``_rid``, ``_self``, ``_etag``, ``_ts``...)."""
    return {key: value for key, value in document.items() if not key.startswith("_")}


class CosmosItemStore:
    """Items in a Cosmos DB container whose partition key is the item's ``id``."""

    def __init__(self, container: Any) -> None:
        self.container = container

    def page(self, limit: int, after: str | None) -> Page:
        parameters: list[dict[str, Any]] = [{"name": "@top", "value": limit + 1}]
        if after is not None:
            parameters.append({"name": "@after", "value": after})
        found = self.container.query_items(
            query=NEXT_PAGE if after is not None else FIRST_PAGE,
            parameters=parameters,
            enable_cross_partition_query=True,
        )
        rows = [_public(row) for row in islice(found, limit + 1)]
        more = len(rows) > limit
        return Page(rows[:limit], str(rows[limit - 1]["id"]) if more else None)

    def create(self, item: Item) -> None:
        self.container.create_item(body=item)

    def get(self, item_id: str) -> Item | None:
        try:
            return _public(self.container.read_item(item=item_id, partition_key=item_id))
        except ResourceNotFoundError:
            return None

    def delete(self, item_id: str) -> bool:
        try:
            self.container.delete_item(item=item_id, partition_key=item_id)
        except ResourceNotFoundError:
            return False
        return True
