"""Make ``iacli_azure`` importable when the project is not (re)installed with its package dir."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("iacli_azure") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "providers" / "azure"))

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from iacli_azure.arm import EvaluationContext, evaluate_outputs

OutputsRunner = Callable[..., dict[str, Any]]


@pytest.fixture
def arm_outputs() -> OutputsRunner:
    """Deploy a template offline and return its output values by name."""

    def run(
        template: Mapping[str, Any], parameters: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        ctx = EvaluationContext.create(template, parameters, **kwargs)
        return {name: output["value"] for name, output in evaluate_outputs(template, ctx).items()}

    return run


@pytest.fixture
def arm_eval() -> Callable[..., Any]:
    """Evaluate one template string (e.g. ``"[concat('a', 'b')]"``) in a context for ``template``."""

    def run(expression: str, template: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        from iacli_azure.arm import evaluate

        ctx = EvaluationContext.create(
            template or {"resources": []}, kwargs.pop("parameters", None), **kwargs
        )
        return evaluate(expression, ctx)

    return run
