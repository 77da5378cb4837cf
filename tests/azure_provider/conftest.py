"""One Azure emulator server (started through the provider's Sandbox) for the folder's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from iacli.cli.app import main


@pytest.fixture(scope="module")
def azure_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("azp-home")
    yield home
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IACLI_HOME", str(home))
        main(["sandbox", "stop"])


@pytest.fixture
def azure_project(azure_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("IACLI_HOME", str(azure_home))
    for key in ("AZURE_SUBSCRIPTION_ID", "AZURE_LOCATION"):
        monkeypatch.delenv(key, raising=False)
    return folder
