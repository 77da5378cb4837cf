from __future__ import annotations

import json
from pathlib import Path

from iacli.schemas import write_schemas

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_published_schemas_match_the_models(tmp_path: Path) -> None:
    for fresh in write_schemas(tmp_path):
        published = DOCS / fresh.name
        assert json.loads(published.read_text()) == json.loads(fresh.read_text()), (
            f"{published} is stale: run python -m iacli.schemas"
        )
