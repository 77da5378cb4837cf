"""Fixtures of the serverless-web tests: a fake Cosmos DB REST API and managed identity endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from swb_cosmos_fake import FakeCosmos, running


@pytest.fixture
def fake_cosmos(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCosmos]:
    """A fresh fake on 127.0.0.1 (two partition key ranges), reached without any proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    with running(FakeCosmos()) as fake:
        yield fake
