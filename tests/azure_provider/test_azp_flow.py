"""The Azure provider through the CLI, in-process, against the ARM emulator server (started by the
provider's Sandbox): plan -> deploy -> outputs/status/logs -> update plan -> deploy -> history ->
rollback (deletes what the later release added) -> failing deploy (automatic rollback) -> destroy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from azp_helpers import STORAGE, app_template, storage, write

from iacli.cli.app import main

STACK = "x-dev"
BASE = ["--provider", "azure", "--name", "x"]


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *args: str, expect: int | None = 0) -> Result:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    if expect is not None:
        assert code == expect, f"iacli {' '.join(args)} -> {code}\n{out}\n{err}"
    assert "Traceback" not in err
    return Result(code, out, err)


def as_json(result: Result) -> Any:
    return json.loads(result.out)


def test_full_flow(azure_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    v1 = write(azure_project / "t.json", app_template())
    v2 = write(azure_project / "t2.json", app_template([storage("azpextra1")]))
    broken = write(azure_project / "bad.json", app_template([storage("azpextra2"), {
        "type": f"{STORAGE}/blobServices/containers", "apiVersion": "2023-01-01", "name": "nosuch/default/c1",
        "properties": {}}]))
    stack = [*BASE, "-p", "storageName=azpflow1"]

    # a new stack: everything is created, nothing exists yet (the plan does not create the group)
    plan = as_json(run(capsys, "plan", *stack, "--template", str(v1), "--output", "json"))
    assert plan["is_new_stack"] and plan["provider"] == "azure" and plan["target"] == "sandbox:eastus"
    assert {(c["logical_id"], c["action"]) for c in plan["changes"]} == {("azpflow1", "create"), ("web", "create")}
    assert plan["provider_ref"]["deployment_name"].startswith("iacli-")
    assert run(capsys, "resources", *stack, "--template", str(v1), expect=4).code == 4

    deployed = run(capsys, "deploy", *stack, "--template", str(v1), "--yes")
    assert "apiUrl = http://azp-web.eastus.azurecontainer.io" in deployed.out
    assert "web" in deployed.err and "Succeeded" in deployed.err  # progress events from deployment operations
    outputs = as_json(run(capsys, "outputs", *stack, "--template", str(v1), "--output", "json"))
    assert outputs == {"apiUrl": "http://azp-web.eastus.azurecontainer.io", "storageName": "azpflow1"}

    status = as_json(run(capsys, "status", *stack, "--template", str(v1), "--output", "json"))
    group = status["container_groups"][0]
    assert group["name"] == "web" and group["state"] == "Running" and group["restart_count"] == 0
    assert group["fqdn"] == "azp-web.eastus.azurecontainer.io" and group["ip"]
    assert group["containers"][0]["state"] == "Running" and group["containers"][0]["cpu"] == 1
    logs = run(capsys, "logs", *stack, "--template", str(v1), "--container", "web", "--tail", "5")
    assert "listening on port 80" in logs.out

    # no change: nothing to do
    same = as_json(run(capsys, "plan", *stack, "--template", str(v1), "--output", "json"))
    assert not same["has_changes"], same

    # cpu 1 -> 2 and one more (tagged) storage account
    plan = as_json(run(capsys, "plan", *stack, "--template", str(v2), "-p", "cpu=2", "--output", "json"))
    by_id = {c["logical_id"]: c for c in plan["changes"]}
    assert by_id["azpextra1"]["action"] == "create" and by_id["azpflow1"]["action"] == "noop"
    assert by_id["web"]["action"] == "update"
    assert {"path": "properties.containers.0.properties.resources.requests.cpu", "before": 1, "after": 2} in [
        {k: p[k] for k in ("path", "before", "after")} for p in by_id["web"]["properties"]]
    assert "public" in by_id["web"]["risks"]
    text = run(capsys, "plan", *stack, "--template", str(v2), "-p", "cpu=2")
    assert "properties.containers.0.properties.resources.requests.cpu: 1 -> 2" in text.out
    run(capsys, "deploy", *stack, "--template", str(v2), "-p", "cpu=2", "--yes")
    assert _cpu(capsys, stack, v1) == 2

    history = as_json(run(capsys, "history", *stack, "--template", str(v1), "--output", "json"))
    releases = history["releases"] if isinstance(history, dict) else history
    assert len(releases) == 2

    # rollback to release 1: cpu back to 1 and the storage account release 2 added is deleted
    rolled = run(capsys, "rollback", *stack, "--template", str(v1), "--yes")
    assert "delete   azpextra1" in rolled.out and "data-loss" in rolled.out
    assert _cpu(capsys, stack, v1) == 1
    assert _names(capsys, stack, v1) == {"azpflow1", "web"}

    # a deploy that fails half-way (a child of a missing parent): exit 5, back at the last good release
    failed = run(capsys, "deploy", *stack, "--template", str(broken), "-p", "cpu=3", "--yes", expect=5)
    assert "ParentResourceNotFound" in failed.err and "rolled back" in failed.err
    assert _cpu(capsys, stack, v1) == 1
    assert _names(capsys, stack, v1) == {"azpflow1", "web"}
    history = as_json(run(capsys, "history", *stack, "--template", str(v1), "--output", "json"))
    releases = history["releases"] if isinstance(history, dict) else history
    assert [r["outcome"] for r in releases][:2] == ["succeeded", "rolled-back"]

    # destroy: the group is gone
    run(capsys, "destroy", *stack, "--template", str(v1), "--yes")
    assert run(capsys, "outputs", *stack, "--template", str(v1), expect=4).code == 4
    assert _groups(azure_project) == set()


def _cpu(capsys: pytest.CaptureFixture[str], stack: list[str], template: Path) -> float:
    status = as_json(run(capsys, "status", *stack, "--template", str(template), "--output", "json"))
    return float(status["container_groups"][0]["containers"][0]["cpu"])


def _names(capsys: pytest.CaptureFixture[str], stack: list[str], template: Path) -> set[str]:
    items = as_json(run(capsys, "resources", *stack, "--template", str(template), "--output", "json"))
    return {i["logical_id"] for i in items}


def _groups(project: Path) -> set[str]:
    import os

    from iacli_azure.emulator.manager import EmulatorManager

    return set(EmulatorManager(Path(os.environ["IACLI_HOME"])).status().resource_groups)
