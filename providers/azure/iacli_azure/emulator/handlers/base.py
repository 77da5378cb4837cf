"""The resource-handler interface and helpers shared by the handlers.

A :class:`ResourceHandler` gives resource types their resource provider's behaviour.  The base
class *is* the generic behaviour (a control-plane record stored as declared), so a handler only
overrides what its types do differently.  Handlers are stateless: everything they need comes in
as arguments (the :class:`~..state.EmulatorState` included).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..ids import ResourceId
from ..state import EmulatorState, Resource

JsonDict = dict[str, Any]

_NAMESPACE = uuid.UUID("0b6f8f3e-5b7a-4c55-9f3c-6a1f3e0e7a11")


@dataclass(frozen=True)
class Draft:
    """A resource about to be written.

    ``type`` is the effective type (for an extension resource, the extension's type, e.g.
    ``Microsoft.Authorization/roleAssignments``); ``declared`` holds the evaluated members besides
    identity and location (``properties``, ``tags``, ``sku``...); ``existing`` is the current version.
    """

    resource_id: str
    parsed: ResourceId
    type: str
    location: str | None
    api_version: str
    declared: JsonDict
    existing: Resource | None

    @property
    def name(self) -> str:
        """The last segment of the name (``container`` of ``account/default/container``)."""
        return self.parsed.names[-1]

    @property
    def properties(self) -> JsonDict:
        """The declared ``properties`` (an empty dict when there are none)."""
        value = self.declared.get("properties")
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class ListCall:
    """A ``list*`` action on ``target`` (``resource`` is the target if it exists, else ``None``)."""

    function_name: str
    target: ResourceId
    resource: Resource | None


class ResourceHandler:
    """Behaviour of a family of resource types; the defaults are those of a recorded resource."""

    types: tuple[str, ...] = ()
    """The lower-cased resource types this handler serves."""

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        """Raise an :class:`~..errors.ArmError` when preflight validation refuses ``draft``.

        Only checks that need nothing else from the deployment belong here (name rules, names
        taken elsewhere): ARM runs them before the deployment starts and answers ``400``.
        """

    def validate(self, draft: Draft, state: EmulatorState) -> None:
        """Raise an :class:`~..errors.ArmError` when the resource provider refuses to write ``draft``
        (checks against resources the deployment itself may create: referenced plans, duplicates)."""

    def redact(self, declared: JsonDict) -> JsonDict:
        """``declared`` with secret values replaced by hashes (see :func:`secret_hash`).

        The default hashes the values of write-only secret members (:data:`WRITE_ONLY_SECRETS`:
        ``administratorLoginPassword``, ``adminPassword``...), which resource providers never return.
        """
        result: JsonDict = hash_write_only_secrets(declared)
        return result

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        """Read-only members the resource provider sets, deep-merged over ``declared`` (they win)."""
        return {}

    def present(self, resource: Resource, state: EmulatorState) -> JsonDict:
        """The members a GET returns besides id, name, type and location (hashed secrets left out)."""
        result: JsonDict = without_secret_hashes(resource.body)
        return result

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        """Members a ``list*`` action answers with, on top of the generic placeholder secrets."""
        return {}

    def written(self, resource: Resource, previous: Resource | None, state: EmulatorState) -> None:
        """Called after ``resource`` was stored (``previous``: the version it replaced, if any)."""

    def deleted(self, resource: Resource, state: EmulatorState) -> None:
        """Called after ``resource`` was deleted."""


# --------------------------------------------------------------------------------- helpers


def stable_uuid(*parts: str) -> str:
    """A UUID derived from ``parts`` (case-insensitive): the same resource gets the same id."""
    return str(uuid.uuid5(_NAMESPACE, "|".join(part.casefold() for part in parts)))


def stable_hex(length: int, *parts: str) -> str:
    """``length`` lower-case hex digits derived from ``parts``."""
    return hashlib.sha256("|".join(part.casefold() for part in parts).encode()).hexdigest()[:length]


def stable_secret(*parts: str) -> str:
    """A base64 key derived from ``parts`` (offline placeholder for a generated secret)."""
    return base64.b64encode(hashlib.sha256("|".join(parts).casefold().encode()).digest()).decode()


def stable_public_ip(*parts: str) -> str:
    """A public IPv4 address in 20.0.0.0/8 derived from ``parts``."""
    digest = hashlib.sha256("|".join(part.casefold() for part in parts).encode()).digest()
    return f"20.{digest[0]}.{digest[1]}.{max(digest[2], 1)}"


def host_address(prefix: str, offset: int) -> str | None:
    """Address number ``offset`` of CIDR ``prefix`` (Azure's first usable address is offset 4)."""
    try:
        network = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
    if offset >= network.num_addresses:
        return None
    return str(network.network_address + offset)


def secret_hash(value: Any) -> str:
    """What is stored instead of a secret value: ``sha256:<hex>`` of its JSON text."""
    text = value if isinstance(value, str) else repr(value)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def is_secret_hash(value: Any) -> bool:
    """True for a value produced by :func:`secret_hash`."""
    return isinstance(value, str) and value.startswith("sha256:") and len(value) == 71


WRITE_ONLY_SECRETS: frozenset[str] = frozenset(
    name.casefold()
    for name in (
        "administratorLoginPassword",
        "adminPassword",
        "password",
        "secureValue",
        "clientSecret",
        "sharedKey",
        "primaryKey",
        "secondaryKey",
    )
)
"""Member names whose values resource providers accept but never return: stored as hashes."""


def hash_write_only_secrets(value: Any) -> Any:
    """A copy of ``value`` where members named in :data:`WRITE_ONLY_SECRETS` hold hashes."""
    if isinstance(value, dict):
        return {
            name: (
                item
                if is_secret_hash(item) or item is None
                else secret_hash(item)
                if name.casefold() in WRITE_ONLY_SECRETS and isinstance(item, (str, int, float))
                else hash_write_only_secrets(item)
            )
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [hash_write_only_secrets(item) for item in value]
    return copy.deepcopy(value)


def without_secret_hashes(value: Any) -> Any:
    """A copy of ``value`` without the members holding a :func:`secret_hash`."""
    if isinstance(value, dict):
        return {name: without_secret_hashes(item) for name, item in value.items() if not is_secret_hash(item)}
    if isinstance(value, list):
        return [without_secret_hashes(item) for item in value]
    return copy.deepcopy(value)


def object_at(value: Any, *path: str) -> JsonDict:
    """The object at ``path`` inside ``value`` (an empty dict when absent or not an object)."""
    for segment in path:
        if not isinstance(value, Mapping):
            return {}
        value = _get_ci(value, segment)
    return value if isinstance(value, dict) else {}


def string_at(value: Any, *path: str) -> str | None:
    """The string at ``path`` inside ``value`` (``None`` when absent or not a string)."""
    *parents, last = path
    found = _get_ci(object_at(value, *parents), last) if parents else _get_ci(value, last)
    return found if isinstance(found, str) else None


def list_at(value: Any, *path: str) -> list[Any]:
    """The array at ``path`` inside ``value`` (an empty list when absent)."""
    *parents, last = path
    found = _get_ci(object_at(value, *parents), last) if parents else _get_ci(value, last)
    return found if isinstance(found, list) else []


def _get_ci(value: Any, name: str) -> Any:
    if not isinstance(value, Mapping):
        return None
    if name in value:
        return value[name]
    folded = name.casefold()
    for key, item in value.items():
        if isinstance(key, str) and key.casefold() == folded:
            return item
    return None


def deep_merge(base: Any, overlay: Any) -> Any:
    """``overlay`` merged into a copy of ``base``: objects member by member (names ignore case),
    arrays of equal length item by item, anything else replaced by ``overlay``."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = copy.deepcopy(base)
        names = {name.casefold(): name for name in merged}
        for name, value in overlay.items():
            existing = names.get(name.casefold(), name)
            merged[existing] = (
                deep_merge(merged[existing], value) if existing in merged else copy.deepcopy(value)
            )
        return merged
    if isinstance(base, list) and isinstance(overlay, list) and len(base) == len(overlay):
        return [deep_merge(item, extra) for item, extra in zip(base, overlay)]
    return copy.deepcopy(overlay)


def resources_of_type(state: EmulatorState, resource_type: str) -> list[Resource]:
    """Every resource of ``resource_type`` in the subscription."""
    folded = resource_type.casefold()
    return [resource for resource in state.resources() if resource.type.casefold() == folded]
