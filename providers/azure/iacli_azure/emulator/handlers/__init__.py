"""Resource handlers: the type-specific behaviour of the emulated resource providers.

:func:`handler_for` picks the handler of a resource type; types without one get the generic
:class:`ResourceHandler` (a control-plane record).  :data:`MODELLED_TYPES` lists the types with a
handler (their :class:`~..support.SupportLevel` is ``MODELLED``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import Draft, ListCall, ResourceHandler
from .containerinstance import ContainerGroupHandler
from .identity import RoleAssignmentHandler, UserAssignedIdentityHandler
from .keyvault import SecretHandler, VaultHandler
from .network import NetworkGuidHandler, NetworkInterfaceHandler, PublicIpHandler, VirtualNetworkHandler
from .services import (
    ENDPOINT_HANDLERS,
    ApiManagementHandler,
    ComponentHandler,
    CosmosAccountHandler,
    IotHubHandler,
    WorkspaceHandler,
)
from .storage import StorageAccountHandler, StorageChildHandler
from .web import ServerFarmHandler, SiteConfigHandler, SiteHandler

_GENERIC = ResourceHandler()

_ALL: tuple[ResourceHandler, ...] = (
    ContainerGroupHandler(),
    StorageAccountHandler(),
    StorageChildHandler(),
    ServerFarmHandler(),
    SiteHandler(),
    SiteConfigHandler(),
    CosmosAccountHandler(),
    ComponentHandler(),
    WorkspaceHandler(),
    IotHubHandler(),
    ApiManagementHandler(),
    UserAssignedIdentityHandler(),
    RoleAssignmentHandler(),
    VaultHandler(),
    SecretHandler(),
    VirtualNetworkHandler(),
    NetworkGuidHandler(),
    PublicIpHandler(),
    NetworkInterfaceHandler(),
    *ENDPOINT_HANDLERS,
)

HANDLERS: Mapping[str, ResourceHandler] = {
    resource_type: handler for handler in _ALL for resource_type in handler.types
}
"""Handlers by lower-cased resource type."""

MODELLED_TYPES: frozenset[str] = frozenset(HANDLERS)
"""The lower-cased resource types with a specific handler."""


def handler_for(resource_type: str) -> ResourceHandler:
    """The handler of ``resource_type`` (the generic one when the type has none)."""
    return HANDLERS.get(resource_type.casefold(), _GENERIC)


__all__ = ["HANDLERS", "MODELLED_TYPES", "Draft", "ListCall", "ResourceHandler", "handler_for"]
