"""Runtime state and logs of a stack's container groups (azure-mgmt-containerinstance)."""

from __future__ import annotations

from typing import Any

from iacli.errors import UsageError
from iacli_azure.errors import azure_errors
from iacli_azure.session import AzureSession


def _groups(session: AzureSession) -> list[Any]:
    with azure_errors(f"list container groups of {session.group}"):
        names = [g.name for g in session.containers.container_groups.list_by_resource_group(session.group)]
        return [session.containers.container_groups.get(session.group, n) for n in sorted(names)]


def status(session: AzureSession) -> dict[str, Any]:
    """State, restart count, IP, FQDN and per-container state of every container group."""
    groups = []
    for g in _groups(session):
        ip = g.ip_address
        containers = []
        for c in g.containers or []:
            view = c.instance_view
            current = view.current_state if view else None
            containers.append({
                "name": c.name,
                "image": c.image,
                "state": (current.state if current else None) or "Unknown",
                "restart_count": (view.restart_count if view else None) or 0,
                "cpu": c.resources.requests.cpu if c.resources and c.resources.requests else None,
                "memory_gb": c.resources.requests.memory_in_gb if c.resources and c.resources.requests else None,
            })
        groups.append({
            "name": g.name,
            "state": (g.instance_view.state if g.instance_view else None) or g.provisioning_state or "Unknown",
            "provisioning_state": g.provisioning_state,
            "restart_count": sum(int(c["restart_count"]) for c in containers),
            "ip": ip.ip if ip else None,
            "fqdn": ip.fqdn if ip else None,
            "containers": containers,
        })
    return {"stack": session.target.stack, "resource_group": session.group, "container_groups": groups}


def logs(session: AzureSession, container: str | None = None, tail: int | None = None) -> str:
    """Each container's recent log lines (prefixed ``group/container | `` when there are several)."""
    targets = [(g.name, c.name) for g in _groups(session) for c in (g.containers or [])]
    if container is not None:
        targets = [t for t in targets if container in (t[1], f"{t[0]}/{t[1]}")]
        if not targets:
            raise UsageError(f"no container {container!r} in stack {session.target.stack}",
                             hint="`iacli status` lists the containers")
    prefix = len(targets) > 1
    out: list[str] = []
    for group, name in targets:
        with azure_errors(f"read logs of {group}/{name}"):
            content = session.containers.containers.list_logs(session.group, group, name, tail=tail).content or ""
        for line in content.splitlines():
            out.append(f"{group}/{name} | {line}" if prefix else line)
    return "\n".join(out) + ("\n" if out else "")
