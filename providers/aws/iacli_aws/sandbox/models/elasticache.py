"""AWS::ElastiCache::CacheCluster, ReplicationGroup and SubnetGroup on moto's elasticache backend.

moto's backend "deletes" a cluster or replication group by setting its status to ``deleting`` (it stays
listed) and has no subnet group deletion or cluster modification; these models remove and modify the
backend objects directly. Endpoints of single clusters are not modelled by moto: the sandbox makes up
``<id>.sandbox.0001.<region>.cache.amazonaws.com``.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.elasticache.models import ElastiCacheBackend, elasticache_backends

from ._base import Properties, SandboxResource, Target, as_bool, as_int, physical_name, tag_list

# CloudFormation property -> keyword argument of the backend's create_cache_cluster (and attribute).
_CLUSTER_ARGUMENTS = {
    "AZMode": "az_mode",
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "CacheNodeType": "cache_node_type",
    "CacheParameterGroupName": "cache_parameter_group_name",
    "CacheSecurityGroupNames": "cache_security_group_names",
    "CacheSubnetGroupName": "cache_subnet_group_name",
    "Engine": "engine",
    "EngineVersion": "engine_version",
    "IpDiscovery": "ip_discovery",
    "LogDeliveryConfigurations": "log_delivery_configurations",
    "NetworkType": "network_type",
    "NotificationTopicArn": "notification_topic_arn",
    "NumCacheNodes": "num_cache_nodes",
    "Port": "port",
    "PreferredAvailabilityZone": "preferred_availability_zone",
    "PreferredAvailabilityZones": "preferred_availability_zones",
    "PreferredMaintenanceWindow": "preferred_maintenance_window",
    "SnapshotArns": "snapshot_arns",
    "SnapshotName": "snapshot_name",
    "SnapshotRetentionLimit": "snapshot_retention_limit",
    "SnapshotWindow": "snapshot_window",
    "TransitEncryptionEnabled": "transit_encryption_enabled",
    "VpcSecurityGroupIds": "security_group_ids",
}
_CLUSTER_UNUSED = (
    "replication_group_id",
    "auth_token",
    "outpost_mode",
    "preferred_outpost_arn",
    "preferred_outpost_arns",
    "cache_node_ids_to_remove",
    "cache_node_ids_to_reboot",
)
# CloudFormation property -> keyword argument of the backend's create_replication_group.
_GROUP_ARGUMENTS = {
    "AtRestEncryptionEnabled": "at_rest_encryption_enabled",
    "AuthToken": "auth_token",
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade",
    "AutomaticFailoverEnabled": "automatic_failover_enabled",
    "CacheNodeType": "cache_node_type",
    "CacheParameterGroupName": "cache_parameter_group_name",
    "CacheSecurityGroupNames": "cache_security_group_names",
    "CacheSubnetGroupName": "cache_subnet_group_name",
    "ClusterMode": "cluster_mode",
    "DataTieringEnabled": "data_tiering_enabled",
    "Engine": "engine",
    "EngineVersion": "engine_version",
    "GlobalReplicationGroupId": "global_replication_group_id",
    "IpDiscovery": "ip_discovery",
    "KmsKeyId": "kms_key_id",
    "LogDeliveryConfigurations": "log_delivery_configurations",
    "MultiAZEnabled": "multi_az_enabled",
    "NetworkType": "network_type",
    "NodeGroupConfiguration": "node_group_configuration",
    "NotificationTopicArn": "notification_topic_arn",
    "NumCacheClusters": "num_cache_clusters",
    "NumNodeGroups": "num_node_groups",
    "Port": "port",
    "PreferredCacheClusterAZs": "preferred_cache_cluster_azs",
    "PreferredMaintenanceWindow": "preferred_maintenance_window",
    "PrimaryClusterId": "primary_cluster_id",
    "ReplicasPerNodeGroup": "replicas_per_node_group",
    "ReplicationGroupDescription": "replication_group_description",
    "SecurityGroupIds": "security_group_ids",
    "SnapshotArns": "snapshot_arns",
    "SnapshotName": "snapshot_name",
    "SnapshotRetentionLimit": "snapshot_retention_limit",
    "SnapshotWindow": "snapshot_window",
    "TransitEncryptionEnabled": "transit_encryption_enabled",
    "TransitEncryptionMode": "transit_encryption_mode",
    "UserGroupIds": "user_group_ids",
}
_NUMBERS = frozenset(
    {
        "NumCacheNodes",
        "Port",
        "SnapshotRetentionLimit",
        "NumCacheClusters",
        "NumNodeGroups",
        "ReplicasPerNodeGroup",
    }
)
_BOOLEANS = frozenset(
    {
        "AutoMinorVersionUpgrade",
        "TransitEncryptionEnabled",
        "AtRestEncryptionEnabled",
        "AutomaticFailoverEnabled",
        "DataTieringEnabled",
        "MultiAZEnabled",
    }
)


def _backend(target: Target) -> ElastiCacheBackend:
    return elasticache_backends[target.account_id][target.region_name]


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _NUMBERS:
        return as_int(value)
    return as_bool(value) if name in _BOOLEANS else value


def backend_arguments(properties: Properties, mapping: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments for a backend create call: every mapped argument, None where not given."""
    arguments = {argument: _value(name, properties.get(name)) for name, argument in mapping.items()}
    arguments["tags"] = tag_list(properties.get("Tags"))
    return arguments


