"""The Blob storage data plane for the storage accounts the emulator holds: what ``azure-storage-blob``
sends to upload, check, read and list block blobs.

Requests reach it in two URL styles (the app tells them from ARM requests by :func:`is_blob_request`):

* **host style** — ``https://<account>.blob.core.windows.net/<container>/<blob>``: the in-memory transport,
  like a real account;
* **path style** — ``http://127.0.0.1:<port>/<account>/<container>/<blob>`` (like Azurite): the server
  process, where every host is the loopback address. :func:`blob_account_url` builds these URLs.

Operations: Put Blob (``BlockBlob``, ``If-None-Match: *`` honoured), Get Blob (``x-ms-range``/``Range``:
206 + ``Content-Range``), Get Blob Properties (HEAD), Delete Blob, List Blobs (``restype=container&
comp=list``, ``prefix``/``maxresults``/``marker``), Get Container Properties, Get/Set Blob Service
Properties (``restype=service&comp=properties``, :mod:`.blob_properties`; enabling ``StaticWebsite``
creates the ``$web`` container, like Azure). The container must exist as a
``Microsoft.Storage/storageAccounts/blobServices/containers`` resource (``ContainerNotFound``). Requests
need a bearer token whose ``oid`` holds a Storage Blob Data role (Reader to read; Contributor or Owner to
write) on the container, its account, group or subscription (``AuthorizationPermissionMismatch``); shared
keys and anonymous access are refused, as on an account with shared keys and public access off. Blob
service properties are authorized by management actions instead (``blobServices/read|write``): the
sandbox's principal (the subscription's Owner, who deploys) and holders of Owner, Contributor or Storage
Account Contributor (Reader: read only) on the account or above; Storage Blob Data roles do not grant them.
Errors are Blob storage's XML ``<Error><Code/><Message/></Error>`` with the ``x-ms-error-code`` header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from . import blob_properties
from .blobs import MAX_BLOB_BYTES, BlobRecord, http_date
from .http import Request, Response
from .ids import PRINCIPAL_ID
from .state import EmulatorState, Resource, utc_now

BLOB_HOST_SUFFIX = ".blob.core.windows.net"
API_VERSION = "2025-11-05"
ACCOUNT_TYPE = "microsoft.storage/storageaccounts"
CONTAINER_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers"
ROLE_ASSIGNMENT_TYPE = "microsoft.authorization/roleassignments"

READ_ROLES = frozenset({
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",  # Storage Blob Data Reader
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",  # Storage Blob Data Contributor
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",  # Storage Blob Data Owner
})
WRITE_ROLES = READ_ROLES - {"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"}
MANAGE_ROLES = frozenset({
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",  # Owner
    "b24988ac-6180-42a0-ab88-20f7382dd24c",  # Contributor
    "17d1049b-9a84-46fb-8f53-869881c3d3ab",  # Storage Account Contributor
})
"""Roles holding ``Microsoft.Storage/storageAccounts/blobServices/write`` (Set Blob Service Properties)."""
INSPECT_ROLES = MANAGE_ROLES | {"acdd72a7-3385-48ef-bd42-f606fba81ae7"}  # + Reader: blobServices/read
WEB_CONTAINER = "$web"

_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class BlobError(Exception):
    """A Blob storage error: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def blob_account_url(endpoint: str, account: str) -> str:
    """The Blob service URL of ``account`` on an emulator server at ``endpoint`` (path style)."""
    return f"{endpoint.rstrip('/')}/{account}"


def is_blob_request(request: Request) -> bool:
    """A Blob data-plane request: to an account's blob host, or carrying Storage's ``x-ms-version``
    (ARM clients never send it)."""
    return _host(request).endswith(BLOB_HOST_SUFFIX) or "x-ms-version" in request.headers


@dataclass(frozen=True)
class _Target:
    account: str
    container: str
    blob: str
    url: str
    """The account's service URL as the client addressed it."""


def serve(state: EmulatorState, request: Request) -> Response:
    """Answer one Blob data-plane request (never raises)."""
    try:
        return _dispatch(state, request)
    except BlobError as error:
        return _error(request, error)


