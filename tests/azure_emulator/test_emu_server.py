"""The emulator as a background server process, managed like the AWS sandbox, used by the real SDK."""

from __future__ import annotations

from pathlib import Path

from emu_helpers import aci_template, deployment_body
from iacli_azure.emulator.manager import EmulatorManager
from iacli_azure.emulator.transport import make_clients


def test_server_process_keeps_state_across_clients_until_reset_and_stop(tmp_path: Path) -> None:
    manager = EmulatorManager(tmp_path / "home")
    assert manager.status().running is False and manager.generation() is None
    endpoint = manager.ensure_running()
    try:
        assert endpoint.startswith("http://127.0.0.1:")
        assert manager.ensure_running() == endpoint
        first = make_clients(endpoint)
        first.resources.resource_groups.create_or_update("rg-http", {"location": "westeurope"})
        body = deployment_body(aci_template(), {"dbPassword": "pw"})
        result = first.deployments.deployments.begin_create_or_update("rg-http", "web", body).result()
        assert result.properties.outputs["fqdn"]["value"] == "hello-emu.westeurope.azurecontainer.io"

        second = make_clients(endpoint)  # another iacli command: a new process would do the same
        assert second.containers.container_groups.get("rg-http", "hello").instance_view.state == "Running"
        assert (
            second.containers.containers.list_logs("rg-http", "hello", "web").content
            == "listening on port 80\n"
        )
        status = manager.status()
        assert status.resource_groups == ("rg-http",) and status.deployments == ("rg-http/web",)
        assert (tmp_path / "home" / "sandbox" / "azure" / "server.json").exists()

        changes = second.deployments.deployments.begin_what_if("rg-http", "plan", body).result().changes
        assert [change.change_type for change in changes] == ["NoChange"]
        second.resources.resource_groups.begin_delete("rg-http").result()
        assert list(second.containers.container_groups.list()) == []
        second.resources.resource_groups.create_or_update("rg-http", {"location": "westeurope"})

        generation = manager.generation()
        manager.reset()
        assert manager.generation() != generation
        assert list(second.resources.resource_groups.list()) == []
    finally:
        manager.stop()
    assert manager.status().running is False
    assert manager.generation() is None
