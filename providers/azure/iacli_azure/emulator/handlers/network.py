"""Microsoft.Network basics: virtual networks, subnets, public IPs, NICs, NSGs (ids, GUIDs, addresses)."""

from __future__ import annotations

from ..ids import parse_resource_id
from ..state import EmulatorState
from .base import (
    Draft,
    JsonDict,
    ResourceHandler,
    host_address,
    list_at,
    stable_public_ip,
    stable_uuid,
    string_at,
)


class VirtualNetworkHandler(ResourceHandler):
    """``Microsoft.Network/virtualNetworks``: inline subnets get their ids and states."""

    types = ("microsoft.network/virtualnetworks",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        subnets = [
            {
                "id": f"{draft.resource_id}/subnets/{string_at(subnet, 'name')}",
                "type": "Microsoft.Network/virtualNetworks/subnets",
                "properties": {"provisioningState": "Succeeded"},
            }
            for subnet in list_at(draft.declared, "properties", "subnets")
        ]
        properties: JsonDict = {"resourceGuid": stable_uuid(draft.resource_id)}
        if subnets:
            properties["subnets"] = subnets
        return {"properties": properties}


class NetworkGuidHandler(ResourceHandler):
    """Network resources that only gain a ``resourceGuid``: NSGs, route tables, NAT gateways..."""

    types = (
        "microsoft.network/networksecuritygroups",
        "microsoft.network/routetables",
        "microsoft.network/natgateways",
        "microsoft.network/loadbalancers",
        "microsoft.network/applicationgateways",
        "microsoft.network/privateendpoints",
    )

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {"properties": {"resourceGuid": stable_uuid(draft.resource_id)}}


class PublicIpHandler(ResourceHandler):
    """``Microsoft.Network/publicIPAddresses``: an address and, with a DNS label, an FQDN."""

    types = ("microsoft.network/publicipaddresses",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        properties: JsonDict = {
            "resourceGuid": stable_uuid(draft.resource_id),
            "ipAddress": stable_public_ip(draft.resource_id),
        }
        label = string_at(draft.declared, "properties", "dnsSettings", "domainNameLabel")
        if label:
            properties["dnsSettings"] = {"fqdn": f"{label}.{draft.location}.cloudapp.azure.com"}
        return {"properties": properties}


class NetworkInterfaceHandler(ResourceHandler):
    """``Microsoft.Network/networkInterfaces``: dynamic private IPs from the subnet's prefix."""

    types = ("microsoft.network/networkinterfaces",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        configurations = []
        for index, configuration in enumerate(list_at(draft.declared, "properties", "ipConfigurations")):
            declared_ip = string_at(configuration, "properties", "privateIPAddress")
            subnet = string_at(configuration, "properties", "subnet", "id") or ""
            address = declared_ip or host_address(_subnet_prefix(subnet, state) or "10.0.0.0/24", 4 + index)
            configurations.append(
                {
                    "id": f"{draft.resource_id}/ipConfigurations/{string_at(configuration, 'name')}",
                    "properties": {"privateIPAddress": address, "provisioningState": "Succeeded"},
                }
            )
        properties: JsonDict = {"resourceGuid": stable_uuid(draft.resource_id)}
        if configurations:
            properties["ipConfigurations"] = configurations
        return {"properties": properties}


def _subnet_prefix(subnet_id: str, state: EmulatorState) -> str | None:
    subnet = state.resource(subnet_id)
    if subnet is not None:
        return string_at(subnet.declared, "properties", "addressPrefix")
    parsed = parse_resource_id(subnet_id)
    if parsed is None or parsed.parent is None:
        return None
    network = state.resource(parsed.parent)
    if network is None:
        return None
    for item in list_at(network.declared, "properties", "subnets"):
        if (string_at(item, "name") or "").casefold() == parsed.names[-1].casefold():
            return string_at(item, "properties", "addressPrefix")
    return None
