"""Start, find, reset and stop the AWS sandbox server (client side: no moto, no boto3 imports).

State lives in ``<home>/sandbox/aws/`` (``server.json``, ``server.log``, ``lock``, ``resets``); the
mechanism is iacli's shared :class:`~iacli.localserver.LocalServerManager`.

The warm path of :meth:`SandboxManager.ensure_running` costs a file read, a pid check and one HTTP
request to the server's health endpoint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacli.localserver import LocalServerManager, ServerInfo

from . import SandboxError

HEALTH_PATH = "/iacli-sandbox/health"
STATUS_PATH = "/iacli-sandbox/status"
RESET_PATH = "/moto-api/reset"
_SERVER_MODULE = "iacli_aws.sandbox.server"

__all__ = ["SandboxManager", "SandboxStatus", "ServerInfo", "default_home"]


def default_home() -> Path:
    """iacli's home directory: ``$IACLI_HOME`` if set, else ``~/.iacli``."""
    configured = os.environ.get("IACLI_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".iacli"


@dataclass(frozen=True)
class SandboxStatus:
    """What ``iacli sandbox status`` reports for AWS."""

    running: bool
    endpoint_url: str | None = None
    pid: int | None = None
    started_at: str | None = None
    stacks: tuple[str, ...] = ()


class SandboxManager(LocalServerManager):
    """Manages the one sandbox server of an iacli home directory.

    :meth:`ensure_running` returns as soon as the server listens; moto finishes loading in the server
    meanwhile, so the first AWS request may take a second or two longer than later ones.
    """

    server_module = _SERVER_MODULE
    health_path = HEALTH_PATH
    status_path = STATUS_PATH
    reset_path = RESET_PATH
    error_class = SandboxError
    server_label = "the AWS sandbox server"
    endpoint_label = "the AWS sandbox"
    process_label = "the AWS sandbox server"

    def __init__(self, home: Path, *, start_timeout_s: float = 10.0, python: str | None = None) -> None:
        super().__init__(Path(home) / "sandbox" / "aws", start_timeout_s=start_timeout_s, python=python)

    def status(self) -> SandboxStatus:
        """Whether the server runs, where, since when, and the stacks it holds."""
        answer = self._status_data()
        if answer is None:
            return SandboxStatus(running=False)
        info, data = answer
        names = tuple(sorted({str(stack["name"]) for stack in data["stacks"]}))
        return SandboxStatus(True, info.endpoint_url, info.pid, info.started_at, names)

    def _check_health(self, info: ServerInfo, health: dict[str, Any]) -> None:
        """Raise :class:`SandboxError` when the server runs but failed to load moto."""
        if health.get("error"):
            raise SandboxError(
                f"the AWS sandbox server could not load moto: {health['error']}",
                hint=f"see {self.log_path}; `iacli sandbox stop` ends it",
            )
