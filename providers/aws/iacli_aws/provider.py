"""The AWS provider: CloudFormation change sets, SAM, cfn-lint, and the moto-backed sandbox.

Registered under the ``iacli.providers`` entry point ``aws``. Heavy libraries (boto3, cfn-lint, the SAM
translator) are imported only when a method needs them, so ``iacli --help`` never pays for them.
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
from iacli_aws import template as templates
from iacli_aws.session import DEFAULT_REGION, AwsSession


class AwsProvider(Provider):
    """CloudFormation (and SAM) on AWS or in the offline sandbox."""

    name = "aws"

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self._sandbox = _sandbox(context.home)

    # --- templates --------------------------------------------------------------------------------
    def load_template(self, text: str, source: str) -> dict[str, Any]:
        return templates.load_template(text, source, self.context.cache_dir)

    def template_parameters(self, body: Mapping[str, Any]) -> dict[str, ParameterSpec]:
        return templates.template_parameters(body)

    def location(self, target: Target) -> str:
        return AwsSession(target, None).location

    def output_name(self, neutral: str) -> str:
        """``api_url`` -> ``ApiUrl`` (CloudFormation output ids are alphanumeric)."""
        return "".join(part[:1].upper() + part[1:] for part in neutral.split("_"))

    def validate(self, deployable: Deployable) -> list[Diagnostic]:
        from iacli_aws.assets import lint_mapping
        from iacli_aws.lint import lint

        text = deployable.template.text
        for placeholder, uri in lint_mapping(deployable.template.assets).items():
            text = text.replace(placeholder, uri)
        return lint(text, str(deployable.template.source), DEFAULT_REGION, self.context.cache_dir)

    # --- workflows --------------------------------------------------------------------------------
    def _session(self, target: Target) -> AwsSession:
        endpoint = self._sandbox.endpoint if target.kind is TargetKind.SANDBOX else None
        return AwsSession(target, endpoint)

    def _load(self, text: str) -> dict[str, Any]:
        return self.load_template(text, "deployed template")

    def plan(self, target: Target, deployable: Deployable, on_event: EventSink) -> Plan:
        from iacli_aws.planner import Planner

        return Planner(self._session(target), target, self._load, self.context.cache_dir).plan(deployable)

    def diff(self, target: Target, deployable: Deployable, show_secrets: bool = False) -> Plan:
        from iacli_aws.planner import Planner

        planner = Planner(self._session(target), target, self._load, self.context.cache_dir)
        return planner.diff(deployable, show_secrets)

    def check_plan(self, target: Target, plan: Plan) -> None:
        from iacli_aws.planner import Planner

        Planner(self._session(target), target, self._load, self.context.cache_dir).check(plan)

    def discard(self, target: Target, plan: Plan) -> None:
        from iacli_aws.planner import Planner

        if plan.provider_ref.get("change_set_id"):
            Planner(self._session(target), target, self._load, self.context.cache_dir).discard(plan)

    def apply(self, target: Target, plan: Plan, deployable: Deployable, on_event: EventSink) -> ApplyResult:
        from iacli_aws.applier import Applier

        return Applier(self._session(target), target, self._load).apply(plan, on_event)

    def submission(self, target: Target, deployable: Deployable) -> Submission:
        from iacli_aws.planner import build_submission

        built = build_submission(self._session(target), target, deployable, self.context.cache_dir)
        return Submission(templates.template_json(built.body), built.template_hash, dict(built.parameters))

    def outputs(self, target: Target) -> dict[str, Any]:
        from iacli_aws.stacks import describe_stack

        self._require_sandbox_running(target)
        deployed = describe_stack(self._session(target).client("cloudformation"), target.stack)
        if deployed is None or deployed.is_placeholder:
            raise stack_not_found(target)
        return dict(deployed.outputs)

    def resources(self, target: Target) -> list[dict[str, str]]:
        from iacli_aws.stacks import describe_stack, stack_resources

        self._require_sandbox_running(target)
        cfn = self._session(target).client("cloudformation")
        if describe_stack(cfn, target.stack) is None:
            raise stack_not_found(target)
        return stack_resources(cfn, target.stack)

    def destroy(self, target: Target, on_event: EventSink) -> list[str]:
        from iacli_aws.applier import Applier

        self._require_sandbox_running(target)
        return Applier(self._session(target), target, self._load).destroy(on_event)

    def diagnose(self, target: Target) -> list[Finding]:
        from iacli_aws import doctor

        if target.kind is TargetKind.SANDBOX and not self._sandbox.running():
            return []
        return doctor.diagnose(self._session(target).client("cloudformation"), target.stack)

    def remedy(self, target: Target, finding: Finding) -> str:
        import time

        from iacli_aws import doctor

        return doctor.remedy(self._session(target).client("cloudformation"), target.stack, finding, time.sleep)

    def _require_sandbox_running(self, target: Target) -> None:
        """A stopped sandbox holds no stacks: say so instead of starting it to find nothing."""
        if target.kind is TargetKind.SANDBOX and not self._sandbox.running():
            raise stack_not_found(target, "the sandbox is not running, so it holds no stacks")

    def sandbox(self) -> Sandbox:
        return self._sandbox


def _sandbox(home: Path) -> LocalServerSandbox:
    """The AWS half of the sandbox: a moto server on 127.0.0.1 kept alive between commands."""

    def manager() -> LocalServerManager:
        from iacli_aws.sandbox.manager import SandboxManager

        return SandboxManager(home)

    return LocalServerSandbox("aws", "AWS sandbox", manager, holds="stacks")
