"""ARM templates of the Azure provider tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
ACI = "Microsoft.ContainerInstance/containerGroups"
STORAGE = "Microsoft.Storage/storageAccounts"


def storage(name: str) -> dict[str, Any]:
    return {"type": STORAGE, "apiVersion": "2023-01-01", "name": name, "location": "[resourceGroup().location]",
            "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {}}


def container_group(env: list[dict[str, Any]] | None = None, dns: str = "[parameters('dnsLabel')]") -> dict[str, Any]:
    return {
        "type": ACI, "apiVersion": "2023-05-01", "name": "web", "location": "[resourceGroup().location]",
        "tags": {"team": "web"},
        "properties": {
            "containers": [{"name": "web", "properties": {
                "image": "mcr.microsoft.com/azuredocs/aci-helloworld:latest",
                "ports": [{"port": 80, "protocol": "TCP"}],
                "environmentVariables": env or [{"name": "MODE", "value": "prod"}],
                "resources": {"requests": {"cpu": "[parameters('cpu')]", "memoryInGB": 1.5}}}}],
            "osType": "Linux", "restartPolicy": "OnFailure",
            "ipAddress": {"type": "Public", "dnsNameLabel": dns, "ports": [{"port": 80, "protocol": "TCP"}]},
        },
    }


def app_template(extra: list[dict[str, Any]] | None = None, secret: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "storageName": {"type": "string", "minLength": 3, "maxLength": 24},
        "cpu": {"type": "int", "defaultValue": 1, "allowedValues": [1, 2, 3, 4]},
        "dnsLabel": {"type": "string", "defaultValue": "azp-web"},
    }
    env = None
    if secret:
        params["dbPassword"] = {"type": "securestring"}
        env = [{"name": "DB_PASSWORD", "secureValue": "[parameters('dbPassword')]"}]
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": params,
        "resources": [storage("[parameters('storageName')]"), container_group(env), *(extra or [])],
        "outputs": {
            "apiUrl": {"type": "string", "value": "[concat('http://', reference('web').ipAddress.fqdn)]"},
            "storageName": {"type": "string", "value": "[parameters('storageName')]"},
        },
    }


def write(path: Path, body: dict[str, Any]) -> Path:
    path.write_text(json.dumps(body, indent=2))
    return path
