"""Shared constants and template builders of the emulator tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

GROUP = "rg-emu"
LOCATION = "westeurope"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"

Deploy = Callable[..., Any]


def template(
    resources: list[dict[str, Any]], outputs: Mapping[str, Any] | None = None, **sections: Any
) -> dict[str, Any]:
    """A deploymentTemplate document."""
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        **sections,
        "resources": resources,
        "outputs": dict(outputs or {}),
    }


def deployment_body(
    template_doc: Mapping[str, Any], parameters: Mapping[str, Any] | None = None, mode: str = "Incremental"
) -> dict[str, Any]:
    """A deployment PUT body; ``parameters`` are plain values."""
    return {
        "properties": {
            "template": dict(template_doc),
            "parameters": {name: {"value": value} for name, value in (parameters or {}).items()},
            "mode": mode,
        }
    }


ACI = "Microsoft.ContainerInstance/containerGroups"


def aci_template() -> dict[str, Any]:
    """A container group with image, cpu/memory, ports, public IP + DNS label, env vars and a secret."""
    return template(
        [
            {
                "type": ACI,
                "apiVersion": "2023-05-01",
                "name": "[parameters('name')]",
                "location": "[resourceGroup().location]",
                "properties": {
                    "containers": [
                        {
                            "name": "web",
                            "properties": {
                                "image": "[parameters('image')]",
                                "ports": [{"port": 80, "protocol": "TCP"}],
                                "environmentVariables": [
                                    {"name": "MODE", "value": "production"},
                                    {"name": "DB_PASSWORD", "secureValue": "[parameters('dbPassword')]"},
                                ],
                                "resources": {"requests": {"cpu": "[parameters('cpu')]", "memoryInGB": 1.5}},
                            },
                        }
                    ],
                    "osType": "Linux",
                    "restartPolicy": "OnFailure",
                    "ipAddress": {
                        "type": "Public",
                        "dnsNameLabel": "[parameters('dnsLabel')]",
                        "ports": [{"port": 80, "protocol": "TCP"}],
                    },
                },
            }
        ],
        outputs={
            "fqdn": {
                "type": "string",
                "value": f"[reference(resourceId('{ACI}', parameters('name'))).ipAddress.fqdn]",
            },
            "ip": {
                "type": "string",
                "value": f"[reference(resourceId('{ACI}', parameters('name')), '2023-05-01', 'Full').properties.ipAddress.ip]",
            },
            "state": {"type": "string", "value": "[reference(parameters('name')).instanceView.state]"},
        },
        parameters={
            "name": {"type": "string", "defaultValue": "hello"},
            "image": {"type": "string", "defaultValue": "mcr.microsoft.com/azuredocs/aci-helloworld:latest"},
            "cpu": {"type": "int", "defaultValue": 1},
            "dnsLabel": {"type": "string", "defaultValue": "hello-emu"},
            "dbPassword": {"type": "securestring"},
        },
    )
