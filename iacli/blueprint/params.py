"""Typed parameter values: parsing ``-p`` strings, checking values against specs, merging sources.

Precedence, lowest first: blueprint defaults, ``iacli.yaml`` environment, ``--params-file``, ``-p``.
Unknown names, missing required values and ill-typed values are refused before anything renders.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iacli.blueprint.model import ParameterSpec, ParamType
from iacli.errors import ParameterError, UsageError

REDACTED = "***"
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class ParamSource:
    """A layer of values and where it came from (for error messages)."""

    label: str
    values: Mapping[str, Any]
    from_cli: bool = False


@dataclass(frozen=True)
class ResolvedParams:
    """The final, checked values of one deployment."""

    values: Mapping[str, Any]
    secrets: frozenset[str]

    def public(self) -> dict[str, Any]:
        """Values safe to render into a template, store and show (secrets left out)."""
        return {k: v for k, v in self.values.items() if k not in self.secrets}

    def redacted(self) -> dict[str, Any]:
        """All values, with secrets replaced by a mask."""
        return {k: (REDACTED if k in self.secrets else v) for k, v in self.values.items()}

    def public_digest(self) -> str:
        """A stable hash of the non-secret values only."""
        material = json.dumps(self.public(), sort_keys=True, default=str)
        return hashlib.sha256(material.encode()).hexdigest()

    def digest(self, salt: str = "") -> str:
        """A stable hash of every value; secrets contribute only through a salted hash."""
        material = {
            k: (_salted(salt, v) if k in self.secrets else v) for k, v in sorted(self.values.items())
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def _salted(salt: str, value: Any) -> str:
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` -> ``{"a": "1", "b": "x=y"}``; a missing ``=`` is a usage error."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-p {item!r} is not KEY=VALUE", hint="write e.g. -p memory_mb=512")
        out[key.strip()] = value
    return out


def resolve(
    specs: Mapping[str, ParameterSpec], sources: Sequence[ParamSource], secrets_optional: bool = False
) -> ResolvedParams:
    """Merge the sources over the defaults and check every value against its spec.

    ``secrets_optional`` lets secret values be absent (re-checking a saved plan, whose change set already
    holds them); they are then simply left out.
    """
    values: dict[str, Any] = {n: s.default for n, s in specs.items() if not s.required}
    for source in sources:
        for name, raw in source.values.items():
            spec = specs.get(name)
            if spec is None:
                raise ParameterError(
                    f"unknown parameter {name!r} (from {source.label})", hint=_known(specs)
                )
            value = coerce_text(name, spec, raw) if source.from_cli else raw
            values[name] = check_value(name, spec, value, source.label)
    missing = [
        n for n, s in specs.items() if s.required and n not in values and not (secrets_optional and s.secret)
    ]
    if missing:
        raise ParameterError(
            f"missing required parameter(s): {', '.join(missing)}",
            hint=" ".join(f"-p {n}=VALUE" for n in missing),
        )
    return ResolvedParams(values, frozenset(n for n, s in specs.items() if s.secret))


def _known(specs: Mapping[str, ParameterSpec]) -> str:
    return "known parameters: " + (", ".join(sorted(specs)) or "none")


def coerce_text(name: str, spec: ParameterSpec, raw: Any) -> Any:
    """Turn a command-line string into the parameter's type."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    try:
        if spec.type is ParamType.INTEGER:
            return int(text)
        if spec.type is ParamType.NUMBER:
            return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise _type_error(name, spec, raw, "command line") from None
    if spec.type is ParamType.BOOLEAN:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise _type_error(name, spec, raw, "command line")
    if spec.type is ParamType.LIST:
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                raise _type_error(name, spec, raw, "command line") from None
        return [part.strip() for part in text.split(",")] if text else []
    return raw


def check_value(name: str, spec: ParameterSpec, value: Any, where: str = "") -> Any:
    """Check one typed value; returns it (ints accepted for numbers) or raises ParameterError."""
    if not _has_type(spec.type, value):
        raise _type_error(name, spec, value, where)
    label = f"parameter {name!r}" + (f" (from {where})" if where else "")
    items = value if isinstance(value, list) else [value]
    if spec.enum is not None and not all(item in spec.enum for item in items):
        raise ParameterError(f"{label} is {_show(spec, value)}; allowed: {', '.join(map(str, spec.enum))}")
    for item in items:
        if isinstance(item, str):
            _check_text(label, spec, item)
    if spec.min is not None and value < spec.min:
        raise ParameterError(f"{label} is {value}; the minimum is {_num(spec.min)}")
    if spec.max is not None and value > spec.max:
        raise ParameterError(f"{label} is {value}; the maximum is {_num(spec.max)}")
    return value


def _check_text(label: str, spec: ParameterSpec, value: str) -> None:
    if spec.pattern is not None and not _matches(spec.pattern, value):
        raise ParameterError(f"{label} is {_show(spec, value)}; it must match {spec.pattern}")
    if spec.min_length is not None and len(value) < spec.min_length:
        raise ParameterError(f"{label} is shorter than {spec.min_length} characters")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise ParameterError(f"{label} is longer than {spec.max_length} characters")


def _matches(pattern: str, value: str) -> bool:
    """Full match; a pattern Python cannot compile (Java-only syntax such as ``\\p{Alnum}``) is left to
    the provider, which checks it again."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True


def _has_type(kind: ParamType, value: Any) -> bool:
    if kind is ParamType.BOOLEAN:
        return isinstance(value, bool)
    if kind is ParamType.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is ParamType.NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is ParamType.LIST:
        return isinstance(value, list)
    return isinstance(value, str)


def _type_error(name: str, spec: ParameterSpec, value: Any, where: str) -> ParameterError:
    origin = f" (from {where})" if where else ""
    return ParameterError(
        f"parameter {name!r}{origin} must be {_article(spec.type)}, got {_show(spec, value)}"
    )


def _article(kind: ParamType) -> str:
    return {"integer": "an integer", "list": "a list"}.get(kind.value, f"a {kind.value}")


def _show(spec: ParameterSpec, value: Any) -> str:
    return REDACTED if spec.secret else repr(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
