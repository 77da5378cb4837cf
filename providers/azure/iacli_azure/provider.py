"""The Azure provider: ARM deployments (what-if plans) in one resource group per stack, and the emulator.

Registered under the ``iacli.providers`` entry point ``azure``. The Azure SDK is imported only inside the
methods that need it, so ``iacli --help`` never pays for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iacli.blueprint.model import ParameterSpec
from iacli.localserver import LocalServerManager
from iacli.plan import Plan
from iacli.providers import (
    ApplyResult,
    Deployable,
    Diagnostic,
    EventSink,
    Finding,
    Provider,
    ProviderContext,
    Sandbox,
    Submission,
    Target,
    TargetKind,
    stack_not_found,
)
from iacli.sandbox_adapter import LocalServerSandbox
from iacli_azure import template as templates
from iacli_azure.session import AzureSession


class AzureProvider(Provider):
    """ARM templates on Azure or in the offline ARM emulator."""

    name = "azure"

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self._sandbox = _sandbox(context.home)
        self._credentials: dict[TargetKind, Any] = {}  # one per command: tokens are fetched once

    # --- templates --------------------------------------------------------------------------------
    def load_template(self, text: str, source: str) -> dict[str, Any]:
        return templates.load_template(text, source)

    def template_parameters(self, body: Mapping[str, Any]) -> dict[str, ParameterSpec]:
        return templates.template_parameters(body)

    def location(self, target: Target) -> str:
        return AzureSession(target).location

    def output_name(self, neutral: str) -> str:
        """``api_url`` -> ``apiUrl``."""
        return templates.output_name(neutral)

    def validate(self, deployable: Deployable) -> list[Diagnostic]:
        from iacli_azure.session import DEFAULT_LOCATION
        from iacli_azure.validation import validate

        return validate(deployable, DEFAULT_LOCATION)

    def submission(self, target: Target, deployable: Deployable) -> Submission:
        from iacli_azure.planner import submission_for

        built = submission_for(target, self._resolved(self._session(target), deployable))
        built.require_secure_values()
        return Submission(built.text, built.template_hash, dict(built.parameters))

    # --- workflows --------------------------------------------------------------------------------
    def _session(self, target: Target) -> AzureSession:
        return AzureSession(target, self._sandbox.endpoint if target.kind is TargetKind.SANDBOX else None,
                            self._credentials)

    def _resolved(self, session: AzureSession, deployable: Deployable) -> Deployable:
        """What is submitted: asset placeholders swapped for package URLs, the uploader parameter filled."""
        from iacli_azure.packages import resolve

        return resolve(session, deployable)

    def plan(self, target: Target, deployable: Deployable, on_event: EventSink) -> Plan:
        from iacli_azure.planner import Planner

        session = self._session(target)
        return Planner(session, target).plan(self._resolved(session, deployable))

    def diff(self, target: Target, deployable: Deployable, show_secrets: bool = False) -> Plan:
        """A what-if changes nothing on the target, so the diff is the plan (secure values stay masked:
        ARM never returns them)."""
        return self.plan(target, deployable, lambda event: None)

    def check_plan(self, target: Target, plan: Plan) -> None:
        from iacli_azure.planner import Planner

        Planner(self._session(target), target).check(plan)

    def discard(self, target: Target, plan: Plan) -> None:
        """A what-if leaves nothing behind on the target: nothing to drop."""

    def apply(self, target: Target, plan: Plan, deployable: Deployable, on_event: EventSink) -> ApplyResult:
        """Deploy; the function packages are uploaded around the deployment (:mod:`iacli_azure.packages`), the
        static website is turned on after it (:mod:`iacli_azure.website`)."""
        from iacli_azure.applier import Applier
        from iacli_azure.packages import PackageDelivery
        from iacli_azure.website import StaticWebsite

        session = self._session(target)
        resolved = self._resolved(session, deployable)
        delivery = PackageDelivery(session, resolved, on_event)
        website = StaticWebsite(session, on_event, str(resolved.template.source))
        delivery.before_deploy()
        result = Applier(session, target, after_deployment=website.ensure).apply(plan, resolved, on_event)
        delivery.after_deploy()
        return result

    def outputs(self, target: Target) -> dict[str, Any]:
        from iacli_azure.applier import Applier

        self._require_sandbox_running(target)
        return Applier(self._session(target), target).outputs()

    def resources(self, target: Target) -> list[dict[str, str]]:
        from iacli_azure.applier import Applier

        self._require_sandbox_running(target)
        return Applier(self._session(target), target).resources()

    def destroy(self, target: Target, on_event: EventSink) -> list[str]:
        from iacli_azure.applier import Applier

        self._require_sandbox_running(target)
        return Applier(self._session(target), target).destroy(on_event)

    def status(self, target: Target) -> dict[str, Any]:
        from iacli_azure import workloads

        self._require_group(target)
        return workloads.status(self._session(target))

    def logs(self, target: Target, container: str | None = None, tail: int | None = None) -> str:
        from iacli_azure import workloads

        self._require_group(target)
        return workloads.logs(self._session(target), container, tail)

    def diagnose(self, target: Target) -> list[Finding]:
        """A foreign or unsettled group, running or failed deployments, tagged resources left over."""
        from iacli_azure.doctor import Doctor

        if target.kind is TargetKind.SANDBOX and not self._sandbox.running():
            return []
        return Doctor(self._session(target)).diagnose()

    def remedy(self, target: Target, finding: Finding) -> str:
        from iacli_azure.doctor import Doctor

        self._require_sandbox_running(target)
        return Doctor(self._session(target)).remedy(finding)

    def _require_group(self, target: Target) -> None:
        from iacli_azure.planner import get_group

        self._require_sandbox_running(target)
        if get_group(self._session(target)) is None:
            raise stack_not_found(target)

    def _require_sandbox_running(self, target: Target) -> None:
        """A stopped emulator holds nothing: say so instead of starting it to find nothing."""
        if target.kind is TargetKind.SANDBOX and not self._sandbox.running():
            raise stack_not_found(target, "the sandbox is not running, so it holds no resource groups")

    def sandbox(self) -> Sandbox:
        return self._sandbox


def _sandbox(home: Path) -> LocalServerSandbox:
    """The Azure half of the sandbox: the ARM emulator server on 127.0.0.1, kept alive between commands."""

    def manager() -> LocalServerManager:
        from iacli_azure.emulator.manager import EmulatorManager

        return EmulatorManager(home)

    return LocalServerSandbox("azure", "Azure sandbox (ARM emulator)", manager, holds="resource_groups")
