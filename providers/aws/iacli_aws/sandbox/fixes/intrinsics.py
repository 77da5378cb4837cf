"""Fix (g): ``Fn::GetAZs`` answers the availability zones of the region it names.

moto behaviour corrected (``moto.cloudformation.parsing.clean_json``):

- The argument of ``Fn::GetAZs`` is used as it is, never resolved: ``{"Fn::GetAZs": {"Ref":
  "AWS::Region"}}`` (the usual spelling) yields ``"{'Ref': 'AWS::Region'}a"`` and so on.
- An empty argument (``""``, meaning the stack's region) gives the zones of moto's DEFAULT_REGION
  (us-east-1) whatever region the stack is in.
- The zones are always ``<region>a`` to ``<region>d``, though moto's EC2 backend knows each region's
  real zones (us-east-1 has six, us-west-1 two): a subnet placed in ``!Select [3, !GetAZs ""]`` in
  us-west-1 names a zone EC2 does not have.

Now the argument is resolved (``Ref``, ``Fn::Sub``...), an empty one means the stack's region, and the
answer is the zone names moto's EC2 backend gives for that region, in order (moto's ``a``-``d`` for a
region it has no zones for).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from ._patching import replace


def availability_zones(region: str) -> list[str]:
    """The zone names of ``region`` as moto's EC2 backend lists them."""
    zones = RegionsAndZonesBackend.zones.get(region) or []
    return [zone.name for zone in zones] or [f"{region}{letter}" for letter in "abcd"]


def _resolving_get_azs(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean_json(resource_json: Any, resources_map: ResourceMap) -> Any:
        if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
            region = original(resource_json["Fn::GetAZs"], resources_map)
            return availability_zones(str(region) if region else resources_map._region_name)
        return original(resource_json, resources_map)

    return clean_json


def apply() -> None:
    """Install the ``Fn::GetAZs`` behaviour described in the module docstring."""
    replace(parsing, "clean_json", _resolving_get_azs)
