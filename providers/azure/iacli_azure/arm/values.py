"""JSON value helpers shared by the function library and the evaluator.

ARM evaluates expressions over JSON tokens.  Here a JSON value is the plain Python value
produced by :func:`json.loads`.  Beware that ``bool`` is a subclass of ``int`` in Python: use
:func:`is_int` rather than ``isinstance(value, int)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeAlias

from .errors import EvaluationError

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
"""Any JSON value: ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict``."""

__all__ = [
    "JsonValue",
    "arm_compare",
    "compact_json",
    "deep_equals",
    "get_property",
    "is_int",
    "is_number",
    "lookup_case_insensitive",
    "parse_json_lenient",
    "to_arm_string",
    "type_name",
]


def is_int(value: object) -> bool:
    """True for an ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """True for an ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_name(value: object) -> str:
    """ARM's name of a value's type, as used in error messages (``String``, ``Int``...)."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


def compact_json(value: JsonValue) -> str:
    """Serialize ``value`` as compact JSON, the way ``string()`` renders objects and arrays."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def to_arm_string(value: JsonValue) -> str:
    """Convert a value to a string the way ARM's ``string()`` and ``format()`` do.

    Strings are unchanged, booleans become ``True``/``False`` (.NET spelling), ``null`` becomes
    the empty string, numbers use their shortest form and arrays/objects become compact JSON.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return compact_json(value)


def deep_equals(left: JsonValue, right: JsonValue) -> bool:
    """Structural equality: case-sensitive strings, ``1 == 1.0``, but ``True != 1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(deep_equals(a, b) for a, b in zip(left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        return all(key in right and deep_equals(value, right[key]) for key, value in left.items())
    return type(left) is type(right) and left == right


def _string_sort_key(value: str) -> tuple[str, str]:
    # Culture-aware (invariant) ordering as .NET does it: letters compare ignoring case first,
    # then a lowercase letter sorts before its uppercase form ('a' < 'A').
    return value.casefold(), value.swapcase()


def arm_compare(function: str, left: JsonValue, right: JsonValue) -> int:
    """Compare two ints/floats or two strings for ``greater``/``less``...; returns -1, 0 or 1."""
    if is_number(left) and is_number(right):
        assert isinstance(left, (int, float)) and isinstance(right, (int, float))
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        lkey, rkey = _string_sort_key(left), _string_sort_key(right)
        return (lkey > rkey) - (lkey < rkey)
    raise EvaluationError(
        f"The template function '{function}' expects two integers or two strings, "
        f"got {type_name(left)} and {type_name(right)}"
    )


def lookup_case_insensitive(mapping: Mapping[str, JsonValue], key: str) -> tuple[bool, JsonValue]:
    """Find ``key`` in ``mapping``, exact match first, then ignoring case."""
    if key in mapping:
        return True, mapping[key]
    folded = key.casefold()
    for candidate, value in mapping.items():
        if candidate.casefold() == folded:
            return True, value
    return False, None


def get_property(value: JsonValue, name: str) -> JsonValue:
    """Evaluate ``value.name`` (case-insensitive) or raise a descriptive :class:`EvaluationError`."""
    if not isinstance(value, dict):
        raise EvaluationError(
            f"The language expression property '{name}' can't be evaluated on a value of type "
            f"'{type_name(value)}'"
        )
    found, result = lookup_case_insensitive(value, name)
    if not found:
        available = ", ".join(value) or "(none)"
        raise EvaluationError(
            f"The language expression property '{name}' doesn't exist, available properties are '{available}'"
        )
    return result


def parse_json_lenient(text: str) -> JsonValue:
    """Parse JSON the way Newtonsoft.Json (used by ARM) does.

    Besides strict JSON it accepts single-quoted strings, unquoted property names and ``//`` or
    ``/* */`` comments, so ``json("{'one': 'a'}")`` works as it does in Azure.
    """
    try:
        result: JsonValue = json.loads(text)
        return result
    except json.JSONDecodeError:
        return _LenientJsonParser(text).parse()


class _LenientJsonParser:
    """Small recursive-descent parser for the JSON superset Newtonsoft.Json accepts."""

    _LITERALS: Mapping[str, JsonValue] = {"true": True, "false": False, "null": None}

    def __init__(self, text: str) -> None:
        self._text = text
        self._index = 0

    def parse(self) -> JsonValue:
        value = self._value()
        self._skip_space()
        if self._index != len(self._text):
            self._fail("unexpected trailing characters")
        return value

    def _fail(self, reason: str) -> None:
        raise EvaluationError(f"Invalid JSON {self._text!r}: {reason} at position {self._index}")

    def _skip_space(self) -> None:
        text = self._text
        while self._index < len(text):
            if text[self._index].isspace():
                self._index += 1
            elif text.startswith("//", self._index):
                end = text.find("\n", self._index)
                self._index = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self._index):
                end = text.find("*/", self._index + 2)
                self._index = len(text) if end < 0 else end + 2
            else:
                return

    def _peek(self) -> str:
        self._skip_space()
        return self._text[self._index] if self._index < len(self._text) else ""

    def _value(self) -> JsonValue:
        char = self._peek()
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char in "'\"" and char:
            return self._string()
        return self._scalar()

    def _object(self) -> dict[str, JsonValue]:
        self._index += 1
        result: dict[str, JsonValue] = {}
        while self._peek() != "}":
            key = self._string() if self._peek() in ("'", '"') else self._bare_word()
            if self._peek() != ":":
                self._fail("expected ':'")
            self._index += 1
            result[key] = self._value()
            if self._peek() == ",":
                self._index += 1
            elif self._peek() != "}":
                self._fail("expected ',' or '}'")
        self._index += 1
        return result

    def _array(self) -> list[JsonValue]:
        self._index += 1
        result: list[JsonValue] = []
        while self._peek() != "]":
            if not self._peek():
                self._fail("unterminated array")
            result.append(self._value())
            if self._peek() == ",":
                self._index += 1
            elif self._peek() != "]":
                self._fail("expected ',' or ']'")
        self._index += 1
        return result

    def _string(self) -> str:
        quote = self._text[self._index]
        start = self._index
        self._index += 1
        chars: list[str] = []
        while self._index < len(self._text):
            char = self._text[self._index]
            if char == quote:
                self._index += 1
                return "".join(chars)
            if char == "\\":
                chars.append(self._escape())
                continue
            chars.append(char)
            self._index += 1
        self._index = start
        self._fail("unterminated string")
        return ""

    def _escape(self) -> str:
        escapes = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\"}
        char = self._text[self._index + 1 : self._index + 2]
        if char == "u":
            digits = self._text[self._index + 2 : self._index + 6]
            self._index += 6
            return chr(int(digits, 16))
        self._index += 2
        return escapes.get(char, char)

    def _bare_word(self) -> str:
        start = self._index
        while self._index < len(self._text) and (
            self._text[self._index].isalnum() or self._text[self._index] in "_$-+."
        ):
            self._index += 1
        if start == self._index:
            self._fail("expected a value")
        return self._text[start : self._index]

    def _scalar(self) -> JsonValue:
        word = self._bare_word()
        if word in self._LITERALS:
            return self._LITERALS[word]
        try:
            return int(word)
        except ValueError:
            pass
        try:
            return float(word)
        except ValueError:
            self._fail(f"unexpected token {word!r}")
        return None
