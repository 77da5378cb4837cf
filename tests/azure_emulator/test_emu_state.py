"""The state model: JSON snapshots, secrets kept as hashes, slow deployments (async polls), cancel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from emu_helpers import GROUP, Deploy, aci_template, deployment_body, template
from iacli_azure.emulator.resources import EmulatorOptions
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.state import EmulatorState
from iacli_azure.emulator.support import SupportLevel
from iacli_azure.emulator.transport import make_clients


def test_snapshot_round_trips_through_json(deploy: Deploy, emulator: Emulator) -> None:
    deploy(aci_template(), {"dbPassword": "hunter2"})
    snapshot = json.loads(json.dumps(emulator.state.snapshot()))
    assert "hunter2" not in json.dumps(snapshot)
    restored = EmulatorState()
    restored.restore(snapshot)
    assert restored.snapshot() == snapshot
    copy = Emulator(state=restored)
    clients = make_clients(copy)
    assert clients.containers.container_groups.get(GROUP, "hello").instance_view.state == "Running"
    record = restored.deployment(GROUP, "main")
    assert (
        record is not None
        and record.parameters["dbPassword"].sha256
        and record.parameters["dbPassword"].value is None
    )


def test_slow_deployments_poll_running_then_succeed() -> None:
    emulator = Emulator(EmulatorOptions(async_polls=2))
    clients = make_clients(emulator)
    clients.resources.resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    body = deployment_body(aci_template(), {"dbPassword": "pw"})
    poller = clients.deployments.deployments.begin_create_or_update(GROUP, "slow", body)
    assert clients.deployments.deployments.get(GROUP, "slow").properties.provisioning_state == "Running"
    assert poller.result().properties.provisioning_state == "Succeeded"


def test_cancel_a_pending_deployment_creates_nothing() -> None:
    emulator = Emulator(EmulatorOptions(async_polls=5))
    clients = make_clients(emulator)
    clients.resources.resource_groups.create_or_update(GROUP, {"location": "westeurope"})
    body = deployment_body(aci_template(), {"dbPassword": "pw"})
    poller = clients.deployments.deployments.begin_create_or_update(GROUP, "slow", body)
    clients.deployments.deployments.cancel(GROUP, "slow")
    with pytest.raises(HttpResponseError):
        poller.result()
    assert clients.deployments.deployments.get(GROUP, "slow").properties.provisioning_state == "Canceled"
    assert list(clients.resources.resources.list_by_resource_group(GROUP)) == []
    with pytest.raises(HttpResponseError) as raised:
        clients.deployments.deployments.cancel(GROUP, "slow")
    assert raised.value.error.code == "DeploymentCannotBeCancelled"


@pytest.mark.parametrize(
    ("resource_type", "level"),
    [
        ("Microsoft.Storage/storageAccounts", SupportLevel.MODELLED),
        ("Microsoft.Storage/storageAccounts/managementPolicies", SupportLevel.RECORDED),
        ("Microsoft.EventHub/namespaces/eventhubs", SupportLevel.RECORDED),
        ("Microsoft.Resources/deploymentScripts", SupportLevel.UNSUPPORTED),
        ("Contoso.Widgets/widgets", SupportLevel.UNSUPPORTED),
    ],
)
def test_support_levels(emulator: Emulator, resource_type: str, level: SupportLevel) -> None:
    assert emulator.providers.support(resource_type) is level


def test_extra_namespaces_are_recorded() -> None:
    emulator = Emulator(EmulatorOptions(extra_namespaces=frozenset({"Contoso.Widgets"})))
    assert emulator.providers.support("Contoso.Widgets/widgets") is SupportLevel.RECORDED


def test_errors_have_arm_shape_for_unknown_paths(clients: Any) -> None:
    with pytest.raises(HttpResponseError) as raised:
        clients.resources.resource_groups.get("missing")
    assert raised.value.error.code == "ResourceGroupNotFound"
    assert raised.value.status_code == 404


def test_write_only_secrets_are_hashed_hidden_and_still_compared(
    deploy: Deploy, what_if: Any, clients: Any
) -> None:

    server = {
        "type": "Microsoft.Sql/servers",
        "apiVersion": "2022-05-01-preview",
        "name": "emu-sql",
        "location": "[resourceGroup().location]",
        "properties": {
            "administratorLogin": "admin",
            "administratorLoginPassword": "[parameters('password')]",
        },
    }
    doc = template([server], parameters={"password": {"type": "securestring"}})
    deploy(doc, {"password": "Pa55w0rd!"})
    resource_id = f"/subscriptions/{clients.resources._config.subscription_id}/resourceGroups/{GROUP}/providers/Microsoft.Sql/servers/emu-sql"
    body = clients.resources.resources.get_by_id(resource_id, api_version="2022-05-01-preview")
    assert "administratorLoginPassword" not in body.properties
    assert body.properties["fullyQualifiedDomainName"] == "emu-sql.database.windows.net"
    assert [change.change_type for change in what_if(doc, {"password": "Pa55w0rd!"})] == ["NoChange"]
    assert [change.change_type for change in what_if(doc, {"password": "changed"})] == ["Modify"]
