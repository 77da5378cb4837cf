"""Failures in ARM's shape through the SDK: preflight (400, synchronous) and execution (async)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from emu_helpers import GROUP, Deploy, template
from iacli_azure.emulator.transport import EmulatorClients

STORAGE_TYPE = "Microsoft.Storage/storageAccounts"


def storage(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": STORAGE_TYPE,
        "apiVersion": "2022-09-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        **extra,
    }


def failure(deploy: Deploy, template_doc: dict[str, Any], **kwargs: Any) -> Any:
    with pytest.raises(HttpResponseError) as raised:
        deploy(template_doc, **kwargs)
    return raised.value


def test_unsupported_function_is_invalid_template_naming_it(deploy: Deploy) -> None:
    error = failure(deploy, template([storage("[toUpperFirst('x')]")]))
    assert error.status_code == 400
    assert error.error.code == "InvalidTemplate"
    assert "toUpperFirst" in error.error.message and "resources[0].name" in error.error.message


def test_expression_syntax_error_is_invalid_template(deploy: Deploy) -> None:
    error = failure(deploy, template([storage("[concat('a', ]")]))
    assert error.error.code == "InvalidTemplate"


def test_dependency_on_a_missing_resource_is_invalid_template(deploy: Deploy) -> None:
    error = failure(
        deploy, template([storage("emuerr01", dependsOn=["[resourceId('Microsoft.Web/sites', 'nope')]"])])
    )
    assert error.error.code == "InvalidTemplate"
    assert "nope" in error.error.message


def test_missing_parameter_is_invalid_template(deploy: Deploy) -> None:
    doc = template([storage("[parameters('name')]")], parameters={"name": {"type": "string"}})
    error = failure(deploy, doc)
    assert error.error.code == "InvalidTemplate" and "'name'" in error.error.message


def test_unsupported_namespace_is_refused_before_anything_is_created(
    deploy: Deploy, clients: EmulatorClients
) -> None:
    doc = template(
        [storage("emuerr02"), {"type": "Contoso.Widgets/widgets", "apiVersion": "2020-01-01", "name": "w"}]
    )
    error = failure(deploy, doc)
    assert error.error.code == "InvalidTemplateDeployment"
    assert error.error.details[0].code == "NoRegisteredProviderFound"
    assert "Contoso.Widgets" in error.error.details[0].message
    assert list(clients.resources.resources.list_by_resource_group(GROUP)) == []


def test_deployment_scripts_are_refused_with_the_reason(deploy: Deploy) -> None:
    script = {
        "type": "Microsoft.Resources/deploymentScripts",
        "apiVersion": "2020-10-01",
        "name": "s",
        "kind": "AzureCLI",
    }
    error = failure(deploy, template([script]))
    assert "runs no scripts" in error.error.details[0].message


def test_invalid_storage_name_fails_preflight(deploy: Deploy) -> None:
    error = failure(deploy, template([storage("Bad_Name")]))
    assert error.status_code == 400
    assert error.error.details[0].code == "AccountNameInvalid"


def test_storage_name_taken_in_another_group_is_a_conflict(deploy: Deploy, clients: EmulatorClients) -> None:
    clients.resources.resource_groups.create_or_update("rg-other", {"location": "northeurope"})
    deploy(template([storage("emutaken01")]), resource_group="rg-other")
    error = failure(deploy, template([storage("emutaken01")]))
    assert error.error.code == "InvalidTemplateDeployment"
    assert error.error.details[0].code == "StorageAccountAlreadyTaken"


def test_execution_failure_is_deployment_failed_with_details(
    deploy: Deploy, clients: EmulatorClients
) -> None:
    missing = (
        "[reference(resourceId('Microsoft.Storage/storageAccounts', 'doesnotexist')).primaryEndpoints.blob]"
    )
    doc = template(
        [
            storage("emufail01", tags={"blob": missing}),
            storage("emufail02", dependsOn=["emufail01"]),
            storage("emufail03"),
        ]
    )
    error = failure(deploy, doc, name="broken")
    assert error.status_code == 200  # the failure arrives on the status poll, as from ARM
    assert error.error.code == "DeploymentFailed"
    assert [detail.code for detail in error.error.details] == ["ResourceNotFound"]
    record = clients.deployments.deployments.get(GROUP, "broken")
    assert record.properties.provisioning_state == "Failed"
    assert record.properties.error.details[0].code == "ResourceNotFound"
    operations = {
        op.properties.target_resource.resource_name: op.properties
        for op in clients.deployments.deployment_operations.list(GROUP, "broken")
        if op.properties.target_resource
    }
    assert operations["emufail01"].provisioning_state == "Failed"
    assert operations["emufail01"].status_code == "NotFound"
    assert operations["emufail01"].status_message.error.code == "ResourceNotFound"
    assert "emufail02" not in operations  # skipped: it depends on the failed one
    assert operations["emufail03"].provisioning_state == "Succeeded"


def test_missing_resource_group_is_not_found(clients: EmulatorClients) -> None:
    with pytest.raises(ResourceNotFoundError) as raised:
        clients.deployments.deployments.begin_create_or_update(
            "nope", "d", {"properties": {"template": template([]), "mode": "Incremental"}}
        )
    assert raised.value.error.code == "ResourceGroupNotFound"


def test_child_without_parent_fails_with_parent_resource_not_found(deploy: Deploy) -> None:
    container = {
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
        "apiVersion": "2022-09-01",
        "name": "nosuchacct/default/images",
    }
    error = failure(deploy, template([container]))
    assert error.error.details[0].code == "ParentResourceNotFound"


def test_output_evaluation_failure(deploy: Deploy) -> None:
    doc = template(
        [storage("emuout01")], outputs={"bad": {"type": "string", "value": "[reference('emuout01').nope]"}}
    )
    error = failure(deploy, doc)
    assert error.error.details[0].code == "DeploymentOutputEvaluationFailed"


def test_location_of_an_existing_resource_cannot_change(deploy: Deploy) -> None:
    deploy(template([storage("emuloc01")]))
    error = failure(deploy, template([storage("emuloc01", location="eastus")]))
    assert error.error.details[0].code == "InvalidResourceLocation"


def test_invalid_mode_and_parameters_file_shape(clients: EmulatorClients, group: str) -> None:
    operations = clients.deployments.deployments
    with pytest.raises(HttpResponseError) as raised:
        operations.begin_create_or_update(
            group, "d", {"properties": {"template": template([]), "mode": "Sideways"}}
        )
    assert raised.value.error.code == "InvalidRequestContent"
    body = {
        "properties": {
            "template": template([]),
            "mode": "Incremental",
            "parameters": {"$schema": "x", "parameters": {}},
        }
    }
    with pytest.raises(HttpResponseError) as raised:
        operations.begin_create_or_update(group, "d", body)
    assert raised.value.error.code == "InvalidRequestContent"


def test_reference_in_variables_is_refused_like_arm(deploy: Deploy) -> None:
    ip = "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'x')).ipAddress]"
    error = failure(deploy, template([], variables={"address": ip}))
    assert error.error.code == "InvalidTemplate"
    assert "The template variable 'address' is not valid" in error.error.message
    assert "'reference' is not expected at this location" in error.error.message
