"""How state records look on the wire: the JSON bodies ARM returns for groups, resources,
deployments and deployment operations."""

from __future__ import annotations

from typing import Any

from .handlers import handler_for
from .ids import deployment_id, group_id, parse_resource_id
from .state import DeploymentRecord, EmulatorState, OperationRecord, ParameterRecord, Resource, ResourceGroup

JsonDict = dict[str, Any]


def group_view(group: ResourceGroup, state: EmulatorState) -> JsonDict:
    """A resource group as ``resource_groups.get`` returns it."""
    body: JsonDict = {
        "id": group_id(group.name, state.subscription_id),
        "name": group.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": group.location,
        "tags": dict(group.tags),
        "properties": {"provisioningState": "Succeeded"},
    }
    if group.managed_by:
        body["managedBy"] = group.managed_by
    return body


def resource_view(resource: Resource, state: EmulatorState) -> JsonDict:
    """A resource as a GET returns it: id, name (last segment), type, location, then its members."""
    parsed = parse_resource_id(resource.id)
    body: JsonDict = {
        "id": resource.id,
        "name": parsed.names[-1] if parsed else resource.name,
        "type": resource.type,
    }
    if resource.location is not None:
        body["location"] = resource.location
    body.update(handler_for(resource.type).present(resource, state))
    return body


def deployment_properties(record: DeploymentRecord) -> JsonDict:
    """The ``properties`` of a deployment (also what ``reference()`` of a nested deployment sees)."""
    properties: JsonDict = {
        "provisioningState": record.provisioning_state,
        "correlationId": record.correlation_id,
        "timestamp": record.timestamp,
        "duration": record.duration,
        "mode": record.mode,
        "templateHash": record.template_hash,
        "parameters": {name: _parameter_view(parameter) for name, parameter in record.parameters.items()},
        "dependencies": [],
        "providers": [],
        "outputResources": [{"id": resource_id} for resource_id in record.output_resources],
    }
    if record.outputs is not None:
        properties["outputs"] = record.outputs
    if record.validated_resources:
        properties["validatedResources"] = [{"id": resource_id} for resource_id in record.validated_resources]
    if record.error is not None:
        properties["error"] = record.error
    if record.on_error_deployment is not None:
        properties["onErrorDeployment"] = record.on_error_deployment
    return properties


def deployment_view(record: DeploymentRecord, state: EmulatorState) -> JsonDict:
    """A deployment as ``deployments.get`` returns it."""
    return {
        "id": deployment_id(record.group, record.name, state.subscription_id),
        "name": record.name,
        "type": "Microsoft.Resources/deployments",
        "tags": dict(record.tags),
        "properties": deployment_properties(record),
    }


def operation_view(record: DeploymentRecord, operation: OperationRecord, state: EmulatorState) -> JsonDict:
    """One deployment operation as ``deployment_operations.list`` returns it."""
    properties: JsonDict = {
        "provisioningOperation": operation.provisioning_operation,
        "provisioningState": operation.provisioning_state,
        "timestamp": operation.timestamp,
        "duration": operation.duration,
        "trackingId": operation.operation_id.lower(),
        "serviceRequestId": operation.operation_id.lower(),
        "statusCode": operation.status_code,
    }
    if operation.target_id is not None:
        properties["targetResource"] = {
            "id": operation.target_id,
            "resourceType": operation.target_type,
            "resourceName": operation.target_name,
            "apiVersion": operation.target_api_version,
        }
    if operation.error is not None:
        properties["statusMessage"] = {"status": "Failed", "error": operation.error}
    base = f"/subscriptions/{state.subscription_id}/resourceGroups/{record.group}/providers"
    return {
        "id": f"{base}/Microsoft.Resources/deployments/{record.name}/operations/{operation.operation_id}",
        "operationId": operation.operation_id,
        "properties": properties,
    }


def _parameter_view(parameter: ParameterRecord) -> dict[str, Any]:
    if parameter.reference is not None:
        return {"type": parameter.type, "reference": parameter.reference}
    if parameter.secure:
        return {"type": parameter.type}
    return {"type": parameter.type, "value": parameter.value}
