"""Resource ids, types and locations: parsing and normalisation (case-insensitive, like ARM)."""

from __future__ import annotations

from dataclasses import dataclass

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
"""The one subscription the emulator serves (the ARM evaluator's default subscription id too)."""

TENANT_ID = "00000000-0000-0000-0000-000000000000"
"""The tenant of :data:`SUBSCRIPTION_ID`."""

PRINCIPAL_ID = "11111111-1111-4111-8111-111111111111"
"""The object id of the principal the emulator's tokens are issued to (the sandbox's signed-in user)."""


@dataclass(frozen=True)
class ResourceId:
    """A parsed resource id.

    ``scope`` is what comes before the last ``/providers/`` (a resource group, or for an extension
    resource such as a role assignment the resource it is attached to); ``namespace``, ``types`` and
    ``names`` describe the resource after it (``types[0]`` is the top-level type).
    """

    raw: str
    subscription_id: str | None
    resource_group: str | None
    scope: str
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def type(self) -> str:
        """The full resource type, e.g. ``Microsoft.Storage/storageAccounts/blobServices``."""
        return "/".join((self.namespace, *self.types))

    @property
    def name(self) -> str:
        """The full resource name, e.g. ``account/default``."""
        return "/".join(self.names)

    @property
    def is_extension(self) -> bool:
        """True when the resource is attached to another resource (``.../providers/X/.../providers/Y``)."""
        return scope_is_resource(self.scope)

    @property
    def is_top_level(self) -> bool:
        """True for a top-level resource directly in a resource group (not a child, not an extension)."""
        return len(self.types) == 1 and not self.is_extension

    @property
    def parent(self) -> str | None:
        """The id of the parent resource (``None`` for a top-level or extension resource)."""
        if len(self.types) < 2:
            return None
        return self.raw.rstrip("/").rsplit("/", 2)[0]


def scope_is_resource(scope: str) -> bool:
    """True when ``scope`` (an id prefix) names a resource rather than a subscription or group."""
    return "/providers/" in scope.casefold() + "/"


def parse_resource_id(resource_id: str) -> ResourceId | None:
    """Parse ``resource_id``; ``None`` when it is not a provider resource id."""
    text = resource_id.rstrip("/")
    position = text.casefold().rfind("/providers/")
    if position < 0:
        return None
    scope, rest = text[:position], text[position + len("/providers/") :]
    segments = rest.split("/")
    if len(segments) < 3 or len(segments) % 2 == 0 or any(not segment for segment in segments):
        return None
    parts = scope.split("/")
    folded = [part.casefold() for part in parts]
    subscription = parts[folded.index("subscriptions") + 1] if "subscriptions" in folded[:-1] else None
    group = parts[folded.index("resourcegroups") + 1] if "resourcegroups" in folded[:-1] else None
    return ResourceId(
        raw=text,
        subscription_id=subscription,
        resource_group=group,
        scope=scope,
        namespace=segments[0],
        types=tuple(segments[1::2]),
        names=tuple(segments[2::2]),
    )


def key(resource_id: str) -> str:
    """The case-insensitive lookup key of an id or name."""
    return resource_id.rstrip("/").casefold()


def normalize_location(location: str | None) -> str | None:
    """ARM's canonical location spelling: ``West Europe`` -> ``westeurope``."""
    if location is None:
        return None
    return location.replace(" ", "").casefold()


def group_id(group: str, subscription_id: str = SUBSCRIPTION_ID) -> str:
    """The id of resource group ``group``."""
    return f"/subscriptions/{subscription_id}/resourceGroups/{group}"


def deployment_id(group: str, name: str, subscription_id: str = SUBSCRIPTION_ID) -> str:
    """The id of deployment ``name`` in resource group ``group``."""
    return f"{group_id(group, subscription_id)}/providers/Microsoft.Resources/deployments/{name}"
