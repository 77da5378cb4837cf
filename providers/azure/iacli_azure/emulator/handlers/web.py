"""Microsoft.Web: App Service plans, web and function apps (host names, plan checks, keys)."""

from __future__ import annotations

from ..errors import ArmError
from ..ids import parse_resource_id
from ..state import EmulatorState
from .base import (
    Draft,
    JsonDict,
    ListCall,
    ResourceHandler,
    resources_of_type,
    stable_hex,
    stable_public_ip,
    stable_secret,
    string_at,
)


class ServerFarmHandler(ResourceHandler):
    """``Microsoft.Web/serverfarms`` (App Service plans)."""

    types = ("microsoft.web/serverfarms",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {
            "properties": {
                "status": "Ready",
                "geoRegion": draft.location,
                "numberOfSites": sum(
                    1
                    for site in resources_of_type(state, "Microsoft.Web/sites")
                    if (string_at(site.declared, "properties", "serverFarmId") or "").casefold()
                    == draft.resource_id.casefold()
                ),
            }
        }


class SiteHandler(ResourceHandler):
    """``Microsoft.Web/sites`` and deployment ``slots``: web apps and function apps."""

    types = ("microsoft.web/sites", "microsoft.web/sites/slots")

    def validate(self, draft: Draft, state: EmulatorState) -> None:
        farm = string_at(draft.declared, "properties", "serverFarmId")
        if farm and farm.startswith("/") and state.resource(farm) is None:
            parsed = parse_resource_id(farm)
            name = parsed.names[-1] if parsed else farm
            raise ArmError("NotFound", f"Cannot find ServerFarm with name {name}.", status=404, target=farm)

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        host = _host_label(draft)
        for other in resources_of_type(state, draft.type):
            other_id = parse_resource_id(other.id)
            if (
                other.id.casefold() != draft.resource_id.casefold()
                and other_id
                and _label(other_id.names) == host
            ):
                raise ArmError(
                    "Conflict",
                    f"Website with given name {host} already exists.",
                    status=409,
                    target=draft.parsed.name,
                )

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        host = f"{_host_label(draft)}.azurewebsites.net"
        scm = f"{_host_label(draft)}.scm.azurewebsites.net"
        outbound = ",".join(stable_public_ip(draft.resource_id, str(index)) for index in range(4))
        return {
            "properties": {
                "state": "Running",
                "defaultHostName": host,
                "hostNames": [host],
                "enabledHostNames": [host, scm],
                "availabilityState": "Normal",
                "usageState": "Normal",
                "repositorySiteName": draft.parsed.names[0],
                "outboundIpAddresses": outbound,
                "possibleOutboundIpAddresses": outbound,
                "inboundIpAddress": stable_public_ip(draft.resource_id, "inbound"),
                "customDomainVerificationId": stable_hex(64, draft.resource_id).upper(),
            }
        }

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        site = call.target.names[0]
        password = stable_secret(call.target.raw, "publishing")
        return {
            "properties": {
                "publishingUserName": f"${site}",
                "publishingPassword": password,
                "scmUri": f"https://${site}:{password}@{site}.scm.azurewebsites.net",
            }
        }


class SiteConfigHandler(ResourceHandler):
    """``Microsoft.Web/sites/config``: ``list`` of ``appsettings``/``connectionstrings`` returns them."""

    types = ("microsoft.web/sites/config", "microsoft.web/sites/slots/config")

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        declared = call.resource.properties if call.resource is not None else {}
        return {"properties": dict(declared)}


def _host_label(draft: Draft) -> str:
    return _label(draft.parsed.names)


def _label(names: tuple[str, ...]) -> str:
    """``site`` for a site, ``site-slot`` for a slot (lower case)."""
    return "-".join(names[:2]).casefold()
