"""Snapshot tests: every built-in blueprint rendered with every example parameter set, per provider.

A change to a template or an asset shows up as a diff of the files under tests/snapshots/ in review.
Regenerate them with:  IACLI_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iacli.blueprint.loader import iter_blueprints
from iacli.config import ProjectConfig
from iacli.engine import Engine, StackRequest

SNAPSHOTS = Path(__file__).parent / "snapshots"


def cases() -> list[tuple[str, str, Path]]:
    out = []
    for bp in iter_blueprints(Path("/nonexistent")):
        if bp.origin != "built-in":
            continue
        for provider in bp.spec.providers:
            for example in sorted((bp.root / "examples").glob("*.yaml")):
                out.append((bp.name, provider, example))
    return out


@pytest.mark.parametrize(("blueprint", "provider", "example"), cases(), ids=lambda v: getattr(v, "stem", v))
def test_rendered_template_matches_snapshot(blueprint: str, provider: str, example: Path, tmp_path: Path) -> None:
    engine = Engine(tmp_path, ProjectConfig(), tmp_path / "home")
    request = StackRequest(blueprint=blueprint, provider=provider, params_file=example)
    rendered = engine.prepare(request).deployable.template.text
    snapshot = SNAPSHOTS / blueprint / provider / f"{example.stem}.yaml"
    if os.environ.get("IACLI_UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(rendered)
        if not os.environ.get("IACLI_UPDATE_SNAPSHOTS"):
            pytest.fail(f"new snapshot written: {snapshot}; review and commit it")
    assert rendered == snapshot.read_text(), f"{snapshot} differs; regenerate with IACLI_UPDATE_SNAPSHOTS=1"


def test_there_is_something_to_snapshot() -> None:
    assert any(name == "serverless-web" for name, _, _ in cases())
