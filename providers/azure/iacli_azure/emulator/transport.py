"""Serving the real azure-mgmt SDK clients from the emulator.

Two ways, one helper, :func:`make_clients`:

* **in memory** — ``make_clients(emulator)`` (or an azure-core transport from
  :func:`in_memory_transport`): each client's ``RequestsTransport`` runs over a ``requests.Session``
  whose adapter calls the emulator's WSGI app directly.  URLs stay ``https://management.azure.com``,
  so the SDK's ARM bearer-token policy runs unchanged, with :class:`EmulatorCredential`.
* **over HTTP** — ``make_clients("http://127.0.0.1:PORT")`` for a server process
  (:mod:`.server`, :mod:`.manager`).  Clients are built with ``base_url=endpoint``, an
  :class:`EmulatorCredential`, ``authentication_policy=StaticBearerPolicy()`` (ARM's bearer policy
  refuses plain-http URLs), a ``requests.Session`` with ``trust_env=False`` (a proxy from the
  environment must not see loopback traffic) and ``connection_verify=False``.

Both set ``polling_interval=0`` (the SDK ignores ``Retry-After: 0`` and would wait 30 s between
polls) and ``retry_total=0`` (the emulator's answers are deterministic: retrying a 500 only adds
back-off sleeps).
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from urllib.parse import unquote, urlsplit

import requests
from azure.core.credentials import AccessToken, AccessTokenInfo, TokenRequestOptions
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.pipeline.transport import HttpTransport, RequestsTransport
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.deployments import DeploymentsMgmtClient
from azure.mgmt.resource.resources import ResourceManagementClient
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from .blob_service import BLOB_HOST_SUFFIX, blob_account_url
from .http import WsgiApp
from .ids import PRINCIPAL_ID, SUBSCRIPTION_ID, TENANT_ID
from .service import Emulator

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient

ARM_ENDPOINT = "https://management.azure.com"
"""The base URL clients use with the in-memory transport."""

def _unsigned_jwt(claims: Mapping[str, Any]) -> str:
    def part(data: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.emulator"


_TOKEN = _unsigned_jwt({"oid": PRINCIPAL_ID, "tid": TENANT_ID, "iss": "iacli-emulator"})
"""The emulator's fake token: a JWT (unsigned) naming :data:`~.ids.PRINCIPAL_ID`, like a real token's
``oid``; the Blob data plane checks that principal's role assignments."""

Transport = HttpTransport[Any, Any]
"""An azure-core synchronous transport."""


class EmulatorCredential:
    """A ``TokenCredential`` (and ``SupportsTokenInfo``) handing out a fixed fake token."""

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token valid for a day."""
        return AccessToken(_TOKEN, int(time.time()) + 86400)

    def get_token_info(self, *scopes: str, options: TokenRequestOptions | None = None) -> AccessTokenInfo:
        """A token valid for a day."""
        return AccessTokenInfo(_TOKEN, int(time.time()) + 86400)

    def close(self) -> None:
        """Nothing to release."""


class StaticBearerPolicy(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """Sets ``Authorization: Bearer <fake>`` without ARM's https-only check (for the HTTP server)."""

    def on_request(self, request: PipelineRequest) -> None:  # type: ignore[type-arg]
        request.http_request.headers["Authorization"] = f"Bearer {_TOKEN}"


