"""The ARM template function library.

Every function is a small Python function registered explicitly in :data:`FUNCTIONS`, keyed
by its lower-cased name (ARM function names are case-insensitive).  Most functions are
*eager*: they receive their already-evaluated arguments.  A few are *lazy* (``if``, ``and``,
``or``, ``coalesce`` and the lambda functions): they receive the argument ASTs and evaluate only
what they need, so ``if(false, reference(...), ...)`` never calls ``reference``.

Functions reach deployment state (parameters, variables, resource group, ``reference`` callback,
copy indexes...) through the :class:`Scope` protocol that
:class:`iacli_azure.arm.evaluator.EvaluationContext` implements.

Reference pages (learn.microsoft.com/azure/azure-resource-manager/templates/...):
template-functions-string, -array, -object, -comparison, -logical, -numeric, -deployment,
-resource, -scope, -date and -lambda.
"""

from __future__ import annotations

import base64
import functools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import quote, unquote, urljoin

from . import dotnet_format
from .errors import EvaluationError, FunctionArgumentError, UnsupportedFunctionError
from .expressions import Expr, FunctionCall, StringLiteral
from .values import (
    JsonValue,
    arm_compare,
    deep_equals,
    is_int,
    is_number,
    lookup_case_insensitive,
    parse_json_lenient,
    to_arm_string,
    type_name,
)

__all__ = [
    "ARM_GUID_NAMESPACE",
    "FUNCTIONS",
    "FunctionSpec",
    "Scope",
    "call_function",
    "guid",
    "murmurhash64",
    "supported_function_names",
    "unique_string",
]


class Scope(Protocol):
    """What a template function may ask of the evaluation context."""

    def evaluate(self, expr: Expr) -> JsonValue:
        """Evaluate an expression AST in this scope."""

    def parameter(self, name: str) -> JsonValue:
        """Value of template parameter ``name`` (case-insensitive)."""

    def variable(self, name: str) -> JsonValue:
        """Value of template variable ``name`` (case-insensitive, evaluated lazily)."""

    def lambda_variable(self, name: str) -> JsonValue:
        """Value bound to lambda variable ``name``."""

    def with_lambda_variables(self, bindings: Mapping[str, JsonValue]) -> Scope:
        """A scope where ``bindings`` are visible through ``lambdaVariables()``."""

    def copy_index(self, loop_name: str | None) -> int:
        """Current index of copy loop ``loop_name`` (``None``: the resource/output loop)."""

    def current_subscription_id(self) -> str:
        """Subscription id of the deployment."""

    def current_resource_group_name(self) -> str | None:
        """Resource group of the deployment, ``None`` for subscription/tenant deployments."""

    def resource_group(self) -> JsonValue:
        """The object ``resourceGroup()`` returns."""

    def subscription(self) -> JsonValue:
        """The object ``subscription()`` returns."""

    def tenant(self) -> JsonValue:
        """The object ``tenant()`` returns."""

    def deployment(self) -> JsonValue:
        """The object ``deployment()`` returns."""

    def environment(self) -> JsonValue:
        """The object ``environment()`` returns."""

    def reference(self, target: str, api_version: str | None, full: bool) -> JsonValue:
        """Runtime state of a resource (name in the template or resource id)."""

    def list_values(self, function_name: str, target: str, api_version: str, values: JsonValue) -> JsonValue:
        """Result of a ``list*`` action (``listKeys``...) on a resource."""

    def utc_now(self) -> datetime:
        """Deployment time, only available while evaluating parameter default values."""

    def new_guid(self) -> str:
        """A fresh GUID, only available while evaluating parameter default values."""

    def call_user_function(self, name: str, args: list[JsonValue]) -> JsonValue:
        """Call the template's user-defined function ``namespace.member``."""


EagerImpl = Callable[[Scope, list[JsonValue]], JsonValue]
LazyImpl = Callable[[Scope, Sequence[Expr]], JsonValue]


@dataclass(frozen=True)
class FunctionSpec:
    """A registered template function: canonical name, arity and implementation.

    Exactly one of ``eager`` (called with evaluated arguments) and ``lazy`` (called with the
    argument ASTs) is set.  ``max_args`` is ``None`` for variadic functions.
    """

    name: str
    min_args: int
    max_args: int | None
    eager: EagerImpl | None = None
    lazy: LazyImpl | None = None

    def check_arity(self, count: int) -> None:
        """Raise :class:`FunctionArgumentError` when ``count`` arguments don't fit."""
        if count >= self.min_args and (self.max_args is None or count <= self.max_args):
            return
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            expected = str(self.min_args)
        else:
            expected = f"{self.min_args} to {self.max_args}"
        raise FunctionArgumentError(
            f"The template function '{self.name}' expects {expected} argument(s), got {count}"
        )


# ---------------------------------------------------------------------------------------------
# argument helpers


def _arg(fn: str, args: Sequence[JsonValue], index: int, expected: str, ok: bool) -> None:
    if not ok:
        raise FunctionArgumentError(
            f"The template function '{fn}' expects argument {index + 1} to be {expected}, "
            f"got {type_name(args[index])}"
        )


def _str(fn: str, args: Sequence[JsonValue], index: int) -> str:
    value = args[index]
    _arg(fn, args, index, "a string", isinstance(value, str))
    assert isinstance(value, str)
    return value


def _int(fn: str, args: Sequence[JsonValue], index: int) -> int:
    value = args[index]
    _arg(fn, args, index, "an integer", is_int(value))
    assert isinstance(value, int)
    return value


