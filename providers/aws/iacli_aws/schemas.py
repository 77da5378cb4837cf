"""CloudFormation resource facts: create-only properties (from the schemas cfn-lint ships) and which
types hold data, so a plan can say REPLACE and DATA_LOSS honestly."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

# Types whose replacement or deletion destroys stored data (unless DeletionPolicy keeps it).
STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::S3::Bucket",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::Kinesis::Stream",
        "AWS::KinesisFirehose::DeliveryStream",
        "AWS::SQS::Queue",
        "AWS::EFS::FileSystem",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Cognito::UserPool",
        "AWS::Logs::LogGroup",
        "AWS::SecretsManager::Secret",
        "AWS::KMS::Key",
        "AWS::ECR::Repository",
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::Redshift::Cluster",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::Timestream::Table",
        "AWS::Backup::BackupVault",
    }
)

SECURITY_TYPES = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::Lambda::Permission",
        "AWS::KMS::Key",
        "AWS::S3::Bucket",
    }
)


def _schema_dir() -> Path:
    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@lru_cache(maxsize=4)
def _provider_index(region: str) -> dict[str, str]:
    path = _schema_dir() / "providers" / f"{region}.json"
    if not path.is_file():
        path = _schema_dir() / "providers" / "us-east-1.json"
    index: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return index


@lru_cache(maxsize=512)
def create_only_properties(resource_type: str, region: str = "us-east-1") -> tuple[tuple[str, ...], ...]:
    """Property paths (as tuples) whose change forces replacement; empty for unknown types."""
    schema_id = _provider_index(region).get(resource_type)
    if schema_id is None:
        return ()
    schema = json.loads((_schema_dir() / "resources" / f"{schema_id}.json").read_text(encoding="utf-8"))
    paths = []
    for pointer in schema.get("createOnlyProperties", []):
        paths.append(tuple(pointer.split("/")[2:]))
    return tuple(paths)


def forces_replacement(resource_type: str, path: tuple[str, ...], region: str = "us-east-1") -> bool:
    """Whether changing the property at ``path`` (or anything under it) replaces the resource."""
    for create_only in create_only_properties(resource_type, region):
        n = min(len(create_only), len(path))
        if all(a in ("*", b) for a, b in zip(create_only[:n], path[:n])):
            return True
    return False
