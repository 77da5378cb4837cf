"""String functions, tested with the examples of Microsoft's documentation.

Unless noted, the templates and expected outputs come from
https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string
(sample templates: https://github.com/Azure/azure-docs-json-samples/tree/master/azure-resource-manager/functions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from iacli_azure.arm import EvaluationContext, EvaluationError, FunctionArgumentError, evaluate_outputs

Outputs = Callable[..., dict[str, Any]]
Eval = Callable[..., Any]


def _template(
    outputs: dict[str, Any], parameters: dict[str, Any] | None = None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "variables": variables or {},
        "resources": [],
        "outputs": outputs,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#base64
# (also base64ToString and base64ToJson; the JSON input uses single quotes, as Newtonsoft accepts)
def test_base64_base64tostring_base64tojson(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "stringData": {"type": "string", "defaultValue": "one, two, three"},
            "jsonFormattedData": {"type": "string", "defaultValue": "{'one': 'a', 'two': 'b'}"},
        },
        variables={
            "base64String": "[base64(parameters('stringData'))]",
            "base64Object": "[base64(parameters('jsonFormattedData'))]",
        },
        outputs={
            "base64Output": {"type": "string", "value": "[variables('base64String')]"},
            "toStringOutput": {"type": "string", "value": "[base64ToString(variables('base64String'))]"},
            "toJsonOutput": {"type": "object", "value": "[base64ToJson(variables('base64Object'))]"},
        },
    )
    assert arm_outputs(template) == {
        "base64Output": "b25lLCB0d28sIHRocmVl",
        "toStringOutput": "one, two, three",
        "toJsonOutput": {"one": "a", "two": "b"},
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#concat
def test_concat_strings(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"prefix": {"type": "string", "defaultValue": "prefix"}},
        outputs={
            "concatOutput": {
                "type": "string",
                "value": "[concat(parameters('prefix'), '-', uniqueString(resourceGroup().id))]",
            }
        },
    )
    value = arm_outputs(template)["concatOutput"]
    # The docs show prefix-5yj4yjf5mbg72 for their resource group; the suffix depends on the id.
    assert value.startswith("prefix-") and len(value) == len("prefix-") + 13


def test_concat_mixes_numbers_into_strings(arm_eval: Eval) -> None:
    # copy-outputs.md uses concat(copyIndex(), variables('baseName'))
    assert arm_eval("[concat(1, 'storage', true())]") == "1storageTrue"


def test_concat_rejects_arrays_mixed_with_strings(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="concat"):
        arm_eval("[concat('a', createArray(1))]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#contains
def test_contains(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "stringToTest": {"type": "string", "defaultValue": "OneTwoThree"},
            "objectToTest": {"type": "object", "defaultValue": {"one": "a", "two": "b", "three": "c"}},
            "arrayToTest": {"type": "array", "defaultValue": ["one", "two", "three"]},
        },
        outputs={
            "stringTrue": {"type": "bool", "value": "[contains(parameters('stringToTest'), 'e')]"},
            "stringFalse": {"type": "bool", "value": "[contains(parameters('stringToTest'), 'z')]"},
            "objectTrue": {"type": "bool", "value": "[contains(parameters('objectToTest'), 'one')]"},
            "objectFalse": {"type": "bool", "value": "[contains(parameters('objectToTest'), 'a')]"},
            "arrayTrue": {"type": "bool", "value": "[contains(parameters('arrayToTest'), 'three')]"},
            "arrayFalse": {"type": "bool", "value": "[contains(parameters('arrayToTest'), 'four')]"},
        },
    )
    assert arm_outputs(template) == {
        "stringTrue": True,
        "stringFalse": False,
        "objectTrue": True,
        "objectFalse": False,
        "arrayTrue": True,
        "arrayFalse": False,
    }


def test_contains_string_is_case_sensitive_object_key_is_not(arm_eval: Eval) -> None:
    assert arm_eval("[contains('OneTwoThree', 'one')]") is False
    assert arm_eval("[contains(createObject('One', 1), 'ONE')]") is True


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#datauri
def test_datauri_and_datauritostring(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "stringToTest": {"type": "string", "defaultValue": "Hello"},
            "dataFormattedString": {"type": "string", "defaultValue": "data:;base64,SGVsbG8sIFdvcmxkIQ=="},
        },
        outputs={
            "dataUriOutput": {"value": "[dataUri(parameters('stringToTest'))]", "type": "string"},
            "toStringOutput": {
                "type": "string",
                "value": "[dataUriToString(parameters('dataFormattedString'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "dataUriOutput": "data:text/plain;charset=utf8;base64,SGVsbG8=",
        "toStringOutput": "Hello, World!",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#empty
def test_empty(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "testArray": {"type": "array", "defaultValue": []},
            "testObject": {"type": "object", "defaultValue": {}},
            "testString": {"type": "string", "defaultValue": ""},
        },
        outputs={
            "arrayEmpty": {"type": "bool", "value": "[empty(parameters('testArray'))]"},
            "objectEmpty": {"type": "bool", "value": "[empty(parameters('testObject'))]"},
            "stringEmpty": {"type": "bool", "value": "[empty(parameters('testString'))]"},
        },
    )
    assert arm_outputs(template) == {"arrayEmpty": True, "objectEmpty": True, "stringEmpty": True}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#startswith
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#endswith
def test_startswith_endswith(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "startsTrue": {"type": "bool", "value": "[startsWith('abcdef', 'ab')]"},
            "startsCapTrue": {"type": "bool", "value": "[startsWith('abcdef', 'A')]"},
            "startsFalse": {"type": "bool", "value": "[startsWith('abcdef', 'e')]"},
            "endsTrue": {"type": "bool", "value": "[endsWith('abcdef', 'ef')]"},
            "endsCapTrue": {"type": "bool", "value": "[endsWith('abcdef', 'F')]"},
            "endsFalse": {"type": "bool", "value": "[endsWith('abcdef', 'e')]"},
        }
    )
    assert arm_outputs(template) == {
        "startsTrue": True,
        "startsCapTrue": True,
        "startsFalse": False,
        "endsTrue": True,
        "endsCapTrue": True,
        "endsFalse": False,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#first
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#last
def test_first_and_last(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"arrayToTest": {"type": "array", "defaultValue": ["one", "two", "three"]}},
        outputs={
            "arrayFirst": {"type": "string", "value": "[first(parameters('arrayToTest'))]"},
            "stringFirst": {"type": "string", "value": "[first('One Two Three')]"},
            "arrayLast": {"type": "string", "value": "[last(parameters('arrayToTest'))]"},
            "stringLast": {"type": "string", "value": "[last('One Two Three')]"},
        },
    )
    assert arm_outputs(template) == {
        "arrayFirst": "one",
        "stringFirst": "O",
        "arrayLast": "three",
        "stringLast": "e",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#format
def test_format(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "greeting": {"type": "string", "defaultValue": "Hello"},
            "name": {"type": "string", "defaultValue": "User"},
            "numberToFormat": {"type": "int", "defaultValue": 8175133},
        },
        outputs={
            "formatTest": {
                "type": "string",
                "value": (
                    "[format('{0}, {1}. Formatted number: {2:N0}', parameters('greeting'), "
                    "parameters('name'), parameters('numberToFormat'))]"
                ),
            }
        },
    )
    assert arm_outputs(template) == {"formatTest": "Hello, User. Formatted number: 8,175,133"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[format('{0:D5}', 42)]", "00042"),
        ("[format('{0:N2}', 1234)]", "1,234.00"),
        ("[format('{0:X}', 255)]", "FF"),
        ("[format('{0:x4}', 255)]", "00ff"),
        ("[format('{0:000}', 7)]", "007"),
        ("[format('{0:#,##0}', 1234567)]", "1,234,567"),
        ("[format('{0,5}|{1,-3}|', 'ab', 'c')]", "   ab|c  |"),
        ("[format('{{literal}} {0}', true())]", "{literal} True"),
        ("[format('{0}-{0}', 'x')]", "x-x"),
        ("[format('{0:P1}', json('0.256'))]", "25.6 %"),
    ],
)
def test_format_dotnet_specifiers(arm_eval: Eval, expression: str, expected: str) -> None:
    assert arm_eval(expression) == expected


def test_format_index_out_of_range(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="Index"):
        arm_eval("[format('{1}', 'a')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#indexof
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#lastindexof
def test_indexof_lastindexof(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "firstT": {"type": "int", "value": "[indexOf('test', 't')]"},
            "lastT": {"type": "int", "value": "[lastIndexOf('test', 't')]"},
            "firstString": {"type": "int", "value": "[indexOf('abcdef', 'CD')]"},
            "lastString": {"type": "int", "value": "[lastIndexOf('abcdef', 'AB')]"},
            "notFound": {"type": "int", "value": "[indexOf('abcdef', 'z')]"},
        }
    )
    assert arm_outputs(template) == {
        "firstT": 0,
        "lastT": 3,
        "firstString": 2,
        "lastString": 0,
        "notFound": -1,
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#length
def test_length(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "arrayToTest": {"type": "array", "defaultValue": ["one", "two", "three"]},
            "stringToTest": {"type": "string", "defaultValue": "One Two Three"},
            "objectToTest": {
                "type": "object",
                "defaultValue": {
                    "propA": "one",
                    "propB": "two",
                    "propC": "three",
                    "propD": {"propD-1": "sub", "propD-2": "sub"},
                },
            },
        },
        outputs={
            "arrayLength": {"type": "int", "value": "[length(parameters('arrayToTest'))]"},
            "stringLength": {"type": "int", "value": "[length(parameters('stringToTest'))]"},
            "objectLength": {"type": "int", "value": "[length(parameters('objectToTest'))]"},
        },
    )
    assert arm_outputs(template) == {"arrayLength": 3, "stringLength": 13, "objectLength": 4}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#newguid
def test_newguid_in_parameter_default(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"guidValue": {"type": "string", "defaultValue": "[newGuid()]"}},
        outputs={"guidOutput": {"type": "string", "value": "[parameters('guidValue')]"}},
    )
    first = arm_outputs(template, guid_factory=lambda: "b76a51fc-bd72-4a77-b9a2-3c29e7d2e551")
    assert first == {"guidOutput": "b76a51fc-bd72-4a77-b9a2-3c29e7d2e551"}
    default = arm_outputs(template)["guidOutput"]
    assert len(default) == 36 and default == arm_outputs(template)["guidOutput"]  # deterministic by default


def test_newguid_outside_parameter_defaults_is_an_error(arm_eval: Eval) -> None:
    with pytest.raises(EvaluationError, match="newGuid"):
        arm_eval("[newGuid()]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#padleft
def test_padleft(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"testString": {"type": "string", "defaultValue": "123"}},
        outputs={"stringOutput": {"type": "string", "value": "[padLeft(parameters('testString'),10,'0')]"}},
    )
    assert arm_outputs(template) == {"stringOutput": "0000000123"}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#replace
def test_replace(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"testString": {"type": "string", "defaultValue": "123-123-1234"}},
        outputs={
            "firstOutput": {"type": "string", "value": "[replace(parameters('testString'),'-', '')]"},
            "secondOutput": {"type": "string", "value": "[replace(parameters('testString'),'1234', 'xxxx')]"},
        },
    )
    assert arm_outputs(template) == {"firstOutput": "1231231234", "secondOutput": "123-123-xxxx"}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#skip
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#take
def test_skip_and_take(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "testArray": {"type": "array", "defaultValue": ["one", "two", "three"]},
            "testString": {"type": "string", "defaultValue": "one two three"},
        },
        outputs={
            "skipArray": {"type": "array", "value": "[skip(parameters('testArray'), 2)]"},
            "skipString": {"type": "string", "value": "[skip(parameters('testString'), 4)]"},
            "takeArray": {"type": "array", "value": "[take(parameters('testArray'), 2)]"},
            "takeString": {"type": "string", "value": "[take(parameters('testString'), 2)]"},
            "takeNegative": {"type": "array", "value": "[take(parameters('testArray'), -1)]"},
            "skipTooMany": {"type": "string", "value": "[skip(parameters('testString'), 99)]"},
        },
    )
    assert arm_outputs(template) == {
        "skipArray": ["three"],
        "skipString": "two three",
        "takeArray": ["one", "two"],
        "takeString": "on",
        "takeNegative": [],
        "skipTooMany": "",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#split
def test_split(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "firstString": {"type": "string", "defaultValue": "one,two,three"},
            "secondString": {"type": "string", "defaultValue": "one;two,three"},
        },
        variables={"delimiters": [",", ";"]},
        outputs={
            "firstOutput": {"type": "array", "value": "[split(parameters('firstString'),',')]"},
            "secondOutput": {
                "type": "array",
                "value": "[split(parameters('secondString'),variables('delimiters'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "firstOutput": ["one", "two", "three"],
        "secondOutput": ["one", "two", "three"],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#string
def test_string(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "testObject": {"type": "object", "defaultValue": {"valueA": 10, "valueB": "Example Text"}},
            "testArray": {"type": "array", "defaultValue": ["a", "b", "c"]},
            "testInt": {"type": "int", "defaultValue": 5},
        },
        outputs={
            "objectOutput": {"type": "string", "value": "[string(parameters('testObject'))]"},
            "arrayOutput": {"type": "string", "value": "[string(parameters('testArray'))]"},
            "intOutput": {"type": "string", "value": "[string(parameters('testInt'))]"},
        },
    )
    assert arm_outputs(template) == {
        "objectOutput": '{"valueA":10,"valueB":"Example Text"}',
        "arrayOutput": '["a","b","c"]',
        "intOutput": "5",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#substring
def test_substring(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"testString": {"type": "string", "defaultValue": "one two three"}},
        outputs={
            "substringOutput": {"value": "[substring(parameters('testString'), 4, 3)]", "type": "string"}
        },
    )
    assert arm_outputs(template) == {"substringOutput": "two"}


def test_substring_out_of_range_error_message_from_docs(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError) as info:
        arm_eval("[substring('1234567890', 0, 11)]")
    assert (
        "The index and length parameters must refer to a location within the string. The index parameter: '0', "
        "the length parameter: '11', the length of the string parameter: '10'."
    ) in str(info.value)


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#tolower
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#toupper
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#trim
def test_tolower_toupper_trim(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "testString": {"type": "string", "defaultValue": "One Two Three"},
            "paddedString": {"type": "string", "defaultValue": "    one two three   "},
        },
        outputs={
            "toLowerOutput": {"type": "string", "value": "[toLower(parameters('testString'))]"},
            "toUpperOutput": {"type": "string", "value": "[toUpper(parameters('testString'))]"},
            "return": {"type": "string", "value": "[trim(parameters('paddedString'))]"},
        },
    )
    assert arm_outputs(template) == {
        "toLowerOutput": "one two three",
        "toUpperOutput": "ONE TWO THREE",
        "return": "one two three",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#uri
@pytest.mark.parametrize(
    ("base", "relative", "expected"),
    [
        ("http://contoso.org/firstpath", "myscript.sh", "http://contoso.org/myscript.sh"),
        ("http://contoso.org/firstpath/", "myscript.sh", "http://contoso.org/firstpath/myscript.sh"),
        (
            "http://contoso.org/firstpath/azuredeploy.json",
            "myscript.sh",
            "http://contoso.org/firstpath/myscript.sh",
        ),
        (
            "http://contoso.org/firstpath/azuredeploy.json/",
            "myscript.sh",
            "http://contoso.org/firstpath/azuredeploy.json/myscript.sh",
        ),
    ],
)
def test_uri_remarks_examples(arm_eval: Eval, base: str, relative: str, expected: str) -> None:
    assert arm_eval(f"[uri('{base}', '{relative}')]") == expected


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#uricomponent
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#uricomponenttostring
def test_uri_uricomponent_uricomponenttostring(arm_outputs: Outputs) -> None:
    template = _template(
        variables={
            "uriFormat": "[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
            "uriEncoded": "[uriComponent(variables('uriFormat'))]",
        },
        outputs={
            "uriOutput": {"type": "string", "value": "[variables('uriFormat')]"},
            "componentOutput": {"type": "string", "value": "[variables('uriEncoded')]"},
            "toStringOutput": {"type": "string", "value": "[uriComponentToString(variables('uriEncoded'))]"},
        },
    )
    assert arm_outputs(template) == {
        "uriOutput": "http://contoso.com/resources/nested/azuredeploy.json",
        "componentOutput": "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json",
        "toStringOutput": "http://contoso.com/resources/nested/azuredeploy.json",
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#join
def test_join(arm_eval: Eval) -> None:
    assert arm_eval("[join(createArray('a', 'b', 'c'), ',')]") == "a,b,c"


def test_function_names_are_case_insensitive(arm_eval: Eval) -> None:
    assert arm_eval("[CONCAT(toupper('a'), ToLower('B'))]") == "Ab"


def test_unknown_function_is_a_clear_error(arm_eval: Eval) -> None:
    from iacli_azure.arm import UnsupportedFunctionError

    with pytest.raises(UnsupportedFunctionError) as info:
        arm_eval("[frobnicate('x')]")
    assert info.value.function_name == "frobnicate"
    assert "frobnicate" in str(info.value)


def test_wrong_argument_count_is_a_clear_error(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match=r"'substring' expects 1 to 3 argument\(s\), got 4"):
        arm_eval("[substring('a', 0, 1, 2)]")


def test_errors_name_the_failing_expression() -> None:
    template = _template(outputs={"x": {"type": "string", "value": "[toLower(42)]"}})
    with pytest.raises(FunctionArgumentError) as info:
        evaluate_outputs(template, EvaluationContext.create(template))
    assert "[toLower(42)]" in str(info.value)
