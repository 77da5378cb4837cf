"""Saved plans (``iacli plan -o plan.json``): one versioned JSON schema shared with ``--output json``.

A plan file is the plan itself (``Plan.to_dict()``) plus what it takes to check, later, that it still
describes the same change: the request that produced it (without secret values) and the hash of its
non-secret parameters. docs/plan-file.md documents the format.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from iacli.engine import StackRequest
from iacli.errors import InvalidInputError
from iacli.plan import PLAN_SCHEMA_VERSION, Plan

PLAN_KIND = "iacli-plan"


def plan_document(plan: Plan, request: StackRequest, secret_names: frozenset[str], public_params: str) -> dict[str, Any]:
    """The JSON document of a plan, with the (secret-free) request that produced it."""
    return {
        "kind": PLAN_KIND,
        **plan.to_dict(),
        "request": request_dict(request, secret_names),
        "public_params_hash": public_params,
    }


def request_dict(request: StackRequest, secret_names: frozenset[str]) -> dict[str, Any]:
    """The request as JSON, without the values of secret parameters."""
    data = asdict(request)
    data["template_file"] = str(request.template_file) if request.template_file else None
    data["params_file"] = str(request.params_file) if request.params_file else None
    data["assignments"] = [a for a in request.assignments if a.partition("=")[0].strip() not in secret_names]
    return data


def write_plan(path: Path, document: dict[str, Any]) -> None:
    """Write atomically, readable by the owner only (plans name infrastructure, never secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def read_plan(path: Path) -> tuple[Plan, StackRequest, dict[str, Any]]:
    """Load a plan file; InvalidInputError when it is not one or of another schema version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: not a plan file ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
        raise InvalidInputError(f"{path}: not an iacli plan file", hint="create one with `iacli plan ... -o plan.json`")
    if data.get("schema_version") != PLAN_SCHEMA_VERSION:
        raise InvalidInputError(
            f"{path}: plan schema version {data.get('schema_version')} is not {PLAN_SCHEMA_VERSION}",
            hint="plan again with this version of iacli",
        )
    raw = data["request"]
    request = StackRequest(
        **{**raw, "template_file": Path(raw["template_file"]) if raw.get("template_file") else None,
           "params_file": Path(raw["params_file"]) if raw.get("params_file") else None,
           "assignments": tuple(raw.get("assignments") or ())}
    )
    return Plan.from_dict(data), request, data
