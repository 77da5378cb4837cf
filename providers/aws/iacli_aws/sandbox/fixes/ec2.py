"""Fix (h): EC2 security groups, VPC endpoints and instance volumes get what AWS gives them.

moto behaviour corrected:

- ``AWS::EC2::SecurityGroup``: an ingress rule without ``FromPort``/``ToPort`` -- the normal way to
  write ``IpProtocol: -1`` (all traffic), which has no ports -- makes moto's model raise
  ``KeyError: 'FromPort'``, after the group itself was created: the failed resource leaked a group
  nothing deletes. Missing ports now default to -1, as CloudFormation does, and a group whose rules
  fail is deleted before the error propagates (the failure is reported as before).
- ``AWS::EC2::SecurityGroup`` inline rules: moto applies only ``CidrIp`` and source groups of
  ``SecurityGroupIngress`` (no ``CidrIpv6``, prefix lists or descriptions) and ignores
  ``SecurityGroupEgress`` altogether (the group keeps allow-all egress). Every inline rule is now
  applied; egress rules replace the default allow-all rule, as on AWS.
- ``AWS::EC2::SecurityGroup`` updates: moto deletes the group and creates it again (a new group id),
  so every resource referencing it is replaced too (load balancers, listeners, services...), where
  CloudFormation changes the rules in place. Now rule and tag changes are applied in place: the rules
  removed from the template are revoked, the new ones authorized (no egress rules again: the default
  allow-all egress comes back). Create-only properties (``GroupDescription``, ``GroupName``,
  ``VpcId``) still replace the group (:mod:`.updates`).
- ``AWS::EC2::VPCEndpoint`` (and CreateVpcEndpoint) without ``VpcEndpointType``: moto keeps the type
  None (AWS's default is ``Gateway``), so DescribeVpcEndpoints shows no type and deleting the endpoint
  -- and so its stack -- fails with ``AttributeError: 'NoneType' object has no attribute 'lower'``
  (an HTTP 500). The type now defaults to ``Gateway``; a Gateway endpoint without ``RouteTableIds``
  gets an empty list instead of None (which broke its deletion the same way).
- RunInstances (and so ``AWS::EC2::Instance``) drops the ``Iops`` and ``Throughput`` of a block device
  mapping's ``Ebs`` when it creates the volume: an ``io1``/``io2`` volume, which needs its IOPS, fails
  with ``InvalidParameterDependency: The parameter [VolumeType] requires the parameter Iops to be
  set`` although the template sets it. They now reach the volume.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from moto.ec2.exceptions import InvalidPermissionDuplicateError, InvalidPermissionNotFoundError
from moto.ec2.models import ec2_backends
from moto.ec2.models.instances import Instance, InstanceBackend
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.vpcs import VPCBackend

from ..models._base import tag_dict
from ..models.ec2 import rule_arguments
from ._patching import replace

DEFAULT_ENDPOINT_TYPE = "Gateway"
# The (resolved) properties a security group was last created or updated with, kept on moto's group.
_APPLIED = "iacli_sandbox_properties"
# The Ebs settings of the block device mappings of the RunInstances call in progress, by device name.
_EBS: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar(
    "iacli_sandbox_run_instances_ebs", default=None
)


def with_default_ports(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` whose ingress rules all have ``FromPort`` and ``ToPort`` (-1 when missing)."""
    rules = properties.get("SecurityGroupIngress")
    if not isinstance(rules, list):
        return properties
    filled = [{"FromPort": -1, "ToPort": -1, **rule} if isinstance(rule, dict) else rule for rule in rules]
    return {**properties, "SecurityGroupIngress": filled}


