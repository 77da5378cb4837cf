"""The provider contract and the registry over the ``iacli.providers`` entry points.

Built-in providers (``aws``, later ``azure``) register through the same entry-point group a third party
would use: ``[project.entry-points."iacli.providers"] myc = "iacli_myc:MyCloudProvider"``. A provider
receives rendered templates and a target, returns data and emits :class:`~iacli.plan.Event` values through
the ``on_event`` callback. It never prints.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from iacli.blueprint.model import ParameterSpec
from iacli.errors import NotFoundError, UsageError
from iacli.plan import Event, Plan
from iacli.render import RenderedTemplate

ENTRY_POINT_GROUP = "iacli.providers"

EventSink = Callable[[Event], None]


class TargetKind(str, Enum):
    """Where a deployment lives: the embedded offline sandbox or the real cloud."""

    SANDBOX = "sandbox"
    CLOUD = "cloud"


@dataclass(frozen=True)
class Target:
    """Provider + account/region (or the sandbox) + stack name."""

    provider: str
    kind: TargetKind
    stack: str
    region: str | None = None
    profile: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        where = "sandbox" if self.kind is TargetKind.SANDBOX else self.provider
        return f"{where}:{self.region}" if self.region else where


@dataclass(frozen=True)
class Deployable:
    """Everything a provider needs to plan one deployment of one stack."""

    stack: str
    template: RenderedTemplate
    parameters: Mapping[str, Any] = field(default_factory=dict)
    secret_parameters: frozenset[str] = frozenset()
    origin: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    keep_previous: frozenset[str] = frozenset()
    """Parameters to leave at their deployed value (a secret a rollback cannot know)."""
    changed_secrets: frozenset[str] = frozenset()
    """Secret parameters whose value differs from the deployed release's (or the release is unknown): the
    engine compares salted hashes from the history, so a provider that reads secrets back masked can still
    show what they feed as changed."""


@dataclass(frozen=True)
class Submission:
    """Exactly what a provider sends for a deployable: recorded in the release history."""

    template: str
    template_hash: str
    parameters: Mapping[str, Any]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One validation finding: a stable rule id, where it is, what is wrong."""

    rule: str
    severity: Severity
    message: str
    path: str = ""
    line: int | None = None
    source: str = ""


@dataclass(frozen=True)
class ApplyResult:
    """What an apply left behind."""

    stack: str
    outputs: Mapping[str, Any]
    status: str


@dataclass(frozen=True)
class SandboxInfo:
    """One provider's half of the offline sandbox."""

    provider: str
    running: bool
    endpoint_url: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


class Sandbox(ABC):
    """A provider's local stand-in for its cloud, kept alive between iacli commands."""

    @abstractmethod
    def status(self) -> SandboxInfo:
        """Report whether it runs, where, and what it holds; never start it."""

    @abstractmethod
    def reset(self) -> None:
        """Forget every resource it holds (stays running if it was)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop it; its state is gone. Idempotent."""

    @abstractmethod
    def generation(self) -> str | None:
        """An id that changes whenever the sandbox's state is lost (start, reset); None when stopped."""


class FindingCode(str, Enum):
    """Stuck states ``iacli doctor`` recognises."""

    UPDATE_ROLLBACK_FAILED = "update-rollback-failed"
    FAILED_CREATE = "failed-create"
    EMPTY_STACK = "empty-stack"
    DELETE_FAILED = "delete-failed"
    UPDATE_FAILED = "update-failed"
    ABANDONED_CHANGE_SET = "abandoned-change-set"
    STALE_LOCK = "stale-lock"
    LIVE_LOCK = "live-lock"
    UNFINISHED_RELEASE = "unfinished-release"
    STUCK_DEPLOYMENT = "stuck-deployment"
    DEPLOYMENT_IN_PROGRESS = "deployment-in-progress"
    LEFTOVER_RESOURCE = "leftover-resource"
    FOREIGN_STACK = "foreign-stack"
    STACK_NOT_READY = "stack-not-ready"


@dataclass(frozen=True)
class Finding:
    """One problem, why it matters, and the remedy ``--fix`` would apply (if it can)."""

    code: FindingCode
    message: str
    remedy: str
    fixable: bool
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderContext:
    """What iacli hands a provider when it is created."""

    home: Path
    cache_dir: Path