class ElastiCacheCacheCluster(SandboxResource, CloudFormationModel):
    """AWS::ElastiCache::CacheCluster. Ref: cluster id; GetAtt RedisEndpoint.*, ConfigurationEndpoint.*."""

    CFN_TYPE = "AWS::ElastiCache::CacheCluster"
    NAME_PROPERTY = "ClusterName"
    ATTRIBUTES = frozenset(
        {
            "RedisEndpoint.Address",
            "RedisEndpoint.Port",
            "ConfigurationEndpoint.Address",
            "ConfigurationEndpoint.Port",
        }
    )
    CREATE_ONLY = frozenset(
        {
            "ClusterName",
            "Engine",
            "CacheSubnetGroupName",
            "Port",
            "SnapshotArns",
            "SnapshotName",
            "NetworkType",
            "PreferredAvailabilityZone",
            "TransitEncryptionEnabled",
        }
    )

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElastiCacheCacheCluster:
        cluster_id = physical_name(name, 40, lower=True)
        arguments = backend_arguments(properties, _CLUSTER_ARGUMENTS)
        arguments.update(dict.fromkeys(_CLUSTER_UNUSED))
        _backend(target).create_cache_cluster(cache_cluster_id=cluster_id, **arguments)
        return cls(target, cluster_id, properties)

    def apply_update(self, properties: Properties) -> None:
        cluster = _backend(self.target).cache_clusters[self.physical_id]
        for name, argument in _CLUSTER_ARGUMENTS.items():
            if name in properties and name not in self.CREATE_ONLY:
                setattr(cluster, argument, _value(name, properties[name]))
        cluster.tags = tag_list(properties.get("Tags"))

    def remove(self) -> None:
        _backend(self.target).cache_clusters.pop(self.physical_id, None)

    def attribute(self, name: str) -> Any:
        cluster = _backend(self.target).cache_clusters[self.physical_id]
        if name.endswith(".Port"):
            return str(cluster.port)
        return f"{self.physical_id}.sandbox.0001.{self.target.region_name}.cache.amazonaws.com"


