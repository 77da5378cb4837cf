"""SDK clients for a target: the emulator (sandbox) or real Azure (DefaultAzureCredential)."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from functools import cached_property
from typing import Any

from iacli.errors import ProviderError
from iacli.providers import Target, TargetKind

DEFAULT_LOCATION = "eastus"
CLOUD_POLLING_INTERVAL_S = 5
ARM_SCOPE = "https://management.azure.com/.default"
BLOB_HOST_SUFFIX = ".blob.core.windows.net"


class AzureSession:
    """Lazily built resource, deployment and container-instance clients for one target."""

    def __init__(self, target: Target, endpoint: Callable[[], str] | None = None,
                 credentials: dict[TargetKind, Any] | None = None) -> None:
        self.target = target
        self._endpoint = endpoint
        self._credentials = credentials if credentials is not None else {}
        """Credentials shared by the sessions of one command (by target kind), so tokens are fetched once."""

    @property
    def sandbox(self) -> bool:
        return self.target.kind is TargetKind.SANDBOX

    @property
    def region(self) -> str:
        return self.target.region or os.environ.get("AZURE_LOCATION") or DEFAULT_LOCATION

    @property
    def location(self) -> str:
        """``sandbox:<location>`` or ``azure:<location>``."""
        return f"{'sandbox' if self.sandbox else 'azure'}:{self.region}"

    @property
    def group(self) -> str:
        """One resource group per stack, named after it."""
        return self.target.stack

    @property
    def subscription_id(self) -> str:
        """The subscription deployed to (the emulator's one in the sandbox)."""
        if self.sandbox:
            from iacli_azure.emulator.ids import SUBSCRIPTION_ID

            return SUBSCRIPTION_ID
        subscription = (self.target.options.get("subscription") or os.environ.get("AZURE_SUBSCRIPTION_ID", "")).strip()
        if not subscription:
            raise ProviderError("no Azure subscription: iacli needs the subscription to deploy to",
                                hint="pass --subscription ID or export AZURE_SUBSCRIPTION_ID=<id> "
                                     "(az account show --query id -o tsv)")
        return subscription

    def _endpoint_url(self) -> str:
        if self._endpoint is None:
            raise ProviderError("the Azure sandbox has no endpoint")
        return self._endpoint()

    @property
    def credential(self) -> Any:
        """The ``TokenCredential`` every client of this session uses (the emulator's fake one in the sandbox)."""
        kind = self.target.kind
        if kind not in self._credentials:
            if self.sandbox:
                from iacli_azure.emulator.transport import EmulatorCredential

                self._credentials[kind] = EmulatorCredential()
            else:
                from azure.identity import DefaultAzureCredential

                self._credentials[kind] = DefaultAzureCredential()
        return self._credentials[kind]

    @cached_property
    def principal_id(self) -> str:
        """The object id of the signed-in principal (the ``oid`` of its ARM token)."""
        from iacli_azure.errors import azure_errors

        with azure_errors("sign in to Azure"):
            token = self.credential.get_token(ARM_SCOPE).token
        oid = token_claims(token).get("oid")
        if not oid:
            raise ProviderError("the Azure credential's token names no principal (it has no 'oid' claim)",
                                hint="sign in as a user, a service principal or a managed identity")
        return str(oid)

    @cached_property
    def _clients(self) -> tuple[Any, Any, Any]:
        if self.sandbox:
            from iacli_azure.emulator.transport import make_clients

            built = make_clients(self._endpoint_url())
            return built.resources, built.deployments, built.containers
        subscription = self.subscription_id
        from azure.mgmt.containerinstance import ContainerInstanceManagementClient
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        credential = self.credential
        common: dict[str, Any] = {"polling_interval": CLOUD_POLLING_INTERVAL_S, "user_agent": "iacli"}
        return (
            ResourceManagementClient(credential, subscription, **common),
            DeploymentsMgmtClient(credential, subscription, **common),
            ContainerInstanceManagementClient(credential, subscription, **common),
        )

    def blob_account_url(self, account: str) -> str:
        """Where the Blob service of storage account ``account`` answers for this session: its
        ``https://<account>.blob.core.windows.net``, or the emulator's path-style URL in the sandbox."""
        if self.sandbox:
            from iacli_azure.emulator.blob_service import blob_account_url

            return blob_account_url(self._endpoint_url(), account)
        return f"https://{account}{BLOB_HOST_SUFFIX}"

    def blob_service(self, account: str) -> Any:
        """An ``azure.storage.blob.BlobServiceClient`` for ``account``, with this session's credential."""
        if self.sandbox:
            from iacli_azure.emulator.transport import make_blob_service

            return make_blob_service(self._endpoint_url(), account)
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient(self.blob_account_url(account), credential=self.credential, user_agent="iacli")

    @property
    def resources(self) -> Any:
        """``azure.mgmt.resource.resources.ResourceManagementClient``."""
        return self._clients[0]

    @property
    def deployments(self) -> Any:
        """``azure.mgmt.resource.deployments.DeploymentsMgmtClient``."""
        return self._clients[1]

    @property
    def containers(self) -> Any:
        """``azure.mgmt.containerinstance.ContainerInstanceManagementClient``."""
        return self._clients[2]


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT access token (read, not verified: only to learn who signed in)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}
