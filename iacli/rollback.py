"""Rollback: plan an earlier release of a stack from the history, like any deploy.

The release's exact submitted template and parameters are re-planned on the target (a change set on
AWS), shown, and applied; the result is recorded as a new ROLLBACK release. Secret values are never
stored, so secrets are left at their deployed values (CloudFormation ``UsePreviousValue``).
"""

from __future__ import annotations

from pathlib import Path

from iacli.blueprint.loader import load_blueprint
from iacli.blueprint.params import ResolvedParams
from iacli.engine import Engine, PlannedDeployment, Prepared, StackRequest
from iacli.errors import BlueprintError, InvalidInputError, NotFoundError
from iacli.providers import Deployable, EventSink
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


def plan_rollback(engine: Engine, request: StackRequest, release: Release, on_event: EventSink) -> PlannedDeployment:
    """The plan of going back to ``release``."""
    target = engine.target(request)
    provider = engine.provider(target.provider)
    text = engine.store.template(release.template_hash)
    source = f"release {release.number} of {target.stack}"
    secrets = frozenset(release.secret_names)
    public = {k: v for k, v in release.parameters.items() if k not in secrets}
    deployable = Deployable(
        stack=target.stack,
        template=RenderedTemplate(Path(source), text, provider.load_template(text, source)),
        parameters=public,
        origin=release.origin,
        keep_previous=secrets,
    )
    blueprint = _blueprint(engine, release)
    prepared = Prepared(target, provider, deployable, ResolvedParams(public, frozenset()), {}, blueprint)
    return PlannedDeployment(prepared, provider.plan(target, deployable, on_event))


def _blueprint(engine: Engine, release: Release):  # type: ignore[no-untyped-def]
    if release.blueprint is None:
        return None
    try:
        return load_blueprint(release.blueprint, engine.project_dir)
    except BlueprintError:
        return None  # outputs then keep their native names
