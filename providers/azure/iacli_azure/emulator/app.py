"""The emulator's HTTP surface: a WSGI application answering the ARM REST paths the azure-mgmt
clients call.

Paths match case-insensitively (the deployments client says ``/resourcegroups/``, the container
client ``/resourceGroups/``), any ``api-version`` is accepted, errors have ARM's shape
``{"error": {"code", "message", "details"}}``.  Requests are served one at a time (the state's lock
is held per request).  Supported operations (``{rg}`` = ``/subscriptions/{s}/resourcegroups/{rg}``):

==========================================================  ===========================================
``GET /subscriptions/{s}/resourcegroups``                   list resource groups
``PUT|GET|HEAD|PATCH|DELETE {rg}``                          resource group (DELETE: 202 + Location)
``GET {rg}/resources``, ``GET /subscriptions/{s}/resources`` list top-level resources
``PUT|GET|HEAD|DELETE {rg}/providers/Microsoft.Resources/deployments/{d}``
                                                            deployment (PUT: 201 + Azure-AsyncOperation)
``GET {rg}/providers/Microsoft.Resources/deployments``      list deployments
``GET .../deployments/{d}/operationStatuses/{id}``          deployment status poll
``POST .../deployments/{d}/validate|whatIf|cancel|exportTemplate``
``GET {rg}/deployments/{d}/operations[/{id}]``              deployment operations
``GET /subscriptions/{s}/operationresults/{id}``            what-if / delete polls (202, then 200)
``GET|HEAD|PUT|DELETE {rg}/providers/{type path}``          any resource by id
``GET .../Microsoft.ContainerInstance/containerGroups``     list container groups (group or subscription)
``POST .../containerGroups/{n}/restart|stop|start``         container group runtime
``GET .../containerGroups/{n}/containers/{c}/logs``         container logs
``POST .../Microsoft.Web/sites/{n}/restart``                 restart a web or function app (200)
``https://{account}.blob.core.windows.net/...``, or any       the Blob data plane of the storage accounts
request with ``x-ms-version`` (path style ``/{account}/...``)  (:mod:`.blob_service`)
``GET /iacli-emulator/health|status|snapshot``, ``POST /iacli-emulator/reset``
==========================================================  ===========================================
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import blob_service, routes
from .engine import DeploymentEngine
from .errors import ArmError
from .http import Request, Response, StartResponse

_log = logging.getLogger(__name__)

Handler = Callable[[DeploymentEngine, Request, Mapping[str, str]], Response]

_SUB = r"/subscriptions/(?P<subscription>[^/]+)"
_RG = _SUB + r"/resourcegroups/(?P<group>[^/]+)"
_DEPLOYMENTS = _RG + r"/providers/microsoft\.resources/deployments"
_DEP = _DEPLOYMENTS + r"/(?P<name>[^/]+)"
_ACI = r"/providers/microsoft\.containerinstance/containergroups"


@dataclass(frozen=True)
class Route:
    """``methods`` on paths matching ``pattern`` are answered by ``handler``.

    ``settles``: pending deployments (``async_polls``) complete before the request is answered;
    only a deployment's own status, GET and cancel see it still running.
    """

    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Handler
    settles: bool = True


def _route(methods: str, pattern: str, handler: Handler, *, settles: bool = True) -> Route:
    return Route(frozenset(methods.split()), re.compile(f"^{pattern}/?$", re.IGNORECASE), handler, settles)


ROUTES: tuple[Route, ...] = (
    _route("GET", r"/iacli-emulator/health", routes.health, settles=False),
    _route("GET", r"/iacli-emulator/status", routes.status),
    _route("GET", r"/iacli-emulator/snapshot", routes.snapshot),
    _route("POST", r"/iacli-emulator/reset", routes.reset, settles=False),
    _route("GET", _SUB + r"/operationresults/(?P<operation>[^/]+)", routes.operation_result),
    _route("GET", _DEP + r"/operationstatuses/(?P<operation>[^/]+)", routes.deployment_status, settles=False),
    _route("GET", _RG + r"/deployments/(?P<name>[^/]+)/operations", routes.list_deployment_operations),
    _route(
        "GET",
        _RG + r"/deployments/(?P<name>[^/]+)/operations/(?P<operation>[^/]+)",
        routes.get_deployment_operation,
    ),
    _route("POST", _DEP + r"/(?P<action>validate|whatif|exporttemplate)", routes.deployment_action),
    _route("POST", _DEP + r"/(?P<action>cancel)", routes.deployment_action, settles=False),
    _route("PUT", _DEP, routes.put_deployment),
    _route("GET HEAD", _DEP, routes.get_deployment, settles=False),
    _route("DELETE", _DEP, routes.delete_deployment),
    _route("GET", _DEPLOYMENTS, routes.list_deployments),
    _route("GET", _RG + _ACI, routes.list_container_groups),
    _route("GET", _SUB + _ACI, routes.list_container_groups),
    _route(
        "POST", _RG + _ACI + r"/(?P<name>[^/]+)/(?P<verb>restart|stop|start)", routes.container_group_action
    ),
    _route(
        "GET", _RG + _ACI + r"/(?P<name>[^/]+)/containers/(?P<container>[^/]+)/logs", routes.container_logs
    ),
    _route("POST", _RG + r"/providers/microsoft\.web/sites/(?P<name>[^/]+)/restart", routes.site_restart),
    _route("GET", _RG + r"/resources", routes.list_group_resources),
    _route("GET", _SUB + r"/resources", routes.list_resources),
    _route("GET", _SUB + r"/resourcegroups", routes.list_groups),
    _route("GET HEAD", _RG, routes.get_group),
    _route("PUT", _RG, routes.put_group),
    _route("PATCH", _RG, routes.patch_group),
    _route("DELETE", _RG, routes.delete_group),
    _route("GET HEAD", _RG + r"/providers/.+", routes.get_resource),
    _route("PUT", _RG + r"/providers/.+", routes.put_resource),
    _route("DELETE", _RG + r"/providers/.+", routes.delete_resource),
)
"""The route table, most specific first."""


class EmulatorApp:
    """The WSGI application serving one :class:`DeploymentEngine`."""

    def __init__(self, engine: DeploymentEngine) -> None:
        self.engine = engine

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        response = self.handle(request)
        status, headers, payload = response.encode(request.method)
        start_response(status, headers)
        return [payload]

    def handle(self, request: Request) -> Response:
        """Answer one request (never raises)."""
        try:
            with self.engine.state.locked():
                if blob_service.is_blob_request(request):
                    self.engine.settle()
                    return blob_service.serve(self.engine.state, request)
                return self._dispatch(request)
        except ArmError as error:
            return Response.error(error)
        except Exception as error:  # noqa: BLE001 - the one boundary: report, never crash the server
            _log.exception("internal error on %s %s", request.method, request.path)
            return Response.error(
                ArmError("InternalServerError", f"{type(error).__name__}: {error}", status=500)
            )

    def _dispatch(self, request: Request) -> Response:
        path_matched = False
        for route in ROUTES:
            match = route.pattern.match(request.path)
            if match is None:
                continue
            path_matched = True
            if request.method not in route.methods:
                continue
            args = {name: value for name, value in match.groupdict().items() if value is not None}
            self._check_subscription(args)
            if route.settles:
                self.engine.settle()
            return route.handler(self.engine, request, args)
        if path_matched:
            raise ArmError(
                "UnsupportedHttpMethod",
                f"The requested resource does not support http method '{request.method}'.",
                status=405,
            )
        raise ArmError(
            "NotFound", f"The emulator does not serve '{request.method} {request.path}'.", status=404
        )

    def _check_subscription(self, args: Mapping[str, str]) -> None:
        subscription = args.get("subscription")
        if (
            subscription is not None
            and subscription.casefold() != self.engine.state.subscription_id.casefold()
        ):
            raise ArmError(
                "SubscriptionNotFound",
                f"The subscription '{subscription}' could not be found (the emulator serves "
                f"'{self.engine.state.subscription_id}').",
                status=404,
            )
