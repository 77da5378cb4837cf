"""Start, find, reset and stop the Azure emulator server (client side: no Azure SDK imports).

The mechanism is iacli's shared :class:`~iacli.localserver.LocalServerManager`, as for the AWS
sandbox's :class:`~iacli_aws.sandbox.manager.SandboxManager`.  State lives in
``<home>/sandbox/azure/``:

- ``server.json``  written by the server once it listens: ``{"pid", "port", "endpoint_url", "started_at"}``
- ``server.log``   the server's stdout and stderr
- ``lock``         an ``fcntl`` lock held while starting or stopping, so concurrent iacli commands
                   share one server
- ``resets``       how many times the running server was reset (part of :meth:`EmulatorManager.generation`)

The warm path of :meth:`EmulatorManager.ensure_running` costs a file read, a pid check and one HTTP
request to the server's health endpoint.  The emulator keeps its state in memory: stopping the server
(or a reset) drops every resource group and deployment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from iacli.errors import ProviderError
from iacli.localserver import LocalServerManager, ServerInfo

HEALTH_PATH = "/iacli-emulator/health"
STATUS_PATH = "/iacli-emulator/status"
RESET_PATH = "/iacli-emulator/reset"
_SERVER_MODULE = "iacli_azure.emulator.server"

__all__ = ["EmulatorError", "EmulatorManager", "EmulatorStatus", "ServerInfo"]


class EmulatorError(ProviderError):
    """The Azure emulator server could not be started, reached, reset or stopped."""


@dataclass(frozen=True)
class EmulatorStatus:
    """What ``iacli sandbox status`` reports for Azure."""

    running: bool
    endpoint_url: str | None = None
    pid: int | None = None
    started_at: str | None = None
    resource_groups: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    """``group/name`` of every deployment."""


class EmulatorManager(LocalServerManager):
    """Manages the one Azure emulator server of an iacli home directory."""

    server_module = _SERVER_MODULE
    health_path = HEALTH_PATH
    status_path = STATUS_PATH
    reset_path = RESET_PATH
    error_class = EmulatorError
    server_label = "the Azure emulator"
    endpoint_label = "the Azure emulator"
    process_label = "the Azure emulator server"
    forget_resets_on_start = True

    def __init__(self, home: Path, *, start_timeout_s: float = 10.0, python: str | None = None) -> None:
        super().__init__(Path(home) / "sandbox" / "azure", start_timeout_s=start_timeout_s, python=python)

    def status(self) -> EmulatorStatus:
        """Whether the server runs, where, since when, and the groups and deployments it holds."""
        answer = self._status_data()
        if answer is None:
            return EmulatorStatus(running=False)
        info, data = answer
        groups = tuple(sorted(str(name) for name in data.get("resourceGroups", [])))
        deployments = tuple(
            sorted(
                f"{item['group']}/{item['name']}"
                for item in data.get("deployments", [])
                if isinstance(item, dict)
            )
        )
        return EmulatorStatus(True, info.endpoint_url, info.pid, info.started_at, groups, deployments)

    def _environment(self) -> dict[str, str]:
        return _server_environment()


def _server_environment() -> dict[str, str]:
    """The server's environment: ours, with this package importable even without an install."""
    environment = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    paths = [item for item in environment.get("PYTHONPATH", "").split(os.pathsep) if item]
    if package_root not in paths:
        environment["PYTHONPATH"] = os.pathsep.join([package_root, *paths])
    return environment
