"""AWS::Lambda::Function and AWS::Lambda::Permission, replacing moto's CloudFormation models.

moto's own Function model passes only seven optional properties to its backend (Architectures,
TracingConfig, Layers, Tags, EphemeralStorage... are dropped) and updates only some of them; its
Permission model has no physical id, no update and no delete, so a changed or removed permission
either vanishes from the stack or stays in the function policy. These models keep moto's backend
objects and fill those gaps.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaBackend, LambdaFunction, lambda_backends
from moto.core.common_models import CloudFormationModel

from ._base import Properties, SandboxResource, Target, as_int, tag_dict

# Properties the CreateFunction API takes under another name or shape.
_RENAMED = {"KmsKeyArn": "KMSKeyArn"}
# Properties moto's update_configuration does not apply; set on the function object directly.
_EXTRA_CONFIGURATION = ("TracingConfig", "Architectures", "EphemeralStorage", "Tags", "ImageConfig")


def _backend(account_id: str, region_name: str) -> LambdaBackend:
    return lambda_backends[account_id][region_name]


def _code(code: dict[str, Any]) -> dict[str, Any]:
    """Template ``Code`` as the API takes it: inline ``ZipFile`` source becomes a base64 zip."""
    if "ZipFile" not in code:
        return dict(code)
    archive = LambdaFunction._create_zipfile_from_plaintext_code(code["ZipFile"])
    return {**code, "ZipFile": base64.b64encode(archive)}


def function_spec(name: str, properties: Properties) -> dict[str, Any]:
    """CreateFunction parameters for a template's function properties."""
    spec = {_RENAMED.get(k, k): v for k, v in properties.items()}
    spec["FunctionName"] = name
    spec["Code"] = _code(properties["Code"])
    spec["Tags"] = tag_dict(properties.get("Tags"))
    for key in ("MemorySize", "Timeout", "ReservedConcurrentExecutions"):
        if key in spec:
            spec[key] = as_int(spec[key])
    return spec


def _apply_extra_configuration(function: LambdaFunction, spec: dict[str, Any]) -> None:
    function.tracing_config = spec.get("TracingConfig") or {"Mode": "PassThrough"}
    function.architectures = spec.get("Architectures") or ["x86_64"]
    function.ephemeral_storage = (spec.get("EphemeralStorage") or {}).get("Size", 512)
    function.tags = spec.get("Tags") or {}


class SandboxLambdaFunction(CloudFormationModel):
    """AWS::Lambda::Function with every CreateFunction property kept. Ref: name; GetAtt Arn."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Function"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "FunctionName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return LambdaFunction.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunction:
        spec = function_spec(resource_name, cloudformation_json["Properties"])
        return _backend(account_id, region_name).create_function(spec)

    @classmethod
    def requires_replacement(cls, original: LambdaFunction, properties: Properties) -> bool:
        name = properties.get("FunctionName", original.function_name)
        return bool(
            name != original.function_name or properties.get("PackageType", "Zip") != original.package_type
        )

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LambdaFunction,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaFunction:
        properties = cloudformation_json["Properties"]
        spec = function_spec(original_resource.function_name, properties)
        original_resource.update_configuration(spec)
        _apply_extra_configuration(original_resource, spec)
        original_resource.update_function_code(spec["Code"])
        return original_resource


class LambdaPermission(SandboxResource, CloudFormationModel):
    """AWS::Lambda::Permission: one statement in the function's resource policy.

    The physical id is the statement id (CloudFormation's generated resource name); every property
    is create-only, so a change replaces the statement.
    """

    CFN_TYPE = "AWS::Lambda::Permission"
    CREATE_ONLY = frozenset(
        {
            "Action",
            "EventSourceToken",
            "FunctionName",
            "FunctionUrlAuthType",
            "Principal",
            "PrincipalOrgID",
            "SourceAccount",
            "SourceArn",
        }
    )

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> LambdaPermission:
        statement = {k: v for k, v in properties.items() if k != "FunctionName"}
        statement["StatementId"] = name
        _backend(target.account_id, target.region_name).add_permission(
            str(properties["FunctionName"]),
            None,  # type: ignore[arg-type]  # no qualifier: moto's hint says str, it means optional
            json.dumps(statement),
        )
        return cls(target, name, properties)

    def apply_update(self, properties: Properties) -> None:
        """Nothing to do: every property is create-only."""

    def remove(self) -> None:
        backend = _backend(self.target.account_id, self.target.region_name)
        try:
            backend.remove_permission(str(self.properties["FunctionName"]), self.physical_id)
        except LambdaClientError:
            pass
