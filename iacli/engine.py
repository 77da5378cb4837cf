"""Workflows: render -> validate -> plan -> apply, outputs, destroy. No printing, no cloud SDKs.

The CLI builds a :class:`StackRequest` from flags, the engine resolves it against ``iacli.yaml`` and the
blueprint, and hands providers rendered templates. Everything a user sees comes back as values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacli.blueprint.loader import check_name, load_blueprint
from iacli.blueprint.model import Blueprint, ParameterSpec
from iacli.blueprint.params import ParamSource, ResolvedParams, parse_assignments, resolve
from iacli.blueprint.params_file import read_params_file
from iacli.config import ProjectConfig
from iacli.errors import TemplateError, UsageError
from iacli.plan import Plan
from iacli.providers import (
    ApplyResult,
    Deployable,
    Diagnostic,
    EventSink,
    Provider,
    ProviderContext,
    Severity,
    Submission,
    Target,
    TargetKind,
    load_provider,
)
from iacli.render import RenderedTemplate, render_template

if TYPE_CHECKING:
    from iacli.releases import ReleaseContext
    from iacli.state.models import Release, ReleaseKind, StackKey
    from iacli.state.store import StateStore

LOCK_TTL_S = 2 * 3600.0
STOPPED_SANDBOX = "stopped"

DEFAULT_PROVIDER = "aws"
_STACK_NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")


@dataclass(frozen=True)
class StackRequest:
    """What the user asked for, straight from the flags (``None`` = not given)."""

    blueprint: str | None = None
    template_file: Path | None = None
    provider: str | None = None
    target: str | None = None
    env: str = "dev"
    name: str | None = None
    assignments: tuple[str, ...] = ()
    params_file: Path | None = None
    region: str | None = None
    profile: str | None = None
    subscription: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A request resolved and rendered: ready to validate and plan."""

    target: Target
    provider: Provider
    deployable: Deployable
    params: ResolvedParams
    specs: Mapping[str, ParameterSpec]
    blueprint: Blueprint | None = None


@dataclass(frozen=True)
class PlannedDeployment:
    """A plan plus what produced it, so it can be applied or discarded."""

    prepared: Prepared
    plan: Plan
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class DeployResult:
    """The outcome of an apply."""

    plan: Plan
    apply: ApplyResult
    outputs: Mapping[str, Any] = field(default_factory=dict)


