"""Options shared by the stack commands, and the one place that builds an Engine from them."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from iacli.engine import Engine, StackRequest


class OutputFormat(str, Enum):
    TEXT = "text"
    JSON = "json"


Blueprint = Annotated[
    str | None, typer.Argument(metavar="BLUEPRINT", help="Blueprint name (see `iacli blueprints list`); omit with --template.")
]
TemplateFile = Annotated[
    Path | None,
    typer.Option("--template", "-t", metavar="FILE", help="Bring your own CloudFormation/SAM (or ARM) template instead of a blueprint."),
]
ProviderOpt = Annotated[str | None, typer.Option("--provider", metavar="NAME", help="Cloud provider: aws (default).")]
TargetOpt = Annotated[
    str | None, typer.Option("--target", metavar="TARGET", help="sandbox (default) or the provider's real cloud, e.g. aws.")
]
EnvOpt = Annotated[str, typer.Option("--env", "-e", metavar="NAME", help="Environment name; the stack is <name>-<env>.")]
NameOpt = Annotated[str | None, typer.Option("--name", "-n", metavar="NAME", help="Stack base name (default: the blueprint name).")]
ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", metavar="KEY=VALUE", help="KEY=VALUE, repeatable; wins over files.")
]
ParamsFileOpt = Annotated[
    Path | None, typer.Option("--params-file", metavar="FILE", help="YAML/JSON mapping of parameter values.")
]
RegionOpt = Annotated[
    str | None, typer.Option("--region", "--location", metavar="REGION", help="AWS region / Azure location.")
]
SubscriptionOpt = Annotated[
    str | None, typer.Option("--subscription", metavar="ID", help="Azure subscription (default: AZURE_SUBSCRIPTION_ID).")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", metavar="PROFILE", help="AWS named profile.")]
OutputOpt = Annotated[OutputFormat, typer.Option("--output", help="text or json.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")]


def stack_request(
    blueprint: str | None,
    template: Path | None,
    provider: str | None,
    target: str | None,
    env: str,
    name: str | None,
    params: list[str] | None,
    params_file: Path | None,
    region: str | None,
    profile: str | None,
    subscription: str | None = None,
) -> StackRequest:
    """Flags -> request; checks only what the flags themselves get wrong."""
    from iacli.engine import StackRequest
    from iacli.errors import UsageError

    if blueprint and template:
        raise UsageError("name a blueprint or pass --template, not both")
    if not blueprint and not template:
        raise UsageError("name a blueprint or pass --template FILE", hint="`iacli blueprints list` shows blueprints")
    return StackRequest(
        blueprint=blueprint,
        template_file=template,
        provider=provider,
        target=target,
        env=env,
        name=name,
        assignments=tuple(params or ()),
        params_file=params_file,
        region=region,
        profile=profile,
        subscription=subscription,
    )


def make_engine() -> Engine:
    """The engine for the current directory's project."""
    from iacli.config import find_project_dir, iacli_home, load_config
    from iacli.engine import Engine

    project = find_project_dir(Path.cwd())
    return Engine(project, load_config(project), iacli_home())


_STACK_PARAMS: list[tuple[str, object, object]] = [
    ("blueprint", Blueprint, None),
    ("template", TemplateFile, None),
    ("provider", ProviderOpt, None),
    ("target", TargetOpt, None),
    ("env", EnvOpt, "dev"),
    ("name", NameOpt, None),
    ("param", ParamOpt, None),
    ("params_file", ParamsFileOpt, None),
    ("region", RegionOpt, None),
    ("profile", ProfileOpt, None),
    ("subscription", SubscriptionOpt, None),
]


def with_stack_options(func: Callable[..., None]) -> Callable[..., None]:
    """Give a command the common stack options; it receives them as one ``request: StackRequest``.

    Typer reads the wrapper's ``__signature__``, so every stack command documents the same flags.
    """
    import functools
    import inspect

    own = [
        p.replace(annotation=eval(p.annotation, func.__globals__) if isinstance(p.annotation, str) else p.annotation)
        for p in inspect.signature(func).parameters.values()
        if p.name != "request"
    ]
    common = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d) for n, a, d in _STACK_PARAMS
    ]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> None:
        values = {n: kwargs.pop(n) for n, _, _ in _STACK_PARAMS}
        values["params"] = values.pop("param")
        func(request=stack_request(**values), **kwargs)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in common + own]
    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__
    return wrapper
