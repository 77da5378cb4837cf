""".NET-style formatting used by ``format()``, ``utcNow()`` and ``dateTimeAdd()``.

ARM runs on .NET and documents these functions in terms of .NET's ``String.Format`` composite
formatting and its standard/custom numeric and date-time format strings, using the invariant
culture.  This module implements the commonly used subset:

* composite format items ``{index[,alignment][:formatString]}`` with ``{{``/``}}`` escapes;
* numeric standard formats ``C D E F G N P R X`` (with precision) and simple custom patterns
  built from ``0``, ``#``, ``,`` and ``.`` (e.g. ``000``, ``#,##0.00``);
* date-time standard formats ``d D f F g G M O R s t T u U Y`` and custom patterns
  (``yyyy``, ``MM``, ``dd``, ``HH``, ``mm``, ``ss``, ``fff``, ``tt``, ``K``, quoted literals...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .errors import EvaluationError

__all__ = [
    "add_duration",
    "format_composite",
    "format_datetime",
    "format_number",
    "parse_iso_datetime",
    "parse_iso_duration",
]

_STANDARD_NUMERIC = re.compile(r"^([A-Za-z])(\d{0,9})$")
_CUSTOM_NUMERIC = re.compile(r"^([^0#,.]*)([0#,]+)(?:\.([0#]+))?([^0#,.]*)$")
_FORMAT_ITEM = re.compile(r"\{(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::([^{}]*))?\}")


def format_composite(template: str, args: Sequence[Any], to_text: Callable[[Any], str]) -> str:
    """Expand a .NET composite format string such as ``'{0}, {1:N0}'``.

    ``to_text`` renders an argument that has no (applicable) format string.
    """
    out: list[str] = []
    index = 0
    while index < len(template):
        char = template[index]
        if char in "{}" and template.startswith(char * 2, index):
            out.append(char)
            index += 2
            continue
        if char == "}":
            raise EvaluationError(f"Input string {template!r} was not in a correct format: unmatched '}}'")
        if char != "{":
            out.append(char)
            index += 1
            continue
        match = _FORMAT_ITEM.match(template, index)
        if match is None:
            raise EvaluationError(
                f"Input string {template!r} was not in a correct format at position {index}"
            )
        out.append(_format_item(match, args, to_text))
        index = match.end()
    return "".join(out)


def _format_item(match: re.Match[str], args: Sequence[Any], to_text: Callable[[Any], str]) -> str:
    position = int(match.group(1))
    if position >= len(args):
        raise EvaluationError(
            "Index (zero based) must be greater than or equal to zero and less than the size of the "
            f"argument list: format item {{{position}}} but {len(args)} argument(s)"
        )
    value = args[position]
    spec = match.group(3)
    if spec and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = format_number(value, spec)
    else:
        text = to_text(value)
    width = int(match.group(2)) if match.group(2) else 0
    return text.rjust(width) if width >= 0 else text.ljust(-width)


def format_number(value: float, spec: str) -> str:
    """Format a number with a .NET standard or simple custom numeric format string."""
    standard = _STANDARD_NUMERIC.match(spec)
    if standard:
        letter, digits = standard.group(1), standard.group(2)
        precision = int(digits) if digits else None
        return _format_standard_number(value, letter, precision, spec)
    custom = _CUSTOM_NUMERIC.match(spec)
    if custom:
        return _format_custom_number(value, custom)
    raise EvaluationError(f"The numeric format string {spec!r} is not supported")


def _round_decimal(value: float, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value) if isinstance(value, float) else value).quantize(quantum, ROUND_HALF_EVEN)


def _group_thousands(digits: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ",".join(groups)


def _fixed(value: float, places: int, grouped: bool) -> str:
    rounded = _round_decimal(value, places)
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):.{places}f}"
    integral, _, fraction = text.partition(".")
    if grouped:
        integral = _group_thousands(integral)
    return sign + integral + ("." + fraction if fraction else "")


def _format_standard_number(value: float, letter: str, precision: int | None, spec: str) -> str:
    upper = letter.upper()
    if upper == "D":
        return _format_decimal(value, precision or 0, spec)
    if upper == "X":
        return _format_hex(value, precision or 0, letter, spec)
    if upper == "N":
        return _fixed(value, 2 if precision is None else precision, grouped=True)
    if upper == "F":
        return _fixed(value, 2 if precision is None else precision, grouped=False)
    if upper == "C":
        return "¤" + _fixed(value, 2 if precision is None else precision, grouped=True)
    if upper == "P":
        return _fixed(value * 100, 2 if precision is None else precision, grouped=True) + " %"
    if upper == "E":
        return _format_exponential(value, 6 if precision is None else precision, letter)
    if upper in ("G", "R"):
        return _format_general(value, precision, letter)
    raise EvaluationError(f"The numeric format string {spec!r} is not supported")


def _format_decimal(value: float, digits: int, spec: str) -> str:
    if not isinstance(value, int):
        raise EvaluationError(f"The format string {spec!r} is only valid for integers")
    sign = "-" if value < 0 else ""
    return sign + str(abs(value)).zfill(digits)


def _format_hex(value: float, digits: int, letter: str, spec: str) -> str:
    if not isinstance(value, int):
        raise EvaluationError(f"The format string {spec!r} is only valid for integers")
    number = value if value >= 0 else value + (1 << 64)
    text = f"{number:x}" if letter == "x" else f"{number:X}"
    return text.zfill(digits)


def _format_exponential(value: float, places: int, letter: str) -> str:
    mantissa, _, exponent = f"{value:.{places}e}".partition("e")
    sign = exponent[0]
    return f"{mantissa}{'E' if letter == 'E' else 'e'}{sign}{exponent[1:].lstrip('0').zfill(3)}"


def _format_general(value: float, precision: int | None, letter: str) -> str:
    if isinstance(value, int) and not precision:
        return str(value)
    if precision:
        text = f"{value:.{precision}g}"
    else:
        text = repr(float(value))
        text = text.removesuffix(".0")
    return text.replace("e", "E" if letter.isupper() else "e")


def _format_custom_number(value: float, match: re.Match[str]) -> str:
    prefix, integral_spec, fraction_spec, suffix = (
        match.group(1),
        match.group(2),
        match.group(3),
        match.group(4),
    )
    fraction_spec = fraction_spec or ""
    min_fraction = len(fraction_spec.rstrip("#"))
    max_fraction = len(fraction_spec)
    rounded = _round_decimal(value, max_fraction)
    sign = "-" if rounded < 0 else ""
    integral, _, fraction = f"{abs(rounded):.{max_fraction}f}".partition(".")
    while len(fraction) > min_fraction and fraction.endswith("0"):
        fraction = fraction[:-1]
    min_integral = integral_spec.replace(",", "").count("0")
    integral = integral.lstrip("0").zfill(min_integral) if integral != "0" or min_integral else ""
    if "," in integral_spec.rstrip(","):
        integral = _group_thousands(integral) if integral else integral
    return f"{prefix}{sign}{integral}{'.' + fraction if fraction else ''}{suffix}"


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_STANDARD_DATETIME = {
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "M": "MMMM dd",
    "m": "MMMM dd",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, dd MMMM yyyy HH:mm:ss",
    "Y": "yyyy MMMM",
    "y": "yyyy MMMM",
}
_DATETIME_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\\.|%|(\w)\1*|.", re.DOTALL)


def format_datetime(moment: datetime, spec: str) -> str:
    """Format ``moment`` with a .NET standard (one letter) or custom date-time format string."""
    if len(spec) == 1:
        if spec not in _STANDARD_DATETIME:
            raise EvaluationError(f"The date-time format string {spec!r} is not supported")
        spec = _STANDARD_DATETIME[spec]
    return "".join(_format_datetime_token(moment, token.group(0)) for token in _DATETIME_TOKEN.finditer(spec))


def _format_datetime_token(moment: datetime, token: str) -> str:
    if token[0] in "'\"":
        return token[1:-1]
    if token[0] == "\\":
        return token[1:]
    if token == "%":
        return ""
    head, size = token[0], len(token)
    handler = _DATETIME_SPECIFIERS.get(head)
    return handler(moment, size) if handler else token


def _year(moment: datetime, size: int) -> str:
    return (
        f"{moment.year % 100:02d}"
        if size == 2
        else (str(moment.year % 100) if size == 1 else str(moment.year).zfill(size))
    )


def _month(moment: datetime, size: int) -> str:
    if size >= 4:
        return _MONTH_NAMES[moment.month - 1]
    if size == 3:
        return _MONTH_NAMES[moment.month - 1][:3]
    return str(moment.month).zfill(size)


def _day(moment: datetime, size: int) -> str:
    if size >= 4:
        return _DAY_NAMES[moment.weekday()]
    if size == 3:
        return _DAY_NAMES[moment.weekday()][:3]
    return str(moment.day).zfill(size)


def _hour12(moment: datetime, size: int) -> str:
    return str(moment.hour % 12 or 12).zfill(min(size, 2))


def _fraction(moment: datetime, size: int, trim: bool) -> str:
    digits = f"{moment.microsecond:06d}0"[: min(size, 7)]
    return digits.rstrip("0") if trim else digits


def _offset(moment: datetime, size: int) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    if size == 1:
        return f"{sign}{hours}"
    if size == 2:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def _kind(moment: datetime, _size: int) -> str:
    delta = moment.utcoffset()
    if delta is None:
        return ""
    return "Z" if delta == timedelta(0) else _offset(moment, 3)


_DATETIME_SPECIFIERS: dict[str, Callable[[datetime, int], str]] = {
    "y": _year,
    "M": _month,
    "d": _day,
    "H": lambda m, n: str(m.hour).zfill(min(n, 2)),
    "h": _hour12,
    "m": lambda m, n: str(m.minute).zfill(min(n, 2)),
    "s": lambda m, n: str(m.second).zfill(min(n, 2)),
    "f": lambda m, n: _fraction(m, n, trim=False),
    "F": lambda m, n: _fraction(m, n, trim=True),
    "t": lambda m, n: ("AM" if m.hour < 12 else "PM")[:n],
    "z": _offset,
    "K": _kind,
}


_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


_ISO_DATETIME = re.compile(
    r"^(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def parse_iso_datetime(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``2020-04-07T14:53:14Z``, ``2020-04-07 14:53:14Z``,
    ``20190305T175318Z``, ``2020-04-07T14:53:14.1234567+02:00``...).  No offset means UTC."""
    match = _ISO_DATETIME.match(text.strip())
    if match is None:
        raise EvaluationError(f"The value {text!r} is not a valid ISO 8601 date-time")
    parts = match.groupdict()
    zone = (parts["zone"] or "Z").upper()
    offset = timedelta(0)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        offset = -offset if zone[0] == "-" else offset
    fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
    try:
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=timezone(offset),
        )
    except ValueError as error:
        raise EvaluationError(f"The value {text!r} is not a valid ISO 8601 date-time") from error


