"""Tokenizer and parser for ARM template expressions.

A JSON string in an ARM template is an *expression* when it starts with ``[`` and ends with
``]``.  A string that starts with ``[[`` (and ends with ``]``) is a literal whose first ``[`` is
dropped, which is how templates write a literal string beginning with a bracket.

Grammar (whitespace between tokens is ignored)::

    expression := postfix
    postfix    := primary ( "." IDENT | "[" expression "]" )*
    primary    := STRING | INTEGER | call
    call       := IDENT [ "." IDENT ] "(" [ expression ( "," expression )* ] ")"

``STRING`` is single-quoted with ``''`` standing for one quote; ``INTEGER`` is an optional ``-``
followed by digits.  ``IDENT "." IDENT "("`` is a call of a user-defined function
``namespace.member``.  The AST is made of frozen dataclasses; every node records the offset of
its first character in the original template string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from .errors import ExpressionSyntaxError

__all__ = [
    "Expr",
    "FunctionCall",
    "IndexAccess",
    "IntegerLiteral",
    "PropertyAccess",
    "StringLiteral",
    "Token",
    "is_expression",
    "parse_expression",
    "parse_template_string",
    "tokenize",
    "unparse",
]


@dataclass(frozen=True)
class StringLiteral:
    """A single-quoted string literal, already unescaped."""

    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IntegerLiteral:
    """An integer literal (ARM expressions have no decimal literals)."""

    value: int
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FunctionCall:
    """A call ``name(arg, ...)``; ``name`` keeps the template's spelling (lookups ignore case)."""

    name: str
    args: tuple[Expr, ...] = ()
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class PropertyAccess:
    """Member access ``target.name``."""

    target: Expr
    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IndexAccess:
    """Index access ``target[index]`` (array index or object key)."""

    target: Expr
    index: Expr
    position: int = field(default=0, compare=False)


Expr: TypeAlias = StringLiteral | IntegerLiteral | FunctionCall | PropertyAccess | IndexAccess


@dataclass(frozen=True)
class Token:
    """One lexical token; ``kind`` is one of ``( ) [ ] , . IDENT STRING INT EOF``."""

    kind: str
    text: str
    position: int


_PUNCTUATION = frozenset("()[],.")


def is_expression(value: str) -> bool:
    """Return True when the template string ``value`` is an expression (``[...]``, not ``[[...]``)."""
    return len(value) >= 2 and value[0] == "[" and value[-1] == "]" and value[1] != "["


def parse_template_string(value: str) -> Expr | str:
    """Parse a JSON string found in a template.

    Returns the expression AST when ``value`` is an expression, otherwise the literal string
    (with the ``[[`` escape resolved to ``[``).
    """
    if len(value) >= 2 and value[0] == "[" and value[-1] == "]":
        if value[1] == "[":
            return value[1:]
        return _Parser(value, tokenize(value, 1, len(value) - 1)).parse()
    return value


def parse_expression(source: str) -> Expr:
    """Parse an expression without its surrounding brackets, e.g. ``"concat('a', 'b')"``."""
    return _Parser(source, tokenize(source)).parse()


