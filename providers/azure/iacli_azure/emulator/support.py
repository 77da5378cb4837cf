"""Which resource types the emulator accepts, and how faithfully.

Three levels (:class:`SupportLevel`):

``MODELLED``
    A handler gives the type its resource provider's behaviour: read-only properties an RP computes
    (endpoints, host names, IPs, principal ids...), validation with ARM's error codes (name rules,
    global name conflicts, missing parents, duplicate role assignments...), ``list*()`` answers and,
    for container groups, a runtime (state, events, logs).
``RECORDED``
    Any other type of a namespace on :data:`RECORDED_NAMESPACES` (or of a modelled namespace): the
    emulator is a control-plane record — the resource is stored as declared, with
    ``provisioningState: Succeeded``; a GET returns what was declared and no computed property.
    Nothing runs: no VM boots, no database accepts connections.
``UNSUPPORTED``
    Namespaces the emulator does not know (including every non-``Microsoft.*`` namespace) and the
    types in :data:`UNSUPPORTED_TYPES`, whose real behaviour is to run code the emulator can't run
    and whose results templates consume (deployment scripts' outputs, VM extensions).  Deploying
    one fails preflight validation with ``InvalidTemplateDeployment`` / ``NoRegisteredProviderFound``
    naming the type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

from .errors import ArmError


class SupportLevel(str, Enum):
    """How faithfully the emulator handles a resource type."""

    MODELLED = "modelled"
    RECORDED = "recorded"
    UNSUPPORTED = "unsupported"


RECORDED_NAMESPACES: frozenset[str] = frozenset(
    name.casefold()
    for name in (
        "Microsoft.AlertsManagement",
        "Microsoft.ApiManagement",
        "Microsoft.App",
        "Microsoft.AppConfiguration",
        "Microsoft.Cache",
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.ContainerService",
        "Microsoft.DataFactory",
        "Microsoft.DataMigration",
        "Microsoft.DBforMySQL",
        "Microsoft.DBforPostgreSQL",
        "Microsoft.DevCenter",
        "Microsoft.Devices",
        "Microsoft.DigitalTwins",
        "Microsoft.EventGrid",
        "Microsoft.EventHub",
        "Microsoft.HealthcareApis",
        "Microsoft.Kusto",
        "Microsoft.Logic",
        "Microsoft.NotificationHubs",
        "Microsoft.Search",
        "Microsoft.Security",
        "Microsoft.ServiceBus",
        "Microsoft.SignalRService",
        "Microsoft.Sql",
        "Microsoft.VirtualMachineImages",
    )
)
"""Namespaces accepted as control-plane records (see the module docstring)."""

MODELLED_NAMESPACES: frozenset[str] = frozenset(
    name.casefold()
    for name in (
        "Microsoft.Authorization",
        "Microsoft.Cdn",
        "Microsoft.ContainerInstance",
        "Microsoft.ContainerRegistry",
        "Microsoft.DocumentDB",
        "Microsoft.Insights",
        "Microsoft.KeyVault",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Resources",
        "Microsoft.Storage",
        "Microsoft.Web",
    )
)
"""Namespaces with type-specific handlers (their other types are recorded)."""

UNSUPPORTED_TYPES: Mapping[str, str] = {
    "microsoft.resources/deploymentscripts": "deployment scripts run a script in a container and "
    "templates read its outputs; the emulator runs no scripts",
    "microsoft.compute/virtualmachines/extensions": "VM extensions run code inside a virtual machine; "
    "the emulator runs no virtual machines",
    "microsoft.compute/virtualmachinescalesets/extensions": "VM scale set extensions run code inside "
    "virtual machines; the emulator runs no virtual machines",
    "microsoft.resources/templatespecs": "template specs are not emulated",
}
"""Types refused even though their namespace is known, with the reason shown to the user."""


def support_level(
    resource_type: str, modelled_types: Iterable[str] = (), extra_namespaces: Iterable[str] = ()
) -> SupportLevel:
    """The support level of ``resource_type`` (``Namespace/type[/child...]``).

    ``modelled_types`` are the lower-cased types with a handler; ``extra_namespaces`` widens
    :data:`RECORDED_NAMESPACES` (see :class:`~.engine.EmulatorOptions`).
    """
    folded = resource_type.casefold()
    if folded in UNSUPPORTED_TYPES:
        return SupportLevel.UNSUPPORTED
    if folded in set(modelled_types):
        return SupportLevel.MODELLED
    namespace = folded.split("/", 1)[0]
    extra = {name.casefold() for name in extra_namespaces}
    if namespace in MODELLED_NAMESPACES or namespace in RECORDED_NAMESPACES or namespace in extra:
        return SupportLevel.RECORDED
    return SupportLevel.UNSUPPORTED


def unsupported_error(resource_type: str, resource_name: str) -> ArmError:
    """The preflight error for a resource of an unsupported type."""
    reason = UNSUPPORTED_TYPES.get(resource_type.casefold())
    namespace = resource_type.split("/", 1)[0]
    if reason:
        message = (
            f"The resource type '{resource_type}' of resource '{resource_name}' is not supported by the "
            f"iacli Azure emulator: {reason}."
        )
    else:
        message = (
            f"No registered resource provider found for namespace '{namespace}' (resource '{resource_name}' "
            f"of type '{resource_type}'): the iacli Azure emulator does not support this resource provider "
            "namespace."
        )
    return ArmError("NoRegisteredProviderFound", message, status=400, target=resource_name)