class WsgiAdapter(BaseAdapter):
    """A ``requests`` transport adapter that calls a WSGI application instead of the network."""

    def __init__(self, app: WsgiApp) -> None:
        super().__init__()
        self.app = app
        self._builder = HTTPAdapter()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Run the WSGI app on ``request`` and wrap its answer as a ``requests.Response``."""
        environ = _environ(request)
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        payload = b"".join(self.app(environ, start_response))
        code, _, reason = str(captured["status"]).partition(" ")
        host = urlsplit(str(request.url)).hostname or ""
        if host.endswith(BLOB_HOST_SUFFIX) and ("x-ms-error-code", "AccountNotFound") in captured["headers"]:
            # the host name of a storage account that does not exist does not resolve
            raise requests.exceptions.ConnectionError(f"Failed to resolve '{host}' (no such storage account)")
        raw = HTTPResponse(
            body=io.BytesIO(payload),
            headers=captured["headers"],
            status=int(code),
            reason=reason,
            preload_content=False,
            decode_content=False,
            request_method=str(request.method),
        )
        return self._builder.build_response(request, raw)

    def close(self) -> None:
        """Nothing to release."""


def _environ(request: requests.PreparedRequest) -> dict[str, Any]:
    url = urlsplit(str(request.url))
    body = _body_bytes(request.body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": str(request.method),
        "PATH_INFO": unquote(url.path).encode("utf-8").decode("latin-1"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": url.netloc,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": url.scheme,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return body
    if hasattr(body, "read"):
        return _body_bytes(body.read())
    return b"".join(_body_bytes(chunk) for chunk in body)


def in_memory_session(app: WsgiApp) -> requests.Session:
    """A ``requests.Session`` whose every request is answered by ``app``."""
    session = requests.Session()
    session.trust_env = False
    adapter = WsgiAdapter(app)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def in_memory_transport(app: WsgiApp) -> Transport:
    """An azure-core transport that serves requests from ``app`` without a network."""
    return cast(Transport, RequestsTransport(session=in_memory_session(app), session_owner=False))


class EmulatorClients(NamedTuple):
    """The three SDK clients iacli's Azure provider uses, built for the emulator."""

    resources: ResourceManagementClient
    deployments: DeploymentsMgmtClient
    containers: ContainerInstanceManagementClient


def make_clients(
    target: str | Transport | Emulator, *, subscription_id: str = SUBSCRIPTION_ID
) -> EmulatorClients:
    """The SDK clients served by ``target``: an :class:`Emulator` (in memory), an azure-core
    transport (in memory, ``https://management.azure.com``) or an endpoint URL of a server process."""
    if isinstance(target, str):
        session = requests.Session()
        session.trust_env = False
        options: dict[str, Any] = {
            "base_url": target.rstrip("/"),
            "authentication_policy": StaticBearerPolicy(),
            "connection_verify": False,
        }

        def transport() -> Transport:
            return cast(
                Transport, RequestsTransport(session=session, session_owner=False, connection_verify=False)
            )

    else:
        app_transport = target if not isinstance(target, Emulator) else None
        app = target.app if isinstance(target, Emulator) else None
        options = {"base_url": ARM_ENDPOINT}

        def transport() -> Transport:
            if app_transport is not None:
                return app_transport
            assert app is not None
            return in_memory_transport(app)

    common: dict[str, Any] = {"polling_interval": 0, "retry_total": 0, **options}
    credential = EmulatorCredential()
    return EmulatorClients(
        ResourceManagementClient(credential, subscription_id, transport=transport(), **common),
        DeploymentsMgmtClient(credential, subscription_id, transport=transport(), **common),
        ContainerInstanceManagementClient(credential, subscription_id, transport=transport(), **common),
    )


def make_blob_service(target: str | Transport | Emulator, account: str) -> BlobServiceClient:
    """An ``azure.storage.blob.BlobServiceClient`` for ``account``'s Blob data plane, served by ``target``
    (as :func:`make_clients`): in memory at ``https://<account>.blob.core.windows.net`` with the
    emulator's credential, or on a server's endpoint in path style (:func:`~.blob_service.blob_account_url`,
    the token sent as a header: Storage's bearer policy refuses http)."""
    from azure.storage.blob import BlobServiceClient

    common: dict[str, Any] = {"retry_total": 0}
    if isinstance(target, str):
        session = requests.Session()
        session.trust_env = False
        transport = RequestsTransport(session=session, session_owner=False, connection_verify=False)
        return BlobServiceClient(blob_account_url(target, account), credential=None, transport=transport,
                                 headers={"Authorization": f"Bearer {_TOKEN}"}, **common)
    app_transport = target if not isinstance(target, Emulator) else in_memory_transport(target.app)
    return BlobServiceClient(f"https://{account}{BLOB_HOST_SUFFIX}", credential=EmulatorCredential(),
                             transport=app_transport, **common)
