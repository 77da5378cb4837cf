"""AWS::EC2::SecurityGroupIngress, replacing moto's CloudFormation model.

moto's model authorizes the rule but keeps no rule id: it has no ``physical_resource_id`` (a blank
physical id in ListStackResources, ``Ref`` gives nothing), no delete (the rule outlives its stack) and
no update. It also ignores ``CidrIpv6`` and ``SourcePrefixListId`` and fails (``int(None)``) on a rule
without ports. This one answers the rule's id (``sgr-...``, as AWS does), revokes the rule when
deleted, and treats missing ports as -1. Every property but ``Description`` is create-only in the
resource schema, so any other change replaces the rule; a new description is kept in the template
only (moto's description update is not wired).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import EC2Backend, ec2_backends

from ._base import Properties, SandboxResource, Target

_RULE_PROPERTIES = frozenset(
    {
        "CidrIp",
        "CidrIpv6",
        "FromPort",
        "GroupId",
        "GroupName",
        "IpProtocol",
        "SourcePrefixListId",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
        "ToPort",
    }
)


def _backend(target: Target) -> EC2Backend:
    return ec2_backends[target.account_id][target.region_name]


def rule_arguments(properties: Properties) -> dict[str, Any]:
    """The keyword arguments of the backend's (authorize|revoke)_security_group_ingress for a rule."""
    description = {"Description": properties["Description"]} if "Description" in properties else {}
    ranges = [{key: properties[key], **description} for key in ("CidrIp", "CidrIpv6") if properties.get(key)]
    source = {
        key: properties[name]
        for key, name in (("GroupId", "SourceSecurityGroupId"), ("GroupName", "SourceSecurityGroupName"))
        if properties.get(name)
    }
    prefix = properties.get("SourcePrefixListId")
    return {
        "ip_protocol": str(properties["IpProtocol"]),
        "from_port": properties.get("FromPort", -1),
        "to_port": properties.get("ToPort", -1),
        "ip_ranges": ranges,
        "source_groups": [source] if source else [],
        "prefix_list_ids": [{"PrefixListId": prefix, **description}] if prefix else [],
    }


class Ec2SecurityGroupIngress(SandboxResource, CloudFormationModel):
    """AWS::EC2::SecurityGroupIngress. Ref: the security group rule id; GetAtt Id."""

    CFN_TYPE = "AWS::EC2::SecurityGroupIngress"
    ATTRIBUTES = frozenset({"Id"})
    CREATE_ONLY = _RULE_PROPERTIES

    def __init__(self, target: Target, physical_id: str, properties: Properties, group_id: str) -> None:
        super().__init__(target, physical_id, properties)
        self.group_id = group_id

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> Ec2SecurityGroupIngress:
        backend = _backend(target)
        group = properties.get("GroupId") or properties["GroupName"]
        rules, security_group = backend.authorize_security_group_ingress(
            group_name_or_id=group, **rule_arguments(properties)
        )
        return cls(target, rules[0].id, properties, security_group.id)

    def apply_update(self, properties: Properties) -> None:
        """Only ``Description`` can change in place; moto keeps the rule as it is."""

    def remove(self) -> None:
        _backend(self.target).revoke_security_group_ingress(
            group_name_or_id=self.group_id,
            ip_protocol="",
            from_port="",
            to_port="",
            ip_ranges=[],
            security_rule_ids=[self.physical_id],
        )

    def attribute(self, name: str) -> Any:
        return self.physical_id
