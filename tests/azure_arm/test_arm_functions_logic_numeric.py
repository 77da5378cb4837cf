"""Comparison, logical and numeric functions, tested with the examples of Microsoft's documentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from iacli_azure.arm import (
    EvaluationContext,
    EvaluationError,
    FunctionArgumentError,
    ListRequest,
    ReferenceRequest,
    evaluate_outputs,
    expand_resources,
)

Outputs = Callable[..., dict[str, Any]]
Eval = Callable[..., Any]

_COMPARE_PARAMETERS = {
    "firstInt": {"type": "int", "defaultValue": 1},
    "secondInt": {"type": "int", "defaultValue": 2},
    "firstString": {"type": "string", "defaultValue": "A"},
    "secondString": {"type": "string", "defaultValue": "a"},
}


def _template(outputs: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"parameters": parameters or {}, "resources": [], "outputs": outputs}


def _compare_template(function: str) -> dict[str, Any]:
    return _template(
        parameters=_COMPARE_PARAMETERS,
        outputs={
            "checkInts": {
                "type": "bool",
                "value": f"[{function}(parameters('firstInt'), parameters('secondInt') )]",
            },
            "checkStrings": {
                "type": "bool",
                "value": f"[{function}(parameters('firstString'), parameters('secondString'))]",
            },
        },
    )


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison#coalesce
def test_coalesce(arm_outputs: Outputs) -> None:
    obj = "parameters('objectToTest')"
    template = _template(
        parameters={
            "objectToTest": {
                "type": "object",
                "defaultValue": {
                    "null1": None,
                    "null2": None,
                    "string": "default",
                    "int": 1,
                    "object": {"first": "default"},
                    "array": [1],
                },
            }
        },
        outputs={
            "stringOutput": {
                "type": "string",
                "value": f"[coalesce({obj}.null1, {obj}.null2, {obj}.string)]",
            },
            "intOutput": {"type": "int", "value": f"[coalesce({obj}.null1, {obj}.null2, {obj}.int)]"},
            "objectOutput": {
                "type": "object",
                "value": f"[coalesce({obj}.null1, {obj}.null2, {obj}.object)]",
            },
            "arrayOutput": {"type": "array", "value": f"[coalesce({obj}.null1, {obj}.null2, {obj}.array)]"},
            "emptyOutput": {"type": "bool", "value": f"[empty(coalesce({obj}.null1, {obj}.null2))]"},
        },
    )
    assert arm_outputs(template) == {
        "stringOutput": "default",
        "intOutput": 1,
        "objectOutput": {"first": "default"},
        "arrayOutput": [1],
        "emptyOutput": True,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison#equals
def test_equals(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "firstInt": {"type": "int", "defaultValue": 1},
            "secondInt": {"type": "int", "defaultValue": 1},
            "firstString": {"type": "string", "defaultValue": "a"},
            "secondString": {"type": "string", "defaultValue": "a"},
            "firstArray": {"type": "array", "defaultValue": ["a", "b"]},
            "secondArray": {"type": "array", "defaultValue": ["a", "b"]},
            "firstObject": {"type": "object", "defaultValue": {"a": "b"}},
            "secondObject": {"type": "object", "defaultValue": {"a": "b"}},
        },
        outputs={
            "checkInts": {
                "type": "bool",
                "value": "[equals(parameters('firstInt'), parameters('secondInt') )]",
            },
            "checkStrings": {
                "type": "bool",
                "value": "[equals(parameters('firstString'), parameters('secondString'))]",
            },
            "checkArrays": {
                "type": "bool",
                "value": "[equals(parameters('firstArray'), parameters('secondArray'))]",
            },
            "checkObjects": {
                "type": "bool",
                "value": "[equals(parameters('firstObject'), parameters('secondObject'))]",
            },
            "checkNotEquals": {"type": "bool", "value": "[not(equals(1, 2))]"},
        },
    )
    assert arm_outputs(template) == {
        "checkInts": True,
        "checkStrings": True,
        "checkArrays": True,
        "checkObjects": True,
        "checkNotEquals": True,
    }


def test_equals_is_case_sensitive_and_type_strict(arm_eval: Eval) -> None:
    assert arm_eval("[equals('a', 'A')]") is False
    assert arm_eval("[equals(1, '1')]") is False
    assert arm_eval("[equals(true(), 1)]") is False


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison#greater
# ... #greaterorequals, #less, #lessorequals ('A' sorts after 'a', as .NET's culture-aware comparison does)
@pytest.mark.parametrize(
    ("function", "ints", "strings"),
    [
        ("greater", False, True),
        ("greaterOrEquals", False, True),
        ("less", True, False),
        ("lessOrEquals", True, False),
    ],
)
def test_comparisons(arm_outputs: Outputs, function: str, ints: bool, strings: bool) -> None:
    assert arm_outputs(_compare_template(function)) == {"checkInts": ints, "checkStrings": strings}


def test_comparison_type_mismatch(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="two integers or two strings"):
        arm_eval("[less(1, 'a')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#and
# (#or and #not use the same example)
def test_and_or_not(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "andExampleOutput": {"value": "[and(bool('true'), bool('false'))]", "type": "bool"},
            "orExampleOutput": {"value": "[or(bool('true'), bool('false'))]", "type": "bool"},
            "notExampleOutput": {"value": "[not(bool('true'))]", "type": "bool"},
        }
    )
    assert arm_outputs(template) == {
        "andExampleOutput": False,
        "orExampleOutput": True,
        "notExampleOutput": False,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#bool
def test_bool(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "trueString": {"value": "[bool('true')]", "type": "bool"},
            "falseString": {"value": "[bool('false')]", "type": "bool"},
            "trueInt": {"value": "[bool(1)]", "type": "bool"},
            "falseInt": {"value": "[bool(0)]", "type": "bool"},
        }
    )
    assert arm_outputs(template) == {
        "trueString": True,
        "falseString": False,
        "trueInt": True,
        "falseInt": False,
    }


def test_true_false_functions_and_bool_errors(arm_eval: Eval) -> None:
    assert arm_eval("[and(true(), not(false()))]") is True
    with pytest.raises(FunctionArgumentError, match="bool"):
        arm_eval("[bool('yes')]")
    with pytest.raises(FunctionArgumentError, match="'and' expects argument 2 to be a boolean"):
        arm_eval("[and(true(), 'x')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#if
def test_if(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "yesOutput": {"type": "string", "value": "[if(equals('a', 'a'), 'yes', 'no')]"},
            "noOutput": {"type": "string", "value": "[if(equals('a', 'b'), 'yes', 'no')]"},
            "objectOutput": {
                "type": "object",
                "value": "[if(equals('a', 'a'), json('{\"test\": \"value1\"}'), json('null'))]",
            },
        }
    )
    assert arm_outputs(template) == {"yesOutput": "yes", "noOutput": "no", "objectOutput": {"test": "value1"}}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#if
# (second example, conditionWithReference.json: only the chosen branch is evaluated)
_CONDITION_WITH_REFERENCE: dict[str, Any] = {
    "parameters": {
        "vmName": {"type": "string"},
        "location": {"type": "string"},
        "logAnalytics": {"type": "string", "defaultValue": ""},
    },
    "resources": [
        {
            "condition": "[not(empty(parameters('logAnalytics')))]",
            "name": "[concat(parameters('vmName'),'/omsOnboarding')]",
            "type": "Microsoft.Compute/virtualMachines/extensions",
            "location": "[parameters('location')]",
            "apiVersion": "2017-03-30",
            "properties": {
                "publisher": "Microsoft.EnterpriseCloud.Monitoring",
                "type": "MicrosoftMonitoringAgent",
                "typeHandlerVersion": "1.0",
                "autoUpgradeMinorVersion": True,
                "settings": {
                    "workspaceId": (
                        "[if(not(empty(parameters('logAnalytics'))), "
                        "reference(parameters('logAnalytics'), '2015-11-01-preview').customerId, json('null'))]"
                    )
                },
                "protectedSettings": {
                    "workspaceKey": (
                        "[if(not(empty(parameters('logAnalytics'))), "
                        "listKeys(parameters('logAnalytics'), '2015-11-01-preview').primarySharedKey, json('null'))]"
                    )
                },
            },
        }
    ],
    "outputs": {
        "mgmtStatus": {
            "type": "string",
            "value": (
                "[if(not(empty(parameters('logAnalytics'))), 'Enabled monitoring for VM!', 'Nothing to enable')]"
            ),
        }
    },
}


def _failing_resolver(request: object) -> Any:
    raise AssertionError(f"must not be called: {request}")


def test_if_is_lazy_so_reference_is_never_called() -> None:
    ctx = EvaluationContext.create(
        _CONDITION_WITH_REFERENCE,
        {"vmName": "vm1", "location": "westus"},
        reference_resolver=_failing_resolver,
        list_resolver=_failing_resolver,
    )
    assert expand_resources(_CONDITION_WITH_REFERENCE, ctx) == []  # condition false
    assert evaluate_outputs(_CONDITION_WITH_REFERENCE, ctx) == {
        "mgmtStatus": {"type": "String", "value": "Nothing to enable"}
    }
    workspace = ctx.evaluate  # evaluating the property expression directly must not call the resolvers either
    from iacli_azure.arm import parse_template_string

    expr = parse_template_string(
        _CONDITION_WITH_REFERENCE["resources"][0]["properties"]["settings"]["workspaceId"]
    )
    assert not isinstance(expr, str)
    assert workspace(expr) is None


def test_if_chosen_branch_calls_reference_and_listkeys() -> None:
    workspace_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws"
    seen: list[object] = []

    def reference(request: ReferenceRequest) -> Any:
        seen.append(request)
        return {"customerId": "cust-1"}

    def list_keys(request: ListRequest) -> Any:
        seen.append(request)
        return {"primarySharedKey": "key-1"}

    ctx = EvaluationContext.create(
        _CONDITION_WITH_REFERENCE,
        {"vmName": "vm1", "location": "westus", "logAnalytics": workspace_id},
        reference_resolver=reference,
        list_resolver=list_keys,
    )
    (resource,) = expand_resources(_CONDITION_WITH_REFERENCE, ctx)
    properties = resource.evaluate_properties()
    assert isinstance(properties, dict)
    assert properties["settings"] == {"workspaceId": "cust-1"}
    assert properties["protectedSettings"] == {"workspaceKey": "key-1"}
    assert seen == [
        ReferenceRequest(workspace_id, "2015-11-01-preview", False, workspace_id),
        ListRequest("listKeys", workspace_id, "2015-11-01-preview", None, workspace_id),
    ]


def test_and_or_coalesce_short_circuit(arm_eval: Eval) -> None:
    assert arm_eval("[and(false(), reference('x').y)]") is False
    assert arm_eval("[or(true(), reference('x').y)]") is True
    assert arm_eval("[coalesce('first', reference('x').y)]") == "first"


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric
@pytest.mark.parametrize(
    ("function", "first", "second", "expected"),
    [("add", 5, 3, 8), ("div", 8, 3, 2), ("mod", 7, 3, 1), ("mul", 5, 3, 15), ("sub", 7, 3, 4)],
)
def test_arithmetic_doc_examples(
    arm_outputs: Outputs, function: str, first: int, second: int, expected: int
) -> None:
    template = _template(
        parameters={
            "first": {"type": "int", "defaultValue": first},
            "second": {"type": "int", "defaultValue": second},
        },
        outputs={
            "result": {"type": "int", "value": f"[{function}(parameters('first'), parameters('second'))]"}
        },
    )
    assert arm_outputs(template) == {"result": expected}


def test_integer_division_truncates_toward_zero(arm_eval: Eval) -> None:
    assert arm_eval("[div(-7, 2)]") == -3
    assert arm_eval("[mod(-7, 2)]") == -1
    with pytest.raises(FunctionArgumentError, match="divide by zero"):
        arm_eval("[div(1, 0)]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric#int
def test_int(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"stringToConvert": {"type": "string", "defaultValue": "4"}},
        outputs={"intResult": {"type": "int", "value": "[int(parameters('stringToConvert'))]"}},
    )
    assert arm_outputs(template) == {"intResult": 4}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric#float
def test_float(arm_eval: Eval) -> None:
    assert arm_eval("[float('3.0')]") == 3.0
    assert arm_eval("[float(3)]") == 3.0


def test_numeric_functions_reject_strings(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="'add' expects argument 2 to be an integer"):
        arm_eval("[add(1, '2')]")
