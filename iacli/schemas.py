"""Write the JSON Schemas of blueprint.yaml and iacli.yaml to docs/schemas (``python -m iacli.schemas``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from iacli.blueprint.model import BlueprintSpec
from iacli.config import ProjectConfig


def write_schemas(folder: Path) -> list[Path]:
    """Regenerate the published schemas; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in (("blueprint", BlueprintSpec), ("iacli", ProjectConfig)):
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        sys.stdout.write(f"wrote {p}\n")
