"""The one way the sandbox changes moto code: replace an attribute, keeping the original reachable.

Patches are process-global by nature (moto's parser and backends are module-level objects); they are
applied once, by :func:`iacli_aws.sandbox.fixes.apply_fixes`, in the sandbox server process only.
Several fixes may wrap the same attribute; each wrapper is identified by the function that made it,
so applying the fixes twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ORIGINAL = "__iacli_sandbox_original__"
_MAKER = "__iacli_sandbox_maker__"


def replace(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    """Set ``owner.name`` to ``make(current)`` unless ``make`` already wrapped it."""
    current = (
        owner.__dict__[name] if isinstance(owner, type) and name in owner.__dict__ else getattr(owner, name)
    )
    if _is_wrapped_by(current, make):
        return
    replacement = make(_callable(current))
    function = _unwrap(replacement)
    setattr(function, _ORIGINAL, current)
    setattr(function, _MAKER, make)
    setattr(owner, name, replacement)


def _is_wrapped_by(value: Any, make: Callable[[Any], Any]) -> bool:
    while value is not None:
        function = _unwrap(value)
        if getattr(function, _MAKER, None) is make:
            return True
        value = getattr(function, _ORIGINAL, None)
    return False


def _callable(value: Any) -> Any:
    """What a wrapper calls: the getter of a property, the function itself otherwise."""
    return value.fget if isinstance(value, property) else value


def _unwrap(value: Any) -> Any:
    """The function behind a property, classmethod or staticmethod (where the marks live)."""
    if isinstance(value, property):
        return value.fget
    return getattr(value, "__func__", value)
