"""Parser tests: template-string detection, escaping, literals, nesting, member access, errors.

Syntax reference: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
"""

from __future__ import annotations

import pytest
from iacli_azure.arm import ExpressionSyntaxError, is_expression, parse_expression, parse_template_string
from iacli_azure.arm.expressions import (
    FunctionCall,
    IndexAccess,
    IntegerLiteral,
    PropertyAccess,
    StringLiteral,
    tokenize,
    unparse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[parameters('a')]", True),
        ("[[parameters('a')]", False),
        ("plain text", False),
        ("[not closed", False),
        ("not opened]", False),
        ("[]", True),
        ("", False),
        ("[", False),
    ],
)
def test_is_expression(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


def test_double_bracket_escapes_a_literal_bracket() -> None:
    # template-expressions: "[[" at the start yields a literal string beginning with "["
    assert parse_template_string("[[variables('x')]") == "[variables('x')]"
    assert parse_template_string("[[1,2,3 ]") == "[1,2,3 ]"


def test_literal_strings_are_returned_unchanged() -> None:
    assert parse_template_string("hello [world]") == "hello [world]"
    assert parse_template_string("[[not an expression") == "[[not an expression"


def test_function_call_with_literals() -> None:
    assert parse_expression("concat('a', 'b', 3)") == FunctionCall(
        "concat", (StringLiteral("a"), StringLiteral("b"), IntegerLiteral(3))
    )


def test_string_literal_quote_escaping() -> None:
    assert parse_expression("concat('it''s', '''')") == FunctionCall(
        "concat", (StringLiteral("it's"), StringLiteral("'"))
    )


def test_negative_integer_literal() -> None:
    assert parse_expression("add(-1, 2)") == FunctionCall("add", (IntegerLiteral(-1), IntegerLiteral(2)))


def test_nested_calls_property_and_index_access() -> None:
    expr = parse_template_string(
        "[reference(resourceId('Microsoft.Storage/storageAccounts', parameters('n'))).primaryEndpoints['blob'][0]]"
    )
    assert isinstance(expr, IndexAccess)
    assert expr.index == IntegerLiteral(0)
    inner = expr.target
    assert isinstance(inner, IndexAccess) and inner.index == StringLiteral("blob")
    member = inner.target
    assert isinstance(member, PropertyAccess) and member.name == "primaryEndpoints"
    call = member.target
    assert isinstance(call, FunctionCall) and call.name == "reference"
    assert isinstance(call.args[0], FunctionCall) and call.args[0].name == "resourceId"


def test_index_with_expression() -> None:
    expr = parse_expression("variables('dogs')[lambdaVariables('i')].name")
    assert isinstance(expr, PropertyAccess)
    assert isinstance(expr.target, IndexAccess)
    assert expr.target.index == FunctionCall("lambdaVariables", (StringLiteral("i"),))


def test_whitespace_is_ignored_and_outer_spaces_allowed() -> None:
    assert parse_template_string("[ variables( 'var1' ) ]") == FunctionCall(
        "variables", (StringLiteral("var1"),)
    )


def test_user_defined_function_call_with_namespace() -> None:
    expr = parse_expression("contoso.uniqueName('prefix').length")
    assert expr == PropertyAccess(FunctionCall("contoso.uniqueName", (StringLiteral("prefix"),)), "length")


def test_zero_argument_call_and_property_chain() -> None:
    assert parse_expression("resourceGroup().location") == PropertyAccess(
        FunctionCall("resourceGroup"), "location"
    )


def test_positions_refer_to_the_original_string() -> None:
    expr = parse_template_string("[concat('a', parameters('b'))]")
    assert isinstance(expr, FunctionCall)
    assert expr.position == 1
    assert expr.args[1].position == 13


def test_unparse_round_trip() -> None:
    source = "if(equals(parameters('x'), 'it''s'), createArray(1, -2)[0], json('null'))"
    assert unparse(parse_expression(source)) == source


@pytest.mark.parametrize(
    ("text", "reason", "position"),
    [
        ("[concat('a', 'b']", "Expected ')'", 16),
        ("[concat('abc)]", "Unterminated string literal", 8),
        ("[concat('a') extra]", "Unexpected 'extra'", 13),
        ("[]", "Empty expression", 1),
        ("[parameters]", "Expected '('", 11),
        ("[concat('a',)]", "Expected a function call or literal", 12),
        ("[concat(1.5)]", "Decimal literals are not supported", 8),
        ("[concat('a') # ]", "Unexpected character '#'", 13),
        ("[variables('x').]", "Expected 'IDENT'", 16),
        ("[variables('x')[0]", "Expected ']'", 17),
    ],
)
def test_syntax_errors_name_the_position_and_the_expression(text: str, reason: str, position: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_template_string(text)
    assert reason in str(info.value)
    assert info.value.position == position
    assert info.value.expression == text
    assert repr(text) in str(info.value)


def test_tokenize_kinds() -> None:
    kinds = [token.kind for token in tokenize("a.b('x', 1)[0]")]
    assert kinds == ["IDENT", ".", "IDENT", "(", "STRING", ",", "INT", ")", "[", "INT", "]", "EOF"]
