"""Fix (j): RDS engine names are case-insensitive, as on AWS.

moto behaviour corrected (``moto.rds.models.DBInstance``/``DBCluster``): the engine is checked
against moto's list of lower-case names as given, so ``Engine: MySQL`` (common in AWS's own samples;
AWS accepts any case and answers the lower-case name) fails with ``InvalidParameterValue: Value MySQL
for parameter Engine is invalid``. CreateDBInstance and CreateDBCluster -- through CloudFormation or
the RDS API -- now lower-case the engine first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.rds.models import RDSBackend

from ._patching import replace


def _lower_engine(kwargs: dict[str, Any]) -> dict[str, Any]:
    engine = kwargs.get("engine")
    return {**kwargs, "engine": engine.lower()} if isinstance(engine, str) else kwargs


def _lower_casing_engine(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: RDSBackend, kwargs: dict[str, Any]) -> Any:
        return original(self, _lower_engine(kwargs))

    return create


def apply() -> None:
    """Install the engine-name behaviour described in the module docstring."""
    replace(RDSBackend, "create_db_instance", _lower_casing_engine)
    replace(RDSBackend, "create_db_cluster", _lower_casing_engine)
