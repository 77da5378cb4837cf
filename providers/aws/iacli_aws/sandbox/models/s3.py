"""AWS::S3::Bucket, replacing moto's CloudFormation model.

moto's model applies only ``BucketEncryption`` (dropping ``BucketKeyEnabled``) and ``Tags`` on create;
``LifecycleConfiguration``, ``PublicAccessBlockConfiguration``, ``OwnershipControls``,
``VersioningConfiguration`` and ``CorsConfiguration`` are ignored (GetBucketLifecycleConfiguration says
NoSuchLifecycleConfiguration...). Its update fails with ``KeyError: 'BucketName'`` when tags change on
a bucket without an explicit ``BucketName`` (the usual, generated name), and applies nothing else.

This model creates the bucket through moto's model (moto's own object stays the stack resource, so
Ref/GetAtt are moto's) and applies each of those settings through moto's s3 backend, on create and in
place on update (a setting removed from the template is removed from the bucket). Only a new
``BucketName`` replaces the bucket (the generated name is kept otherwise). Deletion is moto's, with the
sandbox's BucketNotEmpty check (:mod:`iacli_aws.sandbox.fixes.deletes`).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from ._base import Properties, as_bool, tag_dict

_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _backend(account_id: str, region_name: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region_name)]


def encryption_configuration(bucket_encryption: dict[str, Any]) -> dict[str, Any]:
    """``BucketEncryption`` as moto stores PutBucketEncryption's body (first rule, with BucketKeyEnabled)."""
    rule = bucket_encryption["ServerSideEncryptionConfiguration"][0]
    default = rule.get("ServerSideEncryptionByDefault") or {}
    by_default: dict[str, Any] = OrderedDict(SSEAlgorithm=default.get("SSEAlgorithm", "AES256"))
    if default.get("KMSMasterKeyID"):
        by_default["KMSMasterKeyID"] = default["KMSMasterKeyID"]
    stored: dict[str, Any] = OrderedDict(ApplyServerSideEncryptionByDefault=by_default)
    if "BucketKeyEnabled" in rule:
        stored["BucketKeyEnabled"] = "true" if as_bool(rule["BucketKeyEnabled"]) else "false"
    return OrderedDict({"@xmlns": _XMLNS, "Rule": stored})


def _transition(item: dict[str, Any], days_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {"StorageClass": item["StorageClass"]}
    if item.get("TransitionInDays") is not None:
        out[days_key] = int(item["TransitionInDays"])
    if item.get("TransitionDate") is not None:
        out["Date"] = item["TransitionDate"]
    if item.get("NewerNoncurrentVersions") is not None:
        out["NewerNoncurrentVersions"] = int(item["NewerNoncurrentVersions"])
    return out


def _lifecycle_filter(rule: dict[str, Any]) -> dict[str, Any]:
    tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in rule.get("TagFilters") or []]
    prefix = rule.get("Prefix")
    if len(tags) > 1 or (tags and prefix is not None):
        return {"And": {**({"Prefix": prefix} if prefix is not None else {}), "Tag": tags}}
    if tags:
        return {"Tag": tags[0]}
    return {"Prefix": prefix or ""}


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """One CloudFormation lifecycle ``Rule`` as a PutBucketLifecycleConfiguration rule."""
    out: dict[str, Any] = {"Status": rule["Status"], "Filter": _lifecycle_filter(rule)}
    if rule.get("Id"):
        out["ID"] = rule["Id"]
    expiration: dict[str, Any] = {}
    if rule.get("ExpirationInDays") is not None:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if rule.get("ExpirationDate") is not None:
        expiration["Date"] = rule["ExpirationDate"]
    if rule.get("ExpiredObjectDeleteMarker") is not None:
        expiration["ExpiredObjectDeleteMarker"] = as_bool(rule["ExpiredObjectDeleteMarker"])
    if expiration:
        out["Expiration"] = expiration
    transitions = list(rule.get("Transitions") or []) + (
        [rule["Transition"]] if rule.get("Transition") else []
    )
    if transitions:
        out["Transition"] = [_transition(t, "Days") for t in transitions]
    noncurrent = dict(rule.get("NoncurrentVersionExpiration") or {})
    if rule.get("NoncurrentVersionExpirationInDays") is not None:
        noncurrent.setdefault("NoncurrentDays", rule["NoncurrentVersionExpirationInDays"])
    if noncurrent:
        out["NoncurrentVersionExpiration"] = {key: int(value) for key, value in noncurrent.items()}
    noncurrent_transitions = list(rule.get("NoncurrentVersionTransitions") or []) + (
        [rule["NoncurrentVersionTransition"]] if rule.get("NoncurrentVersionTransition") else []
    )
    if noncurrent_transitions:
        out["NoncurrentVersionTransition"] = [
            _transition(t, "NoncurrentDays") for t in noncurrent_transitions
        ]
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort:
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(abort["DaysAfterInitiation"])}
    return out


def cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """One CloudFormation ``CorsRule`` as a PutBucketCors rule (moto's XML-shaped dict)."""
    out: dict[str, Any] = {
        "AllowedMethod": list(rule["AllowedMethods"]),
        "AllowedOrigin": list(rule["AllowedOrigins"]),
    }
    if rule.get("AllowedHeaders"):
        out["AllowedHeader"] = list(rule["AllowedHeaders"])
    if rule.get("ExposedHeaders"):
        out["ExposeHeader"] = list(rule["ExposedHeaders"])
    if rule.get("MaxAge") is not None:
        out["MaxAgeSeconds"] = str(rule["MaxAge"])
    if rule.get("Id"):
        out["ID"] = str(rule["Id"])
    return out


def apply_settings(backend: S3Backend, name: str, properties: Properties, old: Properties) -> None:
    """Bring bucket ``name`` to the settings of ``properties``; settings only in ``old`` are removed."""
    bucket = backend.get_bucket(name)
    if "BucketEncryption" in properties:
        backend.put_bucket_encryption(name, encryption_configuration(properties["BucketEncryption"]))
    elif "BucketEncryption" in old:
        backend.delete_bucket_encryption(name)

    lifecycle = (properties.get("LifecycleConfiguration") or {}).get("Rules") or []
    if lifecycle:
        backend.put_bucket_lifecycle(name, [lifecycle_rule(rule) for rule in lifecycle])
    elif bucket.rules:
        backend.delete_bucket_lifecycle(name)

    block = properties.get("PublicAccessBlockConfiguration")
    if block:
        backend.put_public_access_block(
            name,
            {
                key: as_bool(block.get(key))
                for key in (
                    "BlockPublicAcls",
                    "IgnorePublicAcls",
                    "BlockPublicPolicy",
                    "RestrictPublicBuckets",
                )
            },
        )
    elif "PublicAccessBlockConfiguration" in old:
        backend.delete_public_access_block(name)

    ownership = ((properties.get("OwnershipControls") or {}).get("Rules") or [{}])[0].get("ObjectOwnership")
    if ownership:
        backend.put_bucket_ownership_controls(name, ownership)
    elif "OwnershipControls" in old:
        backend.delete_bucket_ownership_controls(name)

    versioning = (properties.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        backend.put_bucket_versioning(name, str(versioning))
    elif "VersioningConfiguration" in old and bucket.versioning_status == "Enabled":
        backend.put_bucket_versioning(name, "Suspended")

    cors = (properties.get("CorsConfiguration") or {}).get("CorsRules") or []
    if cors:
        backend.put_bucket_cors(name, [cors_rule(rule) for rule in cors])
    elif "CorsConfiguration" in old:
        backend.delete_bucket_cors(name)

    if "Tags" in properties or "Tags" in old:
        backend.put_bucket_tagging(name, tag_dict(properties.get("Tags")))


# The properties last applied to a bucket by this model, kept on moto's bucket object. A bucket not
# known to have them (never updated yet) is treated as if every setting had been set, so a setting
# removed from the template is removed from the bucket.
_APPLIED = "iacli_sandbox_properties"
_ALL_SETTINGS: Properties = {
    key: None
    for key in (
        "BucketEncryption",
        "PublicAccessBlockConfiguration",
        "OwnershipControls",
        "VersioningConfiguration",
        "CorsConfiguration",
        "Tags",
    )
}


class SandboxS3Bucket(CloudFormationModel):
    """AWS::S3::Bucket with its settings applied and in-place updates. Ref: name; GetAtt as moto's."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::Bucket"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "BucketName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return FakeBucket.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeBucket:
        properties = dict(cloudformation_json.get("Properties") or {})
        backend = _backend(account_id, region_name)
        bucket = backend.create_bucket(resource_name, region_name)
        try:
            apply_settings(backend, bucket.name, properties, {})
        except Exception:
            backend.delete_bucket(bucket.name)
            raise
        setattr(bucket, _APPLIED, properties)
        return bucket

    @classmethod
    def requires_replacement(cls, original: FakeBucket, properties: dict[str, Any]) -> bool:
        return bool(properties.get("BucketName", original.name) != original.name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: FakeBucket,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> FakeBucket:
        properties = dict(cloudformation_json.get("Properties") or {})
        old = dict(getattr(original_resource, _APPLIED, None) or _ALL_SETTINGS)
        apply_settings(_backend(account_id, region_name), original_resource.name, properties, old)
        setattr(original_resource, _APPLIED, properties)
        return original_resource
