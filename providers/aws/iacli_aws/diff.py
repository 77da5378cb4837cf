"""Property-level differences between the deployed template and the new one, computed by iacli.

Both sides are processed (SAM already translated) and have their parameter ``Ref``s resolved to values,
so a parameter change shows up on the properties it feeds. Values fed by a secret parameter are masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from iacli.plan import PropertyChange
from iacli_aws.schemas import forces_replacement

MASK = "***"
MASK_NEW = "*** (new value)"
"""What a secret parameter's value shows as when the engine knows it differs from the deployed one."""
_MISSING = object()
_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9_.:]+)\}")


@dataclass(frozen=True)
class ResourceDiff:
    """How one logical resource differs between the two templates."""

    logical_id: str
    old_type: str | None
    new_type: str | None
    properties: tuple[PropertyChange, ...]

    @property
    def replaced(self) -> bool:
        type_changed = self.old_type is not None and self.new_type is not None and self.old_type != self.new_type
        return type_changed or any(p.forces_replacement for p in self.properties)


def diff_templates(
    old: Mapping[str, Any],
    old_params: Mapping[str, Any],
    new: Mapping[str, Any],
    new_params: Mapping[str, Any],
    secrets: frozenset[str] = frozenset(),
    region: str = "us-east-1",
    changed: frozenset[str] = frozenset(),
) -> dict[str, ResourceDiff]:
    """Every logical id of either template with its differences (empty ``properties`` = unchanged).

    ``changed`` names secret parameters whose new value differs from the deployed one (masked values
    cannot be compared): what they feed shows as changed, still masked."""
    old_params, new_params = with_defaults(old, old_params), with_defaults(new, new_params)
    old_res = old.get("Resources") or {}
    new_res = new.get("Resources") or {}
    out: dict[str, ResourceDiff] = {}
    for logical_id in sorted(set(old_res) | set(new_res)):
        before = old_res.get(logical_id)
        after = new_res.get(logical_id)
        out[logical_id] = _resource_diff(logical_id, before, after, old_params, new_params, secrets, region, changed)
    return out


def _resource_diff(
    logical_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    old_params: Mapping[str, Any],
    new_params: Mapping[str, Any],
    secrets: frozenset[str],
    region: str,
    changed: frozenset[str] = frozenset(),
) -> ResourceDiff:
    old_type = before.get("Type") if before else None
    new_type = after.get("Type") if after else None
    if before is None or after is None:
        return ResourceDiff(logical_id, old_type, new_type, ())
    old_props = resolve_parameters(before.get("Properties") or {}, old_params, secrets)
    new_props = resolve_parameters(after.get("Properties") or {}, new_params, secrets, changed)
    rtype = str(new_type)
    changes = tuple(
        PropertyChange(
            path=".".join(path),
            before=None if b is _MISSING else b,
            after=None if a is _MISSING else a,
            forces_replacement=forces_replacement(rtype, path, region),
            sensitive=_mentions(b, MASK) or _mentions(a, MASK),
        )
        for path, b, a in walk(old_props, new_props, ())
    )
    return ResourceDiff(logical_id, old_type, new_type, changes)


def with_defaults(body: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The values CloudFormation uses: given parameters over the template's declared defaults."""
    from iacli_aws.template import cfn_parameter_value

    declared = body.get("Parameters") or {}
    defaults = {
        name: cfn_parameter_value(decl["Default"])
        for name, decl in declared.items()
        if isinstance(decl, dict) and "Default" in decl
    }
    return {**defaults, **params}


def walk(before: Any, after: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Yield (path, before, after) for every leaf that differs; lists of equal length pair by index."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from walk(before.get(key, _MISSING), after.get(key, _MISSING), (*path, str(key)))
    elif isinstance(before, list) and isinstance(after, list) and (keys := _identity(before, after)):
        old_items, new_items = _by_identity(before, keys), _by_identity(after, keys)
        for name in sorted(set(old_items) | set(new_items)):
            yield from walk(old_items.get(name, _MISSING), new_items.get(name, _MISSING), (*path, f"[{name}]"))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after)):
            yield from walk(b, a, (*path, str(index)))
    else:
        yield path, before, after


_IDENTITY_KEYS: tuple[tuple[str, ...], ...] = (
    ("Namespace", "OptionName"), ("Key",), ("Name",), ("AttributeName",), ("PolicyName",), ("Id",),
)


def _identity(before: list[Any], after: list[Any]) -> tuple[str, ...] | None:
    """The keys that name list items (Tags by Key, Beanstalk options by Namespace+OptionName…), if any."""
    items = before + after
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for keys in _IDENTITY_KEYS:
        named = all(all(isinstance(i.get(k), str) for k in keys) for i in items)
        if named and len(_by_identity(before, keys)) == len(before) and len(_by_identity(after, keys)) == len(after):
            return keys
    return None


def _by_identity(items: list[Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {"/".join(str(i[k]) for k in keys): i for i in items}


def resolve_parameters(
    value: Any, params: Mapping[str, Any], secrets: frozenset[str], changed: frozenset[str] = frozenset()
) -> Any:
    """Replace ``{"Ref": Param}`` and ``${Param}`` in ``Fn::Sub`` strings by the parameter's value (a secret
    by :data:`MASK`, or :data:`MASK_NEW` when it is in ``changed``)."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in params:
            return _mask(value["Ref"], changed) if value["Ref"] in secrets else params[value["Ref"]]
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return {"Fn::Sub": _substitute(value["Fn::Sub"], params, secrets, changed)}
        return {k: resolve_parameters(v, params, secrets, changed) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_parameters(v, params, secrets, changed) for v in value]
    return value


def _mask(name: str, changed: frozenset[str]) -> str:
    return MASK_NEW if name in changed else MASK


def _substitute(text: str, params: Mapping[str, Any], secrets: frozenset[str], changed: frozenset[str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        return _mask(name, changed) if name in secrets else str(params[name])

    return _SUB_VAR.sub(repl, text)


def _mentions(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return needle in value
    if isinstance(value, dict):
        return any(_mentions(v, needle) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, needle) for v in value)
    return False


def references(value: Any) -> set[str]:
    """Logical ids a value points at through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found.update(m.split(".")[0] for m in _SUB_VAR.findall(str(text)))
            found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


def parameter_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], secrets: frozenset[str], show_secrets: bool = False,
    changed: frozenset[str] = frozenset(),
) -> tuple[PropertyChange, ...]:
    """Stack parameters that differ; secret values are masked unless ``show_secrets`` (a secret in
    ``changed`` differs from its deployed value, as the engine knows from the release history)."""
    out = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        secret = name in secrets
        if secret and not show_secrets:
            # A deployed NoEcho value reads back masked: the provider can only see a secret appear or
            # disappear; the engine compares salted hashes from the release history for the rest.
            if (before is None) != (after is None):
                out.append(PropertyChange(name, None if before is None else MASK, None if after is None else MASK, sensitive=True))
            elif name in changed and after is not None:
                out.append(PropertyChange(name, MASK, MASK_NEW, sensitive=True))
        elif before != after:
            out.append(PropertyChange(name, before, after, sensitive=secret))
    return tuple(out)
