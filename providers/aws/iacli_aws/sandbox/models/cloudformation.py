"""AWS::CloudFormation::WaitConditionHandle: moto treats it as a null model (a ``Ref`` yields nothing).

A handle is only a pre-signed URL that instances signal to; nothing in the sandbox ever signals, so the
matching AWS::CloudFormation::WaitCondition stays unsupported (see the fixes' list of unsupported types).
Templates often keep an unused handle as a no-op resource to force an update; that works here.
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal import mock_random

from ._base import Properties, SandboxResource, Target


class WaitConditionHandle(SandboxResource, CloudFormationModel):
    """AWS::CloudFormation::WaitConditionHandle. Ref: a pre-signed-style URL nobody will call."""

    CFN_TYPE = "AWS::CloudFormation::WaitConditionHandle"

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> WaitConditionHandle:
        url = (
            f"https://cloudformation-waitcondition-{target.region_name}.s3.amazonaws.com/"
            f"arn%3Aaws%3Acloudformation%3A{target.region_name}%3A{target.account_id}%3Astack/{name}/"
            f"{mock_random.uuid4()}"
        )
        return cls(target, url, properties)

    def apply_update(self, properties: Properties) -> None:
        """A handle has no properties to update."""

    def remove(self) -> None:
        """Nothing exists outside the stack."""
