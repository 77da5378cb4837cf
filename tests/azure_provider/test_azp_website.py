"""Static websites on Azure (iacli_azure.website) through the CLI against the emulator server: a template
with ``metadata.iacliStaticWebsite`` gets its account's static website turned on after the deployment (and
after an automatic rollback's redeployment), written only when it differs, with a clear error when it
cannot be."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from azp_helpers import SCHEMA, STORAGE, write

from iacli.cli.app import main

WEBSITE = {"storageAccount": "[variables('account')]", "indexDocument": "index.html",
           "errorDocument404Path": "index.html"}


def site_template(website: dict[str, Any] = WEBSITE, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "metadata": {"iacliStaticWebsite": website},
        "parameters": {"tier": {"type": "string", "defaultValue": "Hot", "allowedValues": ["Hot", "Cool"]}},
        "variables": {"account": "[concat('stweb', uniqueString(resourceGroup().id))]"},
        "resources": [
            {"type": STORAGE, "apiVersion": "2023-01-01", "name": "[variables('account')]",
             "location": "[resourceGroup().location]", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2",
             "properties": {"allowSharedKeyAccess": False, "accessTier": "[parameters('tier')]"}},
            *(extra or []),
        ],
        "outputs": {"account": {"type": "string", "value": "[variables('account')]"}},
    }


def _run(capsys: pytest.CaptureFixture[str], name: str, template: Path, command: str, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([command, "--provider", "azure", "--name", name, "--template", str(template), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def _service(account: str) -> Any:
    from iacli_azure.emulator.manager import EmulatorManager
    from iacli_azure.emulator.transport import make_blob_service

    return make_blob_service(EmulatorManager(Path(os.environ["IACLI_HOME"])).ensure_running(), account)


def _website(account: str) -> tuple[Any, ...]:
    found = _service(account).get_service_properties()["static_website"]
    return found.enabled, found.index_document, found.error_document404_path


def _account(capsys: pytest.CaptureFixture[str], name: str, template: Path) -> str:
    code, text = _run(capsys, name, template, "outputs", "--output", "json")
    assert code == 0, text
    return str(json.loads(text)["account"])


def test_the_static_website_is_enabled_after_deploy_and_only_written_when_it_differs(
    azure_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write(azure_project / "site.json", site_template())
    code, text = _run(capsys, "ws1", template, "deploy", "--yes")
    assert code == 0, text
    account = _account(capsys, "ws1", template)
    assert f"{account} static website" in text and "Enabled" in text and "index.html, 404: index.html" in text
    assert _website(account) == (True, "index.html", "index.html")
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as err:  # $web exists (the deployer holds no data role on it)
        _service(account).get_container_client("$web").get_container_properties()
    assert err.value.error_code == "AuthorizationPermissionMismatch"

    code, text = _run(capsys, "ws1", template, "deploy", "-p", "tier=Cool", "--yes")  # a change, same website
    assert code == 0 and "static website" not in text, text

    from azure.storage.blob import StaticWebsite

    _service(account).set_service_properties(static_website=StaticWebsite(enabled=True, index_document="other.html"))
    code, text = _run(capsys, "ws1", template, "deploy", "--yes")  # tier back to Hot; the website drifted
    assert code == 0 and f"{account} static website" in text, text
    assert _website(account) == (True, "index.html", "index.html")


def test_a_website_that_cannot_be_enabled_fails_clearly_after_the_deployment(
    azure_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = {**WEBSITE, "storageAccount": "[concat('stnone', uniqueString(resourceGroup().id))]"}
    template = write(azure_project / "bad-site.json", site_template(missing))
    code, text = _run(capsys, "ws2", template, "deploy", "--yes")
    assert code == 4, text
    assert "ws2-dev was deployed, but enabling the static website of storage account stnone" in text
    assert "AccountNotFound: the storage account does not exist" in text
    assert "az storage blob service-properties update --account-name stnone" in text
    assert "--static-website --index-document index.html --404-document index.html" in text
    assert _account(capsys, "ws2", template).startswith("stweb")  # the deployment itself stands


def test_an_automatic_rollback_enables_the_website_again(
    azure_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azure.storage.blob import StaticWebsite

    good = write(azure_project / "site.json", site_template())
    broken = write(azure_project / "broken.json", site_template(extra=[{
        "type": f"{STORAGE}/blobServices/containers", "apiVersion": "2023-01-01", "name": "nosuch/default/c1",
        "properties": {}}]))
    code, text = _run(capsys, "ws3", good, "deploy", "--yes")
    assert code == 0, text
    account = _account(capsys, "ws3", good)
    _service(account).set_service_properties(static_website=StaticWebsite(enabled=False))
    code, text = _run(capsys, "ws3", broken, "deploy", "-p", "tier=Cool", "--yes")
    assert code == 5 and "rolled back" in text, text
    assert f"{account} static website" in text
    assert _website(account) == (True, "index.html", "index.html")
