"""AWS::Logs::LogGroup, replacing moto's CloudFormation model, which has no update.

Without an update moto's parser drops a changed log group from the stack (it stays in the backend).
Only a new ``LogGroupName`` replaces the group; retention and tags are updated in place.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import LogGroup, LogsBackend, logs_backends

from ._base import as_int, tag_dict


def _backend(account_id: str, region_name: str) -> LogsBackend:
    return logs_backends[account_id][region_name]


class SandboxLogGroup(CloudFormationModel):
    """AWS::Logs::LogGroup with in-place updates. Ref: name; GetAtt Arn."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Logs::LogGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "LogGroupName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return LogGroup.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LogGroup:
        properties = dict(cloudformation_json["Properties"])
        if "RetentionInDays" in properties:
            properties["RetentionInDays"] = as_int(properties["RetentionInDays"])
        tags = tag_dict(properties.pop("Tags", None))
        return _backend(account_id, region_name).create_log_group(resource_name, tags, **properties)

    @classmethod
    def requires_replacement(cls, original: LogGroup, properties: dict[str, Any]) -> bool:
        return bool(properties.get("LogGroupName", original.name) != original.name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LogGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LogGroup:
        properties = cloudformation_json["Properties"]
        name = original_resource.name
        backend = _backend(account_id, region_name)
        retention = as_int(properties.get("RetentionInDays"))
        if retention is None:
            backend.delete_retention_policy(name)
        else:
            backend.put_retention_policy(name, retention)  # type: ignore[arg-type]
        stale = set(backend.list_tags_log_group(name)) - set(tag_dict(properties.get("Tags")))
        backend.untag_log_group(name, sorted(stale))
        backend.tag_log_group(name, tag_dict(properties.get("Tags")))
        return original_resource
