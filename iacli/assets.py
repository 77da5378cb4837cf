"""Code assets a template ships (a Lambda handler folder): deterministic zips addressed by content.

A template says ``{{ asset("src") | json }}``; rendering turns that into a placeholder
``iacli-asset://<sha256>`` and records the asset. The provider uploads the zip and swaps the placeholder
for its own location (an ``s3://`` URI on AWS). The same source always gives the same bytes, so an
unchanged handler never shows up as a change and a changed one always does.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacli.errors import TemplateError

PLACEHOLDER_PREFIX = "iacli-asset://"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP = {"__pycache__", ".pytest_cache", ".DS_Store"}


@dataclass(frozen=True)
class Asset:
    """A zipped folder and its content hash."""

    source: Path
    data: bytes
    sha256: str

    @property
    def placeholder(self) -> str:
        return f"{PLACEHOLDER_PREFIX}{self.sha256}"


def build_asset(root: Path, relative: str) -> Asset:
    """Zip ``root/relative`` (a folder or one file) deterministically; it must stay inside ``root``."""
    source = (root / relative).resolve()
    if not source.is_relative_to(root.resolve()):
        raise TemplateError(f"asset({relative!r}) points outside the blueprint folder")
    if not source.exists():
        raise TemplateError(f"asset({relative!r}): no such file or folder in {root}")
    data = _zip(source)
    return Asset(source, data, hashlib.sha256(data).hexdigest())


def _zip(source: Path) -> bytes:
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if _wanted(p, source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = path.name if source.is_file() else path.relative_to(source).as_posix()
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _wanted(path: Path, base: Path) -> bool:
    parts = path.relative_to(base).parts
    return path.is_file() and not any(p in _SKIP or p.endswith(".pyc") for p in parts)


def substitute(value: Any, locations: Mapping[str, str]) -> Any:
    """A copy of a template body with every asset placeholder replaced by its location (a provider's
    upload URL or key); strings that are not placeholders, and unknown placeholders, stay as they are."""
    if isinstance(value, str):
        return locations.get(value, value) if value.startswith(PLACEHOLDER_PREFIX) else value
    if isinstance(value, dict):
        return {key: substitute(item, locations) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, locations) for item in value]
    return value