def _number(fn: str, args: Sequence[JsonValue], index: int) -> int | float:
    value = args[index]
    _arg(fn, args, index, "a number", is_number(value))
    assert isinstance(value, (int, float))
    return value


def _bool(fn: str, args: Sequence[JsonValue], index: int) -> bool:
    value = args[index]
    _arg(fn, args, index, "a boolean", isinstance(value, bool))
    assert isinstance(value, bool)
    return value


def _list(fn: str, args: Sequence[JsonValue], index: int) -> list[JsonValue]:
    value = args[index]
    _arg(fn, args, index, "an array", isinstance(value, list))
    assert isinstance(value, list)
    return value


def _dict(fn: str, args: Sequence[JsonValue], index: int) -> dict[str, JsonValue]:
    value = args[index]
    _arg(fn, args, index, "an object", isinstance(value, dict))
    assert isinstance(value, dict)
    return value


def _all_strings(fn: str, args: Sequence[JsonValue]) -> list[str]:
    return [_str(fn, args, index) for index in range(len(args))]


# ---------------------------------------------------------------------------------------------
# string functions (template-functions-string)


def _base64(_: Scope, args: list[JsonValue]) -> JsonValue:
    return base64.b64encode(_str("base64", args, 0).encode("utf-8")).decode("ascii")