class Engine:
    """One per CLI invocation; holds the project settings and the loaded providers."""

    def __init__(self, project_dir: Path, config: ProjectConfig, home: Path) -> None:
        self.project_dir = project_dir
        self.config = config
        self.home = home
        self._providers: dict[str, Provider] = {}
        self._store: StateStore | None = None

    # --- resolution -------------------------------------------------------------------------------
    def provider(self, name: str) -> Provider:
        """The provider called ``name``, loaded once."""
        if name not in self._providers:
            context = ProviderContext(home=self.home, cache_dir=self.home / "cache")
            self._providers[name] = load_provider(name, context)
        return self._providers[name]

    def target(self, request: StackRequest) -> Target:
        """Where the request's stack lives (flags over the environment over the file)."""
        env_cfg = self.config.environment(request.env)
        provider = request.provider or self.config.provider or DEFAULT_PROVIDER
        kind_name = request.target or env_cfg.target or self.config.target or TargetKind.SANDBOX.value
        if kind_name not in (TargetKind.SANDBOX.value, provider):
            raise UsageError(
                f"--target {kind_name!r} does not fit provider {provider!r}",
                hint=f"use --target sandbox or --target {provider}",
            )
        kind = TargetKind.SANDBOX if kind_name == TargetKind.SANDBOX.value else TargetKind.CLOUD
        return Target(
            provider=provider,
            kind=kind,
            stack=self.stack_name(request),
            region=request.region or env_cfg.region or self.config.region,
            profile=request.profile or env_cfg.profile or self.config.profile,
            options=_options(subscription=request.subscription or env_cfg.subscription or self.config.subscription),
        )

    def stack_name(self, request: StackRequest) -> str:
        """``<name>-<env>``; the name defaults to the blueprint's."""
        if not re.match(r"^[a-z0-9][a-z0-9-]{0,30}$", request.env):
            raise UsageError(f"--env {request.env!r} is not an environment name", hint="e.g. --env dev")
        if request.blueprint is not None and request.template_file is None:
            check_name(request.blueprint)
        name = request.name or request.blueprint
        if name is None:
            raise UsageError("--template needs --name NAME", hint="e.g. --template app.yaml --name app")
        stack = f"{name}-{request.env}"
        if not _STACK_NAME.match(stack):
            raise UsageError(f"stack name {stack!r} is not valid", hint="letters, digits and dashes only")
        return stack

    # --- render -----------------------------------------------------------------------------------
    def prepare(self, request: StackRequest, secrets_optional: bool = False) -> Prepared:
        """Resolve the target, check the parameters, render the template."""
        target = self.target(request)
        provider = self.provider(target.provider)
        if request.template_file is not None:
            return self._prepare_template(request, target, provider, secrets_optional)
        if request.blueprint is None:
            raise UsageError("name a blueprint or pass --template FILE")
        return self._prepare_blueprint(request, target, provider, secrets_optional)

    def _sources(self, request: StackRequest) -> list[ParamSource]:
        sources = [ParamSource(f"iacli.yaml environment {request.env!r}", self.config.environment(request.env).parameters)]
        if request.params_file is not None:
            sources.append(ParamSource(str(request.params_file), read_params_file(request.params_file)))
        sources.append(ParamSource("-p", parse_assignments(request.assignments), from_cli=True))
        return sources

    def _prepare_blueprint(
        self, request: StackRequest, target: Target, provider: Provider, secrets_optional: bool
    ) -> Prepared:
        assert request.blueprint is not None
        blueprint = load_blueprint(request.blueprint, self.project_dir)
        spec = blueprint.spec
        if target.provider not in spec.providers:
            raise UsageError(
                f"blueprint {spec.name!r} has no {target.provider!r} template",
                hint=f"it supports: {', '.join(spec.providers)}",
            )
        params = resolve(spec.parameters, self._sources(request), secrets_optional)
        context = {
            "params": params.public(),
            "stack_name": target.stack,
            "env": request.env,
            "blueprint": {"name": spec.name, "version": spec.version},
        }
        relative = spec.providers[target.provider].template
        rendered = render_template(blueprint.root, relative, context, provider.load_template)
        secrets = {provider.output_name(n): params.values[n] for n in params.secrets if n in params.values}
        deployable = Deployable(
            stack=target.stack,
            template=rendered,
            parameters=secrets,
            secret_parameters=frozenset(secrets),
            origin=f"{spec.name}@{spec.version}",
            tags=self._tags(target, request, f"{spec.name}@{spec.version}"),
        )
        return Prepared(target, provider, deployable, params, spec.parameters, blueprint)

    def _prepare_template(
        self, request: StackRequest, target: Target, provider: Provider, secrets_optional: bool
    ) -> Prepared:
        assert request.template_file is not None
        path = request.template_file
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError):
            raise TemplateError(f"{path}: file not found", hint="check the --template path") from None
        except (PermissionError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: cannot read ({exc.__class__.__name__})") from None
        body = provider.load_template(text, str(path))
        specs = provider.template_parameters(body)
        params = resolve(specs, self._sources(request), secrets_optional)
        rendered = RenderedTemplate(path, text, body)
        deployable = Deployable(
            stack=target.stack,
            template=rendered,
            parameters=dict(params.values),
            secret_parameters=params.secrets,
            origin=str(path),
            tags=self._tags(target, request, path.name),
        )
        return Prepared(target, provider, deployable, params, specs, None)

    def _tags(self, target: Target, request: StackRequest, origin: str) -> dict[str, str]:
        return {"iacli:managed-by": "iacli", "iacli:origin": origin, "iacli:env": request.env}

    # --- workflows --------------------------------------------------------------------------------
    def validate(self, prepared: Prepared) -> list[Diagnostic]:
        """The provider's offline checks of the rendered template."""
        return prepared.provider.validate(prepared.deployable)

    def plan(self, request: StackRequest, on_event: EventSink) -> PlannedDeployment:
        """Render, validate (errors stop here) and preview on the target."""
        prepared = self.prepare(request)
        diagnostics = self.validate(prepared)
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            where = f"{first.source}:{first.line}" if first.line else first.source
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise TemplateError(
                f"{where}: {first.rule} {first.message}{more}", hint="`iacli validate` lists every finding"
            )
        key, generation = self.stack_key(prepared.target)
        current = self.store.current(key, generation=generation)
        prepared = self._with_changed_secrets(prepared, current)
        plan = prepared.provider.plan(prepared.target, prepared.deployable, on_event)
        plan = replace(plan, base_release=current.number if current else None)
        return PlannedDeployment(prepared, plan, tuple(diagnostics))

    def _with_changed_secrets(self, prepared: Prepared, current: Release | None) -> Prepared:
        """Mark the secrets given whose salted hash differs from the deployed release's (all of them when no
        release is known): providers read deployed secrets back masked and could not tell."""
        from iacli.releases import secret_digest

        given = {k: v for k, v in prepared.deployable.parameters.items() if k in prepared.deployable.secret_parameters}
        if not given:
            return prepared
        salt = self.secret_salt()
        recorded = current.parameters if current else {}
        changed = frozenset(k for k, v in given.items() if secret_digest(salt, k, v) != recorded.get(k))
        return replace(prepared, deployable=replace(prepared.deployable, changed_secrets=changed))

    def saved_plan(self, path: Path, secrets: tuple[str, ...] = ()) -> tuple[PlannedDeployment, StackRequest]:
        """A plan file checked against now: refused (exit 3, saying which) when the deployed release,
        the template or the parameters moved since it was made, or its change set is gone.

        ``secrets`` (``-p NAME=VALUE``) gives secret values again: a plan file never holds them, and a
        provider whose plan keeps nothing on the target (an ARM what-if) must send them with the deployment."""
        from iacli.errors import StalePlanError
        from iacli.planfile import read_plan

        plan, request, document = read_plan(path)
        request = replace(request, assignments=request.assignments + tuple(secrets))
        prepared = self.prepare(request, secrets_optional=True)
        others = sorted(set(parse_assignments(secrets)) - prepared.params.secrets)
        if others:
            raise UsageError(f"{path}: a saved plan deploys its own parameters; -p may only give secret values, "
                             f"not {', '.join(others)}", hint="plan again to change parameters")
        key, generation = self.stack_key(prepared.target)
        current = self.store.current(key, generation=generation)
        now = current.number if current else None
        if now != plan.base_release:
            raise StalePlanError(f"{path}: stale: planned against release {plan.base_release or 'none'}, "
                                 f"but release {now or 'none'} is deployed now", hint="plan again")
        if prepared.provider.submission(prepared.target, prepared.deployable).template_hash != plan.template_hash:
            raise StalePlanError(f"{path}: stale: the template changed since the plan", hint="plan again")
        if prepared.params.public_digest() != document.get("public_params_hash"):
            raise StalePlanError(f"{path}: stale: the parameters changed since the plan", hint="plan again")
        prepared.provider.check_plan(prepared.target, plan)
        return PlannedDeployment(prepared, plan), request

    def apply(
        self, planned: PlannedDeployment, on_event: EventSink, kind: ReleaseKind | None = None,
        rollback_of: int | None = None, request: StackRequest | None = None,
    ) -> DeployResult:
        """Execute exactly the planned change, read the outputs back, and record the release."""
        from iacli.state.models import ReleaseKind
        prepared = planned.prepared
        provider, target, deployable = prepared.provider, prepared.target, prepared.deployable
        secret_names = deployable.secret_parameters | deployable.keep_previous | {
            n for n, spec in prepared.specs.items() if spec.secret}
        context = self.release_context(target, prepared.blueprint, deployable.origin, request, secret_names)
        submission = provider.submission(target, deployable)
        release = context.new_release(kind or ReleaseKind.DEPLOY, submission, deployable.secret_parameters,
                                      planned.plan, rollback_of, self._kept_secrets(context, secret_names,
                                                                                     submission, planned.plan))

        def run() -> DeployResult:
            result = provider.apply(target, planned.plan, deployable, on_event)
            return DeployResult(planned.plan, result, self._neutral_outputs(provider, prepared.blueprint, result.outputs))

        return context.record(release, run, lambda r: r.outputs)

    def _kept_secrets(self, context: ReleaseContext, secret_names: frozenset[str], submission: Submission,
                      plan: Plan) -> dict[str, Any]:
        """Hashes of secrets this apply does not send (a rollback's ``UsePreviousValue``, a saved plan whose
        change set holds them), carried over from the deployed release unless the plan changes them."""
        current = context.store.current(context.key, generation=context.generation)
        if current is None:
            return {}
        planned = {change.path for change in plan.parameters}
        return {name: current.parameters[name] for name in secret_names
                if name not in submission.parameters and name not in planned and current.parameters.get(name)}

    # --- history ----------------------------------------------------------------------------------
    @property
    def store(self) -> StateStore:
        """The project's release history and locks (``.iacli/state.db`` unless iacli.yaml says otherwise)."""
        if self._store is None:
            from iacli.state import SqliteStateStore, default_state_path

            self._store = SqliteStateStore(default_state_path(self.project_dir, self.config.state_path))
        return self._store

    def stack_key(self, target: Target) -> tuple[StackKey, str | None]:
        """The history key of a target, and the sandbox generation its releases must belong to."""
        from iacli.state.models import StackKey

        provider = self.provider(target.provider)
        key = StackKey(target.provider, provider.location(target), target.stack)
        if target.kind is not TargetKind.SANDBOX:
            return key, None
        box = provider.sandbox()
        # A stopped sandbox holds nothing: a generation no release has, so none of them is current.
        return key, (box.generation() if box is not None else None) or STOPPED_SANDBOX

    def secret_salt(self) -> str:
        """The project's salt of secret hashes in the history (created on first use)."""
        from iacli.releases import project_salt
        from iacli.state import default_state_path

        return project_salt(default_state_path(self.project_dir, self.config.state_path).parent)

    def release_context(
        self, target: Target, blueprint: Blueprint | None, origin: str, request: StackRequest | None,
        secret_names: frozenset[str] = frozenset(),
    ) -> ReleaseContext:
        from iacli.planfile import request_dict
        from iacli.releases import ReleaseContext

        key, generation = self.stack_key(target)
        spec = blueprint.spec if blueprint else None
        return ReleaseContext(
            store=self.store, key=key, generation=generation, salt=self.secret_salt(),
            project_dir=self.project_dir, origin=origin, blueprint=spec.name if spec else None,
            blueprint_version=spec.version if spec else None,
            request=request_dict(request, secret_names) if request else {},
        )

    @contextmanager
    def lock(self, request: StackRequest, command: str) -> Iterator[None]:
        """One run per stack: a second concurrent deploy/rollback/destroy exits 7."""
        from iacli.state import LockOwner, held

        key, _ = self.stack_key(self.target(request))
        with held(self.store, key, LockOwner.current(command), LOCK_TTL_S):
            yield

    def history(self, request: StackRequest) -> tuple[StackKey, list[Release], str | None]:
        """Every recorded release of the request's stack, newest first, with the live sandbox generation."""
        key, generation = self.stack_key(self.target(request))
        return key, self.store.history(key), generation

    def diff(self, request: StackRequest, show_secrets: bool = False) -> Plan:
        """Deployed vs rendered now, resource and property level, with no change on the target."""
        prepared = self.prepare(request)
        key, generation = self.stack_key(prepared.target)
        prepared = self._with_changed_secrets(prepared, self.store.current(key, generation=generation))
        return prepared.provider.diff(prepared.target, prepared.deployable, show_secrets)

    def discard(self, planned: PlannedDeployment) -> None:
        """Drop a plan the user declined."""
        planned.prepared.provider.discard(planned.prepared.target, planned.plan)

    def outputs(self, request: StackRequest) -> dict[str, Any]:
        """The deployed stack's outputs, under the blueprint's neutral names when it has a blueprint."""
        target = self.target(request)
        provider = self.provider(target.provider)
        native = provider.outputs(target)
        blueprint = load_blueprint(request.blueprint, self.project_dir) if request.blueprint and not request.template_file else None
        return self._neutral_outputs(provider, blueprint, native)

    def status(self, request: StackRequest) -> dict[str, Any]:
        """Runtime state of the stack's workloads, from the provider."""
        target = self.target(request)
        return self.provider(target.provider).status(target)

    def logs(self, request: StackRequest, container: str | None, tail: int | None) -> str:
        """Recent container logs, from the provider."""
        target = self.target(request)
        return self.provider(target.provider).logs(target, container, tail)

    def resources(self, request: StackRequest) -> list[dict[str, str]]:
        target = self.target(request)
        return self.provider(target.provider).resources(target)

    def destroy(self, request: StackRequest, on_event: EventSink) -> list[str]:
        """Delete the stack and everything it owns; recorded as a DESTROY release."""

        target = self.target(request)
        provider = self.provider(target.provider)
        origin = request.template_file.name if request.template_file else str(request.blueprint)
        context = self.release_context(target, None, origin, replace(request, assignments=()))
        current = self.store.current(context.key, generation=context.generation)
        text = self.store.template(current.template_hash) if current else "{}"
        from iacli.state.models import ReleaseKind

        release = context.new_release(ReleaseKind.DESTROY, Submission(text, "", {}), frozenset(), None)
        return context.record(release, lambda: provider.destroy(target, on_event), lambda _: {})

    @staticmethod
    def _neutral_outputs(
        provider: Provider, blueprint: Blueprint | None, native: Mapping[str, Any]
    ) -> dict[str, Any]:
        if blueprint is None:
            return dict(native)
        out: dict[str, Any] = {}
        for name in blueprint.spec.outputs:
            key = provider.output_name(name)
            if key in native:
                out[name] = native[key]
        return out


def _options(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
