"""Microsoft.Storage: storage accounts (name rules, global names, endpoints, keys) and their services."""

from __future__ import annotations

import re

from ...arm import ListRequest, placeholder_list_resolver
from ..errors import ArmError
from ..state import EmulatorState, utc_now
from .base import Draft, JsonDict, ListCall, ResourceHandler, resources_of_type, string_at

_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_SERVICES = {
    "storagev2": ("blob", "queue", "table", "file", "web", "dfs"),
    "storage": ("blob", "queue", "table", "file"),
    "blobstorage": ("blob", "table", "dfs"),
    "blockblobstorage": ("blob", "web", "dfs"),
    "filestorage": ("file",),
}
_SUFFIX = {"dfs": "dfs", "web": "z6.web"}


class StorageAccountHandler(ResourceHandler):
    """``Microsoft.Storage/storageAccounts``."""

    types = ("microsoft.storage/storageaccounts",)

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        name = draft.name
        if not _ACCOUNT_NAME.match(name):
            raise ArmError(
                "AccountNameInvalid",
                f"{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
                "characters in length and use numbers and lower-case letters only.",
                target=name,
            )
        for other in resources_of_type(state, "Microsoft.Storage/storageAccounts"):
            if (
                other.name.casefold() == name.casefold()
                and other.id.casefold() != draft.resource_id.casefold()
            ):
                raise ArmError(
                    "StorageAccountAlreadyTaken",
                    f"The storage account named {name} is already taken.",
                    status=409,
                    target=name,
                )

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        kind = (string_at(draft.declared, "kind") or "StorageV2").casefold()
        services = _SERVICES.get(kind, _SERVICES["storagev2"])
        endpoints = {
            service: f"https://{draft.name}.{_SUFFIX.get(service, service)}.core.windows.net/"
            for service in services
        }
        properties: JsonDict = {
            "primaryEndpoints": endpoints,
            "primaryLocation": draft.location,
            "statusOfPrimary": "available",
            "creationTime": draft.existing.created_at if draft.existing else utc_now(),
        }
        sku = (string_at(draft.declared, "sku", "name") or "").casefold()
        if "grs" in sku or "gzrs" in sku:
            properties["statusOfSecondary"] = "available"
        return {"properties": {key: value for key, value in properties.items() if value is not None}}

    def list_action(self, call: ListCall, state: EmulatorState) -> JsonDict:
        keys = _placeholder(call)["keys"]
        return {"keys": keys}


class StorageChildHandler(ResourceHandler):
    """Blob/file/queue/table services, containers, shares, queues and tables."""

    types = (
        "microsoft.storage/storageaccounts/blobservices",
        "microsoft.storage/storageaccounts/fileservices",
        "microsoft.storage/storageaccounts/queueservices",
        "microsoft.storage/storageaccounts/tableservices",
        "microsoft.storage/storageaccounts/blobservices/containers",
        "microsoft.storage/storageaccounts/fileservices/shares",
        "microsoft.storage/storageaccounts/queueservices/queues",
        "microsoft.storage/storageaccounts/tableservices/tables",
    )

    def preflight(self, draft: Draft, state: EmulatorState) -> None:
        if len(draft.parsed.types) == 2 and draft.name.casefold() != "default":
            raise ArmError(
                "InvalidResourceName",
                f"The name of a storage account service must be 'default', got '{draft.name}'.",
                target=draft.parsed.name,
            )

    def computed(self, draft: Draft, state: EmulatorState) -> JsonDict:
        leaf = draft.parsed.types[-1].casefold()
        if leaf in ("containers", "shares"):
            return {"properties": {"lastModifiedTime": utc_now()}}
        return {}


def _placeholder(call: ListCall) -> JsonDict:
    answer = placeholder_list_resolver(
        ListRequest(call.function_name, call.target.raw, "", None, call.target.raw)
    )
    assert isinstance(answer, dict)
    return answer
