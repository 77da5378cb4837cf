"""Offline units: template loading, parameter specs, validation rules, tags, what-if normalisation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azp_helpers import app_template
from iacli_azure import changes, template
from iacli_azure.validation import validate

from iacli.blueprint.model import ParamType
from iacli.errors import ParameterError, TemplateError
from iacli.plan import ChangeAction, Risk
from iacli.providers import Deployable, Severity
from iacli.render import RenderedTemplate


def test_load_template_errors_name_the_line() -> None:
    with pytest.raises(TemplateError, match=r"t\.json:3: invalid JSON"):
        template.load_template('{\n "resources": [],\n oops\n}', "t.json")
    with pytest.raises(TemplateError, match="not a resource-group deploymentTemplate"):
        template.load_template(json.dumps({"$schema": "https://x/2018-05-01/subscriptionDeploymentTemplate.json#",
                                           "resources": []}), "s.json")
    assert template.load_template(json.dumps(app_template()), "ok.json")["contentVersion"] == "1.0.0.0"


def test_parameters_map_to_specs() -> None:
    specs = template.template_parameters({"parameters": {
        "name": {"type": "string", "minLength": 3, "maxLength": 24, "metadata": {"description": "the name"}},
        "pw": {"type": "securestring"},
        "count": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 5},
        "size": {"type": "string", "allowedValues": ["S", "M"], "defaultValue": "S"},
        "on": {"type": "bool", "defaultValue": True},
        "zones": {"type": "array", "defaultValue": ["1"]},
        "cfg": {"type": "object", "defaultValue": {"a": 1}},
        "sec": {"type": "secureObject"},
        "loc": {"type": "string", "defaultValue": "[resourceGroup().location]"},
    }})
    assert specs["name"].type is ParamType.STRING and (specs["name"].min_length, specs["name"].max_length) == (3, 24)
    assert specs["name"].description == "the name" and specs["name"].required
    assert specs["pw"].secret and specs["sec"].secret and specs["pw"].required
    assert (specs["count"].type, specs["count"].min, specs["count"].max, specs["count"].default) == (
        ParamType.INTEGER, 1.0, 5.0, 2)
    assert specs["size"].enum == ["S", "M"]
    assert specs["on"].type is ParamType.BOOLEAN and specs["zones"].type is ParamType.LIST
    assert specs["cfg"].type is ParamType.STRING and json.loads(specs["cfg"].default) == {"a": 1}
    assert not specs["loc"].required and specs["loc"].default is None  # ARM evaluates the expression


def test_output_names_are_camel_case() -> None:
    assert template.output_name("api_url") == "apiUrl"
    assert template.output_name("url") == "url"


def test_submission_tags_resources_and_types_parameters() -> None:
    body = app_template()
    body["resources"].append({"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                              "name": "b", "tags": "[parameters('t')]"})
    body["resources"].append({"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
                              "name": "[guid('x')]", "properties": {}})
    body["parameters"]["cfg"] = {"type": "object"}
    sub = template.build_submission(body, "x-dev", {"cfg": '{"a": 1}', "cpu": 2, "loc": None}, frozenset())
    tags = [r.get("tags") for r in sub.body["resources"]]
    assert tags[0] == {"iacli-managed-by": "iacli", "iacli-stack": "x-dev"}
    assert tags[1] == {"team": "web", "iacli-managed-by": "iacli", "iacli-stack": "x-dev"}
    assert tags[2] == "[union(parameters('t'), createObject('iacli-managed-by', 'iacli', 'iacli-stack', 'x-dev'))]"
    assert tags[3] is None
    assert sub.parameters == {"cfg": {"a": 1}, "cpu": 2}
    assert sub.template_hash == template.build_submission(body, "x-dev", {}, frozenset()).template_hash
    with pytest.raises(ParameterError, match="pw"):
        template.build_submission({"parameters": {"pw": {"type": "securestring"}}, "resources": []}, "s", {},
                                  frozenset(), frozenset({"pw"}))


def _deployable(body: dict[str, Any], params: dict[str, Any] | None = None) -> Deployable:
    text = json.dumps(body, indent=1)
    return Deployable("x-dev", RenderedTemplate(Path("t.json"), text, body), params or {"storageName": "abc"})


def test_validate_rules() -> None:
    assert [d for d in validate(_deployable(app_template()), "eastus") if d.severity is Severity.ERROR] == []
    bad = app_template()
    bad["resources"][1]["properties"]["osType"] = "[fancyThing('x')]"
    found = validate(_deployable(bad), "eastus")
    assert [d.rule for d in found] == ["arm-unsupported-function"] and found[0].line is not None
    missing = app_template()
    missing["resources"][1]["dependsOn"] = ["[resourceId('Microsoft.Storage/storageAccounts', 'nope')]"]
    assert [d.rule for d in validate(_deployable(missing), "eastus")] == ["arm-invalid-template"]
    syntax = app_template()
    syntax["outputs"]["x"] = {"type": "string", "value": "[concat('a', )]"}
    assert [d.rule for d in validate(_deployable(syntax), "eastus")] == ["arm-expression-syntax"]
    assert [d.rule for d in validate(_deployable(app_template(), {"storageName": "ab"}), "eastus")] == ["arm-parameter"]


def test_what_if_normalisation() -> None:
    rid = "/subscriptions/0/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/s1"
    delete = changes.from_what_if({"resourceId": rid, "changeType": "Delete", "before": {
        "type": "Microsoft.Storage/storageAccounts"}}, frozenset(), False)
    assert (delete.action, delete.logical_id, delete.risks) == (ChangeAction.DELETE, "s1", frozenset({Risk.DATA_LOSS}))
    for kind in ("Deploy", "Unsupported"):
        unknown = changes.from_what_if({"resourceId": rid, "changeType": kind}, frozenset(), False)
        assert unknown.action is ChangeAction.UNKNOWN and unknown.reason
    for kind in ("NoChange", "Ignore"):
        assert changes.from_what_if({"resourceId": rid, "changeType": kind}, frozenset(), False).action is ChangeAction.NOOP
    assert changes.from_what_if({"resourceId": rid, "changeType": "Ignore"}, frozenset(), True).action is ChangeAction.DELETE
    role = "/subscriptions/0/resourceGroups/g/providers/Microsoft.Authorization/roleAssignments/abc"
    assert Risk.SECURITY in changes.from_what_if({"resourceId": role, "changeType": "Create"}, frozenset(), False).risks
    modify = changes.from_what_if({"resourceId": rid, "changeType": "Modify", "delta": [
        {"path": "properties.containers", "propertyChangeType": "Array", "children": [
            {"path": "0", "propertyChangeType": "Modify", "children": [
                {"path": "properties.environmentVariables.0.value", "propertyChangeType": "Modify",
                 "before": "old-s3cret", "after": "new"},
                {"path": "properties.resources.requests.cpu", "propertyChangeType": "Modify", "before": 1, "after": 2},
                {"path": "properties.provisioningState", "propertyChangeType": "NoEffect", "before": "a", "after": "b"},
            ]}]}]}, frozenset({"old-s3cret"}), False)
    assert [(p.path, p.before, p.after, p.sensitive) for p in modify.properties] == [
        ("properties.containers.0.properties.environmentVariables.0.value", "(sensitive)", "(sensitive)", True),
        ("properties.containers.0.properties.resources.requests.cpu", 1, 2, False),
    ]
