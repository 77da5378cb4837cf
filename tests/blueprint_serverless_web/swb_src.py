"""Importing the serverless-web function code (blueprints/serverless-web/src) the way both runtimes do:
the folder is the package's root on ``sys.path`` (no tests here)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

SRC = Path(__file__).resolve().parents[2] / "blueprints" / "serverless-web" / "src"


def load(name: str) -> ModuleType:
    """Import ``src/<name>.py`` (and the siblings it imports) without writing bytecode into src/."""
    dont_write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # keep src/ (the zip) clean
    sys.path.insert(0, str(SRC))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(SRC))
        sys.dont_write_bytecode = dont_write


class FakeContainer:
    """An in-memory stand-in for the ``azure.cosmos`` ``ContainerProxy`` methods the Cosmos store uses,
    raising azure-core's errors like the real one (its Cosmos errors subclass them)."""

    def __init__(self, first_page: str, next_page: str) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.queries = {first_page: False, next_page: True}  # query text -> takes @after

    def create_item(self, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if body["id"] in self.docs:
            raise ResourceExistsError("Entity with the specified id already exists in the system.")
        self.docs[body["id"]] = {**body, "_rid": "rid", "_self": "self", "_etag": '"0"', "_ts": 1}
        return dict(self.docs[body["id"]])

    def read_item(self, item: str, partition_key: Any, **kwargs: Any) -> dict[str, Any]:
        assert partition_key == item  # the container's partition key is /id
        if item not in self.docs:
            raise ResourceNotFoundError("Entity with the specified id does not exist in the system.")
        return dict(self.docs[item])

    def delete_item(self, item: str, partition_key: Any, **kwargs: Any) -> None:
        assert partition_key == item
        if self.docs.pop(item, None) is None:
            raise ResourceNotFoundError("Entity with the specified id does not exist in the system.")

    def query_items(self, query: str, parameters: list[dict[str, Any]] | None = None,
                    enable_cross_partition_query: bool | None = None, **kwargs: Any) -> Any:
        assert enable_cross_partition_query, "items are spread over partitions: the query must say so"
        values = {p["name"]: p["value"] for p in parameters or []}
        assert query in self.queries and ("@after" in values) == self.queries[query], query
        rows = sorted(self.docs.values(), key=lambda doc: doc["id"])
        if "@after" in values:
            rows = [row for row in rows if row["id"] > values["@after"]]
        return iter([dict(row) for row in rows[: values["@top"]]])
