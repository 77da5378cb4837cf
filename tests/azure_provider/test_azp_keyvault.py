"""Secret references of the Azure provider: the accepted forms, and vaults found by name through the SDK."""

from __future__ import annotations

import pytest
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import make_clients
from iacli_azure.keyvault import SecretReference, VaultLookup, parse_reference, template_references

from iacli.errors import ParameterError

VAULT_ID = "/subscriptions/s1/resourceGroups/g1/providers/Microsoft.KeyVault/vaults/ordersvault"
VERSION = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ordersvault/api-key", SecretReference("ordersvault/api-key", "ordersvault", "api-key")),
        ("https://ordersvault.vault.azure.net/secrets/api-key",
         SecretReference("https://ordersvault.vault.azure.net/secrets/api-key", "ordersvault", "api-key")),
        (f"https://ordersvault.vault.azure.net/secrets/api-key/{VERSION}",
         SecretReference(f"https://ordersvault.vault.azure.net/secrets/api-key/{VERSION}", "ordersvault", "api-key",
                         VERSION)),
        (f"{VAULT_ID}/secrets/api-key", SecretReference(f"{VAULT_ID}/secrets/api-key", "ordersvault", "api-key",
                                                        None, VAULT_ID)),
    ],
)
def test_reference_forms(text: str, expected: SecretReference) -> None:
    assert parse_reference(text, "parameter secret_API_KEY") == expected


@pytest.mark.parametrize("text", ["api-key", "orders vault/api-key", "arn:aws:secretsmanager:us-east-1:1:secret:x",
                                  "https://ordersvault.vault.azure.net/keys/k", "v/a/b"])
def test_other_texts_are_refused_naming_the_parameter(text: str) -> None:
    with pytest.raises(ParameterError, match="of parameter secret_X is not a Key Vault secret"):
        parse_reference(text, "parameter secret_X")


def test_template_references_read_parameter_metadata() -> None:
    body = {"parameters": {"secret_A": {"type": "securestring", "metadata": {"iacliSecretReference": "v1/a"}},
                           "plain": {"type": "string", "metadata": {"description": "x"}}}}
    assert template_references(body) == {"secret_A": "v1/a"}


def test_vaults_are_found_by_name() -> None:
    emulator = Emulator()
    clients = make_clients(emulator)
    clients.resources.resource_groups.create_or_update("g1", {"location": "westeurope"})
    clients.resources.resources.begin_create_or_update_by_id(
        f"/subscriptions/{emulator.state.subscription_id}/resourceGroups/g1/providers/Microsoft.KeyVault/vaults/ordersvault",
        api_version="2023-07-01",
        parameters={"location": "westeurope", "properties": {"enabledForTemplateDeployment": True}}).result()
    lookup = VaultLookup(clients.resources)
    body = lookup.arm_reference(parse_reference(f"https://OrdersVault.vault.azure.net/secrets/api-key/{VERSION}", "p"), "p")
    assert body == {"keyVault": {"id": f"/subscriptions/{emulator.state.subscription_id}/resourceGroups/g1/providers/"
                                       "Microsoft.KeyVault/vaults/ordersvault"},
                    "secretName": "api-key", "secretVersion": VERSION}
    with pytest.raises(ParameterError, match="Key Vault 'elsewhere' .* was not found"):
        lookup.arm_reference(parse_reference("elsewhere/api-key", "p"), "p")
