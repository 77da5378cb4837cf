"""Secrets on Azure through the CLI against the ARM emulator: container-app's `secrets` as Key Vault
references (ARM reads the vault; iacli never sees the value), and rollbacks of stacks with secure
parameters (the values given again with -p, checked against the history's salted hashes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iacli_azure.emulator.transport import make_clients

VAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "azure-keyvault.json"

APP_TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"password": {"type": "securestring"}, "size": {"type": "string", "defaultValue": "small"}},
    "resources": [{
        "type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "app",
        "location": "[resourceGroup().location]",
        "properties": {"osType": "Linux", "containers": [{"name": "c", "properties": {
            "image": "nginx:1.27",
            "resources": {"requests": {"cpu": "[if(equals(parameters('size'), 'small'), 1, 2)]", "memoryInGB": 1}},
            "environmentVariables": [{"name": "PASSWORD", "secureValue": "[parameters('password')]"}]}}]},
    }],
}


def stored(project: Path) -> bytes:
    """Every byte iacli keeps in the project (the state database and its write-ahead log)."""
    return b"".join(p.read_bytes() for p in sorted((project / ".iacli").rglob("*")) if p.is_file())


def emulator_clients(cli):  # type: ignore[no-untyped-def]
    status = json.loads(cli("sandbox", "status", "--output", "json").stdout)
    return make_clients(status["azure"]["endpoint_url"])


def test_container_app_secrets_come_from_key_vault(azure, cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    azure("deploy", "--template", str(VAULT_TEMPLATE), "--name", "vault", "-p", "vaultName=ordersvault",
          "-p", "secretValue=s3cr3t-value", "--yes")
    app = ("-p", "dns_label=demo", "-p", "secrets=API_KEY=ordersvault/api-key")
    azure("deploy", "container-app", *app, "--yes")

    clients = emulator_clients(cli)
    [deployment] = [d for d in clients.deployments.deployments.list_by_resource_group("container-app-dev")
                    if d.name.startswith("iacli-")]
    sent = deployment.properties.parameters["secret_API_KEY"]
    assert sent["reference"]["secretName"] == "api-key"
    assert sent["reference"]["keyVault"]["id"].endswith("/resourceGroups/vault-dev/providers/Microsoft.KeyVault/vaults/ordersvault")
    assert "value" not in sent
    [group] = json.loads(azure("status", "container-app", "--output", "json").stdout)["container_groups"]
    assert group["state"] == "Running"

    assert "No changes" in azure("plan", "container-app", *app).stdout
    azure("deploy", "container-app", *app, "-p", "cpu=0.5", "-p", "memory=1024", "--yes")
    back = azure("rollback", "container-app", "--yes")  # the history holds the reference: ARM reads the vault again
    assert "Rolled back container-app-dev to release 1" in back.stdout

    state = stored(project)
    assert b"s3cr3t-value" not in state and b"ordersvault/api-key" in state


@pytest.mark.parametrize(
    ("secret", "words"),
    [
        ("API_KEY=nosuchvault/api-key", "Key Vault 'nosuchvault' (secret reference of secret_API_KEY) was not found"),
        ("API_KEY=ordersvault/missing", "KeyVaultParameterReferenceSecretRetrieveFailed"),
        ("API_KEY=not a reference", "is not a Key Vault secret as VAULT/SECRET"),
    ],
)
def test_bad_secret_references_stop_the_plan(azure, secret: str, words: str) -> None:  # type: ignore[no-untyped-def]
    azure("deploy", "--template", str(VAULT_TEMPLATE), "--name", "vault", "-p", "vaultName=ordersvault",
          "-p", "secretValue=x", "--yes")
    azure("deploy", "container-app", "-p", "dns_label=demo", "--yes")  # the group exists: the plan is a what-if
    failed = azure("plan", "container-app", "-p", "dns_label=demo", "-p", f"secrets={secret}", expect=3)
    assert words in failed.stderr
    assert len(failed.stderr.strip().splitlines()) <= 2


def test_rollback_takes_secure_values_again(azure, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "app.json").write_text(json.dumps(APP_TEMPLATE))
    stack = ("--template", "app.json", "--name", "app")
    azure("deploy", *stack, "-p", "password=one", "--yes")
    azure("deploy", *stack, "-p", "password=one", "-p", "size=big", "--yes")

    missing = azure("rollback", *stack, "--yes", expect=3)
    assert "secure parameter(s) password must be given again" in missing.stderr
    other = azure("rollback", *stack, "-p", "size=big", "--yes", expect=2)
    assert "may only give its secret parameters (password), not other values for size" in other.stderr

    same = azure("rollback", *stack, "-p", "password=one", "--yes")
    assert "Rolled back app-dev to release 1" in same.stdout and "warning" not in same.stderr
    changed = azure("rollback", *stack, "--to", "2", "-p", "password=two", "--yes")
    assert "warning: secret password differs from the value release 2 was deployed with" in changed.stderr
    history = json.loads(azure("history", *stack, "--output", "json").stdout)
    assert [(r["number"], r["kind"], r["outcome"]) for r in history][:2] == [
        (4, "rollback", "succeeded"), (3, "rollback", "succeeded")]
    assert b"password=two" not in stored(project) and b'"two"' not in stored(project)


def test_a_saved_plan_takes_secure_values_again(azure, cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "app.json").write_text(json.dumps(APP_TEMPLATE))
    stack = ("--template", "app.json", "--name", "app")
    azure("deploy", *stack, "-p", "password=one", "--yes")
    azure("plan", *stack, "-p", "password=one", "-p", "size=big", "-o", "plan.json")
    saved = (project / "plan.json").read_text()
    assert '"one"' not in saved and "password=one" not in saved

    missing = cli("deploy", "plan.json", "--yes")  # a what-if keeps nothing: ARM needs the value again
    assert missing.exit_code == 3 and "no value for secure parameter(s) password" in missing.stderr
    other = cli("deploy", "plan.json", "-p", "size=small", "--yes")
    assert other.exit_code == 2 and "-p may only give secret values, not size" in other.stderr
    assert cli("deploy", "plan.json", "-p", "password=one", "--yes").exit_code == 0
    history = json.loads(azure("history", *stack, "--output", "json").stdout)
    assert [(r["number"], r["outcome"]) for r in history] == [(2, "succeeded"), (1, "succeeded")]