def _b64decode(fn: str, text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as error:
        raise FunctionArgumentError(f"The template function '{fn}' got an invalid base64 value") from error


def _base64_to_string(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _b64decode("base64ToString", _str("base64ToString", args, 0))


def _base64_to_json(_: Scope, args: list[JsonValue]) -> JsonValue:
    return parse_json_lenient(_b64decode("base64ToJson", _str("base64ToJson", args, 0)))


def _concat(_: Scope, args: list[JsonValue]) -> JsonValue:
    if (
        args
        and all(isinstance(arg, list) or arg is None for arg in args)
        and any(isinstance(arg, list) for arg in args)
    ):
        result: list[JsonValue] = []
        for arg in args:
            if isinstance(arg, list):
                result.extend(arg)
        return result
    for index, arg in enumerate(args):
        _arg(
            "concat",
            args,
            index,
            "a string, number or boolean (not mixed with arrays)",
            not isinstance(arg, (list, dict)),
        )
    return "".join(to_arm_string(arg) for arg in args)


def _contains(_: Scope, args: list[JsonValue]) -> JsonValue:
    container, item = args
    if isinstance(container, str):
        _arg(
            "contains",
            args,
            1,
            "a string or integer",
            isinstance(item, (str, int)) and not isinstance(item, bool),
        )
        return to_arm_string(item) in container
    if isinstance(container, dict):
        _arg("contains", args, 1, "a string", isinstance(item, str))
        assert isinstance(item, str)
        return lookup_case_insensitive(container, item)[0]
    if isinstance(container, list):
        return any(deep_equals(element, item) for element in container)
    _arg("contains", args, 0, "an array, object or string", False)
    return False


def _data_uri(_: Scope, args: list[JsonValue]) -> JsonValue:
    encoded = base64.b64encode(_str("dataUri", args, 0).encode("utf-8")).decode("ascii")
    return f"data:text/plain;charset=utf8;base64,{encoded}"


_DATA_URI = re.compile(r"^data:(?P<meta>[^,]*?)(?P<b64>;base64)?,(?P<data>.*)$", re.DOTALL)


def _data_uri_to_string(_: Scope, args: list[JsonValue]) -> JsonValue:
    text = _str("dataUriToString", args, 0)
    match = _DATA_URI.match(text)
    if match is None:
        raise FunctionArgumentError(
            f"The template function 'dataUriToString' got an invalid data URI {text!r}"
        )
    if match.group("b64"):
        return _b64decode("dataUriToString", match.group("data"))
    return unquote(match.group("data"))


def _empty(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    if value is None:
        return True
    _arg("empty", args, 0, "an array, object or string", isinstance(value, (str, list, dict)))
    assert isinstance(value, (str, list, dict))
    return len(value) == 0


def _sequence(fn: str, args: Sequence[JsonValue], index: int) -> str | list[JsonValue]:
    value = args[index]
    _arg(fn, args, index, "an array or string", isinstance(value, (str, list)))
    assert isinstance(value, (str, list))
    return value


def _starts_with(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _str("startsWith", args, 0).casefold().startswith(_str("startsWith", args, 1).casefold())


def _ends_with(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _str("endsWith", args, 0).casefold().endswith(_str("endsWith", args, 1).casefold())


def _first(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = _sequence("first", args, 0)
    return value[0] if value else (None if isinstance(value, list) else "")


def _last(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = _sequence("last", args, 0)
    return value[-1] if value else (None if isinstance(value, list) else "")


def _format(_: Scope, args: list[JsonValue]) -> JsonValue:
    template = _str("format", args, 0)
    return dotnet_format.format_composite(template, args[1:], to_arm_string)


ARM_GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
"""Namespace of ARM's ``guid()`` (name-based UUID version 5 over the '-'-joined arguments)."""


def guid(*values: str) -> str:
    """ARM's ``guid()``: RFC 4122 version 5 UUID of ``'-'.join(values)`` in :data:`ARM_GUID_NAMESPACE`."""
    return str(uuid.uuid5(ARM_GUID_NAMESPACE, "-".join(values)))


def _guid(_: Scope, args: list[JsonValue]) -> JsonValue:
    return guid(*_all_strings("guid", args))


def _index_of(_: Scope, args: list[JsonValue]) -> JsonValue:
    if isinstance(args[0], list):
        return next((i for i, element in enumerate(args[0]) if deep_equals(element, args[1])), -1)
    return _str("indexOf", args, 0).casefold().find(_str("indexOf", args, 1).casefold())


def _last_index_of(_: Scope, args: list[JsonValue]) -> JsonValue:
    if isinstance(args[0], list):
        matches = [i for i, element in enumerate(args[0]) if deep_equals(element, args[1])]
        return matches[-1] if matches else -1
    return _str("lastIndexOf", args, 0).casefold().rfind(_str("lastIndexOf", args, 1).casefold())


def _join(_: Scope, args: list[JsonValue]) -> JsonValue:
    items = _list("join", args, 0)
    delimiter = _str("join", args, 1)
    for element in items:
        if isinstance(element, (list, dict)):
            raise FunctionArgumentError(
                "The template function 'join' expects an array of strings, numbers or booleans"
            )
    return delimiter.join(to_arm_string(element) for element in items)


def _length(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    _arg("length", args, 0, "an array, object or string", isinstance(value, (str, list, dict)))
    assert isinstance(value, (str, list, dict))
    return len(value)


def _new_guid(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.new_guid()


def _pad_left(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    _arg("padLeft", args, 0, "a string or integer", isinstance(value, str) or is_int(value))
    total = _int("padLeft", args, 1)
    padding = _str("padLeft", args, 2) if len(args) > 2 else " "
    if len(padding) != 1:
        raise FunctionArgumentError("The template function 'padLeft' expects a single padding character")
    return to_arm_string(value).rjust(total, padding)


def _replace(_: Scope, args: list[JsonValue]) -> JsonValue:
    original, old, new = (_str("replace", args, index) for index in range(3))
    if not old:
        raise FunctionArgumentError("The template function 'replace' expects a non-empty string to replace")
    return original.replace(old, new)


def _skip(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = _sequence("skip", args, 0)
    return value[max(_int("skip", args, 1), 0) :]


def _take(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = _sequence("take", args, 0)
    return value[: max(_int("take", args, 1), 0)]


def _split(_: Scope, args: list[JsonValue]) -> JsonValue:
    text = _str("split", args, 0)
    delimiter = args[1]
    if isinstance(delimiter, str):
        delimiters = [delimiter]
    else:
        delimiters = _all_strings("split", _list("split", args, 1))
    delimiters = [item for item in delimiters if item]
    if not delimiters:
        return [text]
    parts: list[JsonValue] = list(re.split("|".join(re.escape(item) for item in delimiters), text))
    return parts


def _string(_: Scope, args: list[JsonValue]) -> JsonValue:
    return to_arm_string(args[0])


def _substring(_: Scope, args: list[JsonValue]) -> JsonValue:
    text = _str("substring", args, 0)
    start = _int("substring", args, 1) if len(args) > 1 else 0
    length = _int("substring", args, 2) if len(args) > 2 else len(text) - start
    if start < 0 or start > len(text) or length < 0 or start + length > len(text):
        raise FunctionArgumentError(
            "The index and length parameters must refer to a location within the string. "
            f"The index parameter: '{start}', the length parameter: '{length}', "
            f"the length of the string parameter: '{len(text)}'."
        )
    return text[start : start + length]


def _to_lower(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _str("toLower", args, 0).lower()


def _to_upper(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _str("toUpper", args, 0).upper()


def _trim(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _str("trim", args, 0).strip()


def murmurhash64(data: bytes, seed: int = 0) -> int:
    """Microsoft's 64-bit MurmurHash variant used by ARM's ``uniqueString()``.

    It is *not* MurmurHash64A: two 32-bit lanes mixed with MurmurHash3's x86 constants and
    the finalizer ``fmix32``, as in Azure's ``Microsoft.WindowsAzure.ResourceStack`` library.
    """
    mask = 0xFFFFFFFF
    c1, c2 = 0x239B961B, 0xAB0E9789

    def rotl(value: int, bits: int) -> int:
        return ((value << bits) | (value >> (32 - bits))) & mask

    def mix_k1(k1: int) -> int:
        return (rotl((k1 * c1) & mask, 15) * c2) & mask

    def mix_k2(k2: int) -> int:
        return (rotl((k2 * c2) & mask, 17) * c1) & mask

    def fmix(h: int) -> int:
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & mask
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & mask
        return h ^ (h >> 16)

    length = len(data)
    h1 = h2 = seed & mask
    index = 0
    while index + 8 <= length:
        h1 = rotl(h1 ^ mix_k1(int.from_bytes(data[index : index + 4], "little")), 19)
        h1 = (((h1 + h2) & mask) * 5 + 0x561CCD1B) & mask
        h2 = rotl(h2 ^ mix_k2(int.from_bytes(data[index + 4 : index + 8], "little")), 13)
        h2 = (((h2 + h1) & mask) * 5 + 0x0BCAA747) & mask
        index += 8
    tail = length - index
    if tail > 0:
        h1 ^= mix_k1(int.from_bytes(data[index : index + min(tail, 4)], "little"))
        if tail > 4:
            h2 ^= mix_k2(int.from_bytes(data[index + 4 : length], "little"))
    h1 ^= length
    h2 ^= length
    h1 = (h1 + h2) & mask
    h2 = (h2 + h1) & mask
    h1, h2 = fmix(h1), fmix(h2)
    h1 = (h1 + h2) & mask
    h2 = (h2 + h1) & mask
    return (h2 << 32) | h1


_BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def unique_string(*values: str) -> str:
    """ARM's ``uniqueString()``: 13 base32 characters of :func:`murmurhash64` of ``'-'.join(values)``.

    The 64-bit hash is read five bits at a time from the most significant end (the 13th
    character uses the last four bits shifted left by one).
    """
    digest = murmurhash64("-".join(values).encode("utf-8"))
    chars = []
    for position in range(13):
        chars.append(_BASE32_ALPHABET[((digest << (5 * position)) & 0xFFFFFFFFFFFFFFFF) >> 59])
    return "".join(chars)


def _unique_string(_: Scope, args: list[JsonValue]) -> JsonValue:
    return unique_string(*_all_strings("uniqueString", args))


def _uri(_: Scope, args: list[JsonValue]) -> JsonValue:
    return urljoin(_str("uri", args, 0), _str("uri", args, 1))


def _uri_component(_: Scope, args: list[JsonValue]) -> JsonValue:
    return quote(_str("uriComponent", args, 0), safe="")


def _uri_component_to_string(_: Scope, args: list[JsonValue]) -> JsonValue:
    return unquote(_str("uriComponentToString", args, 0))


# ---------------------------------------------------------------------------------------------
# array and object functions (template-functions-array, template-functions-object)


def _array(_: Scope, args: list[JsonValue]) -> JsonValue:
    return args[0] if isinstance(args[0], list) else [args[0]]


def _create_array(_: Scope, args: list[JsonValue]) -> JsonValue:
    return list(args)


def _create_object(_: Scope, args: list[JsonValue]) -> JsonValue:
    if len(args) % 2:
        raise FunctionArgumentError(
            "The template function 'createObject' expects an even number of arguments"
        )
    return {_str("createObject", args, index): args[index + 1] for index in range(0, len(args), 2)}


def _all_arrays_or_objects(fn: str, args: Sequence[JsonValue]) -> bool:
    if all(isinstance(arg, list) for arg in args):
        return True
    if all(isinstance(arg, dict) for arg in args):
        return False
    raise FunctionArgumentError(
        f"The template function '{fn}' expects all arguments to be arrays or all to be objects, "
        f"got {', '.join(type_name(arg) for arg in args)}"
    )


def _deduplicate(items: Sequence[JsonValue]) -> list[JsonValue]:
    result: list[JsonValue] = []
    for item in items:
        if not any(deep_equals(item, kept) for kept in result):
            result.append(item)
    return result


def _merge_objects(left: dict[str, JsonValue], right: dict[str, JsonValue]) -> dict[str, JsonValue]:
    merged = dict(left)
    for key, value in right.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = _merge_objects(current, value)
        else:
            merged[key] = value
    return merged


def _union(_: Scope, args: list[JsonValue]) -> JsonValue:
    if _all_arrays_or_objects("union", args):
        return _deduplicate([item for arg in args if isinstance(arg, list) for item in arg])
    merged: dict[str, JsonValue] = {}
    for arg in args:
        assert isinstance(arg, dict)
        merged = _merge_objects(merged, arg)
    return merged


def _intersection(_: Scope, args: list[JsonValue]) -> JsonValue:
    if _all_arrays_or_objects("intersection", args):
        lists = [arg for arg in args if isinstance(arg, list)]
        common = [
            item
            for item in lists[0]
            if all(any(deep_equals(item, other) for other in rest) for rest in lists[1:])
        ]
        return _deduplicate(common)
    objects = [arg for arg in args if isinstance(arg, dict)]
    return {
        key: value
        for key, value in objects[0].items()
        if all(key in other and deep_equals(value, other[key]) for other in objects[1:])
    }


def _items(_: Scope, args: list[JsonValue]) -> JsonValue:
    source = _dict("items", args, 0)
    keys = sorted(source, key=lambda key: (key.casefold(), key))
    return [{"key": key, "value": source[key]} for key in keys]


def _object_keys(_: Scope, args: list[JsonValue]) -> JsonValue:
    return list(_dict("objectKeys", args, 0))


def _shallow_merge(_: Scope, args: list[JsonValue]) -> JsonValue:
    merged: dict[str, JsonValue] = {}
    for index, item in enumerate(_list("shallowMerge", args, 0)):
        if not isinstance(item, dict):
            raise FunctionArgumentError(
                f"The template function 'shallowMerge' expects objects, element {index} is not"
            )
        merged.update(item)
    return merged


def _json(_: Scope, args: list[JsonValue]) -> JsonValue:
    return parse_json_lenient(_str("json", args, 0))


def _null(_: Scope, _args: list[JsonValue]) -> JsonValue:
    return None


def _numbers(fn: str, args: list[JsonValue]) -> list[int | float]:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise FunctionArgumentError(f"The template function '{fn}' expects at least one number")
    return [_number(fn, values, index) for index in range(len(values))]


def _max(_: Scope, args: list[JsonValue]) -> JsonValue:
    return max(_numbers("max", args))


def _min(_: Scope, args: list[JsonValue]) -> JsonValue:
    return min(_numbers("min", args))


def _range(_: Scope, args: list[JsonValue]) -> JsonValue:
    start, count = _int("range", args, 0), _int("range", args, 1)
    if count < 0 or count > 10000:
        raise FunctionArgumentError("The template function 'range' expects a count between 0 and 10000")
    if start + count > 2147483647:
        raise FunctionArgumentError("The template function 'range' expects startIndex + count <= 2147483647")
    return list(range(start, start + count))


def _try_get(_: Scope, args: list[JsonValue]) -> JsonValue:
    current: JsonValue = args[0]
    for key in args[1:]:
        if isinstance(current, dict) and isinstance(key, str):
            found, current = lookup_case_insensitive(current, key)
            if not found:
                return None
        elif isinstance(current, list) and is_int(key):
            assert isinstance(key, int)
            if not 0 <= key < len(current):
                return None
            current = current[key]
        else:
            return None
    return current


# ---------------------------------------------------------------------------------------------
# comparison and logical functions (template-functions-comparison, template-functions-logical)


def _lazy_coalesce(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    for expr in exprs:
        value = scope.evaluate(expr)
        if value is not None:
            return value
    return None


def _equals(_: Scope, args: list[JsonValue]) -> JsonValue:
    return deep_equals(args[0], args[1])


def _greater(_: Scope, args: list[JsonValue]) -> JsonValue:
    return arm_compare("greater", args[0], args[1]) > 0


def _greater_or_equals(_: Scope, args: list[JsonValue]) -> JsonValue:
    return arm_compare("greaterOrEquals", args[0], args[1]) >= 0


def _less(_: Scope, args: list[JsonValue]) -> JsonValue:
    return arm_compare("less", args[0], args[1]) < 0


def _less_or_equals(_: Scope, args: list[JsonValue]) -> JsonValue:
    return arm_compare("lessOrEquals", args[0], args[1]) <= 0


def _evaluate_bool(fn: str, scope: Scope, expr: Expr, index: int) -> bool:
    value = scope.evaluate(expr)
    if not isinstance(value, bool):
        raise FunctionArgumentError(
            f"The template function '{fn}' expects argument {index + 1} to be a boolean, got {type_name(value)}"
        )
    return value


def _lazy_and(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    return all(_evaluate_bool("and", scope, expr, index) for index, expr in enumerate(exprs))


def _lazy_or(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    return any(_evaluate_bool("or", scope, expr, index) for index, expr in enumerate(exprs))


def _lazy_if(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    chosen = exprs[1] if _evaluate_bool("if", scope, exprs[0], 0) else exprs[2]
    return scope.evaluate(chosen)


def _not(_: Scope, args: list[JsonValue]) -> JsonValue:
    return not _bool("not", args, 0)


def _true(_: Scope, _args: list[JsonValue]) -> JsonValue:
    return True


def _false(_: Scope, _args: list[JsonValue]) -> JsonValue:
    return False


def _to_bool(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    if isinstance(value, bool):
        return value
    if is_int(value):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise FunctionArgumentError(f"The template function 'bool' can't convert {value!r} to a boolean")


# ---------------------------------------------------------------------------------------------
# numeric functions (template-functions-numeric)


def _add(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _int("add", args, 0) + _int("add", args, 1)


def _sub(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _int("sub", args, 0) - _int("sub", args, 1)


def _mul(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _int("mul", args, 0) * _int("mul", args, 1)


def _truncated_division(fn: str, args: list[JsonValue]) -> tuple[int, int]:
    dividend, divisor = _int(fn, args, 0), _int(fn, args, 1)
    if divisor == 0:
        raise FunctionArgumentError(f"The template function '{fn}' can't divide by zero")
    quotient = abs(dividend) // abs(divisor)
    if (dividend < 0) != (divisor < 0):
        quotient = -quotient
    return quotient, dividend - divisor * quotient


def _div(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _truncated_division("div", args)[0]


def _mod(_: Scope, args: list[JsonValue]) -> JsonValue:
    return _truncated_division("mod", args)[1]


def _to_int(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    if is_int(value):
        return value
    if isinstance(value, float):
        return round(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise FunctionArgumentError(f"The template function 'int' can't convert {value!r} to an integer")


def _to_float(_: Scope, args: list[JsonValue]) -> JsonValue:
    value = args[0]
    if is_number(value):
        assert isinstance(value, (int, float))
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise FunctionArgumentError(f"The template function 'float' can't convert {value!r} to a number")


def _copy_index(scope: Scope, args: list[JsonValue]) -> JsonValue:
    loop_name: str | None = None
    offset = 0
    if len(args) == 2:
        loop_name, offset = _str("copyIndex", args, 0), _int("copyIndex", args, 1)
    elif len(args) == 1 and isinstance(args[0], str):
        loop_name = args[0]
    elif len(args) == 1:
        offset = _int("copyIndex", args, 0)
    return scope.copy_index(loop_name) + offset


# ---------------------------------------------------------------------------------------------
# deployment and scope functions (template-functions-deployment, template-functions-scope)


def _parameters(scope: Scope, args: list[JsonValue]) -> JsonValue:
    return scope.parameter(_str("parameters", args, 0))


def _variables(scope: Scope, args: list[JsonValue]) -> JsonValue:
    return scope.variable(_str("variables", args, 0))


def _deployment(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.deployment()


def _environment(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.environment()


def _resource_group(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.resource_group()


def _subscription(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.subscription()


def _tenant(scope: Scope, _args: list[JsonValue]) -> JsonValue:
    return scope.tenant()


# ---------------------------------------------------------------------------------------------
# resource functions (template-functions-resource)


def _type_and_names(fn: str, values: Sequence[str]) -> str:
    """Interleave ``Namespace/type1/type2`` with names into ``Namespace/type1/name1/type2/name2``."""
    resource_type, names = values[0], [part for name in values[1:] for part in name.split("/")]
    segments = resource_type.strip("/").split("/")
    if len(segments) < 2:
        raise FunctionArgumentError(
            f"The template function '{fn}' got an invalid resource type '{resource_type}'"
        )
    if len(names) != len(segments) - 1:
        raise FunctionArgumentError(
            f"The template function '{fn}': resource type '{resource_type}' needs {len(segments) - 1} "
            f"resource name segment(s), got {len(names)}"
        )
    parts = [segments[0]]
    for type_segment, name in zip(segments[1:], names):
        parts.extend((type_segment, name))
    return "/".join(parts)


def _type_position(fn: str, values: Sequence[str], max_prefix: int) -> int:
    for index, value in enumerate(values[: max_prefix + 1]):
        if "/" in value:
            return index
    raise FunctionArgumentError(
        f"The template function '{fn}' expects a resource type such as 'Microsoft.Storage/storageAccounts'"
    )


def _resource_id(scope: Scope, args: list[JsonValue]) -> JsonValue:
    values = _all_strings("resourceId", args)
    position = _type_position("resourceId", values, 2)
    subscription_id = values[0] if position == 2 else scope.current_subscription_id()
    group = values[position - 1] if position >= 1 else scope.current_resource_group_name()
    path = _type_and_names("resourceId", values[position:])
    if group is None:
        return f"/subscriptions/{subscription_id}/providers/{path}"
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{path}"


def _subscription_resource_id(scope: Scope, args: list[JsonValue]) -> JsonValue:
    values = _all_strings("subscriptionResourceId", args)
    position = _type_position("subscriptionResourceId", values, 1)
    subscription_id = values[0] if position == 1 else scope.current_subscription_id()
    return f"/subscriptions/{subscription_id}/providers/{_type_and_names('subscriptionResourceId', values[position:])}"


def _tenant_resource_id(_: Scope, args: list[JsonValue]) -> JsonValue:
    return "/providers/" + _type_and_names("tenantResourceId", _all_strings("tenantResourceId", args))


def _extension_resource_id(_: Scope, args: list[JsonValue]) -> JsonValue:
    values = _all_strings("extensionResourceId", args)
    return f"{values[0].rstrip('/')}/providers/{_type_and_names('extensionResourceId', values[1:])}"


def _reference(scope: Scope, args: list[JsonValue]) -> JsonValue:
    target = _str("reference", args, 0)
    api_version = _str("reference", args, 1) if len(args) > 1 and args[1] is not None else None
    full = False
    if len(args) > 2:
        mode = _str("reference", args, 2)
        if mode.casefold() not in ("full", "properties"):
            raise FunctionArgumentError("The template function 'reference' expects 'Full' as third argument")
        full = mode.casefold() == "full"
    return scope.reference(target, api_version, full)


def _list_action(name: str) -> FunctionSpec:
    def call(scope: Scope, args: list[JsonValue]) -> JsonValue:
        values = args[2] if len(args) > 2 else None
        return scope.list_values(name, _str(name, args, 0), _str(name, args, 1), values)

    return FunctionSpec(name, 2, 3, eager=call)


def _pick_zones(_: Scope, args: list[JsonValue]) -> JsonValue:
    for index in range(3):
        _str("pickZones", args, index)
    # The offline emulator models regions without availability zones: like a region or type
    # that doesn't support zones in Azure, pickZones answers an empty array.
    return []


# ---------------------------------------------------------------------------------------------
# date functions (template-functions-date)


def _utc_now(scope: Scope, args: list[JsonValue]) -> JsonValue:
    spec = _str("utcNow", args, 0) if args else "yyyyMMddTHHmmssZ"
    return dotnet_format.format_datetime(scope.utc_now(), spec)


def _date_time_add(_: Scope, args: list[JsonValue]) -> JsonValue:
    base = dotnet_format.parse_iso_datetime(_str("dateTimeAdd", args, 0))
    result = dotnet_format.add_duration(base, _str("dateTimeAdd", args, 1))
    if len(args) > 2:
        return dotnet_format.format_datetime(result, _str("dateTimeAdd", args, 2))
    spec = "yyyy-MM-ddTHH:mm:ss" + (".fffffff" if result.microsecond else "") + "K"
    return dotnet_format.format_datetime(result, spec)


def _date_time_to_epoch(_: Scope, args: list[JsonValue]) -> JsonValue:
    return int(dotnet_format.parse_iso_datetime(_str("dateTimeToEpoch", args, 0)).timestamp())


def _date_time_from_epoch(_: Scope, args: list[JsonValue]) -> JsonValue:
    moment = datetime.fromtimestamp(_int("dateTimeFromEpoch", args, 0), tz=timezone.utc)
    return dotnet_format.format_datetime(moment, "yyyy-MM-ddTHH:mm:ssK")


# ---------------------------------------------------------------------------------------------
# lambda functions (template-functions-lambda)


def _lambda_parts(fn: str, expr: Expr, arity: int) -> tuple[tuple[str, ...], Expr]:
    if not (isinstance(expr, FunctionCall) and expr.name.casefold() == "lambda" and expr.args):
        raise FunctionArgumentError(f"The template function '{fn}' expects a lambda(...) expression")
    *names, body = expr.args
    if len(names) != arity or not all(isinstance(name, StringLiteral) for name in names):
        raise FunctionArgumentError(
            f"The template function '{fn}' expects a lambda with {arity} variable name(s) given as string literals"
        )
    return tuple(name.value for name in names if isinstance(name, StringLiteral)), body


def _apply(scope: Scope, lam: tuple[tuple[str, ...], Expr], *values: JsonValue) -> JsonValue:
    names, body = lam
    return scope.with_lambda_variables(dict(zip(names, values))).evaluate(body)


def _lazy_array(fn: str, scope: Scope, expr: Expr) -> list[JsonValue]:
    value = scope.evaluate(expr)
    if not isinstance(value, list):
        raise FunctionArgumentError(
            f"The template function '{fn}' expects argument 1 to be an array, got {type_name(value)}"
        )
    return value


def _lazy_filter(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items, lam = _lazy_array("filter", scope, exprs[0]), _lambda_parts("filter", exprs[1], 1)
    result = []
    for item in items:
        keep = _apply(scope, lam, item)
        if not isinstance(keep, bool):
            raise FunctionArgumentError("The lambda of template function 'filter' must return a boolean")
        if keep:
            result.append(item)
    return result


def _lazy_map(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items, lam = _lazy_array("map", scope, exprs[0]), _lambda_parts("map", exprs[1], 1)
    return [_apply(scope, lam, item) for item in items]


def _lazy_reduce(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items = _lazy_array("reduce", scope, exprs[0])
    accumulator = scope.evaluate(exprs[1])
    lam = _lambda_parts("reduce", exprs[2], 2)
    for item in items:
        accumulator = _apply(scope, lam, accumulator, item)
    return accumulator


def _lazy_sort(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items, lam = _lazy_array("sort", scope, exprs[0]), _lambda_parts("sort", exprs[1], 2)

    def before(left: JsonValue, right: JsonValue) -> bool:
        result = _apply(scope, lam, left, right)
        if not isinstance(result, bool):
            raise FunctionArgumentError("The lambda of template function 'sort' must return a boolean")
        return result

    def compare(left: JsonValue, right: JsonValue) -> int:
        return -1 if before(left, right) else (1 if before(right, left) else 0)

    return sorted(items, key=functools.cmp_to_key(compare))


def _lazy_to_object(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items = _lazy_array("toObject", scope, exprs[0])
    key_lambda = _lambda_parts("toObject", exprs[1], 1)
    value_lambda = _lambda_parts("toObject", exprs[2], 1) if len(exprs) > 2 else None
    result: dict[str, JsonValue] = {}
    for item in items:
        key = _apply(scope, key_lambda, item)
        if not isinstance(key, str):
            raise FunctionArgumentError("The key lambda of template function 'toObject' must return a string")
        result[key] = _apply(scope, value_lambda, item) if value_lambda else item
    return result


def _lazy_group_by(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    items, lam = _lazy_array("groupBy", scope, exprs[0]), _lambda_parts("groupBy", exprs[1], 1)
    groups: dict[str, JsonValue] = {}
    for item in items:
        key = _apply(scope, lam, item)
        if not isinstance(key, str):
            raise FunctionArgumentError("The lambda of template function 'groupBy' must return a string")
        bucket = groups.setdefault(key, [])
        assert isinstance(bucket, list)
        bucket.append(item)
    return groups


def _lazy_map_values(scope: Scope, exprs: Sequence[Expr]) -> JsonValue:
    source = scope.evaluate(exprs[0])
    if not isinstance(source, dict):
        raise FunctionArgumentError(
            f"The template function 'mapValues' expects an object, got {type_name(source)}"
        )
    lam = _lambda_parts("mapValues", exprs[1], 1)
    return {key: _apply(scope, lam, value) for key, value in source.items()}


def _lambda_outside_call(_: Scope, _exprs: Sequence[Expr]) -> JsonValue:
    raise EvaluationError(
        "lambda() can only be used directly as an argument of filter, map, reduce, sort, toObject, "
        "groupBy or mapValues"
    )


def _lambda_variables(scope: Scope, args: list[JsonValue]) -> JsonValue:
    return scope.lambda_variable(_str("lambdaVariables", args, 0))


# ---------------------------------------------------------------------------------------------
# registry


def _eager(name: str, impl: EagerImpl, min_args: int, max_args: int | None) -> tuple[str, FunctionSpec]:
    return name.casefold(), FunctionSpec(name, min_args, max_args, eager=impl)


def _lazy(name: str, impl: LazyImpl, min_args: int, max_args: int | None) -> tuple[str, FunctionSpec]:
    return name.casefold(), FunctionSpec(name, min_args, max_args, lazy=impl)


FUNCTIONS: Mapping[str, FunctionSpec] = dict(
    [
        # string
        _eager("base64", _base64, 1, 1),
        _eager("base64ToJson", _base64_to_json, 1, 1),
        _eager("base64ToString", _base64_to_string, 1, 1),
        _eager("concat", _concat, 0, None),
        _eager("contains", _contains, 2, 2),
        _eager("dataUri", _data_uri, 1, 1),
        _eager("dataUriToString", _data_uri_to_string, 1, 1),
        _eager("empty", _empty, 1, 1),
        _eager("endsWith", _ends_with, 2, 2),
        _eager("first", _first, 1, 1),
        _eager("format", _format, 1, None),
        _eager("guid", _guid, 1, None),
        _eager("indexOf", _index_of, 2, 2),
        _eager("join", _join, 2, 2),
        _eager("json", _json, 1, 1),
        _eager("last", _last, 1, 1),
        _eager("lastIndexOf", _last_index_of, 2, 2),
        _eager("length", _length, 1, 1),
        _eager("newGuid", _new_guid, 0, 0),
        _eager("padLeft", _pad_left, 2, 3),
        _eager("replace", _replace, 3, 3),
        _eager("skip", _skip, 2, 2),
        _eager("split", _split, 2, 2),
        _eager("startsWith", _starts_with, 2, 2),
        _eager("string", _string, 1, 1),
        _eager("substring", _substring, 1, 3),
        _eager("take", _take, 2, 2),
        _eager("toLower", _to_lower, 1, 1),
        _eager("toUpper", _to_upper, 1, 1),
        _eager("trim", _trim, 1, 1),
        _eager("uniqueString", _unique_string, 1, None),
        _eager("uri", _uri, 2, 2),
        _eager("uriComponent", _uri_component, 1, 1),
        _eager("uriComponentToString", _uri_component_to_string, 1, 1),
        # array and object
        _eager("array", _array, 1, 1),
        _eager("createArray", _create_array, 0, None),
        _eager("createObject", _create_object, 0, None),
        _eager("intersection", _intersection, 1, None),
        _eager("items", _items, 1, 1),
        _eager("max", _max, 1, None),
        _eager("min", _min, 1, None),
        _eager("null", _null, 0, 0),
        _eager("objectKeys", _object_keys, 1, 1),
        _eager("range", _range, 2, 2),
        _eager("shallowMerge", _shallow_merge, 1, 1),
        _eager("tryGet", _try_get, 2, None),
        _eager("union", _union, 1, None),
        # comparison and logical
        _lazy("and", _lazy_and, 1, None),
        _eager("bool", _to_bool, 1, 1),
        _lazy("coalesce", _lazy_coalesce, 1, None),
        _eager("equals", _equals, 2, 2),
        _eager("false", _false, 0, 0),
        _eager("greater", _greater, 2, 2),
        _eager("greaterOrEquals", _greater_or_equals, 2, 2),
        _lazy("if", _lazy_if, 3, 3),
        _eager("less", _less, 2, 2),
        _eager("lessOrEquals", _less_or_equals, 2, 2),
        _eager("not", _not, 1, 1),
        _lazy("or", _lazy_or, 1, None),
        _eager("true", _true, 0, 0),
        # numeric
        _eager("add", _add, 2, 2),
        _eager("copyIndex", _copy_index, 0, 2),
        _eager("div", _div, 2, 2),
        _eager("float", _to_float, 1, 1),
        _eager("int", _to_int, 1, 1),
        _eager("mod", _mod, 2, 2),
        _eager("mul", _mul, 2, 2),
        _eager("sub", _sub, 2, 2),
        # deployment and scope
        _eager("deployment", _deployment, 0, 0),
        _eager("environment", _environment, 0, 0),
        _eager("parameters", _parameters, 1, 1),
        _eager("resourceGroup", _resource_group, 0, 0),
        _eager("subscription", _subscription, 0, 0),
        _eager("tenant", _tenant, 0, 0),
        _eager("variables", _variables, 1, 1),
        # resource
        _eager("extensionResourceId", _extension_resource_id, 3, None),
        _eager("pickZones", _pick_zones, 3, 5),
        _eager("reference", _reference, 1, 3),
        _eager("resourceId", _resource_id, 2, None),
        _eager("subscriptionResourceId", _subscription_resource_id, 2, None),
        _eager("tenantResourceId", _tenant_resource_id, 2, None),
        # date
        _eager("dateTimeAdd", _date_time_add, 2, 3),
        _eager("dateTimeFromEpoch", _date_time_from_epoch, 1, 1),
        _eager("dateTimeToEpoch", _date_time_to_epoch, 1, 1),
        _eager("utcNow", _utc_now, 0, 1),
        # lambda
        _lazy("filter", _lazy_filter, 2, 2),
        _lazy("groupBy", _lazy_group_by, 2, 2),
        _lazy("lambda", _lambda_outside_call, 0, None),
        _eager("lambdaVariables", _lambda_variables, 1, 1),
        _lazy("map", _lazy_map, 2, 2),
        _lazy("mapValues", _lazy_map_values, 2, 2),
        _lazy("reduce", _lazy_reduce, 3, 3),
        _lazy("sort", _lazy_sort, 2, 2),
        _lazy("toObject", _lazy_to_object, 2, 3),
    ]
)
"""Every built-in function the evaluator supports, keyed by lower-cased name.

``list*`` functions (``listKeys``, ``listSecrets``...) are not listed: any name starting with
``list`` that is not a registered function is dispatched to the context's list callback.
"""

_UNSUPPORTED: Mapping[str, str] = {
    "managementgroup": "management group deployments are not supported by the offline evaluator",
    "managementgroupresourceid": "management group deployments are not supported by the offline evaluator",
    "providers": "the providers() function is deprecated by Azure and not emulated",
    "references": "references() needs languageVersion 2.0 resource collections, which are not supported",
}


def supported_function_names() -> list[str]:
    """Canonical names of the supported built-in functions, sorted case-insensitively."""
    return sorted((spec.name for spec in FUNCTIONS.values()), key=str.casefold)


def lookup_function(name: str) -> FunctionSpec:
    """Find the spec of built-in function ``name`` or raise :class:`UnsupportedFunctionError`."""
    key = name.casefold()
    spec = FUNCTIONS.get(key)
    if spec is not None:
        return spec
    if key.startswith("list"):
        return _list_action(name)
    if key in _UNSUPPORTED:
        raise UnsupportedFunctionError(name, _UNSUPPORTED[key])
    raise UnsupportedFunctionError(name, "unknown function")


def call_function(scope: Scope, call: FunctionCall) -> JsonValue:
    """Evaluate the function call ``call`` in ``scope``."""
    if "." in call.name:
        return scope.call_user_function(call.name, [scope.evaluate(arg) for arg in call.args])
    spec = lookup_function(call.name)
    spec.check_arity(len(call.args))
    if spec.lazy is not None:
        return spec.lazy(scope, call.args)
    assert spec.eager is not None
    return spec.eager(scope, [scope.evaluate(arg) for arg in call.args])
