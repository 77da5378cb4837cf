"""Function packages on Azure (iacli_azure.packages) through the CLI against the emulator server: a project
blueprint whose ARM template ships ``asset("src")`` in a function app's WEBSITE_RUN_FROM_PACKAGE."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from iacli.assets import build_asset
from iacli.cli.app import main

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
CONTAINER_ID = "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', variables('account'), 'default', 'code')]"
TEMPLATE = """{
  "$schema": "__SCHEMA__",
  "contentVersion": "1.0.0.0",
  {% if params.metadata %}"metadata": {"iacliAssets": {"storageAccount": "[variables('account')]", "container": "code",
                                          "uploaderPrincipalParameter": "uploader"}},{% endif %}
  "parameters": {"uploader": {"type": "string", "defaultValue": ""}},
  "variables": {"account": "[concat('stpkg', uniqueString(resourceGroup().id))]"},
  "resources": [
    {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "[variables('account')]",
     "location": "[resourceGroup().location]", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2",
     "properties": {"allowSharedKeyAccess": false}},
    {"type": "Microsoft.Storage/storageAccounts/blobServices", "apiVersion": "2023-01-01",
     "name": "[format('{0}/default', variables('account'))]",
     "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts', variables('account'))]"]},
    {"condition": {{ params.container | json }}, "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
     "apiVersion": "2023-01-01", "name": "[format('{0}/default/code', variables('account'))]",
     "dependsOn": ["[resourceId('Microsoft.Storage/storageAccounts/blobServices', variables('account'), 'default')]"]},
    {"condition": {{ (params.container and params.grant) | json }}, "type": "Microsoft.Authorization/roleAssignments",
     "apiVersion": "2022-04-01", "name": "[guid(__CONTAINER__, parameters('uploader'))]", "scope": __CONTAINER_JSON__,
     "dependsOn": [__CONTAINER_JSON__],
     "properties": {"principalId": "[parameters('uploader')]", "roleDefinitionId":
       "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]"}},
    {"type": "Microsoft.Web/serverfarms", "apiVersion": "2023-01-01", "name": "plan",
     "location": "[resourceGroup().location]", "sku": {"name": "Y1"}},
    {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "[concat('fn-', uniqueString(resourceGroup().id))]",
     "location": "[resourceGroup().location]", "kind": "functionapp,linux",
     "dependsOn": ["[resourceId('Microsoft.Web/serverfarms', 'plan')]"],
     "properties": {"serverFarmId": "[resourceId('Microsoft.Web/serverfarms', 'plan')]",
                    "siteConfig": {"appSettings": [{"name": "WEBSITE_RUN_FROM_PACKAGE", "value": {{ asset("src") | json }}}]}}}
  ],
  "outputs": {"account": {"type": "string", "value": "[variables('account')]"}}
}
""".replace("__SCHEMA__", SCHEMA).replace("__CONTAINER_JSON__", json.dumps(CONTAINER_ID)).replace(
    "__CONTAINER__", CONTAINER_ID[1:-1])

BLUEPRINT = """name: pkgapp
version: 1.0.0
description: A function app whose code is a package in blob storage.
parameters:
  metadata: {type: boolean, default: true, description: declare where packages go}
  container: {type: boolean, default: true, description: create the package container}
  grant: {type: boolean, default: true, description: grant the deploying principal upload rights}
outputs:
  account: {description: the storage account holding the packages}
providers:
  azure:
    template: templates/azure/template.json.j2
"""


@pytest.fixture
def blueprint(azure_project: Path) -> Path:
    folder = azure_project / "blueprints" / "pkgapp"
    (folder / "templates" / "azure").mkdir(parents=True)
    (folder / "src").mkdir()
    (folder / "blueprint.yaml").write_text(BLUEPRINT)
    (folder / "templates" / "azure" / "template.json.j2").write_text(TEMPLATE)
    (folder / "src" / "function_app.py").write_text("VERSION = 1\n")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*args, "--provider", "azure"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def _endpoint() -> str:
    from iacli_azure.emulator.manager import EmulatorManager

    return EmulatorManager(Path(os.environ["IACLI_HOME"])).ensure_running()


def _blobs(account: str) -> Any:
    from iacli_azure.emulator.transport import make_blob_service

    return make_blob_service(_endpoint(), account).get_container_client("code")


def _arm() -> Any:
    from iacli_azure.emulator.transport import make_clients

    return make_clients(_endpoint())


def test_packages_are_uploaded_once_and_the_app_restarted_only_when_it_must(
    blueprint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(capsys, "deploy", "pkgapp", "--name", "pk1", "--yes")
    assert code == 0, text
    first = build_asset(blueprint, "src")
    lines = text.splitlines()
    uploaded = next(i for i, line in enumerate(lines) if f"code/{first.sha256}.zip" in line and "Uploaded" in line)
    created = max(i for i, line in enumerate(lines) if "Create" in line)
    assert uploaded > created  # new stack: the container exists only after the deployment
    assert any("Restarted" in line and "fn-" in line for line in lines[uploaded:])

    code, out = _run(capsys, "outputs", "pkgapp", "--name", "pk1", "--output", "json")
    account = json.loads(out)["account"]
    container = _blobs(account)
    assert container.get_blob_client(f"{first.sha256}.zip").download_blob().readall() == first.data
    code, out = _run(capsys, "resources", "pkgapp", "--name", "pk1", "--output", "json")
    [site] = [r["physical_id"] for r in json.loads(out) if r["type"] == "Microsoft.Web/sites"]
    settings = _arm().resources.resources.get_by_id(site, api_version="2023-01-01").properties["siteConfig"]["appSettings"]
    assert settings == [{"name": "WEBSITE_RUN_FROM_PACKAGE",
                         "value": f"https://{account}.blob.core.windows.net/code/{first.sha256}.zip"}]

    code, text = _run(capsys, "deploy", "pkgapp", "--name", "pk1", "--yes")
    assert code == 0 and "Uploaded" not in text and "Restarted" not in text

    (blueprint / "src" / "function_app.py").write_text("VERSION = 2\n")
    second = build_asset(blueprint, "src")
    code, text = _run(capsys, "deploy", "pkgapp", "--name", "pk1", "--yes")
    assert code == 0, text
    # an existing container: uploaded before the deployment changes the app setting, so no restart
    assert f"code/{second.sha256}.zip" in text and "Restarted" not in text
    assert sorted(b.name for b in container.list_blobs()) == sorted([f"{first.sha256}.zip", f"{second.sha256}.zip"])


def test_a_template_without_package_metadata_is_refused_before_deploying(
    blueprint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(capsys, "deploy", "pkgapp", "--name", "pk3", "-p", "metadata=false", "--yes")
    assert code == 3, text
    assert "arm-assets" in text or "does not say where they go on Azure" in text
    assert "iacliAssets" in text
    code, _ = _run(capsys, "outputs", "pkgapp", "--name", "pk3")
    assert code == 4  # nothing was deployed


@pytest.mark.parametrize(("param", "reason"), [("container=false", "ContainerNotFound"),
                                               ("grant=false", "AuthorizationPermissionMismatch")])
def test_an_upload_that_cannot_happen_fails_clearly(
    blueprint: Path, capsys: pytest.CaptureFixture[str], param: str, reason: str
) -> None:
    name = f"pk4{param[0]}"
    code, text = _run(capsys, "deploy", "pkgapp", "--name", name, "-p", param, "--yes")
    assert code == 4, text
    assert f"{name}-dev was deployed, but uploading its function package to stpkg" in text
    assert reason in text and "Storage Blob Data Contributor" in text
