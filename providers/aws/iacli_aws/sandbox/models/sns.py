"""AWS::SNS::Subscription on moto's sns backend (moto models only a topic's inline ``Subscription``).

Ref and GetAtt Arn: the subscription ARN. ``TopicArn``, ``Protocol`` and ``Endpoint`` are create-only
(a change replaces the subscription); the subscription attributes (``FilterPolicy``,
``RawMessageDelivery``, ``RedrivePolicy``...) are set in place. An ``email``/``email-json``
subscription stays pending confirmation, as on AWS (nobody clicks the link in the sandbox).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sns.models import SNSBackend, sns_backends

from ._base import Properties, SandboxResource, Target, as_bool

# Subscription attributes settable from the template, in the order they must be set (the filter
# policy's scope before the policy itself).
_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicyScope",
    "FilterPolicy",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
)
_JSON_ATTRIBUTES = frozenset({"DeliveryPolicy", "FilterPolicy", "RedrivePolicy"})
_PENDING_PROTOCOLS = frozenset({"email", "email-json"})


def _backend(target: Target, topic_arn: str) -> SNSBackend:
    region = topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else target.region_name
    return sns_backends[target.account_id][region]


def _attribute_value(name: str, value: Any) -> str:
    if name in _JSON_ATTRIBUTES:
        return value if isinstance(value, str) else json.dumps(value)
    if name == "RawMessageDelivery":
        return "true" if as_bool(value) else "false"
    return str(value)


class SnsSubscription(SandboxResource, CloudFormationModel):
    """AWS::SNS::Subscription. Ref/GetAtt Arn: the subscription ARN."""

    CFN_TYPE = "AWS::SNS::Subscription"
    ATTRIBUTES = frozenset({"Arn"})
    CREATE_ONLY = frozenset({"TopicArn", "Protocol", "Endpoint"})

    @property
    def backend(self) -> SNSBackend:
        return _backend(self.target, str(self.properties["TopicArn"]))

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> SnsSubscription:
        topic_arn, protocol = str(properties["TopicArn"]), str(properties["Protocol"])
        subscription = _backend(target, topic_arn).subscribe(topic_arn, str(properties["Endpoint"]), protocol)
        if protocol in _PENDING_PROTOCOLS:
            subscription.attributes["PendingConfirmation"] = "true"
            subscription.attributes["ConfirmationWasAuthenticated"] = "false"
        resource = cls(target, subscription.arn, properties)
        resource.apply_update(properties)
        return resource

    def apply_update(self, properties: Properties) -> None:
        backend = self.backend
        subscription = backend.subscriptions.get(self.physical_id)
        for name in _ATTRIBUTES:
            if properties.get(name) is not None:
                backend.set_subscription_attributes(
                    self.physical_id, name, _attribute_value(name, properties[name])
                )
            elif self.properties.get(name) is not None and subscription is not None:
                if name == "FilterPolicy":
                    backend.set_subscription_attributes(self.physical_id, name, "")
                subscription.attributes.pop(name, None)

    def remove(self) -> None:
        self.backend.unsubscribe(self.physical_id)

    def attribute(self, name: str) -> Any:
        return self.physical_id
