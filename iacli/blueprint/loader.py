"""Finding and loading blueprints: the project's ``./blueprints/<name>/`` first, then every
``iacli.blueprints`` entry point (the built-ins register there exactly like a third-party pack)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from pydantic import ValidationError

from iacli.blueprint.model import NAME_PATTERN, Blueprint, BlueprintSpec
from iacli.errors import BlueprintError
from iacli.yamlio import describe_validation_error, load_yaml_file

ENTRY_POINT_GROUP = "iacli.blueprints"
SPEC_FILE = "blueprint.yaml"


@dataclass(frozen=True)
class BlueprintRoot:
    """A folder holding blueprint folders, and a label for where it comes from."""

    path: Path
    origin: str


def blueprint_roots(project_dir: Path) -> list[BlueprintRoot]:
    """Search order: the project's own blueprints, then installed packs."""
    roots = [BlueprintRoot(project_dir / "blueprints", "project")]
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        target = ep.load()
        roots.append(BlueprintRoot(Path(target), "built-in" if ep.name == "builtin" else ep.name))
    return roots


def check_name(name: str) -> None:
    """Refuse anything that is not a plain blueprint name (no paths, no ``..``)."""
    if not re.match(NAME_PATTERN, name):
        raise BlueprintError(
            f"{name!r} is not a blueprint name",
            hint="names are lowercase letters, digits and dashes; `iacli blueprints list` shows them",
        )


def load_blueprint(name: str, project_dir: Path) -> Blueprint:
    """Load the first blueprint called ``name`` on the search path."""
    check_name(name)
    for root in blueprint_roots(project_dir):
        folder = root.path / name
        if (folder / SPEC_FILE).is_file():
            return load_folder(folder, root.origin)
    raise BlueprintError(
        f"unknown blueprint {name!r}",
        hint="`iacli blueprints list` shows the available ones; a project adds its own in ./blueprints/<name>/",
    )


def iter_blueprints(project_dir: Path) -> Iterator[Blueprint]:
    """Every blueprint once (a project blueprint shadows a built-in of the same name)."""
    seen: set[str] = set()
    for root in blueprint_roots(project_dir):
        if not root.path.is_dir():
            continue
        for spec_file in sorted(root.path.glob(f"*/{SPEC_FILE}")):
            if spec_file.parent.name not in seen:
                seen.add(spec_file.parent.name)
                yield load_folder(spec_file.parent, root.origin)


def load_folder(folder: Path, origin: str) -> Blueprint:
    """Parse and validate ``folder/blueprint.yaml``; errors name the file and the field."""
    spec_file = folder / SPEC_FILE
    data = load_yaml_file(spec_file, BlueprintError)
    if not isinstance(data, dict):
        raise BlueprintError(f"{spec_file}: expected a mapping at the top level")
    try:
        spec = BlueprintSpec.model_validate(data)
    except ValidationError as exc:
        raise BlueprintError(describe_validation_error(str(spec_file), exc)) from None
    if spec.name != folder.name:
        raise BlueprintError(f"{spec_file}: field 'name' is {spec.name!r} but the folder is {folder.name!r}")
    for provider in spec.providers:
        template = folder / spec.providers[provider].template
        if not template.resolve().is_relative_to(folder.resolve()) or not template.is_file():
            raise BlueprintError(f"{spec_file}: field 'providers.{provider}.template': no file {template}")
    return Blueprint(spec, folder, origin)
