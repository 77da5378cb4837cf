"""Fix (j): RDS engine names are case-insensitive; RDS groups made by CloudFormation have physical ids.

moto behaviour corrected:

- The engine is checked against moto's list of lower-case names as given (``moto.rds.models.DBInstance``,
  ``DBCluster``), so ``Engine: MySQL`` (common in AWS's own samples; AWS accepts any case and answers
  the lower-case name) fails with ``InvalidParameterValue: Value MySQL for parameter Engine is
  invalid``. CreateDBInstance and CreateDBCluster -- through CloudFormation or the RDS API -- now
  lower-case the engine first.
- ``AWS::RDS::DBParameterGroup``, ``DBSubnetGroup`` and ``DBSecurityGroup`` have no
  ``physical_resource_id``: a blank physical id in ListStackResources, and ``Ref`` gives the Python
  object instead of the group's name, so ``DBParameterGroupName: !Ref Group`` on a DB instance fails
  with ``AttributeError: 'DBParameterGroup' object has no attribute 'startswith'``. Their physical id
  (and ``Ref``) is now the group's name, as on AWS; moto's ``AWS::RDS::DBInstance`` model, which read
  ``.name`` off the referenced subnet and security groups, is given the names it needs.
- moto's ``AWS::RDS::DBInstance`` model reads ``VpcSecurityGroupIds`` (no such property) and ignores
  ``VPCSecurityGroups``, so the instance got the default VPC's default group; it also ignores
  ``ManageMasterUserPassword`` (and ``MasterUserSecret.KmsKeyId``), and ``Fn::GetAtt
  [Db, MasterUserSecret.SecretArn]`` failed with "does not support attribute type". Now the groups are
  applied, a managed master password gets its Secrets Manager secret (``rds!db-<uuid>``, through moto's
  RDS backend, which already does this for the RDS API) shown ``active`` in DescribeDBInstances'
  ``MasterUserSecret`` and deleted with the instance, and ``GetAtt`` answers
  ``MasterUserSecret.SecretArn`` (plus ``DBInstanceArn`` and ``DbiResourceId``).
- The managed secret holds ``{"username": "admin", "password": "P@55w0rd!"}`` whatever the master
  user is; now it holds the instance's (or cluster's) ``MasterUsername`` and a generated password.
  This applies to the RDS API too (CreateDBInstance/CreateDBCluster/Modify...).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.rds.models import (
    DBInstance,
    DBParameterGroup,
    DBSecurityGroup,
    DBSubnetGroup,
    MasterUserSecret,
    RDSBackend,
)

from ..models._base import as_bool
from ._patching import replace

_NAMED_GROUPS = (DBParameterGroup, DBSubnetGroup, DBSecurityGroup)
# RDS's generated passwords leave out '/', '"', '@' and spaces
_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!#$%&()*+,-.:;<=>?[]^_{|}~"
_PASSWORD_LENGTH = 28
# GetAtt attributes answered here (moto's model only has Endpoint.Address and Endpoint.Port)
_INSTANCE_ATTRIBUTES = {
    "MasterUserSecret.SecretArn": lambda db: db.master_user_secret.secret_arn,
    "DBInstanceArn": lambda db: db.db_instance_arn,
    "DbiResourceId": lambda db: db.dbi_resource_id,
}


def _lower_engine(kwargs: dict[str, Any]) -> dict[str, Any]:
    engine = kwargs.get("engine")
    return {**kwargs, "engine": engine.lower()} if isinstance(engine, str) else kwargs


def _lower_casing_engine(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: RDSBackend, kwargs: dict[str, Any]) -> Any:
        return original(self, _lower_engine(kwargs))

    return create


def _group_name(group: Any) -> str:
    return str(group.name)


def _named(value: Any) -> Any:
    """A group reference as moto's DB instance model reads it (``.name``), whether a name or a group."""
    return SimpleNamespace(name=value) if isinstance(value, str) else value


def _creating_instance(original: Any) -> Any:
    create = original.__func__

    def create_from_cloudformation_json(
        cls: type[DBInstance],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> DBInstance:
        properties = dict(cloudformation_json.get("Properties") or {})
        if "DBSubnetGroupName" in properties:
            properties["DBSubnetGroupName"] = _named(properties["DBSubnetGroupName"])
        if properties.get("DBSecurityGroups"):
            properties["DBSecurityGroups"] = [_named(group) for group in properties["DBSecurityGroups"]]
        if properties.get("VPCSecurityGroups") and not properties.get("VpcSecurityGroupIds"):
            properties["VpcSecurityGroupIds"] = list(properties["VPCSecurityGroups"])
        instance: DBInstance = create(
            cls,
            resource_name,
            {**cloudformation_json, "Properties": properties},
            account_id,
            region_name,
            **kwargs,
        )
        if as_bool(properties.get("ManageMasterUserPassword")) and not properties.get(
            "SourceDBInstanceIdentifier"
        ):
            _manage_master_password(instance, properties)
        return instance

    return classmethod(create_from_cloudformation_json)


def _manage_master_password(instance: DBInstance, properties: dict[str, Any]) -> None:
    """Give ``instance`` its managed master password secret, as CreateDBInstance does."""
    kms_key_id = (properties.get("MasterUserSecret") or {}).get("KmsKeyId")
    instance.update(manage_master_user_password=True, master_user_secret_kms_key_id=kms_key_id)
    instance.master_user_password = None
    instance.master_user_secret._status = "active"  # created synchronously: no "creating" phase


def _generated_secret_string(_original: Callable[..., Any]) -> Callable[..., Any]:
    def generate_secret_string(self: MasterUserSecret) -> str:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))
        username = getattr(self.resource, "master_username", None) or "admin"
        return json.dumps({"username": username, "password": password})

    return generate_secret_string


def _instance_has_attr(original: Any) -> Any:
    has_attr = original.__func__

    def has_cfn_attr(cls: type[DBInstance], attr: str) -> bool:
        return attr in _INSTANCE_ATTRIBUTES or bool(has_attr(cls, attr))

    return classmethod(has_cfn_attr)


def _instance_attribute(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_cfn_attribute(self: DBInstance, attribute_name: str) -> Any:
        if attribute_name not in _INSTANCE_ATTRIBUTES:
            return original(self, attribute_name)
        if attribute_name.startswith("MasterUserSecret.") and not getattr(self, "master_user_secret", None):
            # AWS: the attribute exists only when ManageMasterUserPassword is true
            raise UnformattedGetAttTemplateException()
        return _INSTANCE_ATTRIBUTES[attribute_name](self)

    return get_cfn_attribute


def apply() -> None:
    """Install the RDS behaviour described in the module docstring."""
    replace(RDSBackend, "create_db_instance", _lower_casing_engine)
    replace(RDSBackend, "create_db_cluster", _lower_casing_engine)
    for model in _NAMED_GROUPS:
        if "physical_resource_id" not in model.__dict__:
            setattr(model, "physical_resource_id", property(_group_name))  # noqa: B010 - a new attribute
    replace(DBInstance, "create_from_cloudformation_json", _creating_instance)
    replace(DBInstance, "has_cfn_attr", _instance_has_attr)
    replace(DBInstance, "get_cfn_attribute", _instance_attribute)
    replace(MasterUserSecret, "_generate_secret_string", _generated_secret_string)
