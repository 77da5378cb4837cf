"""AWS::AutoScaling::ScheduledAction, replacing moto's CloudFormation model.

moto's model names every scheduled action after its logical id (two stacks from one template
overwrite each other's actions), has no ``physical_resource_id`` (a blank physical id in
ListStackResources, ``Ref`` gives nothing), no update and no delete (the action outlives its stack).
This one names the action as CloudFormation does (``<stack>-<logical id>-<suffix>``, the physical id),
updates it in place (PutScheduledUpdateGroupAction overwrites an action of the same name) and deletes
it with the stack. A new ``AutoScalingGroupName`` replaces it (create-only in the resource schema).
"""

from __future__ import annotations

from moto.autoscaling.models import AutoScalingBackend, autoscaling_backends
from moto.core.common_models import CloudFormationModel

from ._base import Properties, SandboxResource, Target


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
