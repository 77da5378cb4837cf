"""Blob contents the emulator keeps for the Blob data plane (:mod:`.blob_service`).

Blobs live in :attr:`EmulatorState.blobs <.state.EmulatorState.blobs>`, keyed by storage account,
container (both case-insensitive, like Azure) and blob name (case-sensitive). They hold code packages,
not secrets; one blob is at most :data:`MAX_BLOB_BYTES` (the size the SDK still sends in one Put Blob).
Deleting a storage account or a container (or its group) deletes its blobs.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from email.utils import formatdate
from typing import Any

MAX_BLOB_BYTES = 64 * 1024 * 1024
"""The largest blob the emulator stores (azure-storage-blob's default single-put size)."""


def http_date() -> str:
    """The current time as an HTTP date (``Wed, 01 Jan 2025 12:00:00 GMT``), as Blob storage reports it."""
    return formatdate(usegmt=True)


@dataclass
class BlobRecord:
    """One block blob: its bytes and the properties a client can read."""

    account: str
    container: str
    name: str
    data: bytes
    etag: str
    content_md5: str
    """Base64 MD5 of ``data``."""
    content_type: str = "application/octet-stream"
    created: str = field(default_factory=http_date)
    last_modified: str = field(default_factory=http_date)
    metadata: dict[str, str] = field(default_factory=dict)


def _key(account: str, container: str) -> tuple[str, str]:
    return account.casefold(), container.casefold()


class BlobStore:
    """The blobs of every emulated storage account (callers hold the state's lock)."""

    def __init__(self) -> None:
        self._blobs: dict[tuple[str, str], dict[str, BlobRecord]] = {}

    def get(self, account: str, container: str, name: str) -> BlobRecord | None:
        """The blob, if it exists."""
        return self._blobs.get(_key(account, container), {}).get(name)

    def put(self, record: BlobRecord) -> bool:
        """Store (or replace) a blob; True when it is new."""
        blobs = self._blobs.setdefault(_key(record.account, record.container), {})
        existing = blobs.get(record.name)
        if existing is not None:
            record.created = existing.created
        blobs[record.name] = record
        return existing is None

    def delete(self, account: str, container: str, name: str) -> bool:
        """Delete a blob; False when there was none."""
        return self._blobs.get(_key(account, container), {}).pop(name, None) is not None

    def listing(self, account: str, container: str, prefix: str = "") -> list[BlobRecord]:
        """The container's blobs whose names start with ``prefix``, sorted by name."""
        blobs = self._blobs.get(_key(account, container), {})
        return [blobs[name] for name in sorted(blobs) if name.startswith(prefix)]

    def drop(self, account: str, container: str | None = None) -> None:
        """Forget the blobs of a deleted container, or of every container of a deleted account."""
        for key in [k for k in self._blobs if k[0] == account.casefold()]:
            if container is None or key[1] == container.casefold():
                del self._blobs[key]

    def clear(self) -> None:
        """Forget every blob."""
        self._blobs.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every blob as JSON-ready data (contents base64)."""
        out = []
        for blobs in self._blobs.values():
            for record in blobs.values():
                item = asdict(record)
                item["data"] = base64.b64encode(record.data).decode("ascii")
                out.append(item)
        return out

    def restore(self, items: list[dict[str, Any]]) -> None:
        """Replace every blob by a :meth:`snapshot`."""
        self.clear()
        for item in items:
            self.put(BlobRecord(**{**item, "data": base64.b64decode(item["data"])}))