def tokenize(source: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Split ``source[start:end]`` into tokens; positions are offsets into ``source``."""
    stop = len(source) if end is None else end
    tokens: list[Token] = []
    index = start
    while index < stop:
        char = source[index]
        if char.isspace():
            index += 1
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, index))
            index += 1
        elif char == "'":
            token, index = _read_string(source, index, stop)
            tokens.append(token)
        elif char.isdigit() or (char == "-" and index + 1 < stop and source[index + 1].isdigit()):
            token, index = _read_integer(source, index, stop)
            tokens.append(token)
        elif char.isalpha() or char in "_$":
            token, index = _read_identifier(source, index, stop)
            tokens.append(token)
        else:
            raise ExpressionSyntaxError(f"Unexpected character {char!r}", source, index)
    tokens.append(Token("EOF", "", stop))
    return tokens


def _read_string(source: str, start: int, stop: int) -> tuple[Token, int]:
    chars: list[str] = []
    index = start + 1
    while index < stop:
        char = source[index]
        if char == "'":
            if index + 1 < stop and source[index + 1] == "'":
                chars.append("'")
                index += 2
                continue
            return Token("STRING", "".join(chars), start), index + 1
        chars.append(char)
        index += 1
    raise ExpressionSyntaxError("Unterminated string literal", source, start)


def _read_integer(source: str, start: int, stop: int) -> tuple[Token, int]:
    index = start + 1
    while index < stop and source[index].isdigit():
        index += 1
    if index < stop and source[index] == "." and index + 1 < stop and source[index + 1].isdigit():
        raise ExpressionSyntaxError("Decimal literals are not supported; use json('1.5')", source, start)
    return Token("INT", source[start:index], start), index


def _read_identifier(source: str, start: int, stop: int) -> tuple[Token, int]:
    index = start + 1
    while index < stop and (source[index].isalnum() or source[index] in "_$"):
        index += 1
    return Token("IDENT", source[start:index], start), index


class _Parser:
    """Recursive-descent parser over a token list (one instance per expression)."""

    def __init__(self, source: str, tokens: list[Token]) -> None:
        self._source = source
        self._tokens = tokens
        self._index = 0

    def parse(self) -> Expr:
        if self._peek().kind == "EOF":
            raise self._error("Empty expression", self._peek())
        expr = self._postfix()
        token = self._peek()
        if token.kind != "EOF":
            raise self._error(f"Unexpected {self._describe(token)} after the end of the expression", token)
        return expr

    def _peek(self, offset: int = 0) -> Token:
        return self._tokens[min(self._index + offset, len(self._tokens) - 1)]

    def _next(self) -> Token:
        token = self._peek()
        self._index += 1
        return token

    def _expect(self, kind: str, context: str) -> Token:
        token = self._next()
        if token.kind != kind:
            raise self._error(f"Expected {kind!r} {context} but found {self._describe(token)}", token)
        return token

    def _postfix(self) -> Expr:
        expr = self._primary()
        while True:
            token = self._peek()
            if token.kind == ".":
                self._next()
                name = self._expect("IDENT", "after '.'")
                expr = PropertyAccess(expr, name.text, token.position)
            elif token.kind == "[":
                self._next()
                index = self._postfix()
                self._expect("]", "to close the index")
                expr = IndexAccess(expr, index, token.position)
            else:
                return expr

    def _primary(self) -> Expr:
        token = self._next()
        if token.kind == "STRING":
            return StringLiteral(token.text, token.position)
        if token.kind == "INT":
            return IntegerLiteral(int(token.text), token.position)
        if token.kind == "IDENT":
            return self._call(token)
        raise self._error(f"Expected a function call or literal but found {self._describe(token)}", token)

    def _call(self, name_token: Token) -> FunctionCall:
        name = name_token.text
        if self._peek().kind == "." and self._peek(1).kind == "IDENT" and self._peek(2).kind == "(":
            self._next()
            name = f"{name}.{self._next().text}"
        self._expect("(", f"after the function name '{name}'")
        args: list[Expr] = []
        if self._peek().kind != ")":
            args.append(self._postfix())
            while self._peek().kind == ",":
                self._next()
                args.append(self._postfix())
        self._expect(")", f"to close the call of '{name}'")
        return FunctionCall(name, tuple(args), name_token.position)

    def _describe(self, token: Token) -> str:
        if token.kind == "EOF":
            return "the end of the expression"
        if token.kind == "STRING":
            return f"string '{token.text}'"
        return f"{token.text!r}"

    def _error(self, message: str, token: Token) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, self._source, token.position)


def unparse(expr: Expr) -> str:
    """Render an AST back to expression source (without the surrounding brackets)."""
    if isinstance(expr, StringLiteral):
        return "'" + expr.value.replace("'", "''") + "'"
    if isinstance(expr, IntegerLiteral):
        return str(expr.value)
    if isinstance(expr, FunctionCall):
        return f"{expr.name}({', '.join(unparse(arg) for arg in expr.args)})"
    if isinstance(expr, PropertyAccess):
        return f"{unparse(expr.target)}.{expr.name}"
    return f"{unparse(expr.target)}[{unparse(expr.index)}]"
