"""Deployments through the SDK: reference/listKeys chains, outputs, operations, validate, export,
complete mode, nested deployments, resource reads."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from emu_helpers import GROUP, LOCATION, Deploy, deployment_body, template
from iacli_azure.emulator.transport import EmulatorClients

STORAGE = "Microsoft.Storage/storageAccounts"
COSMOS = "Microsoft.DocumentDB/databaseAccounts"


def function_app_template() -> dict[str, Any]:
    """Storage + plan + function app + App Insights + Cosmos DB, wired with listKeys/reference."""
    storage_id = f"[resourceId('{STORAGE}', variables('storage'))]"
    cosmos_id = f"[resourceId('{COSMOS}', variables('cosmos'))]"
    insights_id = "[resourceId('Microsoft.Insights/components', variables('app'))]"
    connection = (
        "[format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1};EndpointSuffix={2}', "
        f"variables('storage'), listKeys({storage_id[1:-1]}, '2022-09-01').keys[0].value, environment().suffixes.storage)]"
    )
    resources = [
        {
            "type": STORAGE,
            "apiVersion": "2022-09-01",
            "name": "[variables('storage')]",
            "location": "[resourceGroup().location]",
            "sku": {"name": "Standard_LRS"},
            "kind": "StorageV2",
        },
        {
            "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "apiVersion": "2022-09-01",
            "name": "[format('{0}/default/uploads', variables('storage'))]",
            "dependsOn": [storage_id],
        },
        {
            "type": COSMOS,
            "apiVersion": "2023-04-15",
            "name": "[variables('cosmos')]",
            "location": "[resourceGroup().location]",
            "kind": "GlobalDocumentDB",
            "properties": {
                "databaseAccountOfferType": "Standard",
                "locations": [{"locationName": "[resourceGroup().location]", "failoverPriority": 0}],
            },
        },
        {
            "type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
            "apiVersion": "2023-04-15",
            "name": "[format('{0}/app', variables('cosmos'))]",
            "properties": {"resource": {"id": "app"}},
            "dependsOn": [cosmos_id],
        },
        {
            "type": "Microsoft.Insights/components",
            "apiVersion": "2020-02-02",
            "name": "[variables('app')]",
            "location": "[resourceGroup().location]",
            "kind": "web",
            "properties": {"Application_Type": "web"},
        },
        {
            "type": "Microsoft.Web/serverfarms",
            "apiVersion": "2022-03-01",
            "name": "[variables('plan')]",
            "location": "[resourceGroup().location]",
            "sku": {"name": "Y1", "tier": "Dynamic"},
            "properties": {},
        },
        {
            "type": "Microsoft.Web/sites",
            "apiVersion": "2022-03-01",
            "name": "[variables('app')]",
            "location": "[resourceGroup().location]",
            "kind": "functionapp",
            "identity": {"type": "SystemAssigned"},
            "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', variables('plan'))]", storage_id],
            "properties": {
                "serverFarmId": "[resourceId('Microsoft.Web/serverfarms', variables('plan'))]",
                "siteConfig": {
                    "appSettings": [
                        {"name": "AzureWebJobsStorage", "value": connection},
                        {
                            "name": "APPLICATIONINSIGHTS_CONNECTION_STRING",
                            "value": f"[reference({insights_id[1:-1]}).ConnectionString]",
                        },
                        {
                            "name": "COSMOS_ENDPOINT",
                            "value": f"[reference({cosmos_id[1:-1]}).documentEndpoint]",
                        },
                        {
                            "name": "COSMOS_KEY",
                            "value": f"[listKeys({cosmos_id[1:-1]}, '2023-04-15').primaryMasterKey]",
                        },
                        {
                            "name": "COSMOS_CONNECTION",
                            "value": f"[listConnectionStrings({cosmos_id[1:-1]}, '2023-04-15').connectionStrings[0].connectionString]",
                        },
                    ]
                },
            },
        },
        {
            "type": "Microsoft.Authorization/roleAssignments",
            "apiVersion": "2022-04-01",
            "name": f"[guid({storage_id[1:-1]}, variables('app'))]",
            "scope": "[format('Microsoft.Storage/storageAccounts/{0}', variables('storage'))]",
            "dependsOn": ["[resourceId('Microsoft.Web/sites', variables('app'))]"],
            "properties": {
                "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]",
                "principalId": "[reference(resourceId('Microsoft.Web/sites', variables('app')), '2022-03-01', 'Full').identity.principalId]",
                "principalType": "ServicePrincipal",
            },
        },
    ]
    outputs = {
        "hostName": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.Web/sites', variables('app'))).defaultHostName]",
        },
        "blobEndpoint": {"type": "string", "value": f"[reference({storage_id[1:-1]}).primaryEndpoints.blob]"},
        "cosmosEndpoint": {"type": "string", "value": f"[reference({cosmos_id[1:-1]}).documentEndpoint]"},
        "principalId": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.Web/sites', variables('app')), '2022-03-01', 'Full').identity.principalId]",
        },
        "secret": {"type": "securestring", "value": "[variables('storage')]"},
        "storageKey": {
            "type": "string",
            "value": f"[listKeys({storage_id[1:-1]}, '2022-09-01').keys[0].value]",
        },
    }
    variables = {
        "suffix": "[uniqueString(resourceGroup().id)]",
        "storage": "[format('st{0}', variables('suffix'))]",
        "cosmos": "[format('cosmos-{0}', variables('suffix'))]",
        "app": "[format('func-{0}', variables('suffix'))]",
        "plan": "[format('plan-{0}', variables('suffix'))]",
    }
    return template(resources, outputs, variables=variables)


@pytest.fixture
def function_app(deploy: Deploy) -> Any:
    return deploy(function_app_template(), name="functions")


def test_reference_and_list_chains(function_app: Any, clients: EmulatorClients) -> None:
    outputs = {name: item.get("value") for name, item in function_app.properties.outputs.items()}
    app = outputs["hostName"].split(".")[0]
    suffix = app.removeprefix("func-")
    assert outputs["hostName"] == f"func-{suffix}.azurewebsites.net"
    assert outputs["blobEndpoint"] == f"https://st{suffix}.blob.core.windows.net/"
    assert outputs["cosmosEndpoint"] == f"https://cosmos-{suffix}.documents.azure.com:443/"
    site = clients.resources.resources.get_by_id(
        f"/subscriptions/{clients.resources._config.subscription_id}/resourceGroups/{GROUP}/providers/Microsoft.Web/sites/{app}",
        api_version="2022-03-01",
    )
    settings = {item["name"]: item["value"] for item in site.properties["siteConfig"]["appSettings"]}
    key = outputs["storageKey"]
    assert settings["AzureWebJobsStorage"] == (
        f"DefaultEndpointsProtocol=https;AccountName=st{suffix};AccountKey={key};EndpointSuffix=core.windows.net"
    )
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].startswith("InstrumentationKey=")
    assert settings["COSMOS_ENDPOINT"] == outputs["cosmosEndpoint"]
    assert (
        settings["COSMOS_CONNECTION"]
        == f"AccountEndpoint={outputs['cosmosEndpoint']};AccountKey={settings['COSMOS_KEY']};"
    )
    assert site.identity.principal_id == outputs["principalId"]
    assert function_app.properties.outputs["secret"] == {"type": "SecureString"}  # never returned
    assert site.properties["state"] == "Running"


def test_operations_and_output_resources(function_app: Any, clients: EmulatorClients) -> None:
    operations = list(clients.deployments.deployment_operations.list(GROUP, "functions"))
    assert {op.properties.provisioning_state for op in operations} == {"Succeeded"}
    assert {op.properties.status_code for op in operations} == {"Created", "OK"}
    types = sorted(
        op.properties.target_resource.resource_type for op in operations if op.properties.target_resource
    )
    assert types == sorted(
        [
            STORAGE,
            f"{STORAGE}/blobServices/containers",
            COSMOS,
            f"{COSMOS}/sqlDatabases",
            "Microsoft.Insights/components",
            "Microsoft.Web/serverfarms",
            "Microsoft.Web/sites",
            "Microsoft.Authorization/roleAssignments",
        ]
    )
    assert operations[-1].properties.provisioning_operation == "EvaluateDeploymentOutput"
    assert len(function_app.properties.output_resources) == 8


def test_role_assignment_is_attached_to_the_storage_account(
    function_app: Any, clients: EmulatorClients
) -> None:
    outputs = function_app.properties.outputs
    account_id = next(
        item.id
        for item in function_app.properties.output_resources
        if item.id.endswith("/" + outputs["blobEndpoint"]["value"].split("//")[1].split(".")[0])
    )
    assignment = next(
        item.id for item in function_app.properties.output_resources if "roleAssignments" in item.id
    )
    assert assignment.startswith(account_id + "/providers/Microsoft.Authorization/roleAssignments/")
    body = clients.resources.resources.get_by_id(assignment, api_version="2022-04-01")
    assert body.properties["principalId"] == outputs["principalId"]["value"]
    assert body.properties["scope"] == account_id


def test_redeploy_is_an_update(function_app: Any, deploy: Deploy, clients: EmulatorClients) -> None:
    again = deploy(function_app_template(), name="functions")
    assert again.properties.provisioning_state == "Succeeded"
    codes = {
        op.properties.status_code for op in clients.deployments.deployment_operations.list(GROUP, "functions")
    }
    assert codes == {"OK"}


def test_get_list_export_validate_delete(function_app: Any, clients: EmulatorClients) -> None:
    operations = clients.deployments.deployments
    assert operations.check_existence(GROUP, "functions") is True
    assert [item.name for item in operations.list_by_resource_group(GROUP)] == ["functions"]
    assert operations.export_template(GROUP, "functions").template == function_app_template()
    validated = operations.begin_validate(GROUP, "check", deployment_body(function_app_template())).result()
    assert validated.properties.provisioning_state == "Succeeded"
    assert len(validated.properties.validated_resources) == 8
    assert operations.check_existence(GROUP, "check") is False
    operations.begin_delete(GROUP, "functions").result()
    assert operations.check_existence(GROUP, "functions") is False
    assert len(list(clients.resources.resources.list_by_resource_group(GROUP))) == 5  # resources stay


def test_validate_reports_template_errors(clients: EmulatorClients, group: str) -> None:
    body = deployment_body(
        template([{"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": "[nope()]"}])
    )
    with pytest.raises(HttpResponseError) as raised:
        clients.deployments.deployments.begin_validate(group, "check", body).result()
    assert raised.value.error.code == "InvalidTemplate"


def test_complete_mode_deletes_undeclared_resources(
    function_app: Any, deploy: Deploy, clients: EmulatorClients
) -> None:
    account = {
        "type": STORAGE,
        "apiVersion": "2022-09-01",
        "name": "emukeep01",
        "location": LOCATION,
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
    }
    result = deploy(template([account]), name="complete", mode="Complete")
    assert result.properties.mode == "Complete"
    remaining = [item.name for item in clients.resources.resources.list_by_resource_group(GROUP)]
    assert remaining == ["emukeep01"]
    deletes = [
        op.properties.target_resource.resource_type
        for op in clients.deployments.deployment_operations.list(GROUP, "complete")
        if op.properties.provisioning_operation == "Delete"
    ]
    assert len(deletes) == 5


def test_nested_inner_and_outer_deployments(deploy: Deploy, clients: EmulatorClients) -> None:
    inner_template = template(
        [
            {
                "type": STORAGE,
                "apiVersion": "2022-09-01",
                "name": "[parameters('name')]",
                "location": "[resourceGroup().location]",
                "sku": {"name": "Standard_LRS"},
                "kind": "StorageV2",
            }
        ],
        {"blob": {"type": "string", "value": "[reference(parameters('name')).primaryEndpoints.blob]"}},
        parameters={"name": {"type": "string"}},
    )
    outer_template = template(
        [
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-04-01",
                "name": "[variables('ipName')]",
                "location": "[resourceGroup().location]",
                "properties": {"dnsSettings": {"domainNameLabel": "emu-ip"}},
            }
        ],
    )
    doc = template(
        [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "inner",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"name": {"value": "emunested01"}},
                    "template": inner_template,
                },
            },
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "outer",
                "properties": {"mode": "Incremental", "template": outer_template},
            },
        ],
        {
            "blob": {"type": "string", "value": "[reference('inner').outputs.blob.value]"},
            "fqdn": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.Network/publicIPAddresses', variables('ipName'))).dnsSettings.fqdn]",
            },
        },
        variables={"ipName": "emu-ip"},
    )
    result = deploy(doc, name="parent")
    outputs = {name: item["value"] for name, item in result.properties.outputs.items()}
    assert outputs == {
        "blob": "https://emunested01.blob.core.windows.net/",
        "fqdn": f"emu-ip.{LOCATION}.cloudapp.azure.com",
    }
    names = sorted(item.name for item in clients.deployments.deployments.list_by_resource_group(GROUP))
    assert names == ["inner", "outer", "parent"]


def test_resource_group_lifecycle(clients: EmulatorClients, deploy: Deploy, function_app: Any) -> None:
    groups = clients.resources.resource_groups
    assert groups.check_existence(GROUP) is True
    assert [item.name for item in groups.list()] == [GROUP]
    with pytest.raises(HttpResponseError) as raised:
        groups.create_or_update(GROUP, {"location": "eastus"})
    assert raised.value.error.code == "InvalidResourceGroupLocation"
    groups.begin_delete(GROUP).result()
    assert groups.check_existence(GROUP) is False
    with pytest.raises(ResourceNotFoundError) as missing:
        groups.get(GROUP)
    assert missing.value.error.code == "ResourceGroupNotFound"
    assert list(clients.containers.container_groups.list()) == []
    assert list(clients.resources.resources.list()) == []


def test_generic_resource_put_get_delete_by_id(clients: EmulatorClients, group: str) -> None:
    resource_id = f"/subscriptions/{clients.resources._config.subscription_id}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/emu-kv"
    body = {
        "location": LOCATION,
        "properties": {
            "tenantId": "00000000-0000-0000-0000-000000000000",
            "sku": {"family": "A", "name": "standard"},
        },
    }
    created = clients.resources.resources.begin_create_or_update_by_id(
        resource_id, body, api_version="2023-02-01"
    ).result()
    assert created.properties["vaultUri"] == "https://emu-kv.vault.azure.net/"
    assert clients.resources.resources.check_existence_by_id(resource_id, api_version="2023-02-01") is True
    clients.resources.resources.begin_delete_by_id(resource_id, api_version="2023-02-01").result()
    assert clients.resources.resources.check_existence_by_id(resource_id, api_version="2023-02-01") is False
