"""Items API on Azure Functions (Python v2 programming model, HTTP triggers), over Cosmos DB.

The routes, validation and responses are ``items_api`` (shared with the Lambda entry point, ``app.py``);
this module registers the HTTP functions, turns ``azure.functions`` requests into core requests and opens
the Cosmos DB container (``items_cosmos``: the REST API signed in with the function app's user-assigned
managed identity; Cosmos DB keys are off). Besides the standard library it needs only ``azure.functions``,
which the Functions Python worker provides: a run-from-package app installs no dependencies.

Functions (under the route prefix, the stage: ``https://<app>.azurewebsites.net/<stage>/items``):
    items      GET, POST      /items
    item       GET, DELETE    /items/{id}
    not_found  any other      anything else: 404 / 405 with the API's JSON error and CORS headers

Configuration (app settings): ``COSMOS_ENDPOINT``, ``COSMOS_DATABASE``, ``TABLE_NAME`` (the container),
``AZURE_CLIENT_ID`` (the user-assigned identity), ``ALLOWED_ORIGIN``, ``LOG_LEVEL``; the platform sets
``IDENTITY_ENDPOINT`` and ``IDENTITY_HEADER`` (its managed identity endpoint).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

import azure.functions as func
from items_api import ITEM, ITEMS, ApiRequest, ApiResponse, StoreOpener, handle, make_logger, match_path
from items_cosmos import CosmosContainer, CosmosItemStore

logger = make_logger(sys.stdout)

ALL_METHODS = [method.value for method in func.HttpMethod]


@lru_cache(maxsize=1)
def _container() -> CosmosContainer:
    """One Cosmos DB container client per worker process (it reuses its token until shortly before expiry)."""
    return CosmosContainer.from_env(os.environ)


def cosmos_store() -> CosmosItemStore:
    """The items store of this function app."""
    return CosmosItemStore(_container())


def to_request(req: func.HttpRequest, resource: str | None) -> ApiRequest:
    """The core request; ``resource`` None: match the catch-all's ``path`` against the API's routes."""
    params: dict[str, str] = dict(req.route_params)
    if resource is None:
        matched = match_path(params.get("path", ""))
        resource, params = matched if matched is not None else ("", {})
    return ApiRequest(req.method, resource, params, dict(req.params), req.get_body() or b"")


def to_response(answer: ApiResponse) -> func.HttpResponse:
    headers = {name: value for name, value in answer.headers.items() if name != "Content-Type"}
    mimetype = answer.headers.get("Content-Type", "text/plain")
    return func.HttpResponse(answer.body, status_code=answer.status, headers=headers, mimetype=mimetype)


def serve(req: func.HttpRequest, context: Any, resource: str | None, store: StoreOpener) -> func.HttpResponse:
    request = to_request(req, resource)
    fields = {
        "request_id": getattr(context, "invocation_id", None),
        "method": req.method,
        "resource": request.resource or req.route_params.get("path"),
    }
    return to_response(handle(request, store, logger, fields))


def make_app(store: StoreOpener) -> func.FunctionApp:
    """The function app (anonymous HTTP functions: App Service Authentication guards them when on)."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="items", methods=["GET", "POST"])
    def items(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return serve(req, context, ITEMS, store)

    @app.route(route="items/{id}", methods=["GET", "DELETE"])
    def item(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return serve(req, context, ITEM, store)

    @app.route(route="{*path}", methods=ALL_METHODS)
    def not_found(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return serve(req, context, None, store)

    return app


app = make_app(cosmos_store)
