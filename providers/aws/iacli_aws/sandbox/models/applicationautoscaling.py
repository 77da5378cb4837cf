"""AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy on moto's application-autoscaling backend.

moto has the backend (RegisterScalableTarget, PutScalingPolicy...) but no CloudFormation model for
either type. As in CloudFormation:

- ScalableTarget: ``Ref`` (and ``GetAtt Id``) is ``<ResourceId>|<ScalableDimension>|<ServiceNamespace>``;
  ``ResourceId``, ``ScalableDimension`` and ``ServiceNamespace`` are create-only, capacities, suspended
  state and ``ScheduledActions`` are updated in place. Deleting it deregisters the target (and its
  scheduled actions).
- ScalingPolicy: ``Ref`` (and ``GetAtt Arn``) is the policy ARN. The target is given by
  ``ScalingTargetId`` (a ScalableTarget's ``Ref``) or by ``ResourceId``/``ScalableDimension``/
  ``ServiceNamespace``. The name and the target are create-only; type and configuration are updated in
  place (PutScalingPolicy overwrites a policy of the same name; the policy keeps its ARN, which moto
  would otherwise regenerate, and its old alarms are dropped).
"""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)
from moto.core.common_models import CloudFormationModel

from ._base import Properties, SandboxResource, Target, as_int, physical_name

_TARGET_KEYS = ("ResourceId", "ScalableDimension", "ServiceNamespace")
_CONFIGURATIONS = {
    "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
    "StepScaling": "StepScalingPolicyConfiguration",
    "PredictiveScaling": "PredictiveScalingPolicyConfiguration",
}


def _backend(target: Target) -> ApplicationAutoscalingBackend:
    return applicationautoscaling_backends[target.account_id][target.region_name]


def target_id(resource_id: str, dimension: str, namespace: str) -> str:
    """A scalable target's CloudFormation id (its ``Ref``)."""
    return f"{resource_id}|{dimension}|{namespace}"


def split_target_id(value: str) -> tuple[str, str, str]:
    """``(ResourceId, ScalableDimension, ServiceNamespace)`` of a scalable target id."""
    parts = value.split("|")
    if len(parts) != 3:
        raise ValueError(
            f"ScalingTargetId {value!r} is not <ResourceId>|<ScalableDimension>|<ServiceNamespace>"
        )
    return parts[0], parts[1], parts[2]


def _suspended_state(properties: Properties) -> dict[str, bool] | None:
    state = properties.get("SuspendedState")
    if not isinstance(state, dict):
        return None
    return {key: str(value).lower() == "true" for key, value in state.items()}


def _scheduled_action_name(action: dict[str, Any]) -> str:
    return str(action["ScheduledActionName"])