def parse_iso_duration(text: str) -> tuple[int, int, timedelta]:
    """Parse an ISO 8601 duration into ``(years, months, exact_delta)``, sign applied."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip().rstrip("T").endswith("P"):
        raise EvaluationError(f"The value {text!r} is not a valid ISO 8601 duration")
    parts = {key: value for key, value in match.groupdict().items() if key != "sign"}
    sign = -1 if match.group("sign") == "-" else 1
    numbers = {key: float(value) if value else 0.0 for key, value in parts.items()}
    delta = timedelta(
        weeks=numbers["weeks"],
        days=numbers["days"],
        hours=numbers["hours"],
        minutes=numbers["minutes"],
        seconds=numbers["seconds"],
    )
    return sign * int(numbers["years"]), sign * int(numbers["months"]), sign * delta


def add_duration(moment: datetime, duration: str) -> datetime:
    """Add an ISO 8601 duration to ``moment`` (calendar arithmetic for years and months)."""
    years, months, delta = parse_iso_duration(duration)
    total_months = moment.year * 12 + (moment.month - 1) + years * 12 + months
    year, month = divmod(total_months, 12)
    day = min(moment.day, _days_in_month(year, month + 1))
    return moment.replace(year=year, month=month + 1, day=day) + delta


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1) - datetime(year, month, 1)).days
