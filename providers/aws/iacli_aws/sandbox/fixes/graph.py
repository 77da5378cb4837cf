"""Dependencies between the resources of a template: Ref, Fn::GetAtt, Fn::Sub and DependsOn."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def references(node: Any) -> set[str]:
    """Names a template fragment refers to (resources, parameters or pseudo parameters)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            found |= _references_of(key, value)
    return found


def _references_of(key: str, value: Any) -> set[str]:
    if key == "Ref" and isinstance(value, str):
        return {value}
    if key == "Fn::GetAtt":
        target = value.split(".", 1)[0] if isinstance(value, str) else value[0]
        return {target} if isinstance(target, str) else references(value)
    if key == "Fn::Sub":
        template, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
        names = {match.split(".", 1)[0] for match in _SUB_VARIABLE.findall(template)}
        return (names - set(variables)) | references(variables)
    return references(value)


def dependencies(resource: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """Resources among ``names`` that ``resource`` (a template resource entry) depends on."""
    depends_on = resource.get("DependsOn") or []
    explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    return (references(resource.get("Properties")) | explicit) & set(names)


def topological_order(
    resources: Mapping[str, Mapping[str, Any]], subset: Iterable[str] | None = None
) -> list[str]:
    """``subset`` (default: all resources) ordered so that dependencies come first; ties keep template order.

    A dependency cycle (CloudFormation rejects those) is broken at an arbitrary point rather than looping.
    """
    wanted = list(resources) if subset is None else [n for n in resources if n in set(subset)]
    graph = {name: dependencies(resources[name], resources) for name in resources}
    ordered: list[str] = []
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name in visiting:
            return
        visiting.add(name)
        for dependency in sorted(graph.get(name, ())):
            visit(dependency)
        visiting.discard(name)
        done.add(name)
        ordered.append(name)

    for name in wanted:
        visit(name)
    chosen = set(wanted)
    return [name for name in ordered if name in chosen]
