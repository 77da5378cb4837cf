"""The emulator's in-memory model of one subscription.

Everything a client can observe lives here: resource groups, resources, deployments (with their
operations), container-group runtime (per-container state, events, logs) and pending asynchronous
operations.  Lookups ignore case, like ARM.  :class:`EmulatorState` is thread-safe: every method
takes its re-entrant lock, and :meth:`EmulatorState.locked` lets a caller (the deployment engine)
hold it across a sequence of calls.  :meth:`EmulatorState.snapshot` / :meth:`EmulatorState.restore`
round-trip the whole state through plain JSON.

Secrets: deployment parameters of type ``secureString``/``secureObject`` are kept as a SHA-256 hash
only (:class:`ParameterRecord`); resource handlers replace secret property values (an ACI
``secureValue``) by hashes before a resource is stored.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from .blob_properties import ServicePropertiesStore
from .blobs import BlobStore
from .ids import SUBSCRIPTION_ID, TENANT_ID, key, parse_resource_id

__all__ = [
    "AsyncOperation",
    "ContainerGroupRuntime",
    "ContainerRuntime",
    "DeploymentRecord",
    "EmulatorState",
    "OperationRecord",
    "ParameterRecord",
    "Resource",
    "ResourceGroup",
    "utc_now",
]


MAX_OPERATIONS = 512
"""How many long-running operations (polling targets) are remembered."""


def utc_now() -> str:
    """The current time in ARM's timestamp format (``2024-01-01T12:00:00.1234567Z``)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}0Z"


@dataclass
class ResourceGroup:
    """A resource group."""

    name: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)
    managed_by: str | None = None
    created_at: str = field(default_factory=utc_now)


@dataclass
class Resource:
    """A deployed resource.

    ``declared`` holds the members the template (or PUT body) set — ``properties``, ``tags``, ``sku``,
    ``kind``, ``identity``... — with secrets replaced by hashes; ``body`` is what a GET returns besides
    ``id``/``name``/``type``/``location``: ``declared`` plus the properties the emulated resource
    provider computes (endpoints, ``provisioningState``...).
    """

    id: str
    type: str
    name: str
    location: str | None
    api_version: str
    declared: dict[str, Any]
    body: dict[str, Any]
    deployment: str | None = None
    created_at: str = field(default_factory=utc_now)
    changed_at: str = field(default_factory=utc_now)

    @property
    def resource_group(self) -> str | None:
        """The resource group holding the resource (from its id)."""
        parsed = parse_resource_id(self.id)
        return parsed.resource_group if parsed else None

    @property
    def properties(self) -> dict[str, Any]:
        """The resource's ``properties`` as a GET returns them."""
        value = self.body.get("properties")
        return value if isinstance(value, dict) else {}


@dataclass
class ParameterRecord:
    """A deployment parameter as recorded: secure values are kept as a hash only."""

    type: str
    value: Any = None
    sha256: str | None = None
    reference: dict[str, Any] | None = None
    """The Key Vault reference the value came from (returned as sent, like ARM)."""

    @property
    def secure(self) -> bool:
        """True for ``SecureString``/``SecureObject`` parameters."""
        return self.type.casefold().startswith("secure")


@dataclass
class OperationRecord:
    """One deployment operation: what happened to one resource (or to the outputs)."""

    operation_id: str
    provisioning_operation: str
    provisioning_state: str
    status_code: str
    timestamp: str
    duration: str
    target_id: str | None = None
    target_type: str | None = None
    target_name: str | None = None
    target_api_version: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class DeploymentRecord:
    """A deployment at resource-group scope."""

    group: str
    name: str
    template: dict[str, Any]
    template_hash: str
    parameters: dict[str, ParameterRecord]
    mode: str
    provisioning_state: str
    correlation_id: str
    timestamp: str
    duration: str = "PT0S"
    outputs: dict[str, Any] | None = None
    output_resources: list[str] = field(default_factory=list)
    validated_resources: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    operations: list[OperationRecord] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    on_error_deployment: dict[str, Any] | None = None
    parent: str | None = None


@dataclass
class ContainerRuntime:
    """The emulated runtime of one container of a container group."""

    name: str
    image: str
    state: str
    start_time: str
    restart_count: int = 0
    detail_status: str = ""
    exit_code: int | None = None
    finish_time: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)


