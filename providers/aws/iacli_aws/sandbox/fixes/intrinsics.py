"""Fix (g): ``Fn::GetAZs`` answers the availability zones of the region it names; ``Fn::Cidr`` works.

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

Also: moto does not know ``Fn::Cidr`` (the dict is passed on as it is: ``Fn::Select [0, Fn::Cidr ...]``
fails with ``KeyError: 0``). It is now evaluated as CloudFormation documents it: ``[ipBlock, count,
cidrBits]`` gives the first ``count`` consecutive blocks of ``ipBlock`` with ``cidrBits`` host bits
each (a /(32 - cidrBits) IPv4 or /(128 - cidrBits) IPv6 network), in order; ``count`` is 1 to 256.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
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


def cidr_blocks(ip_block: str, count: int, cidr_bits: int) -> list[str]:
    """``Fn::Cidr``: ``count`` address blocks of ``ip_block``, each with ``cidr_bits`` host bits."""
    try:
        network = ipaddress.ip_network(str(ip_block), strict=False)
    except ValueError as error:
        raise ValidationError(message=f"Fn::Cidr: invalid ipBlock {ip_block!r}") from error
    prefix = network.max_prefixlen - int(cidr_bits)
    if not 1 <= int(count) <= 256 or not network.prefixlen <= prefix <= network.max_prefixlen:
        raise ValidationError(
            message=f"Fn::Cidr: cannot make {count} blocks of {cidr_bits} host bits in {ip_block}"
        )
    blocks = list(itertools.islice(network.subnets(new_prefix=prefix), int(count)))
    if len(blocks) < int(count):
        raise ValidationError(message=f"Fn::Cidr: {ip_block} holds only {len(blocks)} blocks of /{prefix}")
    return [str(block) for block in blocks]


def _evaluating_cidr(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean_json(resource_json: Any, resources_map: ResourceMap) -> Any:
        if isinstance(resource_json, dict) and "Fn::Cidr" in resource_json:
            arguments = original(resource_json["Fn::Cidr"], resources_map)
            if not isinstance(arguments, list) or len(arguments) != 3:
                raise ValidationError(message="Fn::Cidr takes [ipBlock, count, cidrBits]")
            return cidr_blocks(str(arguments[0]), int(arguments[1]), int(arguments[2]))
        return original(resource_json, resources_map)

    return clean_json


def apply() -> None:
    """Install the ``Fn::GetAZs`` and ``Fn::Cidr`` behaviour described in the module docstring."""
    replace(parsing, "clean_json", _resolving_get_azs)
    replace(parsing, "clean_json", _evaluating_cidr)
