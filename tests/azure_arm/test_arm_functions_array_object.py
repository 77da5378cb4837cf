"""Array and object functions, tested with the examples of Microsoft's documentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from iacli_azure.arm import EvaluationError, FunctionArgumentError

Outputs = Callable[..., dict[str, Any]]
Eval = Callable[..., Any]


def _template(
    outputs: dict[str, Any], parameters: dict[str, Any] | None = None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"parameters": parameters or {}, "variables": variables or {}, "resources": [], "outputs": outputs}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#array
def test_array(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "intToConvert": {"type": "int", "defaultValue": 1},
            "stringToConvert": {"type": "string", "defaultValue": "efgh"},
            "objectToConvert": {"type": "object", "defaultValue": {"a": "b", "c": "d"}},
        },
        outputs={
            "intOutput": {"type": "array", "value": "[array(parameters('intToConvert'))]"},
            "stringOutput": {"type": "array", "value": "[array(parameters('stringToConvert'))]"},
            "objectOutput": {"type": "array", "value": "[array(parameters('objectToConvert'))]"},
        },
    )
    assert arm_outputs(template) == {
        "intOutput": [1],
        "stringOutput": ["efgh"],
        "objectOutput": [{"a": "b", "c": "d"}],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#concat
def test_concat_arrays(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "firstArray": {"type": "array", "defaultValue": ["1-1", "1-2", "1-3"]},
            "secondArray": {"type": "array", "defaultValue": ["2-1", "2-2", "2-3"]},
        },
        outputs={
            "return": {
                "type": "array",
                "value": "[concat(parameters('firstArray'), parameters('secondArray'))]",
            }
        },
    )
    assert arm_outputs(template) == {"return": ["1-1", "1-2", "1-3", "2-1", "2-2", "2-3"]}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#createarray
def test_createarray(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "objectToTest": {"type": "object", "defaultValue": {"one": "a", "two": "b", "three": "c"}},
            "arrayToTest": {"type": "array", "defaultValue": ["one", "two", "three"]},
        },
        outputs={
            "stringArray": {"type": "array", "value": "[createArray('a', 'b', 'c')]"},
            "intArray": {"type": "array", "value": "[createArray(1, 2, 3)]"},
            "objectArray": {"type": "array", "value": "[createArray(parameters('objectToTest'))]"},
            "arrayArray": {"type": "array", "value": "[createArray(parameters('arrayToTest'))]"},
            "emptyArray": {"type": "array", "value": "[createArray()]"},
        },
    )
    assert arm_outputs(template) == {
        "stringArray": ["a", "b", "c"],
        "intArray": [1, 2, 3],
        "objectArray": [{"one": "a", "two": "b", "three": "c"}],
        "arrayArray": [["one", "two", "three"]],
        "emptyArray": [],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#intersection
def test_intersection(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "firstObject": {"type": "object", "defaultValue": {"one": "a", "two": "b", "three": "c"}},
            "secondObject": {"type": "object", "defaultValue": {"one": "a", "two": "z", "three": "c"}},
            "firstArray": {"type": "array", "defaultValue": ["one", "two", "three"]},
            "secondArray": {"type": "array", "defaultValue": ["two", "three"]},
        },
        outputs={
            "objectOutput": {
                "type": "object",
                "value": "[intersection(parameters('firstObject'), parameters('secondObject'))]",
            },
            "arrayOutput": {
                "type": "array",
                "value": "[intersection(parameters('firstArray'), parameters('secondArray'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "objectOutput": {"one": "a", "three": "c"},
        "arrayOutput": ["two", "three"],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#max
# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#min
def test_max_and_min(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={"arrayToTest": {"type": "array", "defaultValue": [0, 3, 2, 5, 4]}},
        outputs={
            "maxArray": {"type": "int", "value": "[max(parameters('arrayToTest'))]"},
            "maxInts": {"type": "int", "value": "[max(0,3,2,5,4)]"},
            "minArray": {"type": "int", "value": "[min(parameters('arrayToTest'))]"},
            "minInts": {"type": "int", "value": "[min(0,3,2,5,4)]"},
        },
    )
    assert arm_outputs(template) == {"maxArray": 5, "maxInts": 5, "minArray": 0, "minInts": 0}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#range
def test_range(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "startingInt": {"type": "int", "defaultValue": 5},
            "numberOfElements": {"type": "int", "defaultValue": 3},
        },
        outputs={
            "rangeOutput": {
                "type": "array",
                "value": "[range(parameters('startingInt'),parameters('numberOfElements'))]",
            }
        },
    )
    assert arm_outputs(template) == {"rangeOutput": [5, 6, 7]}


def test_range_limits(arm_eval: Eval) -> None:
    assert arm_eval("[range(0, 0)]") == []
    with pytest.raises(FunctionArgumentError, match="10000"):
        arm_eval("[range(0, 10001)]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array#union
def test_union(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "firstObject": {"type": "object", "defaultValue": {"one": "a", "two": "b", "three": "c1"}},
            "secondObject": {"type": "object", "defaultValue": {"three": "c2", "four": "d", "five": "e"}},
            "firstArray": {"type": "array", "defaultValue": ["one", "two", "three"]},
            "secondArray": {"type": "array", "defaultValue": ["three", "four"]},
        },
        outputs={
            "objectOutput": {
                "type": "object",
                "value": "[union(parameters('firstObject'), parameters('secondObject'))]",
            },
            "arrayOutput": {
                "type": "array",
                "value": "[union(parameters('firstArray'), parameters('secondArray'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "objectOutput": {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"},
        "arrayOutput": ["one", "two", "three", "four"],
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#union
# (deep merge of nested objects; nested arrays are replaced, not merged)
def test_union_deep_merge(arm_outputs: Outputs) -> None:
    template = _template(
        variables={
            "firstObject": {"property": {"one": "a", "two": "b", "three": "c1"}, "nestedArray": [1, 2]},
            "secondObject": {"property": {"three": "c2", "four": "d", "five": "e"}, "nestedArray": [3, 4]},
            "firstArray": [["one", "two"], ["three"]],
            "secondArray": [["three"], ["four", "two"]],
        },
        outputs={
            "objectOutput": {
                "type": "Object",
                "value": "[union(variables('firstObject'), variables('secondObject'))]",
            },
            "arrayOutput": {
                "type": "Array",
                "value": "[union(variables('firstArray'), variables('secondArray'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "objectOutput": {
            "property": {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"},
            "nestedArray": [3, 4],
        },
        "arrayOutput": [["one", "two"], ["three"], ["four", "two"]],
    }


def test_union_rejects_mixed_types(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="union"):
        arm_eval("[union(createArray(1), createObject('a', 1))]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#createobject
def test_createobject(arm_outputs: Outputs) -> None:
    template = _template(
        outputs={
            "newObject": {
                "type": "object",
                "value": (
                    "[createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true(), 'arrayProp', "
                    "createArray('a', 'b', 'c'), 'objectProp', createObject('key1', 'value1'))]"
                ),
            }
        }
    )
    assert arm_outputs(template) == {
        "newObject": {
            "intProp": 1,
            "stringProp": "abc",
            "boolProp": True,
            "arrayProp": ["a", "b", "c"],
            "objectProp": {"key1": "value1"},
        }
    }


def test_createobject_needs_pairs(arm_eval: Eval) -> None:
    with pytest.raises(FunctionArgumentError, match="even number"):
        arm_eval("[createObject('a')]")


_ENTITIES = {
    "item002": {"enabled": False, "displayName": "Example item 2", "number": 200},
    "item001": {"enabled": True, "displayName": "Example item 1", "number": 300},
}


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#items
def test_items_returns_sorted_key_value_pairs(arm_outputs: Outputs) -> None:
    template = _template(
        variables={"entities": _ENTITIES, "entitiesArray": "[items(variables('entities'))]"},
        outputs={"itemsResult": {"type": "array", "value": "[variables('entitiesArray')]"}},
    )
    assert arm_outputs(template) == {
        "itemsResult": [
            {"key": "item001", "value": {"displayName": "Example item 1", "enabled": True, "number": 300}},
            {"key": "item002", "value": {"displayName": "Example item 2", "enabled": False, "number": 200}},
        ]
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#items
# (first example: items() inside a variable copy loop)
def test_items_in_variable_copy_loop(arm_outputs: Outputs) -> None:
    template = _template(
        variables={
            "copy": [
                {
                    "name": "modifiedListOfEntities",
                    "count": "[length(items(variables('entities')))]",
                    "input": {
                        "key": "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].key]",
                        "fullName": "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].value.displayName]",
                        "itemEnabled": "[items(variables('entities'))[copyIndex('modifiedListOfEntities')].value.enabled]",
                    },
                }
            ],
            "entities": _ENTITIES,
        },
        outputs={"modifiedResult": {"type": "array", "value": "[variables('modifiedListOfEntities')]"}},
    )
    assert arm_outputs(template) == {
        "modifiedResult": [
            {"fullName": "Example item 1", "itemEnabled": True, "key": "item001"},
            {"fullName": "Example item 2", "itemEnabled": False, "key": "item002"},
        ]
    }


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#json
def test_json(arm_outputs: Outputs) -> None:
    template = _template(
        parameters={
            "jsonEmptyObject": {"type": "string", "defaultValue": "null"},
            "jsonObject": {"type": "string", "defaultValue": '{"a": "b"}'},
            "jsonString": {"type": "string", "defaultValue": '"test"'},
            "jsonBoolean": {"type": "string", "defaultValue": "true"},
            "jsonInt": {"type": "string", "defaultValue": "3"},
            "jsonArray": {"type": "string", "defaultValue": "[[1,2,3 ]"},
            "concatValue": {"type": "string", "defaultValue": "demo value"},
        },
        outputs={
            "emptyObjectOutput": {"type": "bool", "value": "[empty(json(parameters('jsonEmptyObject')))]"},
            "objectOutput": {"type": "object", "value": "[json(parameters('jsonObject'))]"},
            "stringOutput": {"type": "string", "value": "[json(parameters('jsonString'))]"},
            "booleanOutput": {"type": "bool", "value": "[json(parameters('jsonBoolean'))]"},
            "intOutput": {"type": "int", "value": "[json(parameters('jsonInt'))]"},
            "arrayOutput": {"type": "array", "value": "[json(parameters('jsonArray'))]"},
            "concatObjectOutput": {
                "type": "object",
                "value": "[json(concat('{\"a\": \"', parameters('concatValue'), '\"}'))]",
            },
        },
    )
    assert arm_outputs(template) == {
        "emptyObjectOutput": True,
        "objectOutput": {"a": "b"},
        "stringOutput": "test",
        "booleanOutput": True,
        "intOutput": 3,
        "arrayOutput": [1, 2, 3],
        "concatObjectOutput": {"a": "demo value"},
    }


def test_json_null_and_invalid(arm_eval: Eval) -> None:
    assert arm_eval("[json('null')]") is None
    with pytest.raises(EvaluationError, match="Invalid JSON"):
        arm_eval("[json('{not json')]")


# https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#null
def test_null(arm_outputs: Outputs) -> None:
    template = _template(outputs={"emptyOutput": {"type": "bool", "value": "[empty(null())]"}})
    assert arm_outputs(template) == {"emptyOutput": True}


def test_object_keys_shallow_merge_and_tryget(arm_eval: Eval) -> None:
    assert arm_eval("[objectKeys(createObject('a', 1, 'b', 2))]") == ["a", "b"]
    assert arm_eval("[shallowMerge(createArray(createObject('a', 1), createObject('a', 2, 'b', 3)))]") == {
        "a": 2,
        "b": 3,
    }
    assert arm_eval("[tryGet(createObject('a', createArray(5, 6)), 'a', 1)]") == 6
    assert arm_eval("[tryGet(createObject('a', 1), 'missing')]") is None


def test_property_access_is_case_insensitive_and_missing_property_errors(arm_eval: Eval) -> None:
    assert arm_eval("[createObject('Name', 'x').name]") == "x"
    with pytest.raises(EvaluationError, match="property 'nope' doesn't exist"):
        arm_eval("[createObject('a', 1).nope]")


def test_index_out_of_bounds(arm_eval: Eval) -> None:
    assert arm_eval("[createArray('a', 'b')[1]]") == "b"
    with pytest.raises(EvaluationError, match="out of bounds"):
        arm_eval("[createArray('a')[3]]")
