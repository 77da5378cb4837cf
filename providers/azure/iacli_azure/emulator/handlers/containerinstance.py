"""Microsoft.ContainerInstance/containerGroups: IPs, FQDNs, secrets, and an emulated runtime.

No container really runs.  A deployed group is ``Running``; each container is ``Running`` with
``restartCount`` 0, the events ACI reports (Pulling, Pulled, Started) and a log whose first line is
the image's usual startup line, or a line saying the emulator runs nothing.  ``restart``, ``stop``
and ``start`` change the runtime like ACI does.  Secret values (``secureValue`` environment
variables, secret volumes, registry passwords) are stored as hashes and never returned, like ACI.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ArmError
from ..state import ContainerGroupRuntime, ContainerRuntime, EmulatorState, Resource, utc_now
from .base import (
    Draft,
    JsonDict,
    ResourceHandler,
    hash_write_only_secrets,
    host_address,
    is_secret_hash,
    list_at,
    object_at,
    resources_of_type,
    secret_hash,
    stable_public_ip,
    string_at,
    without_secret_hashes,
)

_STARTUP_LINES = (
    ("aci-helloworld", "listening on port 80"),
    ("nginx", "/docker-entrypoint.sh: Configuration complete; ready for start up"),
    ("httpd", "AH00094: Command line: 'httpd -D FOREGROUND'"),
    ("redis", "* Ready to accept connections tcp"),
    ("aci-tutorial-app", "listening on port 80"),
    ("azure-vote-front", "Running on http://0.0.0.0:80/"),
)


class ContainerGroupHandler(ResourceHandler):
    """``Microsoft.ContainerInstance/containerGroups``."""

    types = ("microsoft.containerinstance/containergroups",)

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        label = string_at(draft.declared, "properties", "ipAddress", "dnsNameLabel")
        if not label:
            return
        for other in resources_of_type(state, "Microsoft.ContainerInstance/containerGroups"):
            same_label = (
                string_at(other.declared, "properties", "ipAddress", "dnsNameLabel") or ""
            ).casefold()
            if (
                other.id.casefold() != draft.resource_id.casefold()
                and other.location == draft.location
                and same_label == label.casefold()
            ):
                raise ArmError(
                    "Conflict",
                    f"The DNS name label '{label}' is not available in location '{draft.location}': container group "
                    f"'{other.name}' uses it.",
                    status=409,
                    target=draft.name,
                )

    def redact(self, declared: JsonDict) -> JsonDict:
        result: JsonDict = hash_write_only_secrets(declared)
        properties = object_at(result, "properties")
        for container in list_at(properties, "containers"):
            for variable in list_at(container, "properties", "environmentVariables"):
                if (
                    isinstance(variable, dict)
                    and "secureValue" in variable
                    and not is_secret_hash(variable["secureValue"])
                ):
                    variable["secureValue"] = secret_hash(variable["secureValue"])
        for volume in list_at(properties, "volumes"):
            secret = volume.get("secret") if isinstance(volume, dict) else None
            if isinstance(secret, dict):
                volume["secret"] = {name: _hashed(value) for name, value in secret.items()}
        for credential in list_at(properties, "imageRegistryCredentials"):
            if isinstance(credential, dict) and "password" in credential:
                credential["password"] = _hashed(credential["password"])
        return result

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        address = object_at(draft.declared, "properties", "ipAddress")
        properties: JsonDict = {"instanceView": {"state": "Running", "events": []}}
        if address:
            ip: JsonDict = {"ip": _ip(draft, address)}
            label = string_at(address, "dnsNameLabel")
            if label:
                ip["fqdn"] = f"{label}.{draft.location}.azurecontainer.io"
            properties["ipAddress"] = ip
        return {"properties": properties}

    def present(self, resource: Resource, state: EmulatorState) -> JsonDict:
        body: JsonDict = without_secret_hashes(_without_secrets(resource.body))
        runtime = state.runtime(resource.id)
        properties = object_at(body, "properties")
        if runtime is None or not properties:
            return body
        properties["instanceView"] = {"state": runtime.state, "events": copy.deepcopy(runtime.events)}
        for container in list_at(properties, "containers"):
            name = string_at(container, "name") or ""
            live = runtime.containers.get(name)
            if live is not None and isinstance(container.get("properties"), dict):
                container["properties"]["instanceView"] = _container_view(live)
        return body

    def written(self, resource: Resource, previous: Resource | None, state: EmulatorState) -> None:
        unchanged = previous is not None and list_at(
            previous.declared, "properties", "containers"
        ) == list_at(resource.declared, "properties", "containers")
        if unchanged and state.runtime(resource.id) is not None:
            return
        state.put_runtime(resource.id, _fresh_runtime(_images(resource)))


# ------------------------------------------------------------------------- runtime verbs


def restart(runtime: ContainerGroupRuntime) -> None:
    """Restart every container in place (ACI's ``restart``)."""
    now = utc_now()
    runtime.state = "Running"
    for container in runtime.containers.values():
        container.events.append(_event("Killing", f"Killing container {container.name}", now))
        _start(container, now)


def stop(runtime: ContainerGroupRuntime) -> None:
    """Stop every container (ACI's ``stop``): the group is ``Stopped``, containers ``Terminated``."""
    now = utc_now()
    runtime.state = "Stopped"
    for container in runtime.containers.values():
        container.state, container.detail_status, container.exit_code = "Terminated", "Completed", 0
        container.finish_time = now
        container.events.append(_event("Killing", f"Killing container {container.name}", now))


def start(runtime: ContainerGroupRuntime) -> None:
    """Start a stopped group again (ACI's ``start``)."""
    now = utc_now()
    runtime.state = "Running"
    for container in runtime.containers.values():
        _start(container, now)


def logs(runtime: ContainerGroupRuntime, container: str, tail: int | None) -> str | None:
    """The log of ``container`` (its last ``tail`` lines); ``None`` when there is no such container."""
    live = runtime.containers.get(container)
    if live is None:
        return None
    lines = live.logs[-tail:] if tail else live.logs
    return "".join(f"{line}\n" for line in lines)


# ------------------------------------------------------------------------------ helpers


def _hashed(value: Any) -> Any:
    return value if is_secret_hash(value) else secret_hash(value)


def _ip(draft: Draft, address: JsonDict) -> str:
    declared = string_at(address, "ip")
    if declared:
        return declared
    if (string_at(address, "type") or "Public").casefold() == "private":
        return host_address("10.0.0.0/24", 4) or "10.0.0.4"
    return stable_public_ip(draft.resource_id)


def _without_secrets(body: JsonDict) -> JsonDict:
    result = copy.deepcopy(body)
    properties = object_at(result, "properties")
    for container in list_at(properties, "containers"):
        for variable in list_at(container, "properties", "environmentVariables"):
            if isinstance(variable, dict):
                variable.pop("secureValue", None)
    for volume in list_at(properties, "volumes"):
        if isinstance(volume, dict) and isinstance(volume.get("secret"), dict):
            volume["secret"] = {}
    for credential in list_at(properties, "imageRegistryCredentials"):
        if isinstance(credential, dict):
            credential.pop("password", None)
    return result


def _images(resource: Resource) -> dict[str, str]:
    containers = list_at(resource.declared, "properties", "containers")
    return {
        string_at(item, "name") or f"container{index}": string_at(item, "properties", "image") or ""
        for index, item in enumerate(containers)
    }


def _fresh_runtime(images: dict[str, str]) -> ContainerGroupRuntime:
    now = utc_now()
    runtime = ContainerGroupRuntime(state="Running")
    for name, image in images.items():
        container = ContainerRuntime(name=name, image=image, state="Running", start_time=now)
        container.events.append(_event("Pulling", f'pulling image "{image}"', now))
        container.events.append(_event("Pulled", f'Successfully pulled image "{image}"', now))
        _start(container, now)
        runtime.containers[name] = container
    return runtime


def _start(container: ContainerRuntime, now: str) -> None:
    container.state, container.detail_status, container.exit_code = "Running", "", None
    container.start_time, container.finish_time = now, None
    container.events.append(_event("Started", "Started container", now))
    container.logs.append(_startup_line(container))


def _startup_line(container: ContainerRuntime) -> str:
    image = container.image.casefold()
    for marker, line in _STARTUP_LINES:
        if marker in image:
            return line
    return (
        f"[iacli emulator] container '{container.name}' of image '{container.image}' is emulated: "
        "no process runs, so there is no real output"
    )


def _event(name: str, message: str, now: str) -> JsonDict:
    return {
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "name": name,
        "message": message,
        "type": "Normal",
    }


def _container_view(container: ContainerRuntime) -> JsonDict:
    current: JsonDict = {"state": container.state, "startTime": container.start_time}
    if container.detail_status:
        current["detailStatus"] = container.detail_status
    if container.exit_code is not None:
        current["exitCode"] = container.exit_code
    if container.finish_time:
        current["finishTime"] = container.finish_time
    return {
        "restartCount": container.restart_count,
        "currentState": current,
        "events": copy.deepcopy(container.events),
    }