class ElastiCacheReplicationGroup(SandboxResource, CloudFormationModel):
    """AWS::ElastiCache::ReplicationGroup. Ref: group id; GetAtt Primary/Reader/ConfigurationEndPoint.*."""

    CFN_TYPE = "AWS::ElastiCache::ReplicationGroup"
    NAME_PROPERTY = "ReplicationGroupId"
    ATTRIBUTES = frozenset(
        {
            "PrimaryEndPoint.Address",
            "PrimaryEndPoint.Port",
            "ReaderEndPoint.Address",
            "ReaderEndPoint.Port",
            "ConfigurationEndPoint.Address",
            "ConfigurationEndPoint.Port",
            "ReadEndPoint.Addresses",
            "ReadEndPoint.Ports",
        }
    )
    CREATE_ONLY = frozenset(
        {
            "ReplicationGroupId",
            "CacheSubnetGroupName",
            "Engine",
            "Port",
            "KmsKeyId",
            "AtRestEncryptionEnabled",
            "GlobalReplicationGroupId",
            "NetworkType",
            "SnapshotArns",
            "SnapshotName",
            "DataTieringEnabled",
            "PreferredCacheClusterAZs",
        }
    )

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElastiCacheReplicationGroup:
        group_id = physical_name(name, 40, lower=True)
        arguments = backend_arguments(properties, _GROUP_ARGUMENTS)
        arguments["replication_group_description"] = properties.get("ReplicationGroupDescription", "")
        arguments["serverless_cache_snapshot_name"] = None
        _backend(target).create_replication_group(replication_group_id=group_id, **arguments)
        return cls(target, group_id, properties)

    def apply_update(self, properties: Properties) -> None:
        group = _backend(self.target).replication_groups[self.physical_id]
        group.description = properties.get("ReplicationGroupDescription", group.description)
        for name in (
            "CacheNodeType",
            "EngineVersion",
            "SnapshotRetentionLimit",
            "SnapshotWindow",
            "AutomaticFailoverEnabled",
            "MultiAZEnabled",
            "PreferredMaintenanceWindow",
        ):
            if name in properties:
                setattr(group, _GROUP_ARGUMENTS[name], _value(name, properties[name]))

    def remove(self) -> None:
        backend = _backend(self.target)
        backend.replication_groups.pop(self.physical_id, None)
        for cluster_id in [
            c
            for c, cluster in backend.cache_clusters.items()
            if getattr(cluster, "replication_group_id", None) == self.physical_id
        ]:
            backend.cache_clusters.pop(cluster_id)

    def attribute(self, name: str) -> Any:
        group = _backend(self.target).replication_groups[self.physical_id]
        port = str(group.port)
        if name.startswith("ConfigurationEndPoint"):
            endpoint = getattr(group, "configuration_endpoint", {}) or {}
            return port if name.endswith("Port") else endpoint.get("address")
        node_group = group.node_groups[0] if group.node_groups else {}
        if name.startswith("ReadEndPoint"):
            return port if name.endswith("Ports") else node_group.get("reader_endpoint_address")
        if name.endswith("Port"):
            return port
        key = "primary_endpoint_address" if name.startswith("Primary") else "reader_endpoint_address"
        return node_group.get(key)


class ElastiCacheSubnetGroup(SandboxResource, CloudFormationModel):
    """AWS::ElastiCache::SubnetGroup. Ref: the (lower-case) group name."""

    CFN_TYPE = "AWS::ElastiCache::SubnetGroup"
    NAME_PROPERTY = "CacheSubnetGroupName"
    CREATE_ONLY = frozenset({"CacheSubnetGroupName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ElastiCacheSubnetGroup:
        group_name = physical_name(name, 255, lower=True)
        _backend(target).create_cache_subnet_group(
            group_name,
            properties.get("Description", ""),
            list(properties.get("SubnetIds", [])),
            tag_list(properties.get("Tags")),
        )
        return cls(target, group_name, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        backend.cache_subnet_groups.pop(self.physical_id, None)
        backend.create_cache_subnet_group(
            self.physical_id,
            properties.get("Description", ""),
            list(properties.get("SubnetIds", [])),
            tag_list(properties.get("Tags")),
        )

    def remove(self) -> None:
        _backend(self.target).cache_subnet_groups.pop(self.physical_id, None)