@dataclass
class ContainerGroupRuntime:
    """The emulated runtime of a container group (``Running`` or ``Stopped``)."""

    state: str
    containers: dict[str, ContainerRuntime] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AsyncOperation:
    """A long-running operation a client polls.

    ``remaining_polls`` polls answer "in progress" before the final answer; ``result`` is the final
    body (what-if), ``error`` the ARM error of a failed operation, ``deployment`` the ``(group, name)``
    of the deployment an ``Azure-AsyncOperation`` reports on.
    """

    id: str
    kind: str
    remaining_polls: int = 0
    status: str = "Succeeded"
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    deployment: tuple[str, str] | None = None


class EmulatorState:
    """All groups, resources, deployments, container runtime and async operations of the subscription."""

    def __init__(self, subscription_id: str = SUBSCRIPTION_ID, tenant_id: str = TENANT_ID) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self._lock = threading.RLock()
        self._groups: dict[str, ResourceGroup] = {}
        self._resources: dict[str, Resource] = {}
        self._deployments: dict[str, DeploymentRecord] = {}
        self._runtime: dict[str, ContainerGroupRuntime] = {}
        self._operations: dict[str, AsyncOperation] = {}
        self.blobs = BlobStore()
        """Blob contents of the storage accounts (the Blob data plane, :mod:`.blob_service`)."""
        self.blob_services = ServicePropertiesStore()
        """Blob service properties of the storage accounts (:mod:`.blob_properties`)."""

    @contextlib.contextmanager
    def locked(self) -> Iterator[EmulatorState]:
        """Hold the state's lock across several calls (a whole deployment)."""
        with self._lock:
            yield self

    # ------------------------------------------------------------------------- groups
    def group(self, name: str) -> ResourceGroup | None:
        """The resource group ``name``, if it exists."""
        with self._lock:
            return self._groups.get(key(name))

    def groups(self) -> list[ResourceGroup]:
        """Every resource group, sorted by name."""
        with self._lock:
            return sorted(self._groups.values(), key=lambda group: group.name.casefold())

    def put_group(self, group: ResourceGroup) -> bool:
        """Create or replace a group (its name keeps its first spelling); True when it is new."""
        with self._lock:
            existing = self._groups.get(key(group.name))
            if existing is not None:
                group.name, group.created_at = existing.name, existing.created_at
            self._groups[key(group.name)] = group
            return existing is None

    def delete_group(self, name: str) -> bool:
        """Delete a group with its resources, deployments and runtime; False when it did not exist."""
        with self._lock:
            if self._groups.pop(key(name), None) is None:
                return False
            for resource in self.resources(name):
                self.delete_resource(resource.id)
            for deployment in self.deployments(name):
                self._deployments.pop(_deployment_key(deployment.group, deployment.name), None)
            return True

    # ---------------------------------------------------------------------- resources
    def resource(self, resource_id: str) -> Resource | None:
        """The resource with id ``resource_id``, if it exists."""
        with self._lock:
            return self._resources.get(key(resource_id))

    def resources(self, group: str | None = None) -> list[Resource]:
        """Resources (of ``group`` if given), sorted by id."""
        with self._lock:
            found = [
                resource
                for resource in self._resources.values()
                if group is None or (resource.resource_group or "").casefold() == group.casefold()
            ]
            return sorted(found, key=lambda resource: resource.id.casefold())

    def put_resource(self, resource: Resource) -> bool:
        """Create or replace a resource; True when it is new."""
        with self._lock:
            existing = self._resources.get(key(resource.id))
            if existing is not None:
                resource.created_at = existing.created_at
            self._resources[key(resource.id)] = resource
            return existing is None

    def delete_resource(self, resource_id: str) -> list[Resource]:
        """Delete a resource, its children and the extension resources attached to it.

        Returns what was deleted (the resource itself last); empty when nothing matched.
        """
        with self._lock:
            prefix = key(resource_id) + "/"
            doomed = [item for name, item in self._resources.items() if name.startswith(prefix)]
            doomed.sort(key=lambda item: -len(item.id))
            target = self._resources.get(key(resource_id))
            if target is not None:
                doomed.append(target)
            for item in doomed:
                self._resources.pop(key(item.id), None)
                self._runtime.pop(key(item.id), None)
                _drop_blobs(self, item)
            return doomed

    # -------------------------------------------------------------------- deployments
    def deployment(self, group: str, name: str) -> DeploymentRecord | None:
        """Deployment ``name`` of resource group ``group``, if it exists."""
        with self._lock:
            return self._deployments.get(_deployment_key(group, name))

    def deployments(self, group: str | None = None) -> list[DeploymentRecord]:
        """Deployments (of ``group`` if given), oldest first."""
        with self._lock:
            return [
                record
                for record in self._deployments.values()
                if group is None or record.group.casefold() == group.casefold()
            ]

    def put_deployment(self, record: DeploymentRecord) -> None:
        """Create or replace a deployment record (a re-used name moves to the end of the list)."""
        with self._lock:
            self._deployments.pop(_deployment_key(record.group, record.name), None)
            self._deployments[_deployment_key(record.group, record.name)] = record

    def delete_deployment(self, group: str, name: str) -> bool:
        """Delete a deployment record (not its resources); False when it did not exist."""
        with self._lock:
            return self._deployments.pop(_deployment_key(group, name), None) is not None

    # ----------------------------------------------------------- container runtime
    def runtime(self, resource_id: str) -> ContainerGroupRuntime | None:
        """The runtime of container group ``resource_id``."""
        with self._lock:
            return self._runtime.get(key(resource_id))

    def put_runtime(self, resource_id: str, runtime: ContainerGroupRuntime) -> None:
        """Record the runtime of container group ``resource_id``."""
        with self._lock:
            self._runtime[key(resource_id)] = runtime

    # --------------------------------------------------------- async operations
    def operation(self, operation_id: str) -> AsyncOperation | None:
        """The long-running operation ``operation_id``."""
        with self._lock:
            return self._operations.get(operation_id)

    def put_operation(self, operation: AsyncOperation) -> None:
        """Record a long-running operation (the oldest are forgotten beyond :data:`MAX_OPERATIONS`)."""
        with self._lock:
            self._operations[operation.id] = operation
            while len(self._operations) > MAX_OPERATIONS:
                del self._operations[next(iter(self._operations))]

    # ----------------------------------------------------------- whole state
    def clear(self) -> None:
        """Forget everything (``iacli sandbox reset``)."""
        with self._lock:
            self._groups.clear()
            self._resources.clear()
            self._deployments.clear()
            self._runtime.clear()
            self._operations.clear()
            self.blobs.clear()
            self.blob_services.clear()

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain JSON-serialisable data."""
        with self._lock:
            return copy.deepcopy(
                {
                    "subscription_id": self.subscription_id,
                    "tenant_id": self.tenant_id,
                    "groups": [asdict(group) for group in self._groups.values()],
                    "resources": [asdict(resource) for resource in self._resources.values()],
                    "deployments": [_deployment_dict(record) for record in self._deployments.values()],
                    "runtime": {name: asdict(runtime) for name, runtime in self._runtime.items()},
                    "blobs": self.blobs.snapshot(),
                    "blob_services": self.blob_services.snapshot(),
                }
            )

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the state by a :meth:`snapshot` (pending async operations are dropped)."""
        with self._lock:
            self.clear()
            self.subscription_id = str(data.get("subscription_id", self.subscription_id))
            self.tenant_id = str(data.get("tenant_id", self.tenant_id))
            for group in data.get("groups", []):
                self._groups[key(group["name"])] = ResourceGroup(**group)
            for resource in data.get("resources", []):
                self._resources[key(resource["id"])] = Resource(**resource)
            for record in data.get("deployments", []):
                deployment = _deployment_from_dict(record)
                self._deployments[_deployment_key(deployment.group, deployment.name)] = deployment
            for name, runtime in data.get("runtime", {}).items():
                self._runtime[name] = _runtime_from_dict(runtime)
            self.blobs.restore(data.get("blobs", []))
            self.blob_services.restore(data.get("blob_services", {}))


