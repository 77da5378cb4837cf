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
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.rds.models import DBInstance, DBParameterGroup, DBSecurityGroup, DBSubnetGroup, RDSBackend

from ._patching import replace

_NAMED_GROUPS = (DBParameterGroup, DBSubnetGroup, DBSecurityGroup)


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
        instance: DBInstance = create(
            cls,
            resource_name,
            {**cloudformation_json, "Properties": properties},
            account_id,
            region_name,
            **kwargs,
        )
        return instance

    return classmethod(create_from_cloudformation_json)


def apply() -> None:
    """Install the RDS behaviour described in the module docstring."""
    replace(RDSBackend, "create_db_instance", _lower_casing_engine)
    replace(RDSBackend, "create_db_cluster", _lower_casing_engine)
    for model in _NAMED_GROUPS:
        if "physical_resource_id" not in model.__dict__:
            setattr(model, "physical_resource_id", property(_group_name))  # noqa: B010 - a new attribute
    replace(DBInstance, "create_from_cloudformation_json", _creating_instance)
