"""AWS::EFS::AccessPoint, replacing moto's CloudFormation model, which has no physical id.

moto's model creates the access point, but has no ``physical_resource_id``: ListStackResources shows a
blank physical id, ``Ref`` gives nothing and ``GetAtt Arn`` fails. This one answers the access point
id, as AWS does. Tags are updated in place; any other change replaces the access point (every other
property is create-only in the resource schema).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.efs.models import EFSBackend, efs_backends

from ._base import Properties, SandboxResource, Target, tag_dict, tag_list


def _backend(target: Target) -> EFSBackend:
    return efs_backends[target.account_id][target.region_name]


class EfsAccessPoint(SandboxResource, CloudFormationModel):
    """AWS::EFS::AccessPoint. Ref: access point id; GetAtt AccessPointId, Arn."""

    CFN_TYPE = "AWS::EFS::AccessPoint"
    ATTRIBUTES = frozenset({"AccessPointId", "Arn"})
    CREATE_ONLY = frozenset({"ClientToken", "FileSystemId", "PosixUser", "RootDirectory"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> EfsAccessPoint:
        point = _backend(target).create_access_point(
            client_token=properties.get("ClientToken") or name,
            tags=tag_list(properties.get("AccessPointTags")),
            file_system_id=properties["FileSystemId"],
            posix_user=properties.get("PosixUser") or {},
            root_directory=properties.get("RootDirectory") or {},
        )
        return cls(target, point.access_point_id, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        arn = self.attribute("Arn")
        wanted = tag_dict(properties.get("AccessPointTags"))
        stale = set(tag_dict(self.properties.get("AccessPointTags"))) - set(wanted)
        if stale:
            backend.untag_resource(arn, sorted(stale))
        if wanted:
            backend.tag_resource(arn, wanted)
        point = backend.access_points.get(self.physical_id)
        if point is not None:
            point.name = wanted.get("Name")

    def remove(self) -> None:
        _backend(self.target).delete_access_point(self.physical_id)

    def attribute(self, name: str) -> Any:
        if name == "AccessPointId":
            return self.physical_id
        partition, region, account = self.target.partition, self.target.region_name, self.target.account_id
        return f"arn:{partition}:elasticfilesystem:{region}:{account}:access-point/{self.physical_id}"
