"""Rendering blueprint templates: one sandboxed Jinja2 environment, values only through JSON filters.

Every ``{{ ... }}`` must end in the ``json`` filter (``finalize`` refuses anything else), so a value like
``"x\\n  Evil: true"`` can only ever become a quoted string; the rendered text is parsed at once by the
provider's loader, so a broken template fails here, naming the template file and line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateSyntaxError, Undefined
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from iacli.assets import Asset, build_asset
from iacli.errors import TemplateError


class Scalar(str):
    """Text produced by the ``json`` filter: the only kind of value a template may emit."""


def to_json(value: Any) -> Scalar:
    """The ``json`` filter: a JSON scalar or flow collection (valid YAML too)."""
    if isinstance(value, Asset):
        value = value.placeholder
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing variable
    try:
        return Scalar(json.dumps(value, sort_keys=False, ensure_ascii=True, default=_refuse))
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"cannot emit {type(value).__name__} as JSON: {exc}") from None


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _finalize(value: Any) -> Any:
    if isinstance(value, Scalar):
        return value
    raise _UnfilteredValue(
        "a value was written without the json filter; write {{ value | json }}"
    )


class _UnfilteredValue(JinjaError):
    pass


@dataclass(frozen=True)
class RenderedTemplate:
    """A rendered template: its text, its parsed body and the assets it ships."""

    source: Path
    text: str
    body: dict[str, Any]
    assets: Mapping[str, Asset] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


Parser = Callable[[str, str], dict[str, Any]]


def make_environment(root: Path) -> SandboxedEnvironment:
    """The one environment configuration every template renders in."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(root)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["json"] = to_json
    env.filters["tojson"] = to_json
    return env


def render_template(
    root: Path, relative: str, context: Mapping[str, Any], parse: Parser
) -> RenderedTemplate:
    """Render ``root/relative`` with ``context`` and parse the result with the provider's ``parse``."""
    env = make_environment(root)
    assets: dict[str, Asset] = {}

    def asset(path: str) -> Asset:
        built = build_asset(root, path)
        assets[built.placeholder] = built
        return built

    env.globals["asset"] = asset
    env.globals["fail"] = _fail
    source = root / relative
    try:
        text = env.get_template(relative).render(**context)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{source}:{exc.lineno}: {exc.message}") from None
    except (JinjaError, TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        line = _template_line(exc.__traceback__, source)
        where = f"{source}:{line}" if line else str(source)
        message = exc.message if isinstance(exc, TemplateError) else str(exc)
        raise TemplateError(f"{where}: {message}", hint=_hint(exc, context)) from None
    return RenderedTemplate(source, text, parse(text, str(source)), assets)


class TemplateCheckFailed(JinjaError):
    """Raised by ``{{ fail("message") }}``: a blueprint's own check of its parameters."""


def _fail(message: str) -> None:
    raise TemplateCheckFailed(str(message))


def _template_line(tb: TracebackType | None, source: Path) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(source):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _hint(exc: Exception, context: Mapping[str, Any]) -> str | None:
    if isinstance(exc, TemplateCheckFailed):
        return "the blueprint refused these parameter values; `iacli blueprints show` lists what it accepts"
    if isinstance(exc, _UnfilteredValue):
        return "every {{ }} must end in | json so values stay data"
    params = context.get("params")
    if isinstance(params, Mapping):
        return "available: params." + ", params.".join(sorted(params)) if params else "no params"
    return None
