"""Container groups through a template and the ACI client: state, IP, FQDN, secrets, logs, verbs."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import GROUP, LOCATION, Deploy, aci_template
from iacli_azure.emulator.transport import EmulatorClients


@pytest.fixture
def deployed(deploy: Deploy) -> Any:
    return deploy(aci_template(), {"dbPassword": "s3cret!"})


def test_deployment_succeeds_with_outputs_from_reference(deployed: Any) -> None:
    assert deployed.properties.provisioning_state == "Succeeded"
    outputs = {name: item["value"] for name, item in deployed.properties.outputs.items()}
    assert outputs["fqdn"] == f"hello-emu.{LOCATION}.azurecontainer.io"
    assert outputs["ip"].count(".") == 3
    assert outputs["state"] == "Running"


def test_container_group_state_ip_fqdn_through_the_aci_client(
    deployed: Any, clients: EmulatorClients
) -> None:
    group = clients.containers.container_groups.get(GROUP, "hello")
    assert group.provisioning_state == "Succeeded"
    assert group.instance_view.state == "Running"
    assert group.ip_address.fqdn == f"hello-emu.{LOCATION}.azurecontainer.io"
    assert group.ip_address.ip == deployed.properties.outputs["ip"]["value"]
    assert group.restart_policy == "OnFailure"
    container = group.containers[0]
    assert container.resources.requests.cpu == 1
    assert container.resources.requests.memory_in_gb == 1.5
    assert container.instance_view.current_state.state == "Running"
    assert container.instance_view.restart_count == 0
    assert [event.name for event in container.instance_view.events] == ["Pulling", "Pulled", "Started"]


def test_secure_values_are_never_returned_or_stored(
    deployed: Any, clients: EmulatorClients, emulator: Any
) -> None:
    container = clients.containers.container_groups.get(GROUP, "hello").containers[0]
    variables = {item.name: item for item in container.environment_variables}
    assert variables["MODE"].value == "production"
    assert variables["DB_PASSWORD"].secure_value is None and variables["DB_PASSWORD"].value is None
    assert "s3cret!" not in repr(emulator.state.snapshot())
    parameters = clients.deployments.deployments.get(GROUP, "main").properties.parameters
    assert parameters["dbPassword"] == {"type": "SecureString"}


def test_logs_and_list_by_resource_group(deployed: Any, clients: EmulatorClients) -> None:
    logs = clients.containers.containers.list_logs(GROUP, "hello", "web")
    assert logs.content == "listening on port 80\n"
    names = [item.name for item in clients.containers.container_groups.list_by_resource_group(GROUP)]
    assert names == ["hello"]
    assert [item.name for item in clients.containers.container_groups.list()] == ["hello"]


def test_restart_stop_start(deployed: Any, clients: EmulatorClients) -> None:
    operations = clients.containers.container_groups
    operations.begin_restart(GROUP, "hello").result()
    container = operations.get(GROUP, "hello").containers[0]
    assert [event.name for event in container.instance_view.events][-2:] == ["Killing", "Started"]
    assert (
        clients.containers.containers.list_logs(GROUP, "hello", "web", tail=1).content
        == "listening on port 80\n"
    )
    operations.stop(GROUP, "hello")
    stopped = operations.get(GROUP, "hello")
    assert stopped.instance_view.state == "Stopped"
    assert stopped.containers[0].instance_view.current_state.state == "Terminated"
    operations.begin_start(GROUP, "hello").result()
    assert operations.get(GROUP, "hello").instance_view.state == "Running"


def test_unknown_image_logs_say_nothing_runs(deploy: Deploy, clients: EmulatorClients) -> None:
    deploy(aci_template(), {"dbPassword": "x", "image": "example.azurecr.io/app:1"})
    content = clients.containers.containers.list_logs(GROUP, "hello", "web").content
    assert "emulated" in content and "example.azurecr.io/app:1" in content


def test_dns_label_conflict_in_the_same_region_fails(deploy: Deploy, clients: EmulatorClients) -> None:
    deploy(aci_template(), {"dbPassword": "x"})
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as failure:
        deploy(aci_template(), {"dbPassword": "x", "name": "other"}, name="second")
    assert failure.value.error.code == "InvalidTemplateDeployment"
    assert failure.value.error.details[0].code == "Conflict"


def test_container_group_created_and_deleted_with_the_aci_client(
    clients: EmulatorClients, group: str
) -> None:
    from azure.mgmt.containerinstance import models

    container = models.Container(
        name="c1",
        image="nginx:1.25",
        resources=models.ResourceRequirements(requests=models.ResourceRequests(cpu=0.5, memory_in_gb=1)),
    )
    address = models.IpAddress(type="Public", ports=[models.Port(port=80)], dns_name_label="direct-emu")
    body = models.ContainerGroup(
        location=LOCATION, os_type="Linux", containers=[container], ip_address=address
    )
    operations = clients.containers.container_groups
    created = operations.begin_create_or_update(group, "direct", body).result()
    assert created.provisioning_state == "Succeeded" and created.instance_view.state == "Running"
    assert created.ip_address.fqdn == f"direct-emu.{LOCATION}.azurecontainer.io"
    assert "ready for start up" in clients.containers.containers.list_logs(group, "direct", "c1").content
    operations.begin_delete(group, "direct").result()
    assert list(operations.list_by_resource_group(group)) == []
