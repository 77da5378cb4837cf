"""Fix (a): a template with a resource the sandbox cannot create is refused, naming the type.

moto behaviour corrected: a resource type without a moto model is skipped with a log warning; the
stack still reaches CREATE_COMPLETE and ListStackResources shows a blank row (``Ref`` gives "", a
``GetAtt`` in Outputs crashes with HTTP 500). The same goes for ``AWS::CloudFormation::WaitCondition``
(a "null model" in moto) and for templates with a ``Transform``, which moto never expands.

Now CreateStack, CreateChangeSet, UpdateStack and ValidateTemplate answer ``ValidationError`` before
anything is created. Decisions:

- ``Custom::*`` and ``AWS::CloudFormation::CustomResource`` are refused: moto runs them by invoking the
  service-token Lambda function in Docker, which the sandbox does not have, so they never complete.
- ``AWS::CloudFormation::WaitCondition`` is refused: nothing in the sandbox ever signals it.
  ``AWS::CloudFormation::WaitConditionHandle`` is supported (a sandbox model).
- ``Transform`` (SAM, AWS::LanguageExtensions, macros) is refused: expand SAM before deploying.
- A resource whose ``Condition`` is false for the given parameters is not created, so its type is
  not checked; a condition the sandbox cannot evaluate counts as true.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.parsing import ResourceMap

from ._patching import replace

# Names moto's model map carries that are no CloudFormation types (base classes of moto's models).
_NOT_TYPES = frozenset({"?", "AWS::SERVICE::RESOURCE"})
_REASONS = {
    "AWS::CloudFormation::WaitCondition": "nothing in the sandbox signals a wait condition",
    "AWS::CloudFormation::CustomResource": (
        "custom resources need a Lambda runtime (Docker), which the sandbox lacks"
    ),
}
_CUSTOM_REASON = _REASONS["AWS::CloudFormation::CustomResource"]


@dataclass(frozen=True)
class Unsupported:
    """One resource of a template the sandbox cannot create."""

    logical_id: str
    resource_type: str
    reason: str = ""

    def describe(self) -> str:
        text = f"{self.resource_type} (logical id {self.logical_id})"
        return f"{text}: {self.reason}" if self.reason else text


def is_supported(resource_type: str) -> bool:
    """Whether the sandbox creates resources of ``resource_type``."""
    if resource_type.startswith("Custom::") or resource_type in _REASONS:
        return False
    return resource_type in parsing.get_model_map() and resource_type not in _NOT_TYPES


def _reason(resource_type: str) -> str:
    return _CUSTOM_REASON if resource_type.startswith("Custom::") else _REASONS.get(resource_type, "")


def _conditions(
    template: dict[str, Any], parameters: Mapping[str, Any] | None, account_id: str, region_name: str
) -> dict[str, bool] | None:
    """Each condition's value for ``parameters``, or None when they cannot be evaluated."""
    if parameters is None or not template.get("Conditions"):
        return None
    try:
        resource_map = ResourceMap(
            "precheck", "precheck", dict(parameters), {}, region_name, account_id, template, {}
        )
        resource_map.load_mapping()
        resource_map.load_parameters()
        resource_map.load_conditions()
        return {name: bool(resource_map.lazy_condition_map[name]) for name in template["Conditions"]}
    except Exception:  # noqa: BLE001 - an unevaluable condition only makes the check stricter
        return None


def unsupported_resources(
    template: dict[str, Any],
    parameters: Mapping[str, Any] | None = None,
    account_id: str = "123456789012",
    region_name: str = "us-east-1",
) -> list[Unsupported]:
    """The resources of ``template`` the sandbox would have to create but cannot."""
    conditions = _conditions(template, parameters, account_id, region_name)
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        resource_type = str(resource.get("Type", ""))
        condition = resource.get("Condition")
        if conditions is not None and condition in conditions and not conditions[condition]:
            continue
        if not is_supported(resource_type):
            found.append(Unsupported(logical_id, resource_type, _reason(resource_type)))
    return found


def check_template(
    template_body: str | dict[str, Any],
    parameters: Mapping[str, Any] | None,
    account_id: str,
    region_name: str,
) -> None:
    """Raise ``ValidationError`` naming every resource of the template the sandbox cannot create."""
    template = template_body if isinstance(template_body, dict) else Stack.parse_template(template_body)
    if not isinstance(template, dict):
        return
    if template.get("Transform"):
        raise ValidationError(
            message=(
                f"iacli sandbox does not run template transforms (Transform: {template['Transform']}); "
                "expand the template (e.g. with aws-sam-translator) before deploying it to the sandbox"
            )
        )
    missing = unsupported_resources(template, parameters, account_id, region_name)
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise ValidationError(
            message=(
                f"iacli sandbox does not support resource type{plural} "
                + "; ".join(m.describe() for m in missing)
            )
        )


def _checking_create_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_stack(
        self: CloudFormationBackend,
        name: str,
        template: str,
        parameters: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        check_template(template, parameters, self.account_id, self.region_name)
        return original(self, name, template, parameters, *args, **kwargs)

    return create_stack


def _checking_create_change_set(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_change_set(
        self: CloudFormationBackend,
        stack_name: str,
        change_set_name: str,
        template: str,
        parameters: dict[str, str],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        previous = {}
        for stack in self.stacks.values():
            if stack.name == stack_name:
                previous = dict(stack.resource_map.input_parameters)
        check_template(template, {**previous, **parameters}, self.account_id, self.region_name)
        return original(self, stack_name, change_set_name, template, parameters, *args, **kwargs)

    return create_change_set


def _checking_update_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_stack(
        self: CloudFormationBackend,
        name: str,
        template: str,
        role_arn: str | None,
        parameters: list[dict[str, Any]],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        stack = self.get_stack(name)
        resolved = {
            **stack.resource_map.input_parameters,
            **self._resolve_update_parameters(stack, parameters),
        }
        check_template(template, resolved, self.account_id, self.region_name)
        return original(self, name, template, role_arn, parameters, *args, **kwargs)

    return update_stack


def _checking_validate_template(original: Callable[..., Any]) -> Callable[..., Any]:
    def validate_template(self: CloudFormationBackend, template: str) -> Any:
        check_template(template, None, self.account_id, self.region_name)
        return original(self, template)

    return validate_template


def apply() -> None:
    """Check templates at CreateStack, CreateChangeSet, UpdateStack and ValidateTemplate."""
    replace(CloudFormationBackend, "create_stack", _checking_create_stack)
    replace(CloudFormationBackend, "create_change_set", _checking_create_change_set)
    replace(CloudFormationBackend, "update_stack", _checking_update_stack)
    replace(CloudFormationBackend, "validate_template", _checking_validate_template)
