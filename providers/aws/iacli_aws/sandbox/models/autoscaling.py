"""AWS::AutoScaling::ScheduledAction (replacing moto's CloudFormation model) and ScalingPolicy.

moto's model names every scheduled action after its logical id (two stacks from one template
overwrite each other's actions), has no ``physical_resource_id`` (a blank physical id in
ListStackResources, ``Ref`` gives nothing), no update and no delete (the action outlives its stack).
This one names the action as CloudFormation does (``<stack>-<logical id>-<suffix>``, the physical id),
updates it in place (PutScheduledUpdateGroupAction overwrites an action of the same name) and deletes
it with the stack. A new ``AutoScalingGroupName`` replaces it (create-only in the resource schema).

``AWS::AutoScaling::ScalingPolicy`` has no moto model (the sandbox refused it). This one puts the policy
through moto's PutScalingPolicy under the generated name ``<stack>-<logical id>-<suffix>``, as
CloudFormation names it; ``Ref`` is the policy ARN, ``GetAtt`` gives ``Arn`` and ``PolicyName``. Target
tracking (predefined or customized metric), simple and step scaling keep their settings as
DescribePolicies shows them; an update puts the policy again in place, a delete removes it.
"""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import AutoScalingBackend, autoscaling_backends
from moto.core.common_models import CloudFormationModel

from ._base import Properties, SandboxResource, Target, as_int


def _backend(target: Target) -> AutoScalingBackend:
    return autoscaling_backends[target.account_id][target.region_name]


def _put(target: Target, name: str, properties: Properties) -> None:
    _backend(target).put_scheduled_update_group_action(
        name=properties["AutoScalingGroupName"],
        desired_capacity=properties.get("DesiredCapacity"),
        max_size=properties.get("MaxSize"),
        min_size=properties.get("MinSize"),
        scheduled_action_name=name,
        start_time=properties.get("StartTime"),
        end_time=properties.get("EndTime"),
        recurrence=properties.get("Recurrence"),
        timezone=properties.get("TimeZone"),
    )


class AutoScalingScheduledAction(SandboxResource, CloudFormationModel):
    """AWS::AutoScaling::ScheduledAction. Ref: the scheduled action's name."""

    CFN_TYPE = "AWS::AutoScaling::ScheduledAction"
    CREATE_ONLY = frozenset({"AutoScalingGroupName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> AutoScalingScheduledAction:
        _put(target, name, properties)
        return cls(target, name, properties)

    def apply_update(self, properties: Properties) -> None:
        _put(self.target, self.physical_id, properties)

    def remove(self) -> None:
        _backend(self.target).scheduled_actions.pop(self.physical_id, None)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _step(step: dict[str, Any]) -> dict[str, Any]:
    bounds = ("MetricIntervalLowerBound", "MetricIntervalUpperBound")
    converted = {key: float(step[key]) for key in bounds if step.get(key) is not None}
    return {**converted, "ScalingAdjustment": int(step["ScalingAdjustment"])}


def _target_tracking(config: dict[str, Any] | None) -> dict[str, Any]:
    """A template's TargetTrackingConfiguration as PutScalingPolicy takes it (numbers as numbers)."""
    if not config:
        return {}
    converted = dict(config)
    converted["TargetValue"] = float(config["TargetValue"])
    if "DisableScaleIn" in config:
        converted["DisableScaleIn"] = str(config["DisableScaleIn"]).lower() == "true"
    return converted


def _put_policy(target: Target, name: str, properties: Properties) -> str:
    policy_type = properties.get("PolicyType") or "SimpleScaling"
    policy = _backend(target).put_scaling_policy(
        name=name,
        policy_type=policy_type,
        metric_aggregation_type=properties.get("MetricAggregationType"),  # type: ignore[arg-type]
        adjustment_type=properties.get("AdjustmentType"),  # type: ignore[arg-type]
        as_name=properties["AutoScalingGroupName"],
        min_adjustment_magnitude=as_int(properties.get("MinAdjustmentMagnitude")),  # type: ignore[arg-type]
        scaling_adjustment=as_int(properties.get("ScalingAdjustment")),
        cooldown=as_int(properties.get("Cooldown")),
        target_tracking_config=_target_tracking(properties.get("TargetTrackingConfiguration")),
        step_adjustments=[_step(s) for s in properties.get("StepAdjustments") or []],  # type: ignore[arg-type]
        estimated_instance_warmup=as_int(properties.get("EstimatedInstanceWarmup")),  # type: ignore[arg-type]
        predictive_scaling_configuration=properties.get("PredictiveScalingConfiguration") or {},  # type: ignore[arg-type]
    )
    return str(policy.arn)


class AutoScalingScalingPolicy(SandboxResource, CloudFormationModel):
    """AWS::AutoScaling::ScalingPolicy. Ref: the policy ARN; GetAtt Arn, PolicyName."""

    CFN_TYPE = "AWS::AutoScaling::ScalingPolicy"
    ATTRIBUTES = frozenset({"Arn", "PolicyName"})
    CREATE_ONLY = frozenset({"AutoScalingGroupName"})

    def __init__(self, target: Target, physical_id: str, properties: Properties, name: str) -> None:
        super().__init__(target, physical_id, properties)
        self.name = name

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> AutoScalingScalingPolicy:
        return cls(target, _put_policy(target, name, properties), properties, name)

    def apply_update(self, properties: Properties) -> None:
        self.physical_id = _put_policy(self.target, self.name, properties)

    def remove(self) -> None:
        _backend(self.target).delete_policy(self.name)

    def attribute(self, name: str) -> Any:
        return self.physical_id if name == "Arn" else self.name
