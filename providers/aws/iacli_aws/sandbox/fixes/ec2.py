"""Fix (h): EC2 security groups and VPC endpoints get AWS's defaults.

moto behaviour corrected:

- ``AWS::EC2::SecurityGroup``: an ingress rule without ``FromPort``/``ToPort`` -- the normal way to
  write ``IpProtocol: -1`` (all traffic), which has no ports -- makes moto's model raise
  ``KeyError: 'FromPort'``, after the group itself was created: the failed resource leaked a group
  nothing deletes. Missing ports now default to -1, as CloudFormation does, and a group whose rules
  fail is deleted before the error propagates (the failure is reported as before).
- ``AWS::EC2::VPCEndpoint`` (and CreateVpcEndpoint) without ``VpcEndpointType``: moto keeps the type
  None (AWS's default is ``Gateway``), so DescribeVpcEndpoints shows no type and deleting the endpoint
  -- and so its stack -- fails with ``AttributeError: 'NoneType' object has no attribute 'lower'``
  (an HTTP 500). The type now defaults to ``Gateway``; a Gateway endpoint without ``RouteTableIds``
  gets an empty list instead of None (which broke its deletion the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.vpcs import VPCBackend

from ._patching import replace

DEFAULT_ENDPOINT_TYPE = "Gateway"


def with_default_ports(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` whose ingress rules all have ``FromPort`` and ``ToPort`` (-1 when missing)."""
    rules = properties.get("SecurityGroupIngress")
    if not isinstance(rules, list):
        return properties
    filled = [{"FromPort": -1, "ToPort": -1, **rule} if isinstance(rule, dict) else rule for rule in rules]
    return {**properties, "SecurityGroupIngress": filled}


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
        try:
            group: SecurityGroup = create(
                cls,
                resource_name,
                {**cloudformation_json, "Properties": properties},
                account_id,
                region_name,
                **kwargs,
            )
        except Exception:
            leaked = None if existed else backend.get_security_group_by_name_or_id(resource_name, vpc_id)
            if leaked is not None:
                backend.delete_security_group(group_id=leaked.id)
            raise
        return group

    return classmethod(create_from_cloudformation_json)


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


def apply() -> None:
    """Install the EC2 defaults described in the module docstring."""
    replace(SecurityGroup, "create_from_cloudformation_json", _creating_security_group)
    replace(VPCBackend, "create_vpc_endpoint", _defaulting_endpoint_type)
