"""Rollback: plan an earlier release of a stack from the history, like any deploy.

The release's exact submitted template and parameters are re-planned on the target (a change set on
AWS), shown, and applied; the result is recorded as a new ROLLBACK release. Secret values are never
stored: a rollback takes them from ``-p``/``--params-file`` (checked against the salted hash the release
recorded, so a value that differs is pointed out), and leaves the others at their deployed values where
the provider can (CloudFormation ``UsePreviousValue``; ARM cannot, and the Azure provider says so).
A rollback takes no other parameter: it deploys the release's own values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacli.blueprint.loader import load_blueprint
from iacli.blueprint.params import ResolvedParams, parse_assignments
from iacli.blueprint.params_file import read_params_file
from iacli.engine import Engine, PlannedDeployment, Prepared, StackRequest
from iacli.errors import BlueprintError, InvalidInputError, NotFoundError, UsageError
from iacli.providers import Deployable, EventSink
from iacli.releases import secret_digest
from iacli.render import RenderedTemplate
from iacli.state import Outcome, Release


def choose_release(engine: Engine, request: StackRequest, to: int | None) -> Release:
    """Release ``to``, or the last good release before the current one."""
    key, generation = engine.stack_key(engine.target(request))
    if to is not None:
        release = engine.store.get(key, to)
        if release is None:
            raise InvalidInputError(f"{key.stack} has no release {to}", hint="`iacli history` lists them")
        if release.outcome is not Outcome.SUCCEEDED:
            raise InvalidInputError(f"release {to} of {key.stack} {release.outcome.value}; roll back to a good one",
                                    hint="`iacli history` shows which releases succeeded")
        return release
    current = engine.store.current(key, generation=generation)
    if current is None:
        raise NotFoundError(f"{key.stack} has no deployed release on {key.target} to roll back from")
    previous = engine.store.last_good(key, before=current.number, generation=generation)
    if previous is None:
        raise InvalidInputError(f"{key.stack} has no good release before release {current.number}",
                                hint="name one with --to N (`iacli history` lists them)")
    return previous


@dataclass(frozen=True)
class RollbackPlan:
    """The plan of going back to a release, and the secrets given that differ from the release's."""

    planned: PlannedDeployment
    changed_secrets: tuple[str, ...] = ()


def plan_rollback(engine: Engine, request: StackRequest, release: Release, on_event: EventSink) -> RollbackPlan:
    """The plan of going back to ``release`` (secret values from the request's -p / --params-file)."""
    target = engine.target(request)
    provider = engine.provider(target.provider)
    text = engine.store.template(release.template_hash)
    source = f"release {release.number} of {target.stack}"
    secrets = frozenset(release.secret_names)
    given = given_secrets(request, release, provider.output_name)
    public = {k: v for k, v in release.parameters.items() if k not in secrets}
    deployable = Deployable(
        stack=target.stack,
        template=RenderedTemplate(Path(source), text, provider.load_template(text, source)),
        parameters={**public, **given},
        secret_parameters=frozenset(given),
        origin=release.origin,
        keep_previous=secrets - frozenset(given),
    )
    blueprint = _blueprint(engine, release)
    prepared = Prepared(target, provider, deployable, ResolvedParams(public, frozenset()), {}, blueprint)
    salt = engine.secret_salt()
    changed = tuple(sorted(n for n, v in given.items()
                           if secret_digest(salt, n, v) != release.parameters.get(n)))
    return RollbackPlan(PlannedDeployment(prepared, provider.plan(target, deployable, on_event)), changed)


def given_secrets(request: StackRequest, release: Release, native: Callable[[str], str]) -> dict[str, Any]:
    """Secret values given to a rollback, keyed as the release recorded them (``native`` maps a blueprint's
    parameter name to the template's). Other parameters may be repeated with the release's own values (a
    script passing the same flags to every command); a different value is refused: a rollback deploys the
    release's values."""
    given: dict[str, Any] = dict(read_params_file(request.params_file)) if request.params_file else {}
    given.update(parse_assignments(request.assignments))
    secrets = set(release.secret_names)
    out: dict[str, Any] = {}
    unknown: list[str] = []
    for name, value in given.items():
        key = name if name in secrets or name in release.parameters else native(name)
        if key in secrets:
            out[key] = value
        elif key not in release.parameters or not _same(value, release.parameters[key]):
            unknown.append(name)
    if unknown:
        known = ", ".join(sorted(secrets)) or "it has none"
        raise UsageError(
            f"a rollback deploys release {release.number}'s own parameters; -p/--params-file may only give its "
            f"secret parameters ({known}), not other values for {', '.join(sorted(unknown))}",
            hint="to change other parameters, deploy",
        )
    return out


def _blueprint(engine: Engine, release: Release):  # type: ignore[no-untyped-def]
    if release.blueprint is None:
        return None
    try:
        return load_blueprint(release.blueprint, engine.project_dir)
    except BlueprintError:
        return None  # outputs then keep their native names


def _same(given: Any, recorded: Any) -> bool:
    """A value given on the command line (text) or in a file, against the value the release recorded."""
    if given == recorded:
        return True
    if isinstance(recorded, list) and isinstance(given, str):
        return [part.strip() for part in given.split(",")] == [str(item) for item in recorded]
    if isinstance(recorded, bool):
        return str(given).lower() == str(recorded).lower()
    return str(given) == str(recorded)
