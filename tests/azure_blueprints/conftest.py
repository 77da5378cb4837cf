"""``azure(*args, expect=0)``: run iacli with ``--provider azure`` in a fresh project, checking the exit code
and that no traceback leaked; the project's sandbox is stopped afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def azure(cli, project: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, expect: int = 0):  # type: ignore[no-untyped-def]
        result = cli(*args, "--provider", "azure")
        assert result.exit_code == expect, f"{args}: {result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result

    yield run
    cli("sandbox", "stop")