class ApplicationAutoScalingScalableTarget(SandboxResource, CloudFormationModel):
    """AWS::ApplicationAutoScaling::ScalableTarget. Ref/GetAtt Id: ``ResourceId|Dimension|Namespace``."""

    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    ATTRIBUTES = frozenset({"Id"})
    CREATE_ONLY = frozenset(_TARGET_KEYS)

    @property
    def key(self) -> tuple[str, str, str]:
        return split_target_id(self.physical_id)

    @classmethod
    def create(
        cls, target: Target, name: str, properties: Properties
    ) -> ApplicationAutoScalingScalableTarget:
        resource_id, dimension, namespace = (str(properties[key]) for key in _TARGET_KEYS)
        resource = cls(target, target_id(resource_id, dimension, namespace), properties)
        resource._register(properties)
        resource._sync_scheduled_actions([], properties.get("ScheduledActions") or [])
        return resource

    def _register(self, properties: Properties) -> None:
        resource_id, dimension, namespace = self.key
        _backend(self.target).register_scalable_target(
            namespace,
            resource_id,
            dimension,
            min_capacity=as_int(properties.get("MinCapacity")),
            max_capacity=as_int(properties.get("MaxCapacity")),
            role_arn=properties.get("RoleARN")
            or f"arn:{self.target.partition}:iam::{self.target.account_id}:role/aws-service-role/"
            f"{namespace}.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling",
            suspended_state=_suspended_state(properties),  # type: ignore[arg-type]
        )

    def _sync_scheduled_actions(self, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        backend = _backend(self.target)
        resource_id, dimension, namespace = self.key
        wanted = {_scheduled_action_name(action) for action in new}
        for action in old:
            if _scheduled_action_name(action) not in wanted:
                backend.delete_scheduled_action(
                    namespace, _scheduled_action_name(action), resource_id, dimension
                )
        for action in new:
            backend.put_scheduled_action(
                service_namespace=namespace,
                schedule=action["Schedule"],
                timezone=action.get("Timezone"),  # type: ignore[arg-type]
                scheduled_action_name=_scheduled_action_name(action),
                resource_id=resource_id,
                scalable_dimension=dimension,
                start_time=action.get("StartTime"),  # type: ignore[arg-type]
                end_time=action.get("EndTime"),  # type: ignore[arg-type]
                scalable_target_action=action.get("ScalableTargetAction"),  # type: ignore[arg-type]
            )

    def apply_update(self, properties: Properties) -> None:
        self._register(properties)
        existing = _backend(self.target).targets[self.key[1]][self.key[0]]
        # register_scalable_target keeps a capacity it is not given; the template is the truth
        existing.min_capacity = as_int(properties.get("MinCapacity"))
        existing.max_capacity = as_int(properties.get("MaxCapacity"))
        self._sync_scheduled_actions(
            self.properties.get("ScheduledActions") or [], properties.get("ScheduledActions") or []
        )

    def remove(self) -> None:
        backend = _backend(self.target)
        resource_id, dimension, namespace = self.key
        self._sync_scheduled_actions(self.properties.get("ScheduledActions") or [], [])
        if resource_id in backend.targets.get(dimension, {}):
            backend.deregister_scalable_target(namespace, resource_id, dimension)

    def attribute(self, name: str) -> Any:
        return self.physical_id


def _policy_target(properties: Properties) -> tuple[str, str, str]:
    if properties.get("ScalingTargetId"):
        return split_target_id(str(properties["ScalingTargetId"]))
    resource_id, dimension, namespace = (str(properties[key]) for key in _TARGET_KEYS)
    return resource_id, dimension, namespace


class ApplicationAutoScalingScalingPolicy(SandboxResource, CloudFormationModel):
    """AWS::ApplicationAutoScaling::ScalingPolicy. Ref/GetAtt Arn: the policy ARN."""

    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    ATTRIBUTES = frozenset({"Arn"})
    CREATE_ONLY = frozenset({"PolicyName", "ScalingTargetId", *_TARGET_KEYS})

    def __init__(self, target: Target, physical_id: str, properties: Properties, name: str) -> None:
        super().__init__(target, physical_id, properties)
        self.policy_name = name
        self.resource_id, self.dimension, self.namespace = _policy_target(properties)

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApplicationAutoScalingScalingPolicy:
        policy_name = str(properties.get("PolicyName") or physical_name(name, 256))
        policy = cls(target, "", properties, policy_name)
        policy.physical_id = policy._put(properties).policy_arn
        return policy

    def _put(self, properties: Properties) -> FakeApplicationAutoscalingPolicy:
        policy_type = str(properties["PolicyType"])
        return _backend(self.target).put_scaling_policy(
            self.policy_name,
            self.namespace,
            self.resource_id,
            self.dimension,
            dict(properties.get(_CONFIGURATIONS.get(policy_type, "")) or {}),
            policy_type,
        )

    def apply_update(self, properties: Properties) -> None:
        """PutScalingPolicy again; the policy keeps its ARN (moto would make a new one) and alarms."""
        backend = _backend(self.target)
        key = self._key()
        old = backend.policies.get(key)
        if old is not None:
            old.delete_alarms(self.target.account_id, self.target.region_name)
        new = self._put(properties)
        if old is not None:
            new.policy_arn = old.policy_arn

    def _key(self) -> str:
        return FakeApplicationAutoscalingPolicy.formulate_key(
            self.namespace, self.resource_id, self.dimension, self.policy_name
        )

    def remove(self) -> None:
        backend = _backend(self.target)
        if self._key() in backend.policies:
            backend.delete_scaling_policy(self.policy_name, self.namespace, self.resource_id, self.dimension)

    def attribute(self, name: str) -> Any:
        return self.physical_id
