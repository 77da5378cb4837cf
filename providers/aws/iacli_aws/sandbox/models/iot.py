"""IoT models on moto's iot backend: TopicRule (moto has none), ThingType and Policy (replacing moto's).

moto's ThingType and Policy models have no ``physical_resource_id``: ``Ref`` gives the Python repr of
moto's object (``<moto.iot.models.FakeThingType object at ...>``) where CloudFormation gives the name.
moto's ThingType also keeps ``ThingTypeProperties`` with the template's PascalCase keys, so
DescribeThingType shows no ``thingTypeDescription``/``searchableAttributes``, ignores
``DeprecateThingType`` and deletes and re-creates the type on any update (a new id). moto's Policy keeps
the document as a template object (GetPolicy answers an object, not the JSON text) and, on update,
adds policy versions until the fifth fails, after which the policy can no longer be deleted (moto
refuses to delete a policy with several versions).

Here ``Ref`` is the name; the thing type's properties are stored as the API has them and changed in
place; a policy update adds a new default version (deleting the oldest non-default one when there are
five already, as CloudFormation does), and deletion removes the non-default versions first. Tags are not kept (moto's iot has no tagging).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iot.exceptions import ResourceNotFoundException
from moto.iot.models import IoTBackend, iot_backends

from ._base import Properties, SandboxResource, Target, as_bool, camel_keys, json_text, physical_name


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


def _thing_type_properties(properties: Properties) -> dict[str, Any]:
    return dict(camel_keys(properties.get("ThingTypeProperties") or {}))


class IotThingType(SandboxResource, CloudFormationModel):
    """AWS::IoT::ThingType. Ref: the thing type name; GetAtt Arn, Id."""

    CFN_TYPE = "AWS::IoT::ThingType"
    NAME_PROPERTY = "ThingTypeName"
    ATTRIBUTES = frozenset({"Arn", "Id"})
    CREATE_ONLY = frozenset({"ThingTypeName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> IotThingType:
        type_name = str(properties.get("ThingTypeName") or physical_name(name, 128, allowed="-_:"))
        backend = _backend(target)
        backend.create_thing_type(type_name, _thing_type_properties(properties))
        if as_bool(properties.get("DeprecateThingType")):
            backend.deprecate_thing_type(type_name, undo_deprecate=False)
        return cls(target, type_name, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        thing_type = backend.describe_thing_type(self.physical_id)
        thing_type.thing_type_properties = _thing_type_properties(properties)
        backend.deprecate_thing_type(
            self.physical_id, undo_deprecate=not as_bool(properties.get("DeprecateThingType"))
        )

    def remove(self) -> None:
        try:
            _backend(self.target).delete_thing_type(self.physical_id)
        except ResourceNotFoundException:
            pass

    def attribute(self, name: str) -> Any:
        thing_type = _backend(self.target).describe_thing_type(self.physical_id)
        return thing_type.arn if name == "Arn" else thing_type.thing_type_id


class IotPolicy(SandboxResource, CloudFormationModel):
    """AWS::IoT::Policy. Ref and GetAtt Id: the policy name; GetAtt Arn."""

    CFN_TYPE = "AWS::IoT::Policy"
    NAME_PROPERTY = "PolicyName"
    ATTRIBUTES = frozenset({"Arn", "Id"})
    CREATE_ONLY = frozenset({"PolicyName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> IotPolicy:
        policy_name = str(properties.get("PolicyName") or physical_name(name, 128, allowed="_-"))
        _backend(target).create_policy(policy_name, json_text(properties["PolicyDocument"]))  # type: ignore[arg-type]
        return cls(target, policy_name, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        self._prune_versions(keep=4)
        backend.create_policy_version(
            self.physical_id,
            json_text(properties["PolicyDocument"]),  # type: ignore[arg-type]
            set_as_default=True,
        )

    def _prune_versions(self, keep: int) -> None:
        """Delete the oldest non-default versions until at most ``keep`` versions are left."""
        backend = _backend(self.target)
        policy = backend.get_policy(self.physical_id)
        stale = [v for v in policy.versions if not v.is_default]
        while stale and len(policy.versions) > keep:
            backend.delete_policy_version(self.physical_id, stale.pop(0).version_id)

    def remove(self) -> None:
        try:
            self._prune_versions(keep=1)
            _backend(self.target).delete_policy(self.physical_id)
        except ResourceNotFoundException:
            pass

    def attribute(self, name: str) -> Any:
        return _backend(self.target).get_policy(self.physical_id).arn if name == "Arn" else self.physical_id
