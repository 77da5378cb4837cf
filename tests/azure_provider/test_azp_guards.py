"""Ownership guards, ARM parameter files and secrets, through the CLI against the emulator server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from azp_helpers import app_template, write

from iacli.cli.app import main

SECRET = "hunter2-Sup3rSecret"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def _clients() -> object:
    from iacli_azure.emulator.manager import EmulatorManager
    from iacli_azure.emulator.transport import make_clients

    return make_clients(EmulatorManager(Path(os.environ["IACLI_HOME"])).ensure_running())


def test_destroy_and_deploy_refuse_a_group_iacli_did_not_create(
    azure_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = _clients()
    clients.resources.resource_groups.create_or_update("theirs-dev", {"location": "eastus"})  # type: ignore[attr-defined]
    template = write(azure_project / "t.json", app_template())
    args = ["--provider", "azure", "--name", "theirs", "--template", str(template)]
    code, text = _run(capsys, "destroy", *args, "--yes")
    assert code == 4 and "refusing to delete resource group theirs-dev" in text
    code, text = _run(capsys, "plan", *args, "-p", "storageName=azptheirs")
    assert code == 4 and "not created by iacli" in text
    assert clients.resources.resource_groups.check_existence("theirs-dev")  # type: ignore[attr-defined]
    code, text = _run(capsys, "destroy", "--provider", "azure", "--name", "nothing", "--template", str(template), "--yes")
    assert code == 4 and "does not exist" in text


def test_params_file_and_secrets_never_shown(azure_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = write(azure_project / "t.json", app_template(secret=True))
    params = azure_project / "params.json"
    params.write_text(json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"storageName": {"value": "azpsecret1"}, "cpu": {"value": 2}, "dnsLabel": {"value": "azp-sec"},
                       "dbPassword": {"value": SECRET}},
    }))
    args = ["--provider", "azure", "--name", "sec", "--template", str(template), "--params-file", str(params)]
    seen = []
    for command in (["plan"], ["plan", "--output", "json"], ["deploy", "--yes"], ["outputs"], ["status", "--output", "json"],
                    ["resources", "--output", "json"], ["history", "--output", "json"]):
        code, text = _run(capsys, *command, *args)
        assert code == 0, text
        seen.append(text)
    assert all(SECRET not in text for text in seen)
    assert '"cpu": 2' in seen[4]
    state = (azure_project / ".iacli").rglob("*")
    assert not any(SECRET.encode() in p.read_bytes() for p in state if p.is_file())
    # a changed secret is planned without showing either value
    code, text = _run(capsys, "plan", *args, "-p", "dbPassword=another-secret-9", "--output", "json")
    assert code == 0 and "another-secret-9" not in text and SECRET not in text
    # ARM cannot keep a deployed secure value and iacli never stores one: a rollback says so
    code, text = _run(capsys, "deploy", *args, "-p", "cpu=3", "--yes")
    assert code == 0, text
    code, text = _run(capsys, "rollback", *args[:-2], "--yes")
    assert code == 3 and "dbPassword" in text and SECRET not in text
    code, text = _run(capsys, "rollback", *args[:-2], "-p", f"dbPassword={SECRET}", "--yes")
    assert code == 0 and SECRET not in text and "warning" not in text, text
    code, text = _run(capsys, "destroy", *args, "--yes")
    assert code == 0, text


def test_real_azure_needs_a_subscription_and_validate_finds_unsupported_functions(
    azure_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write(azure_project / "t.json", app_template())
    args = ["--provider", "azure", "--name", "x", "--template", str(template), "-p", "storageName=azpcloud1"]
    code, text = _run(capsys, "plan", *args, "--target", "azure")
    assert code == 4 and "AZURE_SUBSCRIPTION_ID" in text
    body = app_template()
    body["resources"][1]["properties"]["osType"] = "[deployer().objectId]"
    bad = write(azure_project / "bad.json", body)
    code, text = _run(capsys, "validate", "--provider", "azure", "--name", "x", "--template", str(bad),
                      "-p", "storageName=azpcloud1")
    assert code == 3 and "arm-unsupported-function" in text
    code, text = _run(capsys, "plan", "--provider", "azure", "--name", "x", "--template", str(bad),
                      "-p", "storageName=azpcloud1")
    assert code == 3 and "arm-unsupported-function" in text
