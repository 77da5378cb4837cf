"""The Blob data plane of emulated storage accounts, through the real azure-storage-blob client (in memory
and over HTTP), and the web-app ``restart`` action."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.core.rest import HttpRequest
from azure.storage.blob import BlobServiceClient, ContentSettings
from emu_helpers import GROUP, LOCATION, Deploy, template
from iacli_azure.emulator import blob_service
from iacli_azure.emulator.blobs import MAX_BLOB_BYTES
from iacli_azure.emulator.http import Request
from iacli_azure.emulator.ids import PRINCIPAL_ID, SUBSCRIPTION_ID
from iacli_azure.emulator.server import serve
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients, make_blob_service

ACCOUNT = "stpkgemu1"
CONTAINER_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers"
READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
CONTAINER_ID = f"[resourceId('{CONTAINER_TYPE}', '{ACCOUNT}', 'default', 'packages')]"


def storage(role: str | None = CONTRIBUTOR, principal: str = PRINCIPAL_ID) -> dict[str, Any]:
    """A storage account with a ``packages`` container, and ``role`` on it for ``principal``."""
    resources: list[dict[str, Any]] = [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": ACCOUNT,
         "location": LOCATION, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2",
         "properties": {"allowSharedKeyAccess": False}},
        {"type": "Microsoft.Storage/storageAccounts/blobServices", "apiVersion": "2023-01-01",
         "name": f"{ACCOUNT}/default",
         "dependsOn": [f"[resourceId('Microsoft.Storage/storageAccounts', '{ACCOUNT}')]"]},
        {"type": CONTAINER_TYPE, "apiVersion": "2023-01-01", "name": f"{ACCOUNT}/default/packages",
         "dependsOn": [f"[resourceId('Microsoft.Storage/storageAccounts/blobServices', '{ACCOUNT}', 'default')]"]},
    ]
    if role:
        resources.append({
            "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
            "name": f"[guid('{role}', '{principal}')]", "scope": CONTAINER_ID, "dependsOn": [CONTAINER_ID],
            "properties": {"principalId": principal, "roleDefinitionId":
                           f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]"},
        })
    return template(resources)


@pytest.fixture
def blobs(emulator: Emulator, deploy: Deploy) -> BlobServiceClient:
    deploy(storage())
    return make_blob_service(emulator, ACCOUNT)


def test_upload_check_read_and_list(blobs: BlobServiceClient) -> None:
    container = blobs.get_container_client("packages")
    blob = container.get_blob_client("code/abc.zip")
    assert blob.exists() is False
    result = blob.upload_blob(b"zip bytes", overwrite=False, content_settings=ContentSettings("application/zip"))
    assert result["etag"] and result["request_server_encrypted"] is True
    properties = blob.get_blob_properties()
    assert (properties.size, properties.content_settings.content_type, properties.blob_type) == (
        9, "application/zip", "BlockBlob")
    assert blob.download_blob().readall() == b"zip bytes"
    assert blob.download_blob(offset=4, length=5).readall() == b"bytes"
    container.upload_blob("other.txt", b"x")
    assert [b.name for b in container.list_blobs()] == ["code/abc.zip", "other.txt"]
    assert [(b.name, b.size) for b in container.list_blobs(name_starts_with="code/")] == [("code/abc.zip", 9)]


def test_content_md5_is_what_was_sent_or_computed(blobs: BlobServiceClient) -> None:
    blob = blobs.get_blob_client("packages", "a.zip")
    blob.upload_blob(b"abc")
    assert bytes(blob.get_blob_properties().content_settings.content_md5) == hashlib.md5(b"abc").digest()
    declared = bytearray(hashlib.md5(b"declared").digest())
    blobs.get_blob_client("packages", "b.zip").upload_blob(b"abc", content_settings=ContentSettings(content_md5=declared))
    assert bytes(blobs.get_blob_client("packages", "b.zip").get_blob_properties().content_settings.content_md5) == declared


def test_existing_blob_is_kept_unless_overwrite(blobs: BlobServiceClient) -> None:
    blob = blobs.get_blob_client("packages", "p.zip")
    blob.upload_blob(b"one")
    with pytest.raises(ResourceExistsError) as err:
        blob.upload_blob(b"two", overwrite=False)
    assert err.value.error_code == "BlobAlreadyExists"
    blob.upload_blob(b"three", overwrite=True)
    assert blob.download_blob().readall() == b"three"


def test_missing_container_blob_and_account(emulator: Emulator, blobs: BlobServiceClient) -> None:
    with pytest.raises(ResourceNotFoundError) as err:
        blobs.get_blob_client("nope", "x.zip").upload_blob(b"x")
    assert err.value.error_code == "ContainerNotFound"
    with pytest.raises(ResourceNotFoundError) as err:
        blobs.get_blob_client("packages", "missing.zip").download_blob()
    assert err.value.error_code == "BlobNotFound"
    with pytest.raises(ServiceRequestError, match="Failed to resolve 'stnosuch.blob.core.windows.net'"):
        make_blob_service(emulator, "stnosuch").get_blob_client("packages", "x").upload_blob(b"x")


@pytest.mark.parametrize(("role", "can_read"), [(None, False), (READER, True)])
def test_data_roles_are_enforced(emulator: Emulator, deploy: Deploy, role: str | None, can_read: bool) -> None:
    deploy(storage(role))
    emulator.state.blobs.put(_record("seeded.zip", b"seed"))
    blob = make_blob_service(emulator, ACCOUNT).get_blob_client("packages", "seeded.zip")
    if can_read:
        assert blob.download_blob().readall() == b"seed"
    else:
        with pytest.raises(HttpResponseError) as err:
            blob.download_blob()
        assert (err.value.status_code, err.value.error_code) == (403, "AuthorizationPermissionMismatch")
    with pytest.raises(HttpResponseError) as err:
        blob.upload_blob(b"new", overwrite=True)
    assert (err.value.status_code, err.value.error_code) == (403, "AuthorizationPermissionMismatch")


def test_another_principal_gets_nothing(emulator: Emulator, deploy: Deploy) -> None:
    deploy(storage(CONTRIBUTOR, principal="22222222-2222-4222-8222-222222222222"))
    with pytest.raises(HttpResponseError) as err:
        make_blob_service(emulator, ACCOUNT).get_blob_client("packages", "x").upload_blob(b"x")
    assert err.value.error_code == "AuthorizationPermissionMismatch"


def test_anonymous_and_shared_key_requests_are_refused(emulator: Emulator, blobs: BlobServiceClient) -> None:
    for headers, status, code in (
        ({}, 401, "NoAuthenticationInformation"),
        ({"authorization": "SharedKey stpkgemu1:c2ln"}, 403, "KeyBasedAuthenticationNotPermitted"),
        ({"authorization": "Bearer not-a-jwt"}, 401, "InvalidAuthenticationInfo"),
    ):
        answer = blob_service.serve(emulator.state, _request("GET", "/packages/x", headers))
        assert (answer.status, answer.headers["x-ms-error-code"]) == (status, code)
        assert f"<Code>{code}</Code>".encode() in answer.body


def test_blob_size_is_limited(emulator: Emulator, blobs: BlobServiceClient) -> None:
    token = blobs.credential.get_token("https://storage.azure.com/.default").token
    headers = {"authorization": f"Bearer {token}", "x-ms-blob-type": "BlockBlob", "x-ms-version": "2025-11-05"}
    answer = blob_service.serve(emulator.state, _request("PUT", "/packages/big.zip", headers, b"\0" * (MAX_BLOB_BYTES + 1)))
    assert (answer.status, answer.headers["x-ms-error-code"]) == (413, "RequestBodyTooLarge")
    assert emulator.state.blobs.get(ACCOUNT, "packages", "big.zip") is None


def test_blobs_go_with_their_container_and_survive_a_snapshot(
    emulator: Emulator, clients: EmulatorClients, blobs: BlobServiceClient
) -> None:
    blobs.get_blob_client("packages", "kept.zip").upload_blob(b"\x00\xffzip")
    restored = Emulator()
    restored.state.restore(emulator.state.snapshot())
    assert make_blob_service(restored, ACCOUNT).get_blob_client("packages", "kept.zip").download_blob().readall() == (
        b"\x00\xffzip")
    container_id = (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}/providers/Microsoft.Storage/"
                    f"storageAccounts/{ACCOUNT}/blobServices/default/containers/packages")
    clients.resources.resources.begin_delete_by_id(container_id, api_version="2023-01-01").result()
    assert emulator.state.blobs.listing(ACCOUNT, "packages") == []


def test_deleting_the_group_forgets_its_blobs(emulator: Emulator, clients: EmulatorClients,
                                              blobs: BlobServiceClient) -> None:
    blobs.get_blob_client("packages", "gone.zip").upload_blob(b"x")
    clients.resources.resource_groups.begin_delete(GROUP).result()
    assert emulator.state.blobs.snapshot() == []


@pytest.fixture
def endpoint(emulator: Emulator) -> Iterator[str]:
    server = serve(emulator)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_path_style_over_http(endpoint: str, deploy: Deploy) -> None:
    deploy(storage())
    service = make_blob_service(endpoint, ACCOUNT)
    assert service.url.rstrip("/") == blob_service.blob_account_url(endpoint, ACCOUNT) == f"{endpoint}/{ACCOUNT}"
    blob = service.get_blob_client("packages", "dir/pkg 1.zip")
    blob.upload_blob(b"0123456789" * 100)
    assert blob.get_blob_properties().size == 1000
    assert blob.download_blob(offset=10, length=3).readall() == b"012"
    assert [b.name for b in service.get_container_client("packages").list_blobs()] == ["dir/pkg 1.zip"]
    with pytest.raises(ResourceNotFoundError) as err:
        make_blob_service(endpoint, "stnosuch").get_blob_client("packages", "x").upload_blob(b"x")
    assert err.value.error_code == "AccountNotFound"


def test_site_restart(clients: EmulatorClients, deploy: Deploy) -> None:
    deploy(template([
        {"type": "Microsoft.Web/serverfarms", "apiVersion": "2023-01-01", "name": "plan", "location": LOCATION,
         "sku": {"name": "Y1"}},
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "fn-emu-restart", "location": LOCATION,
         "kind": "functionapp,linux", "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', 'plan')]"],
         "properties": {"serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'plan')]"}},
    ]))
    sites = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}/providers/Microsoft.Web/sites"
    ok = clients.resources.send_request(HttpRequest("POST", f"{sites}/fn-emu-restart/restart?api-version=2023-01-01"))
    assert ok.status_code == 200
    missing = clients.resources.send_request(HttpRequest("POST", f"{sites}/nope/restart?api-version=2023-01-01"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Request:
    return Request(method, path, {}, body, f"https://{ACCOUNT}.blob.core.windows.net", headers)


def _record(name: str, data: bytes) -> Any:
    from iacli_azure.emulator.blobs import BlobRecord

    return BlobRecord(ACCOUNT, "packages", name, data, etag='"0x1"', content_md5="")
