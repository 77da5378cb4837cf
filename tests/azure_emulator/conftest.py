"""Fixtures: a fresh in-memory emulator, the real SDK clients on it, a resource group, a deployer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("iacli_azure") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "providers" / "azure"))

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from emu_helpers import GROUP, LOCATION, Deploy, deployment_body
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients, make_clients


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def clients(emulator: Emulator) -> EmulatorClients:
    return make_clients(emulator)


@pytest.fixture
def group(clients: EmulatorClients) -> str:
    clients.resources.resource_groups.create_or_update(GROUP, {"location": LOCATION})
    return GROUP


@pytest.fixture
def deploy(clients: EmulatorClients, group: str) -> Deploy:
    """Deploy a template through the SDK and wait: ``deploy(template, params, name=..., mode=...)``."""

    def run(
        template_doc: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        *,
        name: str = "main",
        mode: str = "Incremental",
        resource_group: str = GROUP,
    ) -> Any:
        poller = clients.deployments.deployments.begin_create_or_update(
            resource_group, name, deployment_body(template_doc, parameters, mode)
        )
        return poller.result()

    return run


@pytest.fixture
def what_if(clients: EmulatorClients, group: str) -> Callable[..., Any]:
    """Run what-if through the SDK: ``what_if(template, params, mode=...)`` -> the changes."""

    def run(
        template_doc: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        *,
        mode: str = "Incremental",
    ) -> Any:
        poller = clients.deployments.deployments.begin_what_if(
            GROUP, "whatif", deployment_body(template_doc, parameters, mode)
        )
        return poller.result().changes

    return run
