"""Get/Set Blob Service Properties of emulated storage accounts through the real azure-storage-blob client
(in memory and over HTTP): the static website, the ``$web`` container it creates, partial updates, the
management-action authorization, and the state that keeps them."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.storage.blob import BlobAnalyticsLogging, BlobServiceClient, CorsRule, StaticWebsite
from emu_helpers import GROUP, LOCATION, Deploy, template
from iacli_azure.emulator import blob_service
from iacli_azure.emulator.http import Request
from iacli_azure.emulator.ids import SUBSCRIPTION_ID
from iacli_azure.emulator.server import serve
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients, make_blob_service

ACCOUNT = "stwebemu1"
OTHER = "22222222-2222-4222-8222-222222222222"
ACCOUNT_ID = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{GROUP}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"
WEB_ID = f"{ACCOUNT_ID}/blobServices/default/containers/$web"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
WEBSITE = StaticWebsite(enabled=True, index_document="index.html", error_document404_path="404.html")
SET_WEBSITE = (b'<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><StaticWebsite><Enabled>true'
               b"</Enabled><IndexDocument>index.html</IndexDocument></StaticWebsite></StorageServiceProperties>")


def account(role: str | None = None, principal: str = OTHER) -> dict[str, Any]:
    """A storage account, and ``role`` on it for ``principal``."""
    resources: list[dict[str, Any]] = [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": ACCOUNT,
         "location": LOCATION, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2",
         "properties": {"allowSharedKeyAccess": False}},
    ]
    if role:
        scope = f"[resourceId('Microsoft.Storage/storageAccounts', '{ACCOUNT}')]"
        resources.append({
            "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
            "name": f"[guid('{role}', '{principal}')]", "scope": scope, "dependsOn": [scope],
            "properties": {"principalId": principal, "roleDefinitionId":
                           f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]"},
        })
    return template(resources)


@pytest.fixture
def service(emulator: Emulator, deploy: Deploy) -> BlobServiceClient:
    deploy(account())
    return make_blob_service(emulator, ACCOUNT)


def _website(service: BlobServiceClient) -> tuple[Any, ...]:
    found = service.get_service_properties()["static_website"]
    return found.enabled, found.index_document, found.error_document404_path


def test_a_new_account_answers_the_defaults(service: BlobServiceClient) -> None:
    properties = service.get_service_properties()
    assert _website(service) == (False, None, None)
    assert properties["cors"] == [] and properties["target_version"] is None
    assert properties["analytics_logging"].read is False and properties["hour_metrics"].enabled is False
    assert properties["delete_retention_policy"].enabled is False


def test_static_website_round_trip_creates_web(clients: EmulatorClients, service: BlobServiceClient) -> None:
    with pytest.raises(ResourceNotFoundError):
        clients.resources.resources.get_by_id(WEB_ID, api_version="2023-01-01")
    service.set_service_properties(static_website=WEBSITE)
    assert _website(service) == (True, "index.html", "404.html")
    web = clients.resources.resources.get_by_id(WEB_ID, api_version="2023-01-01")
    assert web.name == "$web" and web.type == "Microsoft.Storage/storageAccounts/blobServices/containers"
    # a child resource of the account: not among the group's resources
    assert [r.name for r in clients.resources.resources.list_by_resource_group(GROUP)] == [ACCOUNT]
    service.set_service_properties(static_website=StaticWebsite(enabled=False))
    assert _website(service) == (False, None, None)
    clients.resources.resources.get_by_id(WEB_ID, api_version="2023-01-01")  # disabling keeps $web, like Azure


def test_elements_not_sent_are_kept(service: BlobServiceClient) -> None:
    service.set_service_properties(static_website=WEBSITE, cors=[CorsRule(["https://a.example"], ["GET"])])
    service.set_service_properties(analytics_logging=BlobAnalyticsLogging(read=True), target_version="2021-08-06")
    properties = service.get_service_properties()
    assert _website(service) == (True, "index.html", "404.html")
    assert [(r.allowed_origins, r.allowed_methods) for r in properties["cors"]] == [("https://a.example", "GET")]
    assert properties["analytics_logging"].read is True and properties["target_version"] == "2021-08-06"
    service.set_service_properties(cors=[])
    assert service.get_service_properties()["cors"] == []


@pytest.mark.parametrize(("body", "code"), [
    (b"<StorageServiceProperties><StaticWebsite>", "InvalidXmlDocument"),
    (b"<Other/>", "InvalidXmlDocument"),
    (b"<StorageServiceProperties><StaticWebsite><Enabled>yes</Enabled></StaticWebsite></StorageServiceProperties>",
     "InvalidXmlNodeValue"),
])
def test_bad_documents_are_refused(emulator: Emulator, service: BlobServiceClient, body: bytes, code: str) -> None:
    answer = blob_service.serve(emulator.state, _request("PUT", _token(), body))
    assert (answer.status, answer.headers["x-ms-error-code"]) == (400, code)
    assert emulator.state.resource(WEB_ID) is None


@pytest.mark.parametrize(("role", "can_read", "can_write"), [
    (None, False, False),
    (BLOB_DATA_OWNER, False, False),  # data roles hold no blobServices/read|write
    (READER, True, False),
    (ACCOUNT_CONTRIBUTOR, True, True),
    (OWNER, True, True),
])
def test_management_roles_are_enforced(emulator: Emulator, deploy: Deploy, role: str | None, can_read: bool,
                                       can_write: bool) -> None:
    deploy(account(role))
    token = _token(OTHER)
    read = blob_service.serve(emulator.state, _request("GET", token))
    write = blob_service.serve(emulator.state, _request("PUT", token, SET_WEBSITE))
    assert (read.status, write.status) == (200 if can_read else 403, 202 if can_write else 403)
    if not can_write:
        assert write.headers["x-ms-error-code"] == "AuthorizationPermissionMismatch"
    assert (emulator.state.resource(WEB_ID) is not None) is can_write


def test_only_service_properties_are_served_at_the_account(emulator: Emulator, service: BlobServiceClient) -> None:
    answer = blob_service.serve(emulator.state, _request("GET", _token(), query={"comp": "list"}))
    assert (answer.status, answer.headers["x-ms-error-code"]) == (400, "UnsupportedOperation")


def test_properties_survive_a_snapshot_and_go_with_the_account(
    emulator: Emulator, clients: EmulatorClients, service: BlobServiceClient
) -> None:
    service.set_service_properties(static_website=WEBSITE)
    restored = Emulator()
    restored.state.restore(json.loads(json.dumps(emulator.state.snapshot())))
    assert _website(make_blob_service(restored, ACCOUNT)) == (True, "index.html", "404.html")
    assert restored.state.resource(WEB_ID) is not None
    clients.resources.resources.begin_delete_by_id(ACCOUNT_ID, api_version="2023-01-01").result()
    assert emulator.state.blob_services.snapshot() == {} and emulator.state.resource(WEB_ID) is None


def test_deleting_the_group_forgets_the_properties(
    emulator: Emulator, clients: EmulatorClients, service: BlobServiceClient
) -> None:
    service.set_service_properties(static_website=WEBSITE)
    clients.resources.resource_groups.begin_delete(GROUP).result()
    assert emulator.state.blob_services.snapshot() == {} and emulator.state.resources() == []


@pytest.fixture
def endpoint(emulator: Emulator) -> Iterator[str]:
    server = serve(emulator)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_path_style_over_http(emulator: Emulator, endpoint: str, deploy: Deploy) -> None:
    deploy(account())
    service = make_blob_service(endpoint, ACCOUNT)
    assert _website(service) == (False, None, None)
    service.set_service_properties(static_website=WEBSITE)
    assert _website(service) == (True, "index.html", "404.html")
    assert emulator.state.resource(WEB_ID) is not None
    with pytest.raises(HttpResponseError) as err:
        make_blob_service(endpoint, "stnosuch").get_service_properties()
    assert err.value.error_code == "AccountNotFound"


def _token(oid: str | None = None) -> str:
    """A bearer token for ``oid`` (the sandbox's principal by default), shaped like the emulator's."""
    if oid is None:
        return str(make_blob_service(Emulator(), ACCOUNT).credential.get_token("https://storage.azure.com/.default").token)
    payload = base64.urlsafe_b64encode(json.dumps({"oid": oid}).encode()).decode().rstrip("=")
    return f"e30.{payload}.sig"


def _request(method: str, token: str, body: bytes = b"", query: dict[str, str] | None = None) -> Request:
    headers = {"authorization": f"Bearer {token}", "x-ms-version": "2025-11-05"}
    params = query if query is not None else {"restype": "service", "comp": "properties"}
    return Request(method, "/", params, body, f"https://{ACCOUNT}.blob.core.windows.net", headers)
