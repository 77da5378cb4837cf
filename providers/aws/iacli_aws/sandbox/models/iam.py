"""AWS::IAM::Role, replacing moto's CloudFormation model for it.

moto's Role model ignores ``ManagedPolicyArns`` and ``PermissionsBoundary`` on create and, on update,
changes only the description (its max-session-duration comes from the wrong property). Its inline
``Policies`` are stored as Python objects on create: GetRolePolicy answers their repr
(``"{'Statement': ..."``) instead of JSON; they are stored as JSON text here. Its backend
does not know AWS managed policies unless every one of them is loaded (~0.15 s per account); this
model loads the few a template attaches, on demand.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, Role, iam_backends
from moto.utilities.utils import get_partition

from ._base import as_int, json_text, tag_dict, tag_list


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


@functools.lru_cache(maxsize=1)
def _aws_managed_policies() -> dict[str, Any]:
    """moto's bundled AWS managed policies by name (read-only data, parsed once per process)."""
    parsed: dict[str, Any] = json.loads(aws_managed_policies_data)
    return parsed


def ensure_aws_managed_policy(backend: IAMBackend, arn: str) -> None:
    """Make the AWS managed policy ``arn`` attachable in ``backend`` if moto knows it."""
    prefix = f"arn:{backend.partition}:iam::aws:policy/"
    if arn in backend.managed_policies or not arn.startswith(prefix):
        return
    name = arn.rsplit("/", 1)[-1]
    data = _aws_managed_policies().get(name)
    if data is not None:
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        backend.managed_policies[policy.arn] = policy


def _sync_managed_policies(backend: IAMBackend, role: Role, wanted: list[str]) -> None:
    for arn in set(role.managed_policies) - set(wanted):
        backend.detach_role_policy(arn, role.name)
    for arn in wanted:
        if arn not in role.managed_policies:
            ensure_aws_managed_policy(backend, arn)
            backend.attach_role_policy(arn, role.name)


def _sync_inline_policies(backend: IAMBackend, role: Role, policies: list[dict[str, Any]]) -> None:
    wanted = {p["PolicyName"]: json_text(p["PolicyDocument"]) for p in policies}
    for name in set(role.policies) - set(wanted):
        backend.delete_role_policy(role.name, name)
    for name, document in wanted.items():
        backend.put_role_policy(role.name, name, document)


def _sync_tags(backend: IAMBackend, role: Role, tags: Any) -> None:
    wanted = tag_dict(tags)
    stale = [tag["Key"] for tag in role.tags if tag["Key"] not in wanted]
    if stale:
        backend.untag_role(role.name, stale)
    if wanted:
        backend.tag_role(role.name, tag_list(wanted))


class SandboxIamRole(CloudFormationModel):
    """AWS::IAM::Role with managed policies, boundary, tags and in-place updates. GetAtt Arn, RoleId."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::Role"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "RoleName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return Role.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Role:
        properties = cloudformation_json["Properties"]
        role: Role = Role.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name
        )
        backend = _backend(account_id, region_name)
        # moto stores the template's inline policy documents as Python objects (GetRolePolicy answers
        # their repr); store them as JSON text, as PutRolePolicy does (without moto's validation, which
        # is stricter than AWS's: it refuses a document without Version, as moto's create did not)
        for policy in properties.get("Policies", []):
            role.put_policy(policy["PolicyName"], json_text(policy["PolicyDocument"]))
        _sync_managed_policies(backend, role, properties.get("ManagedPolicyArns", []))
        return role

    @classmethod
    def requires_replacement(cls, original: Role, properties: dict[str, Any]) -> bool:
        name = properties.get("RoleName", original.name)
        return bool(name != original.name or properties.get("Path", "/") != original.path)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Role,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Role:
        properties = cloudformation_json["Properties"]
        name = original_resource.name
        backend = _backend(account_id, region_name)
        backend.update_assume_role_policy(name, json_text(properties["AssumeRolePolicyDocument"]))
        backend.update_role(
            name,
            properties.get("Description", ""),
            as_int(properties.get("MaxSessionDuration", 3600)),  # type: ignore[arg-type]
        )
        original_resource.permissions_boundary_arn = properties.get("PermissionsBoundary")
        _sync_inline_policies(backend, original_resource, properties.get("Policies", []))
        _sync_managed_policies(backend, original_resource, properties.get("ManagedPolicyArns", []))
        _sync_tags(backend, original_resource, properties.get("Tags"))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        roles = [r for r in _backend(account_id, region_name).roles.values() if r.name == resource_name]
        for role in roles:
            _delete_role(role, account_id, region_name)


def _delete_role(role: Role, account_id: str, region_name: str) -> None:
    """Detach the role's managed policies, then let moto delete its inline policies and the role."""
    backend = _backend(account_id, region_name)
    for arn in list(role.managed_policies):
        backend.detach_role_policy(arn, role.name)
    Role.delete_from_cloudformation_json(role.name, {}, account_id, region_name)
