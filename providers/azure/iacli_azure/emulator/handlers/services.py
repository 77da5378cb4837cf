"""Cosmos DB, Application Insights, CDN/Front Door, registries, Log Analytics, and the
well-known endpoints of other services (SQL, PostgreSQL, Event Hubs, App Configuration...)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ArmError
from ..state import EmulatorState, utc_now
from .base import (
    Draft,
    JsonDict,
    ListCall,
    ResourceHandler,
    list_at,
    resources_of_type,
    stable_hex,
    stable_public_ip,
    stable_secret,
    stable_uuid,
    string_at,
)


class CosmosAccountHandler(ResourceHandler):
    """``Microsoft.DocumentDB/databaseAccounts``: global names, endpoints, keys, connection strings."""

    types = ("microsoft.documentdb/databaseaccounts",)

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        for other in resources_of_type(state, "Microsoft.DocumentDB/databaseAccounts"):
            if (
                other.name.casefold() == draft.name.casefold()
                and other.id.casefold() != draft.resource_id.casefold()
            ):
                raise ArmError(
                    "Conflict",
                    f"Database account name '{draft.name}' already exists.",
                    status=409,
                    target=draft.name,
                )

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        endpoint = f"https://{draft.name}.documents.azure.com:443/"
        declared = list_at(draft.declared, "properties", "locations") or [{"locationName": draft.location}]
        locations = [
            {
                "id": f"{draft.name}-{(string_at(item, 'locationName') or '').replace(' ', '').casefold()}",
                "locationName": string_at(item, "locationName"),
                "documentEndpoint": f"https://{draft.name}-{(string_at(item, 'locationName') or '').replace(' ', '').casefold()}.documents.azure.com:443/",
                "provisioningState": "Succeeded",
                "failoverPriority": item.get("failoverPriority", 0) if isinstance(item, dict) else 0,
            }
            for item in declared
        ]
        return {
            "properties": {
                "documentEndpoint": endpoint,
                "writeLocations": locations[:1],
                "readLocations": locations,
                "instanceId": stable_uuid(draft.resource_id),
            }
        }

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        account = call.target.names[0]
        primary = stable_secret(call.target.raw, "primary")
        endpoint = f"https://{account}.documents.azure.com:443/"
        return {
            "primaryMasterKey": primary,
            "secondaryMasterKey": stable_secret(call.target.raw, "secondary"),
            "primaryReadonlyMasterKey": stable_secret(call.target.raw, "primary-readonly"),
            "secondaryReadonlyMasterKey": stable_secret(call.target.raw, "secondary-readonly"),
            "connectionStrings": [
                {
                    "connectionString": f"AccountEndpoint={endpoint};AccountKey={primary};",
                    "description": "Primary SQL Connection String",
                    "keyKind": "Primary",
                    "type": "Sql",
                }
            ],
        }


class ComponentHandler(ResourceHandler):
    """``Microsoft.Insights/components`` (Application Insights): keys and connection string."""

    types = ("microsoft.insights/components",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        key = stable_uuid(draft.resource_id, "instrumentation")
        declared_id = {name.casefold() for name in draft.properties} & {"applicationid"}
        return {
            "properties": {
                **({} if declared_id else {"ApplicationId": draft.name}),
                "AppId": stable_uuid(draft.resource_id, "app"),
                "Name": draft.name,
                "InstrumentationKey": key,
                "ConnectionString": (
                    f"InstrumentationKey={key};IngestionEndpoint=https://{draft.location}-0.in.applicationinsights."
                    f"azure.com/;LiveEndpoint=https://{draft.location}.livediagnostics.monitor.azure.com/"
                ),
                "CreationDate": draft.existing.created_at if draft.existing else utc_now(),
                "TenantId": state.subscription_id,
            }
        }


class WorkspaceHandler(ResourceHandler):
    """``Microsoft.OperationalInsights/workspaces``: customer id and shared keys."""

    types = ("microsoft.operationalinsights/workspaces",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {"properties": {"customerId": stable_uuid(draft.resource_id, "customer")}}

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        return {
            "primarySharedKey": stable_secret(call.target.raw, "primary-shared"),
            "secondarySharedKey": stable_secret(call.target.raw, "secondary-shared"),
        }


class IotHubHandler(ResourceHandler):
    """``Microsoft.Devices/IotHubs``: host name, Event Hub-compatible endpoint, shared access keys."""

    types = ("microsoft.devices/iothubs",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {
            "properties": {
                "hostName": f"{draft.name}.azure-devices.net",
                "state": "Active",
                "eventHubEndpoints": {
                    "events": {
                        "endpoint": f"sb://iothub-ns-{draft.name[:20]}-{stable_hex(6, draft.resource_id)}.servicebus.windows.net/",
                        "path": draft.name,
                    }
                },
            }
        }

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        rights = ("iothubowner", "service", "device", "registryRead", "registryReadWrite")
        return {
            "value": [
                {
                    "keyName": name,
                    "primaryKey": stable_secret(call.target.raw, name, "primary"),
                    "secondaryKey": stable_secret(call.target.raw, name, "secondary"),
                    "rights": "RegistryWrite, ServiceConnect, DeviceConnect"
                    if name == "iothubowner"
                    else "ServiceConnect",
                }
                for name in rights
            ]
        }


class ApiManagementHandler(ResourceHandler):
    """``Microsoft.ApiManagement/service``: gateway and portal URLs, default host name, IPs."""

    types = ("microsoft.apimanagement/service",)

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        gateway = f"{draft.name}.azure-api.net"
        properties: JsonDict = {
            "gatewayUrl": f"https://{gateway}",
            "portalUrl": f"https://{draft.name}.portal.azure-api.net",
            "developerPortalUrl": f"https://{draft.name}.developer.azure-api.net",
            "managementApiUrl": f"https://{draft.name}.management.azure-api.net",
            "scmUrl": f"https://{draft.name}.scm.azure-api.net",
            "publicIPAddresses": [stable_public_ip(draft.resource_id)],
            "targetProvisioningState": "",
        }
        if (string_at(draft.properties, "virtualNetworkType") or "None").casefold() != "none":
            properties["privateIPAddresses"] = ["10.0.0.4"]
        if not list_at(draft.properties, "hostnameConfigurations"):
            properties["hostnameConfigurations"] = [
                {
                    "type": "Proxy",
                    "hostName": gateway,
                    "defaultSslBinding": True,
                    "negotiateClientCertificate": False,
                }
            ]
        return {"properties": properties}


Computer = Callable[[Draft, EmulatorState], JsonDict]


class EndpointHandler(ResourceHandler):
    """A type whose only computed members are well-known endpoints or ids."""

    def __init__(self, resource_type: str, compute: Computer) -> None:
        self.types = (resource_type.casefold(),)
        self._compute = compute

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        return {"properties": self._compute(draft, state)}


def _host(template: str, **extra: str) -> Computer:
    return lambda draft, _state: {
        key: value.format(name=draft.name, location=draft.location, parent=draft.parsed.names[0], **extra)
        for key, value in _pairs(template).items()
    }


def _pairs(template: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in template.split(";"))


def _afd_host(draft: Draft, _state: EmulatorState) -> JsonDict:
    return {
        "hostName": f"{draft.name}-{stable_hex(16, draft.resource_id)}.z01.azurefd.net",
        "deploymentStatus": "NotStarted",
    }


def _profile(draft: Draft, _state: EmulatorState) -> JsonDict:
    return {"resourceState": "Active", "frontDoorId": stable_uuid(draft.resource_id)}


def _container_app(draft: Draft, _state: EmulatorState) -> JsonDict:
    fqdn = f"{draft.name}.{stable_hex(12, draft.resource_id)}.{draft.location}.azurecontainerapps.io"
    return {
        "latestRevisionFqdn": fqdn,
        "configuration": {"ingress": {"fqdn": fqdn}},
        "runningStatus": "Running",
    }


def _managed_environment(draft: Draft, _state: EmulatorState) -> JsonDict:
    return {
        "defaultDomain": f"{stable_hex(12, draft.resource_id)}.{draft.location}.azurecontainerapps.io",
        "staticIp": stable_public_ip(draft.resource_id),
    }


ENDPOINT_HANDLERS: tuple[ResourceHandler, ...] = (
    EndpointHandler("Microsoft.Cdn/profiles", _profile),
    EndpointHandler(
        "Microsoft.Cdn/profiles/endpoints", _host("hostName={name}.azureedge.net;resourceState=Running")
    ),
    EndpointHandler("Microsoft.Cdn/profiles/afdEndpoints", _afd_host),
    EndpointHandler("Microsoft.ContainerRegistry/registries", _host("loginServer={name}.azurecr.io")),
    EndpointHandler(
        "Microsoft.Sql/servers", _host("fullyQualifiedDomainName={name}.database.windows.net;state=Ready")
    ),
    EndpointHandler(
        "Microsoft.DBforPostgreSQL/flexibleServers",
        _host("fullyQualifiedDomainName={name}.postgres.database.azure.com;state=Ready"),
    ),
    EndpointHandler(
        "Microsoft.DBforMySQL/flexibleServers",
        _host("fullyQualifiedDomainName={name}.mysql.database.azure.com;state=Ready"),
    ),
    EndpointHandler(
        "Microsoft.EventHub/namespaces",
        _host("serviceBusEndpoint=https://{name}.servicebus.windows.net:443/;status=Active"),
    ),
    EndpointHandler(
        "Microsoft.ServiceBus/namespaces",
        _host("serviceBusEndpoint=https://{name}.servicebus.windows.net:443/;status=Active"),
    ),
    EndpointHandler(
        "Microsoft.AppConfiguration/configurationStores", _host("endpoint=https://{name}.azconfig.io")
    ),
    EndpointHandler(
        "Microsoft.CognitiveServices/accounts",
        _host("endpoint=https://{location}.api.cognitive.microsoft.com/"),
    ),
    EndpointHandler(
        "Microsoft.DBforPostgreSQL/servers",
        _host("fullyQualifiedDomainName={name}.postgres.database.azure.com;userVisibleState=Ready"),
    ),
    EndpointHandler(
        "Microsoft.DBforMySQL/servers",
        _host("fullyQualifiedDomainName={name}.mysql.database.azure.com;userVisibleState=Ready"),
    ),
    EndpointHandler(
        "Microsoft.Kusto/clusters",
        _host(
            "uri=https://{name}.{location}.kusto.windows.net;dataIngestionUri=https://ingest-{name}.{location}.kusto.windows.net;state=Running"
        ),
    ),
    EndpointHandler(
        "Microsoft.DigitalTwins/digitalTwinsInstances",
        _host("hostName={name}.api.{location}.digitaltwins.azure.net"),
    ),
    EndpointHandler("Microsoft.SignalRService/signalR", _host("hostName={name}.service.signalr.net")),
    EndpointHandler("Microsoft.Cache/redis", _host("hostName={name}.redis.cache.windows.net")),
    EndpointHandler("Microsoft.App/containerApps", _container_app),
    EndpointHandler("Microsoft.App/managedEnvironments", _managed_environment),
)
"""Types whose computed members are host names, URIs or ids following Azure's naming patterns."""
