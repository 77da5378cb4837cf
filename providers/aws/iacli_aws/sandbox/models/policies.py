"""Resource policies moto's CloudFormation ignores: S3 BucketPolicy, SQS QueuePolicy, SNS TopicPolicy."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.sns.exceptions import TopicNotFound
from moto.sns.models import sns_backends
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import sqs_backends

from ._base import Properties, SandboxResource, Target, json_text


class S3BucketPolicy(SandboxResource, CloudFormationModel):
    """AWS::S3::BucketPolicy: the bucket's policy document. Ref: the bucket name."""

    CFN_TYPE = "AWS::S3::BucketPolicy"
    CREATE_ONLY = frozenset({"Bucket"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> S3BucketPolicy:
        bucket = str(properties["Bucket"])
        policy = cls(target, bucket, properties)
        policy.apply_update(properties)
        return policy

    def apply_update(self, properties: Properties) -> None:
        backend = s3_backends[self.target.account_id][self.target.partition]
        backend.put_bucket_policy(self.physical_id, json_text(properties["PolicyDocument"]).encode())

    def remove(self) -> None:
        try:
            s3_backends[self.target.account_id][self.target.partition].delete_bucket_policy(self.physical_id)
        except MissingBucket:
            pass


def _queue_name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


class SqsQueuePolicy(SandboxResource, CloudFormationModel):
    """AWS::SQS::QueuePolicy: one policy document set on each queue URL in ``Queues``."""

    CFN_TYPE = "AWS::SQS::QueuePolicy"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> SqsQueuePolicy:
        policy = cls(target, name, properties)
        policy.apply_update(properties)
        return policy

    def apply_update(self, properties: Properties) -> None:
        removed = set(self.properties.get("Queues", [])) - set(properties.get("Queues", []))
        self._set_policy(removed, None)
        self._set_policy(properties.get("Queues", []), json_text(properties["PolicyDocument"]))

    def remove(self) -> None:
        self._set_policy(self.properties.get("Queues", []), None)

    def attribute(self, name: str) -> Any:
        return self.physical_id

    def _set_policy(self, queue_urls: Any, policy: str | None) -> None:
        backend = sqs_backends[self.target.account_id][self.target.region_name]
        for url in queue_urls:
            try:
                backend.set_queue_attributes(_queue_name(url), {"Policy": policy})
            except QueueDoesNotExist:
                if policy is not None:
                    raise


class SnsTopicPolicy(SandboxResource, CloudFormationModel):
    """AWS::SNS::TopicPolicy: one policy document set on each topic ARN in ``Topics``."""

    CFN_TYPE = "AWS::SNS::TopicPolicy"
    ATTRIBUTES = frozenset({"Id"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> SnsTopicPolicy:
        policy = cls(target, name, properties)
        policy.apply_update(properties)
        return policy

    def apply_update(self, properties: Properties) -> None:
        removed = set(self.properties.get("Topics", [])) - set(properties.get("Topics", []))
        self._reset(removed)
        backend = sns_backends[self.target.account_id][self.target.region_name]
        for arn in properties.get("Topics", []):
            backend.set_topic_attribute(arn, "policy", json_text(properties["PolicyDocument"]))

    def remove(self) -> None:
        self._reset(self.properties.get("Topics", []))

    def attribute(self, name: str) -> Any:
        return self.physical_id

    def _reset(self, topic_arns: Any) -> None:
        """Give the topics back the default policy SNS creates them with."""
        backend = sns_backends[self.target.account_id][self.target.region_name]
        for arn in topic_arns:
            try:
                topic = backend.get_topic(arn)
            except TopicNotFound:
                continue
            topic._policy_json = topic._create_default_topic_policy(
                self.target.region_name, self.target.account_id, topic.name
            )
