"""AWS::IoT::TopicRule on moto's iot backend (moto has no CloudFormation model for rules)."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iot.exceptions import ResourceNotFoundException
from moto.iot.models import IoTBackend, iot_backends

from ._base import Properties, SandboxResource, Target, as_bool, camel_keys, physical_name


def _backend(target: Target) -> IoTBackend:
    return iot_backends[target.account_id][target.region_name]


def rule_arguments(payload: dict[str, Any]) -> dict[str, Any]:
    """A TopicRulePayload as the keyword arguments of the backend's create/replace_topic_rule."""
    return {
        "sql": payload["Sql"],
        "description": payload.get("Description", ""),
        "rule_disabled": as_bool(payload.get("RuleDisabled")),
        "actions": camel_keys(payload.get("Actions", [])),
        "error_action": camel_keys(payload.get("ErrorAction") or {}),
        "aws_iot_sql_version": payload.get("AwsIotSqlVersion"),
    }


class IotTopicRule(SandboxResource, CloudFormationModel):
    """AWS::IoT::TopicRule. Ref: rule name; GetAtt Arn. A changed payload replaces the rule's contents."""

    CFN_TYPE = "AWS::IoT::TopicRule"
    NAME_PROPERTY = "RuleName"
    ATTRIBUTES = frozenset({"Arn"})
    CREATE_ONLY = frozenset({"RuleName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> IotTopicRule:
        rule_name = properties.get("RuleName") or physical_name(name, 128, allowed="_")
        _backend(target).create_topic_rule(rule_name, **rule_arguments(properties["TopicRulePayload"]))
        return cls(target, rule_name, properties)

    def apply_update(self, properties: Properties) -> None:
        _backend(self.target).replace_topic_rule(
            self.physical_id, **rule_arguments(properties["TopicRulePayload"])
        )

    def remove(self) -> None:
        try:
            _backend(self.target).delete_topic_rule(self.physical_id)
        except ResourceNotFoundException:
            pass

    def attribute(self, name: str) -> Any:
        return _backend(self.target).rules[self.physical_id].arn
