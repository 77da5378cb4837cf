"""Key Vault in the emulator: vaults and secrets (values write-only), parameter references resolved by
deployments, validation and what-if with ARM's error codes, and ``$filter`` on resource lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from emu_helpers import GROUP, Deploy, aci_template, template
from iacli_azure.emulator.handlers.base import secret_hash
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients

VAULT = "Microsoft.KeyVault/vaults"


def vault_template(enabled: bool = True) -> dict[str, Any]:
    return template(
        [
            {
                "type": VAULT,
                "apiVersion": "2023-07-01",
                "name": "ordersvault",
                "location": "[resourceGroup().location]",
                "properties": {
                    "tenantId": "[subscription().tenantId]",
                    "sku": {"family": "A", "name": "standard"},
                    "enabledForTemplateDeployment": enabled,
                },
            },
            {
                "type": f"{VAULT}/secrets",
                "apiVersion": "2023-07-01",
                "name": "ordersvault/api-key",
                "dependsOn": [f"[resourceId('{VAULT}', 'ordersvault')]"],
                "properties": {"value": "[parameters('value')]"},
            },
        ],
        parameters={"value": {"type": "securestring"}},
    )


def vault_id(emulator: Emulator) -> str:
    return f"/subscriptions/{emulator.state.subscription_id}/resourceGroups/{GROUP}/providers/{VAULT}/ordersvault"


def reference(emulator: Emulator, secret: str = "api-key", **extra: Any) -> dict[str, Any]:
    return {"reference": {"keyVault": {"id": vault_id(emulator)}, "secretName": secret, **extra}}


def echo_template() -> dict[str, Any]:
    """Outputs the secure parameter's value (as a plain string), so a test can see what ARM resolved."""
    return template([], {"seen": {"type": "string", "value": "[parameters('s')]"}},
                    parameters={"s": {"type": "securestring"}})


def deploy_with(clients: EmulatorClients, template_doc: dict[str, Any], parameters: dict[str, Any],
                name: str = "uses-secret") -> Any:
    body = {"properties": {"template": template_doc, "parameters": parameters, "mode": "Incremental"}}
    return clients.deployments.deployments.begin_create_or_update(GROUP, name, body).result()


def test_secret_value_is_write_only_and_never_stored_in_clear(
        deploy: Deploy, clients: EmulatorClients, emulator: Emulator) -> None:
    deploy(vault_template(), {"value": "s3cr3t"})
    secret = clients.resources.resources.get_by_id(f"{vault_id(emulator)}/secrets/api-key", api_version="2023-07-01")
    assert "value" not in secret.properties
    assert secret.properties["secretUri"] == "https://ordersvault.vault.azure.net/secrets/api-key"
    assert secret.properties["secretUriWithVersion"].startswith(secret.properties["secretUri"] + "/")
    vault = clients.resources.resources.get_by_id(vault_id(emulator), api_version="2023-07-01")
    assert vault.properties["vaultUri"] == "https://ordersvault.vault.azure.net/"
    assert "s3cr3t" not in json.dumps(emulator.state.snapshot())


def test_a_reference_resolves_to_the_secret_and_is_returned_as_sent(
        deploy: Deploy, clients: EmulatorClients, emulator: Emulator) -> None:
    deploy(vault_template(), {"value": "s3cr3t"})
    result = deploy_with(clients, echo_template(), {"s": reference(emulator)})
    assert result.properties.outputs["seen"]["value"] == secret_hash("s3cr3t")
    assert result.properties.parameters["s"] == {
        "type": "SecureString", "reference": reference(emulator)["reference"]}


def test_a_container_secure_value_from_key_vault_equals_the_clear_value(
        deploy: Deploy, clients: EmulatorClients, emulator: Emulator) -> None:
    deploy(vault_template(), {"value": "s3cr3t"})
    params = {"name": {"value": "web"}, "image": {"value": "nginx:1.27"}, "dbPassword": reference(emulator)}
    deploy_with(clients, aci_template(), params, name="aci")
    by_vault = emulator.state.resources(GROUP)
    [group] = [r for r in by_vault if r.type == "Microsoft.ContainerInstance/containerGroups"]
    variables = group.declared["properties"]["containers"][0]["properties"]["environmentVariables"]
    assert {"name": "DB_PASSWORD", "secureValue": secret_hash("s3cr3t")} in variables
    changes = clients.deployments.deployments.begin_what_if(
        GROUP, "again", {"properties": {"template": aci_template(), "parameters": params, "mode": "Incremental"}}
    ).result().changes
    assert {c.change_type for c in changes if "containerGroups" in c.resource_id} == {"NoChange"}


@pytest.mark.parametrize(
    ("make_reference", "code", "words"),
    [
        (lambda e: {"reference": {"keyVault": {"id": vault_id(e) + "x"}, "secretName": "api-key"}},
         "KeyVaultParameterReferenceNotFound", "could not be found"),
        (lambda e: reference(e, "missing"), "KeyVaultParameterReferenceSecretRetrieveFailed", "'NotFound'"),
        (lambda e: reference(e, secretVersion="0" * 32), "KeyVaultParameterReferenceSecretRetrieveFailed",
         "'NotFound'"),
        (lambda e: {"reference": {"keyVault": {}, "secretName": "api-key"}}, "InvalidRequestContent", "keyVault.id"),
    ],
)
def test_bad_references_fail_preflight_with_arm_codes(
        deploy: Deploy, clients: EmulatorClients, emulator: Emulator, make_reference: Any, code: str, words: str
) -> None:
    deploy(vault_template(), {"value": "s3cr3t"})
    with pytest.raises(HttpResponseError) as raised:
        deploy_with(clients, echo_template(), {"s": make_reference(emulator)})
    assert raised.value.error.code == code and words in raised.value.error.message
    assert emulator.state.deployment(GROUP, "uses-secret") is None


def test_a_vault_closed_to_template_deployments_refuses(
        deploy: Deploy, clients: EmulatorClients, emulator: Emulator) -> None:
    deploy(vault_template(enabled=False), {"value": "s3cr3t"})
    body = {"properties": {"template": echo_template(), "parameters": {"s": reference(emulator)}, "mode": "Incremental"}}
    for call in (clients.deployments.deployments.begin_validate, clients.deployments.deployments.begin_what_if):
        with pytest.raises(HttpResponseError) as raised:
            call(GROUP, "check", body).result()
        assert raised.value.error.code == "KeyVaultParameterReferenceSecretRetrieveFailed"
        assert "'Forbidden'" in raised.value.error.message and "enabledForTemplateDeployment" in raised.value.error.message


def test_resource_lists_honour_filter(deploy: Deploy, clients: EmulatorClients) -> None:
    deploy(vault_template(), {"value": "s3cr3t"})
    found = clients.resources.resources.list(filter=f"resourceType eq '{VAULT}' and name eq 'OrdersVault'")
    assert [r.name for r in found] == ["ordersvault"]
    assert list(clients.resources.resources.list(filter="resourceType eq 'Microsoft.Web/sites'")) == []
    in_group = clients.resources.resources.list_by_resource_group(GROUP, filter=f"resourceType eq '{VAULT}'")
    assert [r.name for r in in_group] == ["ordersvault"]
    with pytest.raises(HttpResponseError) as raised:
        list(clients.resources.resources.list(filter="startswith(name, 'orders')"))
    assert raised.value.error.code == "InvalidFilterInQueryString"
