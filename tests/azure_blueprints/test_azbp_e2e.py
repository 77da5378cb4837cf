"""Each blueprint on Azure, end to end through the CLI against the ARM emulator:
deploy -> status/logs -> plan change -> deploy -> rollback -> destroy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iacli_azure.emulator.ids import SUBSCRIPTION_ID
from iacli_azure.emulator.transport import make_blob_service, make_clients

from iacli.assets import build_asset

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"


def test_container_app_on_azure(azure) -> None:  # type: ignore[no-untyped-def]
    base = ("-p", "image=nginx:1.27", "-p", "dns_label=demo")
    deployed = azure("deploy", "container-app", *base, "--yes", "--output", "json")
    outputs = json.loads(deployed.stdout)
    assert outputs["url"] == "http://demo.eastus.azurecontainer.io"

    status = json.loads(azure("status", "container-app", "--output", "json").stdout)
    [group] = status["container_groups"]
    assert group["state"] == "Running" and group["fqdn"] == "demo.eastus.azurecontainer.io"
    assert group["containers"][0]["image"] == "nginx:1.27" and group["restart_count"] == 0
    assert azure("logs", "container-app", "--tail", "5").stdout.strip()

    plan = json.loads(azure("plan", "container-app", *base, "-p", "cpu=2", "-p", "memory=4096", "--output", "json").stdout)
    [changed] = [c for c in plan["changes"] if c["action"] != "noop"]
    assert changed["action"] == "update" and changed["resource_type"] == "Microsoft.ContainerInstance/containerGroups"
    deltas = {p["path"]: (p["before"], p["after"]) for p in changed["properties"]}
    assert deltas["properties.containers.0.properties.resources.requests.cpu"] == (0.25, 2)

    azure("deploy", "container-app", *base, "-p", "cpu=2", "-p", "memory=4096", "--yes")
    cpu = json.loads(azure("status", "container-app", "--output", "json").stdout)["container_groups"][0]["containers"][0]["cpu"]
    assert cpu == 2

    back = azure("rollback", "container-app", "--yes")
    assert "Rolled back container-app-dev to release 1" in back.stdout
    cpu = json.loads(azure("status", "container-app", "--output", "json").stdout)["container_groups"][0]["containers"][0]["cpu"]
    assert cpu == 0.25
    kinds = [(r["number"], r["kind"]) for r in json.loads(azure("history", "container-app", "--output", "json").stdout)]
    assert kinds == [(3, "rollback"), (2, "deploy"), (1, "deploy")]

    azure("destroy", "container-app", "--yes")
    azure("outputs", "container-app", expect=4)


def test_serverless_web_on_azure(azure, cli) -> None:  # type: ignore[no-untyped-def]
    deployed = azure("deploy", "serverless-web", "--yes", "--output", "json")
    outputs = json.loads(deployed.stdout)
    assert outputs["api_url"].startswith("https://") and outputs["api_url"].endswith("/dev")
    assert outputs["table_name"] == "items" and outputs["site_url"].startswith("https://")

    # the function app runs the src asset from its package blob, uploaded by the deploy
    endpoint = json.loads(cli("sandbox", "status", "--output", "json").stdout)["azure"]["endpoint_url"]
    asset = build_asset(BLUEPRINTS / "serverless-web", "src")
    blob = _package_blob(endpoint, outputs["function_name"])
    assert blob.blob_name == f"{asset.sha256}.zip" and blob.container_name == "packages"
    assert blob.account_name == outputs["bucket_name"]  # the site account holds the packages container
    assert blob.download_blob().readall() == asset.data
    etag = blob.get_blob_properties().etag

    # the site account's static website is on (the Front Door origin serves $web), set by the deploy
    assert "static website" in deployed.stderr
    website = make_blob_service(endpoint, outputs["bucket_name"]).get_service_properties()["static_website"]
    assert (website.enabled, website.index_document, website.error_document404_path) == (
        True, "index.html", "index.html")

    diff = azure("diff", "serverless-web", "-p", "timeout_s=30", "--detailed-exitcode", expect=6)
    assert "update" in diff.stdout
    again = azure("deploy", "serverless-web", "-p", "timeout_s=30", "--yes")  # same code: nothing to upload
    assert "Uploaded" in deployed.stderr and "Restarted" in deployed.stderr  # events go to stderr
    assert "Uploaded" not in again.stderr and "Restarted" not in again.stderr
    assert "static website" not in again.stderr  # already enabled: read, not written again
    assert blob.get_blob_properties().etag == etag
    azure("plan", "serverless-web", "-p", "timeout_s=30", "--detailed-exitcode")
    azure("rollback", "serverless-web", "--yes")
    azure("plan", "serverless-web", "--detailed-exitcode")  # back at release 1: nothing to change
    azure("destroy", "serverless-web", "--yes")
    assert json.loads(azure("outputs", "serverless-web", "--output", "json", expect=4).stdout or "{}") == {}


def _package_blob(endpoint: str, function_name: str) -> Any:
    """The blob named by the function app's WEBSITE_RUN_FROM_PACKAGE, through the real azure-storage-blob
    client on the sandbox's Blob endpoint."""
    site = (f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/serverless-web-dev/providers/Microsoft.Web/sites/"
            f"{function_name}")
    app = make_clients(endpoint).resources.resources.get_by_id(site, api_version="2023-01-01")
    settings = {s["name"]: s["value"] for s in app.properties["siteConfig"]["appSettings"]}
    url = settings["WEBSITE_RUN_FROM_PACKAGE"]
    host, container, name = url.removeprefix("https://").split("/", 2)
    assert host.endswith(".blob.core.windows.net"), url
    return make_blob_service(endpoint, host.split(".")[0]).get_blob_client(container, name)
