"""The ARM REST operations the emulator answers, one function per operation.

Each function takes the :class:`~.engine.DeploymentEngine` (which reaches the state and the
resource providers), the :class:`~.http.Request` and the path parameters of its route, and returns
a :class:`~.http.Response`; :mod:`.app` maps paths to them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

from .engine import DeploymentEngine
from .errors import ArmError, group_not_found, not_found
from .filters import view_filter
from .handlers import containerinstance
from .http import Request, Response
from .ids import deployment_id, group_id, normalize_location, parse_resource_id
from .state import AsyncOperation, ContainerGroupRuntime, DeploymentRecord, ResourceGroup
from .views import deployment_view, group_view, operation_view, resource_view
from .whatif import what_if

Args = Mapping[str, str]

ACI_TYPE = "Microsoft.ContainerInstance/containerGroups"
SITE_TYPE = "Microsoft.Web/sites"


# ------------------------------------------------------------------------ emulator admin


def health(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /iacli-emulator/health``: liveness and the serving process id."""
    return Response(200, {"status": "ok", "service": "iacli-azure-emulator", "pid": os.getpid()})


def status(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /iacli-emulator/status``: groups, deployments and resource count."""
    state = engine.state
    deployments = [
        {"group": record.group, "name": record.name, "provisioningState": record.provisioning_state}
        for record in state.deployments()
    ]
    groups = [group.name for group in state.groups()]
    return Response(
        200, {"resourceGroups": groups, "deployments": deployments, "resources": len(state.resources())}
    )


def reset(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``POST /iacli-emulator/reset``: forget everything."""
    engine.forget_pending()
    engine.state.clear()
    return Response(200, {})


def snapshot(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /iacli-emulator/snapshot``: the whole state as JSON."""
    return Response(200, engine.state.snapshot())


# ------------------------------------------------------------------------ resource groups


def list_groups(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /subscriptions/{s}/resourcegroups``."""
    return Response(200, {"value": [group_view(group, engine.state) for group in engine.state.groups()]})


def get_group(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET|HEAD /subscriptions/{s}/resourcegroups/{rg}``."""
    group = engine.state.group(args["group"])
    if request.method == "HEAD":
        return Response(204 if group is not None else 404)
    if group is None:
        raise group_not_found(args["group"])
    return Response(200, group_view(group, engine.state))


def put_group(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``PUT /subscriptions/{s}/resourcegroups/{rg}``: create or update (location can't change)."""
    body = _object(request)
    location = normalize_location(str(body.get("location") or ""))
    if not location:
        raise ArmError("LocationRequired", "The location property is required for this definition.")
    existing = engine.state.group(args["group"])
    if existing is not None and existing.location != location:
        raise ArmError(
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists in location "
            f"'{existing.location}'.",
            status=409,
        )
    group = ResourceGroup(args["group"], location, dict(body.get("tags") or {}), body.get("managedBy"))
    created = engine.state.put_group(group)
    return Response(201 if created else 200, group_view(group, engine.state))


def patch_group(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``PATCH /subscriptions/{s}/resourcegroups/{rg}``: update tags."""
    group = engine.state.group(args["group"])
    if group is None:
        raise group_not_found(args["group"])
    body = _object(request)
    if "tags" in body:
        group.tags = dict(body.get("tags") or {})
    return Response(200, group_view(group, engine.state))


def delete_group(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``DELETE /subscriptions/{s}/resourcegroups/{rg}``: 202 + ``Location``, then 200."""
    if not engine.state.delete_group(args["group"]):
        raise group_not_found(args["group"])
    return _accepted(engine, request, AsyncOperation(_operation_id(), "delete"))


def list_group_resources(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /subscriptions/{s}/resourcegroups/{rg}/resources``: the group's top-level resources."""
    if engine.state.group(args["group"]) is None:
        raise group_not_found(args["group"])
    keep = view_filter(request.query.get("$filter"))
    return Response(200, {"value": [view for view in _top_level_views(engine, args["group"]) if keep(view)]})


def list_resources(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /subscriptions/{s}/resources``: every top-level resource (``$filter`` honoured)."""
    keep = view_filter(request.query.get("$filter"))
    return Response(200, {"value": [view for view in _top_level_views(engine, None) if keep(view)]})


# ---------------------------------------------------------------------------- deployments


def put_deployment(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``PUT .../deployments/{name}``: 201 + ``Azure-AsyncOperation``."""
    record = engine.deploy(args["group"], args["name"], request.json())
    operation = AsyncOperation(
        _operation_id(),
        "deployment",
        remaining_polls=engine.providers.options.async_polls,
        deployment=(record.group, record.name),
    )
    engine.state.put_operation(operation)
    view = deployment_view(record, engine.state)
    view["properties"]["provisioningState"] = "Accepted"
    status_url = request.url(f"{_deployment_path(record)}/operationStatuses/{operation.id}")
    return Response(201, view, {"Azure-AsyncOperation": status_url, "Retry-After": "0"})


def deployment_status(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET .../deployments/{name}/operationStatuses/{id}``: ``Running`` then the final status."""
    operation = _operation(engine, args["operation"])
    if operation.remaining_polls > 0:
        operation.remaining_polls -= 1
        return Response(200, {"status": "Running"})
    group, name = operation.deployment or (args["group"], args["name"])
    engine.settle(group, name)
    record = _deployment(engine, group, name)
    body: dict[str, Any] = {"status": record.provisioning_state}
    if record.error is not None:
        body["error"] = record.error
    return Response(200, body)


def get_deployment(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET|HEAD .../deployments/{name}``."""
    record = engine.state.deployment(args["group"], args["name"])
    if request.method == "HEAD":
        return Response(204 if record is not None else 404)
    if engine.state.group(args["group"]) is None:
        raise group_not_found(args["group"])
    record = _deployment(engine, args["group"], args["name"])
    return Response(200, deployment_view(record, engine.state))


def list_deployments(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET .../providers/Microsoft.Resources/deployments``."""
    if engine.state.group(args["group"]) is None:
        raise group_not_found(args["group"])
    records = engine.state.deployments(args["group"])
    return Response(200, {"value": [deployment_view(record, engine.state) for record in records]})


def delete_deployment(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``DELETE .../deployments/{name}``: the record only (resources stay), 202 + ``Location``."""
    _deployment(engine, args["group"], args["name"])
    engine.state.delete_deployment(args["group"], args["name"])
    return _accepted(engine, request, AsyncOperation(_operation_id(), "delete"))


def deployment_action(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``POST .../deployments/{name}/{validate|whatIf|cancel|exportTemplate}``."""
    action = args["action"].casefold()
    if action == "validate":
        return Response(200, engine.validate(args["group"], args["name"], request.json()))
    if action == "whatif":
        result = what_if(engine, args["group"], args["name"], request.json())
        operation = AsyncOperation(
            _operation_id(), "whatif", remaining_polls=engine.providers.options.async_polls, result=result
        )
        return _accepted(engine, request, operation)
    if action == "cancel":
        engine.cancel(args["group"], args["name"])
        return Response(204)
    record = _deployment(engine, args["group"], args["name"])
    return Response(200, {"template": record.template})


def list_deployment_operations(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /subscriptions/{s}/resourcegroups/{rg}/deployments/{name}/operations``."""
    record = _deployment(engine, args["group"], args["name"])
    return Response(
        200, {"value": [operation_view(record, item, engine.state) for item in record.operations]}
    )


def get_deployment_operation(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET .../deployments/{name}/operations/{id}``."""
    record = _deployment(engine, args["group"], args["name"])
    for item in record.operations:
        if item.operation_id.casefold() == args["operation"].casefold():
            return Response(200, operation_view(record, item, engine.state))
    raise ArmError(
        "OperationNotFound", f"Deployment operation '{args['operation']}' could not be found.", status=404
    )


def operation_result(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET /subscriptions/{s}/operationresults/{id}``: 202 while in progress, then the result."""
    operation = _operation(engine, args["operation"])
    if operation.remaining_polls > 0:
        operation.remaining_polls -= 1
        return Response(202, None, {"Location": request.url(request.path), "Retry-After": "0"})
    if operation.error is not None:
        return Response(200, {"status": "Failed", "error": operation.error})
    return Response(200, operation.result)


# ------------------------------------------------------------------------------ resources


def get_resource(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET|HEAD /{resourceId}``."""
    resource_id = _resource_id(request, args)
    if request.method == "HEAD":
        return Response(204 if engine.state.resource(resource_id) is not None else 404)
    return Response(200, engine.providers.view(resource_id))


def put_resource(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``PUT /{resourceId}``: write one resource outside any deployment (200/201 + the resource)."""
    resource_id = _resource_id(request, args)
    body = _object(request)
    api_version = request.query.get("api-version", "")
    engine.providers.preflight(resource_id, api_version, body.get("location"), body)
    resource, created = engine.providers.put(resource_id, api_version, body.get("location"), body)
    return Response(201 if created else 200, resource_view(resource, engine.state))


def delete_resource(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``DELETE /{resourceId}``: 200, or 204 when there was nothing to delete."""
    deleted = engine.providers.delete(_resource_id(request, args))
    return Response(200 if deleted else 204)


# ------------------------------------------------------------------------ container groups


def list_container_groups(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET .../providers/Microsoft.ContainerInstance/containerGroups`` (subscription or group)."""
    group = args.get("group")
    if group is not None and engine.state.group(group) is None:
        raise group_not_found(group)
    views = [
        resource_view(resource, engine.state)
        for resource in engine.state.resources(group)
        if resource.type.casefold() == ACI_TYPE.casefold()
    ]
    return Response(200, {"value": views})


def container_group_action(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``POST .../containerGroups/{name}/{restart|stop|start}``: 204."""
    runtime = _runtime(engine, args)
    verb = args["verb"].casefold()
    if verb == "restart":
        containerinstance.restart(runtime)
    elif verb == "stop":
        containerinstance.stop(runtime)
    else:
        containerinstance.start(runtime)
    return Response(204)


def container_logs(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``GET .../containerGroups/{name}/containers/{container}/logs``: ``{"content": ...}``."""
    runtime = _runtime(engine, args)
    tail = request.query.get("tail")
    content = containerinstance.logs(
        runtime, args["container"], int(tail) if tail and tail.isdigit() else None
    )
    if content is None:
        raise ArmError(
            "ContainerNotFound",
            f"The container '{args['container']}' is not found in container group '{args['name']}'.",
            status=404,
        )
    return Response(200, {"content": content})


# ------------------------------------------------------------------------------ web apps


def site_restart(engine: DeploymentEngine, request: Request, args: Args) -> Response:
    """``POST .../providers/Microsoft.Web/sites/{name}/restart``: 200 (the emulator runs no app code)."""
    site_id = f"{group_id(args['group'], engine.state.subscription_id)}/providers/{SITE_TYPE}/{args['name']}"
    if engine.state.resource(site_id) is None:
        raise not_found(SITE_TYPE, args["name"], args["group"])
    return Response(200)


# -------------------------------------------------------------------------------- helpers


def _object(request: Request) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise ArmError("InvalidRequestContent", "The request content must be a JSON object.")
    return body


def _operation_id() -> str:
    return uuid.uuid4().hex


def _accepted(engine: DeploymentEngine, request: Request, operation: AsyncOperation) -> Response:
    engine.state.put_operation(operation)
    location = request.url(f"/subscriptions/{engine.state.subscription_id}/operationresults/{operation.id}")
    return Response(202, None, {"Location": location, "Retry-After": "0"})


def _operation(engine: DeploymentEngine, operation_id: str) -> AsyncOperation:
    operation = engine.state.operation(operation_id)
    if operation is None:
        raise ArmError("OperationNotFound", f"The operation '{operation_id}' could not be found.", status=404)
    return operation


def _deployment(engine: DeploymentEngine, group: str, name: str) -> DeploymentRecord:
    record = engine.state.deployment(group, name)
    if record is None:
        raise ArmError("DeploymentNotFound", f"Deployment '{name}' could not be found.", status=404)
    return record


def _deployment_path(record: DeploymentRecord) -> str:
    return deployment_id(record.group, record.name).replace("/resourceGroups/", "/resourcegroups/", 1)


def _resource_id(request: Request, args: Args) -> str:
    parsed = parse_resource_id(request.path)
    if parsed is None:
        raise ArmError("InvalidResourceId", f"'{request.path}' is not a valid resource id.")
    return parsed.raw


def _runtime(engine: DeploymentEngine, args: Args) -> ContainerGroupRuntime:
    resource_id = (
        f"{group_id(args['group'], engine.state.subscription_id)}/providers/{ACI_TYPE}/{args['name']}"
    )
    runtime = engine.state.runtime(resource_id)
    if runtime is None:
        raise not_found(ACI_TYPE, args["name"], args["group"])
    return runtime


def _top_level_views(engine: DeploymentEngine, group: str | None) -> list[dict[str, Any]]:
    views = []
    for resource in engine.state.resources(group):
        parsed = parse_resource_id(resource.id)
        if parsed is not None and parsed.is_top_level:
            views.append(resource_view(resource, engine.state))
    return views
