"""Fix (i): an ELBv2 load balancer created through CloudFormation gets the properties the template gives.

moto behaviour corrected (``moto.elbv2.models.FakeLoadBalancer.create_from_cloudformation_json``): the
model reads only ``Subnets``, ``SecurityGroups`` and ``Scheme``. A load balancer placed with
``SubnetMappings`` (the way to give a network load balancer its Elastic IPs) fails with
``SubnetNotFound``; ``Type`` (a network load balancer became an application one), ``IpAddressType``,
``Tags`` and ``LoadBalancerAttributes`` were dropped. All of them now reach moto's backend
(``CreateLoadBalancer`` takes them all; the Elastic IP allocations of the mappings are not modelled by
moto). ``GetAtt LoadBalancerFullName`` (``app/<name>/<id>``) and ``GetAtt SecurityGroups`` answered
nothing (moto logs "not implemented"); they now answer as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.elbv2.models import FakeLoadBalancer, elbv2_backends

from ._patching import replace


def _create(_original: Any) -> Any:
    def create_from_cloudformation_json(
        cls: type[FakeLoadBalancer],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeLoadBalancer:
        properties = cloudformation_json.get("Properties") or {}
        backend = elbv2_backends[account_id][region_name]
        balancer = backend.create_load_balancer(
            name=resource_name,
            security_groups=properties.get("SecurityGroups") or [],
            subnet_ids=properties.get("Subnets") or [],
            subnet_mappings=properties.get("SubnetMappings") or [],
            scheme=properties.get("Scheme") or "internet-facing",
            loadbalancer_type=properties.get("Type") or "application",
            ip_address_type=properties.get("IpAddressType") or "ipv4",
            tags=properties.get("Tags") or None,
        )
        attributes = {
            str(item["Key"]): str(item["Value"]) for item in properties.get("LoadBalancerAttributes") or []
        }
        if attributes:
            backend.modify_load_balancer_attributes(balancer.arn, attributes)
        return balancer

    return classmethod(create_from_cloudformation_json)


def full_name(balancer: FakeLoadBalancer) -> str:
    """``app/<name>/<id>`` (or ``net/...``): the part of the ARN after ``loadbalancer/``."""
    return str(balancer.arn.split(":loadbalancer/", 1)[-1])


def _attribute(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_cfn_attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
        if attribute_name == "LoadBalancerFullName":
            return full_name(self)
        if attribute_name == "SecurityGroups":
            return list(self.security_groups or [])
        return original(self, attribute_name)

    return get_cfn_attribute


def apply() -> None:
    """Install the load balancer behaviour described in the module docstring."""
    replace(FakeLoadBalancer, "create_from_cloudformation_json", _create)
    replace(FakeLoadBalancer, "get_cfn_attribute", _attribute)
