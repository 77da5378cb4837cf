"""Which properties of a resource type force a replacement, from the CloudFormation resource schemas.

cfn-lint ships AWS's resource provider schemas; their ``createOnlyProperties`` (JSON pointers such as
``/properties/QueueName``) are the properties whose change makes CloudFormation replace the resource.
The files are read without importing cfn-lint (which is slow to import), once per type.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

_REGION = "us-east-1"


@functools.lru_cache(maxsize=1)
def _schemas_dir() -> Path | None:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@functools.lru_cache(maxsize=1)
def _provider_index() -> dict[str, str]:
    directory = _schemas_dir()
    if directory is None:
        return {}
    index: dict[str, str] = json.loads((directory / "providers" / f"{_REGION}.json").read_text())
    return index


@functools.cache
def create_only_properties(resource_type: str) -> frozenset[str]:
    """Top-level properties of ``resource_type`` whose change forces a replacement (empty if unknown)."""
    directory, name = _schemas_dir(), _provider_index().get(resource_type)
    if directory is None or name is None:
        return frozenset()
    schema = json.loads((directory / "resources" / f"{name}.json").read_text())
    pointers = schema.get("createOnlyProperties", [])
    return frozenset(p.split("/")[2] for p in pointers if p.startswith("/properties/") and p.count("/") >= 2)