def _rule_list(properties: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rules = properties.get(key)
    return [rule for rule in rules if isinstance(rule, dict)] if isinstance(rules, list) else []


def _as_source(rule: dict[str, Any]) -> dict[str, Any]:
    """An egress rule with its destination spelled as an ingress rule's source (for rule_arguments)."""
    renamed = {
        "DestinationSecurityGroupId": "SourceSecurityGroupId",
        "DestinationPrefixListId": "SourcePrefixListId",
    }
    return {renamed.get(key, key): value for key, value in rule.items()}


def _allow_all_egress(group: SecurityGroup) -> list[dict[str, Any]]:
    """The egress rules a new group gets by default (what CloudFormation restores without egress rules)."""
    rules = [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    if any(
        rule.ip_range.get("CidrIpv6") == "::/0" for rule in group.egress_rules if rule.ip_protocol == "-1"
    ):
        rules.append({"IpProtocol": "-1", "CidrIpv6": "::/0"})
    return rules


def _change_rule(backend: Any, group: SecurityGroup, rule: dict[str, Any], egress: bool, add: bool) -> None:
    arguments = rule_arguments({"FromPort": -1, "ToPort": -1, **(_as_source(rule) if egress else rule)})
    action = ("authorize" if add else "revoke") + "_security_group_" + ("egress" if egress else "ingress")
    try:
        getattr(backend, action)(group_name_or_id=group.id, vpc_id=group.vpc_id, **arguments)
    except (InvalidPermissionDuplicateError, InvalidPermissionNotFoundError):
        pass  # already as wanted (a rule the template lists twice, or one removed outside the stack)


def sync_rules(backend: Any, group: SecurityGroup, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Revoke the inline rules of ``old`` missing from ``new``, then authorize the new ones."""
    for key, egress in (("SecurityGroupIngress", False), ("SecurityGroupEgress", True)):
        before, after = _rule_list(old, key), _rule_list(new, key)
        if egress:
            # no egress rules in the template: the group has AWS's default allow-all egress
            before = before or _allow_all_egress(group)
            after = after or _allow_all_egress(group)
        for rule in before:
            if rule not in after:
                _change_rule(backend, group, rule, egress, add=False)
        for rule in after:
            if rule not in before:
                _change_rule(backend, group, rule, egress, add=True)


def sync_tags(backend: Any, group: SecurityGroup, tags: Any) -> None:
    wanted = tag_dict(tags)
    stale = [tag["key"] for tag in group.get_tags() if tag["key"] not in wanted]
    if stale:
        backend.delete_tag_keys([group.id], stale)
    if wanted:
        backend.create_tags([group.id], wanted)


def _creating_security_group(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[SecurityGroup],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SecurityGroup:
        properties = with_default_ports(dict(cloudformation_json.get("Properties") or {}))
        backend = ec2_backends[account_id][region_name]
        vpc_id = properties.get("VpcId")
        existed = backend.get_security_group_by_name_or_id(resource_name, vpc_id) is not None
        bare = {
            k: v for k, v in properties.items() if k not in ("SecurityGroupIngress", "SecurityGroupEgress")
        }
        try:
            group: SecurityGroup = create(
                cls,
                resource_name,
                {**cloudformation_json, "Properties": bare},
                account_id,
                region_name,
                **kwargs,
            )
            sync_rules(backend, group, {}, properties)
        except Exception:
            leaked = None if existed else backend.get_security_group_by_name_or_id(resource_name, vpc_id)
            if leaked is not None:
                backend.delete_security_group(group_id=leaked.id)
            raise
        setattr(group, _APPLIED, properties)
        return group

    return classmethod(create_from_cloudformation_json)


def _updating_security_group(_original: Any) -> Any:
    def update_from_cloudformation_json(
        cls: type[SecurityGroup],
        /,
        original_resource: SecurityGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SecurityGroup:
        properties = with_default_ports(dict(cloudformation_json.get("Properties") or {}))
        backend = ec2_backends[account_id][region_name]
        old = getattr(original_resource, _APPLIED, None) or {}
        sync_rules(backend, original_resource, old, properties)
        sync_tags(backend, original_resource, properties.get("Tags"))
        setattr(original_resource, _APPLIED, properties)
        return original_resource

    return classmethod(update_from_cloudformation_json)


def _defaulting_endpoint_type(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_vpc_endpoint(
        self: VPCBackend,
        vpc_id: str,
        service_name: str,
        endpoint_type: str | None = None,
        policy_document: str | None = None,
        route_table_ids: list[str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        return original(
            self,
            vpc_id,
            service_name,
            endpoint_type or DEFAULT_ENDPOINT_TYPE,
            policy_document,
            route_table_ids or [],
            *args,
            **kwargs,
        )

    return create_vpc_endpoint


@contextmanager
def _block_devices(mappings: Any) -> Iterator[None]:
    ebs = {
        str(mapping["DeviceName"]): dict(mapping.get("Ebs") or {})
        for mapping in mappings or []
        if isinstance(mapping, dict) and "DeviceName" in mapping
    }
    token = _EBS.set(ebs)
    try:
        yield
    finally:
        _EBS.reset(token)


def _noting_block_devices(original: Callable[..., Any]) -> Callable[..., Any]:
    def run_instances(self: InstanceBackend, *args: Any, **kwargs: Any) -> Any:
        with _block_devices(kwargs.get("block_device_mappings")):
            return original(self, *args, **kwargs)

    return run_instances


def _optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _adding_block_device(original: Callable[..., Any]) -> Callable[..., Any]:
    def add_block_device(
        self: Instance,
        size: int,
        device_path: str,
        snapshot_id: str | None,
        encrypted: bool,
        delete_on_termination: bool,
        kms_key_id: str | None,
        volume_type: str | None,
    ) -> None:
        ebs = (_EBS.get() or {}).get(device_path) or {}
        iops, throughput = _optional_int(ebs.get("Iops")), _optional_int(ebs.get("Throughput"))
        if iops is None and throughput is None:
            original(
                self,
                size,
                device_path,
                snapshot_id,
                encrypted,
                delete_on_termination,
                kms_key_id,
                volume_type,
            )
            return
        backend = self.ec2_backend
        volume = backend.create_volume(
            size=size,
            zone_name=self._placement.zone,
            snapshot_id=snapshot_id,
            encrypted=encrypted,
            kms_key_id=kms_key_id,
            volume_type=volume_type,
            iops=iops,
            throughput=throughput,
        )
        backend.attach_volume(volume.id, self.id, device_path, delete_on_termination)

    return add_block_device


def apply() -> None:
    """Install the EC2 defaults described in the module docstring."""
    replace(InstanceBackend, "run_instances", _noting_block_devices)
    replace(Instance, "add_block_device", _adding_block_device)
    replace(SecurityGroup, "create_from_cloudformation_json", _creating_security_group)
    replace(SecurityGroup, "update_from_cloudformation_json", _updating_security_group)
    replace(VPCBackend, "create_vpc_endpoint", _defaulting_endpoint_type)
