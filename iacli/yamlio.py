"""Reading YAML files into plain data with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from iacli.errors import InvalidInputError


def load_yaml_file(path: Path, error: type[InvalidInputError] = InvalidInputError) -> Any:
    """Parse a YAML file with the safe loader; a missing or malformed file raises ``error``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc.__class__.__name__})") from None
    return parse_yaml_text(text, str(path), error)


def parse_yaml_text(text: str, source: str, error: type[InvalidInputError] = InvalidInputError) -> Any:
    """Parse YAML text; syntax errors become ``error`` naming ``source:line:column``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise error(f"{where}: invalid YAML: {exc.problem}", hint="fix the YAML syntax") from None
    except yaml.YAMLError as exc:
        raise error(f"{source}: invalid YAML: {exc}") from None


def describe_validation_error(source: str, exc: Any) -> str:
    """One line from a pydantic ValidationError: the file, the field path and the first problem."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = len(exc.errors()) - 1
    extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{source}: field '{field}': {message}{extra}"