class Provider(ABC):
    """A cloud behind iacli. Implement the abstract methods; the docstrings are the contract."""

    name: str = ""

    def __init__(self, context: ProviderContext) -> None:
        self.context = context

    @abstractmethod
    def load_template(self, text: str, source: str) -> dict[str, Any]:
        """Parse a rendered or user-supplied template; raise TemplateError naming source and line."""

    @abstractmethod
    def template_parameters(self, body: Mapping[str, Any]) -> dict[str, ParameterSpec]:
        """The parameter interface of a bring-your-own template (its native parameters)."""

    @abstractmethod
    def location(self, target: Target) -> str:
        """Where the target lives, for history and plans: ``sandbox:us-east-1``, ``aws:eu-west-1``."""

    @abstractmethod
    def output_name(self, neutral: str) -> str:
        """The native output name that carries a blueprint's neutral output."""

    @abstractmethod
    def validate(self, deployable: Deployable) -> list[Diagnostic]:
        """Check the template offline; errors stop a deploy."""

    @abstractmethod
    def plan(self, target: Target, deployable: Deployable, on_event: EventSink) -> Plan:
        """Preview the deployment on the target and normalise it to a Plan."""

    @abstractmethod
    def apply(self, target: Target, plan: Plan, deployable: Deployable, on_event: EventSink) -> ApplyResult:
        """Execute exactly the planned change; raise DeploymentFailedError after rolling back."""

    @abstractmethod
    def submission(self, target: Target, deployable: Deployable) -> Submission:
        """The template text and parameters that planning and applying ``deployable`` send."""

    def diff(self, target: Target, deployable: Deployable, show_secrets: bool = False) -> Plan:
        """What differs between the deployed stack and the deployable, without touching the target."""
        raise UsageError(f"provider {self.name!r} does not support diff")

    @abstractmethod
    def check_plan(self, target: Target, plan: Plan) -> None:
        """Raise StalePlanError when the plan can no longer be applied as it is (its change set is gone)."""

    @abstractmethod
    def discard(self, target: Target, plan: Plan) -> None:
        """Drop a plan that will not be applied (delete a change set); best effort."""

    @abstractmethod
    def outputs(self, target: Target) -> dict[str, Any]:
        """The deployed stack's native outputs; NotFoundError when there is no such stack."""

    @abstractmethod
    def destroy(self, target: Target, on_event: EventSink) -> list[str]:
        """Delete the stack and everything it owns; return what was deleted (logical ids)."""

    @abstractmethod
    def resources(self, target: Target) -> list[dict[str, str]]:
        """The deployed stack's resources (logical id, type, physical id, status)."""

    def status(self, target: Target) -> dict[str, Any]:
        """Runtime state of the stack's workloads (container groups, services): JSON-ready data."""
        raise UsageError(f"provider {self.name!r} has no status for workloads")

    def logs(self, target: Target, container: str | None = None, tail: int | None = None) -> str:
        """Recent logs of the stack's containers (one container, or all, prefixed by name)."""
        raise UsageError(f"provider {self.name!r} has no logs for workloads")

    def diagnose(self, target: Target) -> list[Finding]:
        """Stuck states of the target's stack (none by default)."""
        return []

    def remedy(self, target: Target, finding: Finding) -> str:
        """Apply the remedy of one of this provider's findings; say what was done."""
        raise UsageError(f"provider {self.name!r} cannot fix {finding.code.value}")

    def sandbox(self) -> Sandbox | None:
        """This provider's half of the offline sandbox, if it has one."""
        return None


def stack_not_found(target: Target, why: str = "") -> NotFoundError:
    """The error every provider raises for a stack that is not on the target."""
    detail = f" ({why})" if why else ""
    return NotFoundError(f"stack {target.stack} does not exist on {target.label}{detail}",
                         hint="deploy it first, or check --name/--env/--target")


def available_providers() -> list[str]:
    """Names of the installed providers."""
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_provider(name: str, context: ProviderContext) -> Provider:
    """Instantiate the provider registered under ``name``."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            cls = ep.load()
            provider = cls(context)
            if not isinstance(provider, Provider):
                raise UsageError(f"provider {name!r} does not implement iacli.providers.Provider")
            return provider
    raise UsageError(
        f"unknown provider {name!r}", hint=f"installed providers: {', '.join(available_providers())}"
    )