def _drop_blobs(state: EmulatorState, resource: Resource) -> None:
    """A deleted storage account takes its blobs and Blob service properties with it, a deleted blob
    container its blobs."""
    kind = resource.type.casefold()
    names = resource.name.split("/")
    if kind == "microsoft.storage/storageaccounts":
        state.blobs.drop(names[0])
        state.blob_services.drop(names[0])
    elif kind == "microsoft.storage/storageaccounts/blobservices/containers" and len(names) == 3:
        state.blobs.drop(names[0], names[2])


def _deployment_key(group: str, name: str) -> str:
    return f"{key(group)}/{key(name)}"


def _deployment_dict(record: DeploymentRecord) -> dict[str, Any]:
    return asdict(record)


def _deployment_from_dict(data: dict[str, Any]) -> DeploymentRecord:
    values = dict(data)
    values["parameters"] = {name: ParameterRecord(**item) for name, item in values["parameters"].items()}
    values["operations"] = [OperationRecord(**item) for item in values["operations"]]
    return DeploymentRecord(**values)


def _runtime_from_dict(data: dict[str, Any]) -> ContainerGroupRuntime:
    containers = {name: ContainerRuntime(**item) for name, item in data.get("containers", {}).items()}
    return ContainerGroupRuntime(
        state=data["state"], containers=containers, events=list(data.get("events", []))
    )
