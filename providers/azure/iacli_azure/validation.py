"""Offline checks of an ARM template: structure, expressions and functions, then evaluation.

| rule | what |
|---|---|
| ``arm-schema`` | ``$schema``/``contentVersion`` missing or not a resource-group deploymentTemplate |
| ``arm-resource`` | a resource without ``type``/``apiVersion``/``name`` or not an object |
| ``arm-expression-syntax`` | a ``[...]`` expression that does not parse |
| ``arm-unsupported-function`` | a function the evaluator does not know or cannot run offline |
| ``arm-parameter`` | a parameter value the template refuses |
| ``arm-invalid-template`` | ARM would refuse the template (unknown dependsOn, duplicates, bad copy...) |
| ``arm-dependency-cycle`` | ``dependsOn`` (or variables) form a cycle |
| ``arm-unsupported-feature`` | a template feature iacli cannot evaluate offline |
| ``arm-evaluation`` | an expression fails to evaluate (names, conditions, copy counts) |
| ``arm-assets`` | the template ships code assets but has no valid ``metadata.iacliAssets`` (where they go) |
| ``arm-static-website`` | ``metadata.iacliStaticWebsite`` (the static website iacli turns on) is malformed |
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from iacli.providers import Deployable, Diagnostic, Severity
from iacli_azure.packages import missing_metadata
from iacli_azure.template import is_group_schema, line_of
from iacli_azure.website import METADATA as WEBSITE_METADATA
from iacli_azure.website import malformed_website

_UNEVALUATED = frozenset({"$schema", "contentversion", "metadata", "apiprofile", "languageversion"})


def validate(deployable: Deployable, location: str) -> list[Diagnostic]:
    body = deployable.template.body
    text = deployable.template.text
    source = str(deployable.template.source)
    found: list[Diagnostic] = []

    def add(rule: str, message: str, path: str = "", needle: str | None = None,
            severity: Severity = Severity.ERROR) -> None:
        found.append(Diagnostic(rule, severity, message, path, line_of(text, needle) if needle else None, source))

    schema = str(body.get("$schema", ""))
    if not schema:
        add("arm-schema", "the template has no $schema (expected .../2019-04-01/deploymentTemplate.json#)",
            severity=Severity.WARNING)
    elif not is_group_schema(schema):
        add("arm-schema", f"$schema {schema!r} is not a resource-group deploymentTemplate", "$schema", "$schema")
    if "contentVersion" not in body:
        add("arm-schema", "the template has no contentVersion", severity=Severity.WARNING)
    resources = body.get("resources")
    items = list(resources.items()) if isinstance(resources, dict) else list(enumerate(resources or []))
    for key, resource in items:
        path = f"resources[{key}]"
        if not isinstance(resource, dict):
            add("arm-resource", "a resource must be an object", path)
            continue
        for member in ("type", "apiVersion", "name"):
            if member not in resource and not (member == "name" and resource.get("existing")):
                add("arm-resource", f"resource {resource.get('name', key)!r} has no {member}", path,
                    str(resource.get("name")) if resource.get("name") else None)
    _check_expressions(body, add)
    assets_problem = missing_metadata(body, deployable.template.assets, source)
    if assets_problem is not None:
        add("arm-assets", assets_problem, "metadata")
    website_problem = malformed_website(body, source)
    if website_problem is not None:
        add("arm-static-website", website_problem, f"metadata.{WEBSITE_METADATA}", WEBSITE_METADATA)
    if not any(d.severity is Severity.ERROR for d in found):
        _evaluate(deployable, location, add)
    return found


def _check_expressions(body: Mapping[str, Any], add: Any) -> None:
    from iacli_azure.arm import ArmTemplateError, parse_template_string
    from iacli_azure.arm.expressions import FunctionCall, IndexAccess, PropertyAccess
    from iacli_azure.arm.functions import lookup_function

    def calls(expr: Any) -> Iterator[FunctionCall]:
        if isinstance(expr, FunctionCall):
            yield expr
            for argument in expr.args:
                yield from calls(argument)
        elif isinstance(expr, PropertyAccess):
            yield from calls(expr.target)
        elif isinstance(expr, IndexAccess):
            yield from calls(expr.target)
            yield from calls(expr.index)

    user = {f"{ns.get('namespace')}.{name}".lower()
            for ns in body.get("functions") or [] if isinstance(ns, dict)
            for name in (ns.get("members") or {})}
    for path, text in _expressions(body, ""):
        try:
            parsed = parse_template_string(text)
        except ArmTemplateError as exc:
            add("arm-expression-syntax", f"{exc} (at {path})", path, text)
            continue
        if isinstance(parsed, str):
            continue
        for call in calls(parsed):
            if "." in call.name:
                if call.name.lower() not in user:
                    add("arm-unsupported-function", f"user function {call.name!r} is not defined (at {path})",
                        path, text)
                continue
            try:
                lookup_function(call.name)
            except ArmTemplateError as exc:
                add("arm-unsupported-function", f"{exc} (at {path})", path, text)


def _expressions(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if value.startswith("[") and not value.startswith("[[") and value.endswith("]"):
            yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _expressions(item, f"{path}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in _UNEVALUATED:
                continue
            yield from _expressions(item, f"{path}.{key}" if path else str(key))


def _placeholder(decl: Mapping[str, Any]) -> Any:
    """A value that satisfies a parameter's declaration, for checking without the real (secret) one."""
    allowed = decl.get("allowedValues")
    if isinstance(allowed, list) and allowed:
        return allowed[0]
    kind = str(decl.get("type", "string")).lower()
    if kind == "int":
        return int(decl.get("minValue", 1))
    if kind == "bool":
        return False
    if kind == "array":
        return []
    if kind in ("object", "secureobject"):
        return {}
    return "x" * max(int(decl.get("minLength", 1)), 1)


def _evaluate(deployable: Deployable, location: str, add: Any) -> None:
    from iacli_azure import arm
    from iacli_azure.template import build_submission

    body = deployable.template.body
    try:
        submission = build_submission(body, deployable.stack, deployable.parameters, deployable.secret_parameters)
    except Exception as exc:  # noqa: BLE001 - reported as a finding
        add("arm-parameter", str(getattr(exc, "message", exc)))
        return
    values = dict(submission.parameters)
    for name, decl in (body.get("parameters") or {}).items():
        if name not in values and isinstance(decl, dict) and "defaultValue" not in decl:
            values[name] = _placeholder(decl)
    rules: list[tuple[type[Exception], str]] = [
        (arm.ParameterValidationError, "arm-parameter"),
        (arm.DependencyCycleError, "arm-dependency-cycle"),
        (arm.UnsupportedFunctionError, "arm-unsupported-function"),
        (arm.UnsupportedTemplateFeatureError, "arm-unsupported-feature"),
        (arm.TemplateValidationError, "arm-invalid-template"),
        (arm.ExpressionSyntaxError, "arm-expression-syntax"),
        (arm.ArmTemplateError, "arm-evaluation"),
    ]
    try:
        ctx = arm.EvaluationContext.create(
            submission.body, values, resource_group=arm.ResourceGroupInfo(deployable.stack, location))
        arm.expand_resources(submission.body, ctx)
    except arm.ArmTemplateError as exc:
        rule = next(r for cls, r in rules if isinstance(exc, cls))
        add(rule, str(exc))