def _dispatch(state: EmulatorState, request: Request) -> Response:
    target = _target(request)
    account = _account(state, target.account)
    principal = _principal(request)
    if not target.container:
        return _service_operation(state, request, account, principal)
    container_id = f"{account.id}/blobServices/default/containers/{target.container}"
    if state.resource(container_id) is None:
        raise BlobError(404, "ContainerNotFound", "The specified container does not exist.")
    write = request.method in ("PUT", "DELETE")
    _authorize(state, principal, container_id, WRITE_ROLES if write else READ_ROLES)
    if not target.blob:
        return _container_operation(state, request, target)
    if request.method == "PUT":
        return _put_blob(state, request, target)
    record = state.blobs.get(target.account, target.container, target.blob)
    if record is None:
        raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")
    if request.method == "DELETE":
        state.blobs.delete(target.account, target.container, target.blob)
        return _answer(request, 202, {})
    if request.method == "HEAD":
        return _answer(request, 200, _properties(record), record.data)
    if request.method == "GET":
        return _get_blob(request, record)
    raise BlobError(405, "UnsupportedHttpVerb", f"The resource doesn't support the HTTP verb {request.method}.")


# ------------------------------------------------------------------------------ addressing


def _host(request: Request) -> str:
    return request.base_url.split("://", 1)[-1].split(":", 1)[0].casefold()


def _target(request: Request) -> _Target:
    host = _host(request)
    path = request.path.lstrip("/")
    if host.endswith(BLOB_HOST_SUFFIX):
        account = host[: -len(BLOB_HOST_SUFFIX)]
        container, _, blob = path.partition("/")
        return _Target(account, container, blob, f"{request.base_url}/")
    account, _, rest = path.partition("/")
    container, _, blob = rest.partition("/")
    return _Target(account, container, blob, f"{request.base_url}/{account}/")


def _account(state: EmulatorState, name: str) -> Resource:
    for resource in state.resources():
        if resource.type.casefold() == ACCOUNT_TYPE and resource.name.casefold() == name.casefold():
            return resource
    # on Azure the host name of an account that does not exist does not resolve
    raise BlobError(404, "AccountNotFound", f"The storage account '{name}' does not exist.")


# ---------------------------------------------------------------------- authorization


