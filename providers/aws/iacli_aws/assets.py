"""Publishing code assets to the per-account assets bucket (like CDK's bootstrap bucket) and swapping
template placeholders for their ``s3://`` locations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iacli.assets import Asset
from iacli_aws.errors import error_code
from iacli_aws.session import AwsSession

LINT_BUCKET = "iacli-assets"


def asset_bucket(session: AwsSession) -> str:
    """``iacli-assets-<account>-<region>``: one per account and region, shared by every stack."""
    return f"iacli-assets-{session.account_id}-{session.region}"


def asset_uri(bucket: str, asset: Asset) -> str:
    return f"s3://{bucket}/assets/{asset.sha256}.zip"


def locations(session: AwsSession, assets: Mapping[str, Asset]) -> dict[str, str]:
    """placeholder -> the s3 URI the asset has (or will have) in the assets bucket."""
    if not assets:
        return {}
    bucket = asset_bucket(session)
    return {placeholder: asset_uri(bucket, asset) for placeholder, asset in assets.items()}


def publish(session: AwsSession, assets: Mapping[str, Asset]) -> None:
    """Upload each asset that is not there yet (content-addressed, so never twice)."""
    if not assets:
        return
    s3 = session.client("s3")
    bucket = asset_bucket(session)
    ensure_bucket(s3, bucket, session.region)
    for asset in assets.values():
        key = f"assets/{asset.sha256}.zip"
        if not _exists(s3, bucket, key):
            s3.put_object(Bucket=bucket, Key=key, Body=asset.data, ServerSideEncryption="AES256")


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create the private, encrypted assets bucket if it does not exist yet."""
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except Exception as exc:  # botocore ClientError 404
        if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    args: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**args)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={k: True for k in (
            "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")},
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except Exception as exc:
        if error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def lint_mapping(assets: Mapping[str, Asset]) -> dict[str, str]:
    """Stand-in locations for offline validation (no account needed)."""
    return {p: asset_uri(LINT_BUCKET, a) for p, a in assets.items()}
