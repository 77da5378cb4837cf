"""SDK clients for a target: the emulator (sandbox) or real Azure (DefaultAzureCredential)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from typing import Any

from iacli.errors import ProviderError
from iacli.providers import Target, TargetKind

DEFAULT_LOCATION = "eastus"
CLOUD_POLLING_INTERVAL_S = 5


class AzureSession:
    """Lazily built resource, deployment and container-instance clients for one target."""

    def __init__(self, target: Target, endpoint: Callable[[], str] | None = None) -> None:
        self.target = target
        self._endpoint = endpoint

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

    @cached_property
    def _clients(self) -> tuple[Any, Any, Any]:
        if self.sandbox:
            if self._endpoint is None:
                raise ProviderError("the Azure sandbox has no endpoint")
            from iacli_azure.emulator.transport import make_clients

            built = make_clients(self._endpoint())
            return built.resources, built.deployments, built.containers
        subscription = (self.target.options.get("subscription") or os.environ.get("AZURE_SUBSCRIPTION_ID", "")).strip()
        if not subscription:
            raise ProviderError("no Azure subscription: iacli needs the subscription to deploy to",
                                hint="pass --subscription ID or export AZURE_SUBSCRIPTION_ID=<id> "
                                     "(az account show --query id -o tsv)")
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.containerinstance import ContainerInstanceManagementClient
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        credential = DefaultAzureCredential()
        common: dict[str, Any] = {"polling_interval": CLOUD_POLLING_INTERVAL_S, "user_agent": "iacli"}
        return (
            ResourceManagementClient(credential, subscription, **common),
            DeploymentsMgmtClient(credential, subscription, **common),
            ContainerInstanceManagementClient(credential, subscription, **common),
        )

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
