"""What every sandbox CloudFormation model shares: naming, GetAtt, property diffs, replacement.

moto discovers CloudFormation models through ``CloudFormationModel.__subclasses__()`` (direct subclasses
only), so each concrete model lists ``CloudFormationModel`` itself as a base, after the
:class:`SandboxResource` mixin defined here::

    class CloudFrontDistribution(SandboxResource, CloudFormationModel): ...

moto's metaclass also files every model class under the second part of its module's dotted name (here
``"sandbox"``), keyed by class name: class names must therefore be unique across this package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.utilities.utils import get_partition

Properties = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """Where a resource lives: the moto account, region and partition of the stack."""

    account_id: str
    region_name: str

    @property
    def partition(self) -> str:
        return get_partition(self.region_name)


class SandboxResource:
    """Mixin giving a sandbox model the CloudFormation model protocol moto's parser calls.

    Subclasses set ``CFN_TYPE`` (and ``NAME_PROPERTY``, ``ATTRIBUTES``, ``CREATE_ONLY`` where they apply)
    and implement :meth:`create`, :meth:`apply_update` and :meth:`remove`, plus :meth:`attribute` when
    they have GetAtt attributes. ``CREATE_ONLY`` lists the top-level properties whose change forces a
    replacement, as in the CloudFormation resource schema; every other change is applied in place. The
    replacement itself (create the new resource first, delete the old one at cleanup) is done by
    :mod:`iacli_aws.sandbox.fixes.updates`, which asks :meth:`requires_replacement`.
    """

    CFN_TYPE: ClassVar[str] = ""
    NAME_PROPERTY: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[frozenset[str]] = frozenset()
    CREATE_ONLY: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, target: Target, physical_id: str, properties: Properties) -> None:
        self.target = target
        self.physical_id = physical_id
        self.properties = properties

    # --- the protocol moto's parser calls -------------------------------------------------------
    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SandboxResource:
        return cls.create(Target(account_id, region_name), resource_name, _properties(cloudformation_json))

    @classmethod
    def requires_replacement(cls, original: SandboxResource, properties: Properties) -> bool:
        """Whether going from ``original`` to ``properties`` changes a create-only property."""
        return bool(changed_properties(original.properties, properties) & cls.CREATE_ONLY)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: SandboxResource,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> SandboxResource:
        """Update in place (the sandbox's update fix replaces, via :meth:`requires_replacement`)."""
        new = _properties(cloudformation_json)
        original_resource.apply_update(new)
        original_resource.properties = new
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    # --- what subclasses implement ----------------------------------------------------------------
    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> SandboxResource:
        """Create the resource in moto's backend; ``name`` is the explicit or generated physical name."""
        raise NotImplementedError

    def apply_update(self, properties: Properties) -> None:
        """Bring the backend resource to ``properties`` in place (no create-only property changed)."""
        raise NotImplementedError

    def remove(self) -> None:
        """Delete the backend resource; a resource that is already gone is not an error."""
        raise NotImplementedError

    def attribute(self, name: str) -> Any:
        """Value of the GetAtt attribute ``name`` (one of ``ATTRIBUTES``)."""
        raise NotImplementedError


def _properties(cloudformation_json: Mapping[str, Any]) -> Properties:
    return dict(cloudformation_json.get("Properties") or {})


def changed_properties(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """Top-level property names whose values differ between ``old`` and ``new``."""
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def as_bool(value: Any, default: bool = False) -> bool:
    """A CloudFormation boolean: templates and parameters give ``true``, ``"true"`` or ``"True"``."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def as_int(value: Any) -> int | None:
    """A CloudFormation integer (parameters arrive as strings); None stays None."""
    return None if value is None else int(value)


def tag_dict(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> dict[str, str]:
    """CloudFormation tags, either ``[{Key, Value}]`` or a plain map, as a map."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    return {tag["Key"]: tag["Value"] for tag in tags}


def tag_list(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> list[dict[str, str]]:
    """CloudFormation tags as the ``[{Key, Value}]`` list most APIs take."""
    return [{"Key": k, "Value": v} for k, v in tag_dict(tags).items()]


def json_text(document: Any) -> str:
    """A policy or schema document given as a template object or a JSON string, as a JSON string."""
    return document if isinstance(document, str) else json.dumps(document)


def camel_keys(value: Any, opaque: frozenset[str] = frozenset()) -> Any:
    """CloudFormation's PascalCase keys as the camelCase keys of JSON APIs, recursively.

    The values under keys named in ``opaque`` (user maps such as tags or variables) are kept as they are.
    """
    if isinstance(value, list):
        return [camel_keys(item, opaque) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key[:1].lower() + key[1:]: item if key in opaque else camel_keys(item, opaque)
        for key, item in value.items()
    }


def physical_name(name: str, max_length: int, allowed: str = "-", lower: bool = False) -> str:
    """A generated CloudFormation name fitted to a service's naming rule (characters, case, length)."""
    fitted = "".join(c if c.isalnum() or c in allowed else allowed[:1] or "" for c in name)
    return (fitted.lower() if lower else fitted)[:max_length].rstrip("-_")