def _principal(request: Request) -> str:
    """The ``oid`` of the bearer token (the emulator checks no signature)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.casefold() != "bearer" or not token:
        if scheme:
            raise BlobError(403, "KeyBasedAuthenticationNotPermitted",
                            "Key based authentication is not permitted on this storage account.")
        raise BlobError(401, "NoAuthenticationInformation",
                        "Server failed to authenticate the request. Please refer to the information in the "
                        "www-authenticate header.")
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["oid"])
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        raise BlobError(401, "InvalidAuthenticationInfo",
                        "Authentication information is not given in the correct format.") from None


def _authorize(state: EmulatorState, principal: str, resource_id: str, roles: frozenset[str]) -> None:
    for assignment in state.resources():
        if assignment.type.casefold() != ROLE_ASSIGNMENT_TYPE:
            continue
        properties = assignment.properties
        role = str(properties.get("roleDefinitionId", "")).rsplit("/", 1)[-1].casefold()
        scope = str(properties.get("scope", "")).rstrip("/").casefold()
        if (
            str(properties.get("principalId", "")).casefold() == principal.casefold()
            and role in roles
            and (resource_id.casefold() == scope or resource_id.casefold().startswith(scope + "/"))
        ):
            return
    raise BlobError(403, "AuthorizationPermissionMismatch",
                    "This request is not authorized to perform this operation using this permission.")


# ---------------------------------------------------------------------- service properties


def _service_operation(state: EmulatorState, request: Request, account: Resource, principal: str) -> Response:
    """Get/Set Blob Service Properties of ``account``."""
    if (request.query.get("restype"), request.query.get("comp")) != ("service", "properties") or (
            request.method not in ("GET", "PUT")):
        raise BlobError(400, "UnsupportedOperation",
                        "The emulator serves Get/Set Blob Service Properties, containers and blobs only.")
    write = request.method == "PUT"
    if principal.casefold() != PRINCIPAL_ID:  # the sandbox's principal owns the subscription
        _authorize(state, principal, account.id, MANAGE_ROLES if write else INSPECT_ROLES)
    if not write:
        xml = blob_properties.document(state.blob_services.get(account.name))
        return _answer(request, 200, {"Content-Type": "application/xml"}, xml)
    try:
        elements = blob_properties.parse(request.body)
    except blob_properties.ServicePropertiesError as error:
        raise BlobError(400, error.code, error.message) from None
    state.blob_services.update(account.name, elements)
    if blob_properties.static_website_enabled(state.blob_services.get(account.name)):
        _ensure_web_container(state, account)
    return _answer(request, 202, {})


def _ensure_web_container(state: EmulatorState, account: Resource) -> None:
    """The ``$web`` container Azure creates when the static website is enabled (an ARM child resource of
    the account, so it goes with the account and its group)."""
    container_id = f"{account.id}/blobServices/default/containers/{WEB_CONTAINER}"
    if state.resource(container_id) is not None:
        return
    computed = {"properties": {"publicAccess": "None", "provisioningState": "Succeeded", "lastModifiedTime": utc_now()}}
    state.put_resource(Resource(id=container_id, type=CONTAINER_TYPE, name=f"{account.name}/default/{WEB_CONTAINER}",
                                location=None, api_version=account.api_version, declared={}, body=computed))


# ------------------------------------------------------------------------------ operations


def _put_blob(state: EmulatorState, request: Request, target: _Target) -> Response:
    if request.headers.get("x-ms-blob-type", "").casefold() != "blockblob":
        raise BlobError(400, "UnsupportedBlobType", "The emulator stores block blobs only (x-ms-blob-type: BlockBlob).")
    if request.query.get("comp"):
        raise BlobError(400, "UnsupportedQueryParameter", f"comp={request.query['comp']} is not emulated.")
    if len(request.body) > MAX_BLOB_BYTES:
        raise BlobError(413, "RequestBodyTooLarge",
                        f"The request body is too large and exceeds the maximum permissible limit ({MAX_BLOB_BYTES}).")
    existing = state.blobs.get(target.account, target.container, target.blob)
    if existing is not None and request.headers.get("if-none-match") == "*":
        raise BlobError(409, "BlobAlreadyExists", "The specified blob already exists.")
    md5 = base64.b64encode(hashlib.md5(request.body, usedforsecurity=False).digest()).decode("ascii")
    sent = request.headers.get("content-md5")
    if sent and sent != md5:
        raise BlobError(400, "Md5Mismatch", "The MD5 value specified in the request did not match the stored one.")
    stored_md5 = request.headers.get("x-ms-blob-content-md5") or md5
    record = BlobRecord(
        target.account, target.container, target.blob, request.body,
        etag=f'"0x{uuid.uuid4().hex[:15].upper()}"',
        content_md5=stored_md5,
        content_type=request.headers.get("x-ms-blob-content-type") or "application/octet-stream",
        metadata={name[len("x-ms-meta-"):]: value for name, value in request.headers.items()
                  if name.startswith("x-ms-meta-")},
    )
    state.blobs.put(record)
    headers = {"ETag": record.etag, "Last-Modified": record.last_modified, "Content-MD5": md5,
               "x-ms-request-server-encrypted": "true"}
    return _answer(request, 201, headers)


def _get_blob(request: Request, record: BlobRecord) -> Response:
    headers = _properties(record)
    wanted = request.headers.get("x-ms-range") or request.headers.get("range")
    if not wanted:
        return _answer(request, 200, headers, record.data)
    match = _RANGE.match(wanted.strip())
    size = len(record.data)
    if match is None or int(match.group(1)) >= size:
        raise BlobError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
    start = int(match.group(1))
    end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers.pop("Content-MD5", None)
    return _answer(request, 206, headers, record.data[start:end + 1])


def _properties(record: BlobRecord) -> dict[str, str]:
    headers = {
        "Content-Type": record.content_type,
        "Content-MD5": record.content_md5,
        "ETag": record.etag,
        "Last-Modified": record.last_modified,
        "x-ms-creation-time": record.created,
        "x-ms-blob-type": "BlockBlob",
        "x-ms-lease-status": "unlocked",
        "x-ms-lease-state": "available",
        "x-ms-server-encrypted": "true",
        "x-ms-access-tier": "Hot",
        "x-ms-access-tier-inferred": "true",
        "Accept-Ranges": "bytes",
    }
    headers.update({f"x-ms-meta-{name}": value for name, value in record.metadata.items()})
    return headers


def _container_operation(state: EmulatorState, request: Request, target: _Target) -> Response:
    if request.query.get("restype") != "container" or request.method not in ("GET", "HEAD"):
        raise BlobError(400, "UnsupportedOperation", "The emulator lists blobs and reads container properties only.")
    if request.query.get("comp") == "list":
        return _list_blobs(state, request, target)
    if request.query.get("comp"):
        raise BlobError(400, "UnsupportedQueryParameter", f"comp={request.query['comp']} is not emulated.")
    headers = {"ETag": '"0x1"', "Last-Modified": http_date(), "x-ms-lease-status": "unlocked",
               "x-ms-lease-state": "available", "x-ms-has-immutability-policy": "false",
               "x-ms-has-legal-hold": "false"}
    return _answer(request, 200, headers)


def _list_blobs(state: EmulatorState, request: Request, target: _Target) -> Response:
    prefix = request.query.get("prefix", "")
    marker = request.query.get("marker", "")
    limit_text = request.query.get("maxresults", "5000")
    limit = int(limit_text) if limit_text.isdigit() and int(limit_text) > 0 else 5000
    records = [r for r in state.blobs.listing(target.account, target.container, prefix) if r.name >= marker]
    page, rest = records[:limit], records[limit:]
    blobs = "".join(_blob_xml(record) for record in page)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<EnumerationResults ServiceEndpoint="{escape(target.url)}" ContainerName="{escape(target.container)}">'
        f"<Prefix>{escape(prefix)}</Prefix><Marker>{escape(marker)}</Marker><MaxResults>{limit}</MaxResults>"
        f"<Blobs>{blobs}</Blobs><NextMarker>{escape(rest[0].name) if rest else ''}</NextMarker>"
        "</EnumerationResults>"
    )
    return _answer(request, 200, {"Content-Type": "application/xml"}, xml.encode("utf-8"))


def _blob_xml(record: BlobRecord) -> str:
    fields = {
        "Creation-Time": record.created,
        "Last-Modified": record.last_modified,
        "Etag": record.etag,
        "Content-Length": str(len(record.data)),
        "Content-Type": record.content_type,
        "Content-MD5": record.content_md5,
        "BlobType": "BlockBlob",
        "AccessTier": "Hot",
        "AccessTierInferred": "true",
        "LeaseStatus": "unlocked",
        "LeaseState": "available",
        "ServerEncrypted": "true",
    }
    properties = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return f"<Blob><Name>{escape(record.name)}</Name><Properties>{properties}</Properties></Blob>"


# ------------------------------------------------------------------------------ responses


def _answer(request: Request, status: int, headers: Mapping[str, str], body: bytes = b"") -> Response:
    common: dict[str, Any] = {
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-version": request.headers.get("x-ms-version", API_VERSION),
        "Date": http_date(),
    }
    client_id = request.headers.get("x-ms-client-request-id")
    if client_id:
        common["x-ms-client-request-id"] = client_id
    return Response(status, body, {**common, **headers})


def _error(request: Request, error: BlobError) -> Response:
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
    )
    headers = {"x-ms-error-code": error.code, "Content-Type": "application/xml"}
    return _answer(request, error.status, headers, xml.encode("utf-8"))
