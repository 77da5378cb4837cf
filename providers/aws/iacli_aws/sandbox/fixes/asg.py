"""Fix (n): Auto Scaling groups update in place; ECS clusters keep their ClusterSettings.

moto behaviour corrected:

- ``AWS::AutoScaling::AutoScalingGroup``'s update deletes the group and creates another one under a
  new generated name, for any change (``MaxSize``, ``DesiredCapacity``, the launch template version):
  its instances are terminated and its physical id changes, where CloudFormation updates the group in
  place. Now the update goes through UpdateAutoScalingGroup on the same group (sizes, launch template or
  launch configuration, mixed instances policy, subnets, health checks); target groups, load
  balancers and tags are brought in step with the template. A new ``AutoScalingGroupName`` still
  replaces the group (create-only in the resource schema, see :mod:`.updates`).
- ``AWS::ECS::Cluster`` ignores ``ClusterSettings`` (DescribeClusters says containerInsights
  ``disabled``) on create and update; they are now applied.
"""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import FakeAutoScalingGroup, autoscaling_backends
from moto.ecs.models import Cluster

from ..models._base import camel_keys
from ._patching import replace


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else str(value).lower() == "true"


def _update_group_in_place(_original: Any) -> Any:
    def update_from_cloudformation_json(
        cls: type[FakeAutoScalingGroup],
        /,
        original_resource: FakeAutoScalingGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> FakeAutoScalingGroup:
        properties = cloudformation_json.get("Properties") or {}
        backend = autoscaling_backends[account_id][region_name]
        name = original_resource.name
        group = backend.update_auto_scaling_group(
            name=name,
            availability_zones=properties.get("AvailabilityZones") or [],
            desired_capacity=_int(properties.get("DesiredCapacity")),
            max_size=_int(properties.get("MaxSize")),
            min_size=_int(properties.get("MinSize")),
            launch_config_name=properties.get("LaunchConfigurationName"),  # type: ignore[arg-type]
            launch_template=properties.get("LaunchTemplate") or {},
            vpc_zone_identifier=",".join(properties.get("VPCZoneIdentifier") or []) or None,  # type: ignore[arg-type]
            health_check_period=_int(properties.get("HealthCheckGracePeriod")),  # type: ignore[arg-type]
            health_check_type=properties.get("HealthCheckType"),  # type: ignore[arg-type]
            new_instances_protected_from_scale_in=_bool(properties.get("NewInstancesProtectedFromScaleIn")),
            mixed_instances_policy=properties.get("MixedInstancesPolicy") or None,
        )
        _sync_attachments(backend, group, properties)
        return group

    return classmethod(update_from_cloudformation_json)


def _sync_attachments(backend: Any, group: FakeAutoScalingGroup, properties: dict[str, Any]) -> None:
    """Target groups, classic load balancers and tags as the template says."""
    wanted = list(properties.get("TargetGroupARNs") or [])
    current = list(group.target_group_arns or [])
    if set(current) - set(wanted):
        backend.detach_load_balancer_target_groups(group.name, sorted(set(current) - set(wanted)))
    if set(wanted) - set(current):
        backend.attach_load_balancer_target_groups(group.name, sorted(set(wanted) - set(current)))
    wanted_lbs = list(properties.get("LoadBalancerNames") or [])
    current_lbs = list(group.load_balancer_names or [])
    if set(current_lbs) - set(wanted_lbs):
        backend.detach_load_balancers(group.name, sorted(set(current_lbs) - set(wanted_lbs)))
    if set(wanted_lbs) - set(current_lbs):
        backend.attach_load_balancers(group.name, sorted(set(wanted_lbs) - set(current_lbs)))
    group.tags = list(properties.get("Tags") or [])  # as moto stores them on create


# --- ECS cluster settings ----------------------------------------------------------------------------
def _apply_cluster_settings(cluster: Cluster, properties: dict[str, Any]) -> None:
    settings = properties.get("ClusterSettings")
    cluster.settings = (
        camel_keys(settings) if settings else [{"name": "containerInsights", "value": "disabled"}]
    )


def _creating_cluster(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[Cluster],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Cluster:
        cluster: Cluster = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        _apply_cluster_settings(cluster, cloudformation_json.get("Properties") or {})
        return cluster

    return classmethod(create_from_cloudformation_json)


def _updating_cluster(original: Any) -> Any:
    update = original.__func__

    def update_from_cloudformation_json(
        cls: type[Cluster],
        /,
        original_resource: Cluster,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Cluster:
        properties = cloudformation_json.get("Properties") or {}
        if not properties.get("ClusterName"):
            new_resource_name = original_resource.name  # a generated name stays; moto would make a new one
        cluster: Cluster = update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        _apply_cluster_settings(cluster, properties)
        return cluster

    return classmethod(update_from_cloudformation_json)


def apply() -> None:
    """Install the corrections described in the module docstring."""
    replace(FakeAutoScalingGroup, "update_from_cloudformation_json", _update_group_in_place)
    replace(Cluster, "create_from_cloudformation_json", _creating_cluster)
    replace(Cluster, "update_from_cloudformation_json", _updating_cluster)
