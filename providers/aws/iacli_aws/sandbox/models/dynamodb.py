"""AWS::DynamoDB::Table, replacing moto's CloudFormation model for it.

moto's model ignores ``PointInTimeRecoverySpecification`` and ``TimeToLiveSpecification`` and has no
update at all (moto's parser then drops the table from the stack). This model creates through moto's
model, applies what it skips, and updates the table in place the way CloudFormation does: only a new
``TableName``, ``KeySchema`` or set of local secondary indexes replaces the table (and its data).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table

from ._base import Properties, as_bool, tag_dict


def _backend(account_id: str, region_name: str) -> DynamoDBBackend:
    return dynamodb_backends[account_id][region_name]


def _index_names(indexes: list[Any]) -> set[str]:
    return {index["IndexName"] if isinstance(index, dict) else index.name for index in indexes}


def needs_replacement(table: Table, properties: Properties) -> bool:
    """Whether moving ``table`` to ``properties`` needs a new table (create-only properties changed)."""
    return (
        properties.get("TableName", table.name) != table.name
        or properties["KeySchema"] != table.schema
        or _index_names(properties.get("LocalSecondaryIndexes", [])) != _index_names(table.indexes)
    )


def sse_specification(properties: Properties) -> dict[str, Any] | None:
    """The template's SSESpecification (``SSEEnabled``) in the API shape moto reads (``Enabled``)."""
    spec = properties.get("SSESpecification")
    if not spec or not as_bool(spec.get("SSEEnabled")):
        return None
    converted = {"Enabled": True, "SSEType": spec.get("SSEType", "KMS")}
    if spec.get("KMSMasterKeyId"):
        converted["KMSMasterKeyId"] = spec["KMSMasterKeyId"]
    return converted


def _gsi_updates(table: Table, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = {index.name: index for index in table.global_indexes}
    by_name = {index["IndexName"]: index for index in wanted}
    updates: list[dict[str, Any]] = [{"Delete": {"IndexName": name}} for name in set(current) - set(by_name)]
    for name, index in by_name.items():
        if name not in current:
            updates.append({"Create": index})
        elif index.get("ProvisionedThroughput"):
            updates.append(
                {"Update": {"IndexName": name, "ProvisionedThroughput": index["ProvisionedThroughput"]}}
            )
    return updates


def _apply_streams(backend: DynamoDBBackend, table: Table, spec: dict[str, Any] | None) -> None:
    enabled = bool(spec and spec.get("StreamViewType"))
    if enabled == bool((table.stream_specification or {}).get("StreamEnabled")):
        return
    backend.update_table_streams(table, {"StreamEnabled": enabled, **(spec or {})})


def _apply_backups_and_ttl(backend: DynamoDBBackend, table: Table, properties: Properties) -> None:
    pitr = properties.get("PointInTimeRecoverySpecification") or {}
    spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": as_bool(pitr.get("PointInTimeRecoveryEnabled"))}
    if "RecoveryPeriodInDays" in pitr:
        spec["RecoveryPeriodInDays"] = int(pitr["RecoveryPeriodInDays"])
    backend.update_continuous_backups(table.name, spec)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        backend.update_time_to_live(table.name, {**ttl, "Enabled": as_bool(ttl.get("Enabled"))})
    elif table.ttl.get("TimeToLiveStatus") == "ENABLED":
        table.ttl["TimeToLiveStatus"] = "DISABLED"


def _apply_tags(backend: DynamoDBBackend, table: Table, tags: Any) -> None:
    backend.untag_resource(table.table_arn, [tag["Key"] for tag in table.tags])
    backend.tag_resource(table.table_arn, tag_dict(tags))


def update_in_place(backend: DynamoDBBackend, table: Table, properties: Properties) -> None:
    """Apply every updatable property of ``properties`` to ``table``."""
    billing_mode = "PAY_PER_REQUEST" if properties.get("BillingMode") == "PAY_PER_REQUEST" else "PROVISIONED"
    backend.update_table(
        name=table.name,
        attr_definitions=properties.get("AttributeDefinitions", []),
        global_index=_gsi_updates(table, properties.get("GlobalSecondaryIndexes", [])),
        throughput=properties.get("ProvisionedThroughput"),  # type: ignore[arg-type]  # None: unchanged
        billing_mode=billing_mode,
        stream_spec={},
        deletion_protection_enabled=as_bool(properties.get("DeletionProtectionEnabled")),
        warm_throughput=properties.get("WarmThroughput"),
    )
    _apply_streams(backend, table, properties.get("StreamSpecification"))
    sse = sse_specification(properties)
    if (sse is None) != (table.sse_specification is None):
        table.sse_specification = sse
        if sse and "KMSMasterKeyId" not in sse:
            sse["KMSMasterKeyId"] = table._get_default_encryption_key(table.account_id, table.region_name)
    _apply_backups_and_ttl(backend, table, properties)
    _apply_tags(backend, table, properties.get("Tags"))


class SandboxDynamoDBTable(CloudFormationModel):
    """AWS::DynamoDB::Table with PITR, TTL and in-place updates. Ref: name; GetAtt Arn, StreamArn."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::DynamoDB::Table"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TableName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return Table.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Table:
        properties = {
            **cloudformation_json["Properties"],
            "SSESpecification": sse_specification(cloudformation_json["Properties"]),
        }
        table: Table = Table.create_from_cloudformation_json(
            resource_name, {"Properties": properties}, account_id, region_name
        )
        _apply_backups_and_ttl(_backend(account_id, region_name), table, cloudformation_json["Properties"])
        return table

    @classmethod
    def requires_replacement(cls, original: Table, properties: Properties) -> bool:
        return needs_replacement(original, properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Table,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Table:
        properties = cloudformation_json["Properties"]
        update_in_place(_backend(account_id, region_name), original_resource, properties)
        return original_resource
