"""`iacli doctor` on Azure: each finding and remedy of iacli_azure.doctor through the real SDK clients
against an in-memory ARM emulator, then the CLI against the emulator server."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from azp_helpers import SCHEMA, STORAGE, storage, write
from azure.core.exceptions import HttpResponseError
from iacli_azure.doctor import Doctor
from iacli_azure.emulator.resources import EmulatorOptions
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.state import DeploymentRecord
from iacli_azure.emulator.transport import EmulatorClients, in_memory_transport, make_clients
from iacli_azure.session import AzureSession

from iacli.cli.app import main
from iacli.errors import ProviderError
from iacli.providers import Finding, FindingCode, Target, TargetKind

STACK = "doc-dev"
TAGS = {"iacli-managed-by": "iacli", "iacli-stack": STACK}
STARTED = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
BROKEN = {"type": f"{STORAGE}/blobServices/containers", "apiVersion": "2023-01-01",
          "name": "nosuch/default/c1", "properties": {}}  # its parent does not exist: the deployment fails


def deploy(clients: EmulatorClients, name: str, *resources: dict[str, Any], polling: bool = True) -> str:
    """Run a deployment (storage accounts tagged as the stack's); its state (a failure is not raised)."""
    tagged = [{**r, "tags": TAGS} if r["type"] == STORAGE else r for r in resources]
    body = {"properties": {"template": {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": tagged},
                           "mode": "Incremental"}}
    deployments = clients.deployments.deployments
    try:
        poller = deployments.begin_create_or_update(STACK, name, body, polling=polling)
        if polling:
            poller.result()
    except HttpResponseError:
        pass
    state = deployments.get(STACK, name).properties.provisioning_state
    return str(getattr(state, "value", state))


class Stack:
    """One stack's resource group in an in-memory emulator; ``served`` is what the doctor's clients use."""

    def __init__(self, emulator: Emulator, served: Any = None) -> None:
        self.emulator = emulator
        self.clients = make_clients(emulator)
        target = Target("azure", TargetKind.SANDBOX, STACK)
        self.session = AzureSession(target, lambda: served or emulator)  # type: ignore[arg-type,return-value]

    def doctor(self, now: datetime | None = None) -> Doctor:
        return Doctor(self.session, now=(lambda: now) if now else lambda: datetime.now(timezone.utc))

    def codes(self, now: datetime | None = None) -> list[tuple[FindingCode, bool]]:
        return [(f.code, f.fixable) for f in self.doctor(now).diagnose()]

    def group(self, tags: dict[str, str] = TAGS) -> None:
        self.clients.resources.resource_groups.create_or_update(STACK, {"location": "eastus", "tags": tags})

    def deploy(self, name: str, *resources: dict[str, Any], polling: bool = True) -> str:
        return deploy(self.clients, name, *resources, polling=polling)

    def put_storage(self, name: str, tags: dict[str, str]) -> None:
        """A storage account made outside any deployment (by hand, by another tool)."""
        group = f"/subscriptions/{self.emulator.state.subscription_id}/resourceGroups/{STACK}"
        rid = f"{group}/providers/{STORAGE}/{name}"
        body = {"location": "eastus", "tags": tags, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
        self.clients.resources.resources.begin_create_or_update_by_id(
            rid, api_version="2023-01-01", parameters={**body, "properties": {}}).result()

    def storage_names(self) -> set[str]:
        return {str(r.name) for r in self.clients.resources.resources.list_by_resource_group(STACK)}


@pytest.fixture
def stack() -> Stack:
    return Stack(Emulator())


def test_no_group_and_a_healthy_stack_have_no_findings(stack: Stack) -> None:
    assert stack.codes() == []
    stack.group()
    assert stack.codes() == []  # an empty group of iacli's: nothing to say
    assert stack.deploy("iacli-1-aaaa", storage("docok1")) == "Succeeded"
    assert stack.codes() == []


def test_a_foreign_group_is_reported_and_nothing_else_is_examined(stack: Stack) -> None:
    stack.group(tags={"owner": "someone"})
    stack.put_storage("docforeign1", TAGS)  # would be a leftover in an iacli group
    [finding] = stack.doctor().diagnose()
    assert finding.code is FindingCode.FOREIGN_STACK and not finding.fixable
    assert "not created by iacli for stack doc-dev" in finding.message
    with pytest.raises(ProviderError, match="no automatic remedy for foreign-stack"):
        stack.doctor().remedy(finding)
    stack.group(tags={**TAGS, "iacli-stack": "other-dev"})  # iacli's, for another stack
    assert stack.codes() == [(FindingCode.FOREIGN_STACK, False)]


def _group_state(app: Callable[..., Iterable[bytes]], state: str) -> Callable[..., Iterable[bytes]]:
    """The emulator's app, with the group's provisioningState reported as ``state`` (the emulator deletes
    groups at once, so it never shows Deleting itself)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, Any] = {}
        body = b"".join(app(environ, lambda status, headers, exc_info=None: seen.update(s=status, h=headers)))
        path = environ["PATH_INFO"].lower()
        if environ["REQUEST_METHOD"] == "GET" and path.endswith(f"/resourcegroups/{STACK}"):
            data = json.loads(body)
            data["properties"]["provisioningState"] = state
            body = json.dumps(data).encode()
        headers = [(k, v) for k, v in seen["h"] if k.lower() != "content-length"]
        start_response(seen["s"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wrapped


@pytest.mark.parametrize(("state", "says"), [("Deleting", "is being deleted"),
                                             ("Moving", "in provisioning state Moving, not Succeeded")])
def test_a_group_that_is_not_succeeded_is_reported(state: str, says: str) -> None:
    emulator = Emulator()
    stack = Stack(emulator, in_memory_transport(_group_state(emulator.app, state)))
    stack.group()
    stack.deploy("iacli-1-aaaa", storage("docdel1"), BROKEN)  # not examined: the group comes first
    [finding] = stack.doctor().diagnose()
    assert finding.code is FindingCode.STACK_NOT_READY and not finding.fixable and says in finding.message
    assert finding.data["state"] == state.lower()


def test_an_interrupted_failed_update_and_its_leftover(stack: Stack) -> None:
    stack.group()
    assert stack.deploy("iacli-1-aaaa", storage("docgood1")) == "Succeeded"
    stack.put_storage("docmine1", {"team": "data"})  # untagged: someone else's, never reported
    # a failed deploy whose automatic rollback never ran: it created docnew1, then failed
    assert stack.deploy("iacli-2-bbbb", storage("docgood1"), storage("docnew1"), BROKEN) == "Failed"
    findings = stack.doctor().diagnose()
    assert [(f.code, f.fixable) for f in findings] == [
        (FindingCode.UPDATE_FAILED, False), (FindingCode.LEFTOVER_RESOURCE, True)]
    failed, leftover = findings
    assert "iacli-2-bbbb ended Failed" in failed.message and "ParentResourceNotFound" in failed.message
    assert "`iacli rollback --to N`" in failed.remedy
    assert leftover.message.startswith(f"{STORAGE} docnew1 is tagged iacli-stack: doc-dev")
    assert leftover.data["deployment"] == "iacli-1-aaaa"

    assert stack.doctor().remedy(leftover) == f"deleted {STORAGE} docnew1"
    assert stack.storage_names() == {"docgood1", "docmine1"}
    assert stack.doctor().remedy(leftover).startswith(f"left {leftover.data['id']} alone: it is no longer")
    with pytest.raises(ProviderError, match="no automatic remedy for update-failed: re-apply the last good"):
        stack.doctor().remedy(failed)
    # what iacli rollback does: the last good template again, as a new successful deployment
    assert stack.deploy("iacli-3-aaaa-rollback", storage("docgood1")) == "Succeeded"
    assert stack.codes() == []


def test_a_leftover_retagged_before_the_fix_is_left_alone(stack: Stack) -> None:
    stack.group()
    stack.deploy("iacli-1-aaaa", storage("docgood2"))
    stack.put_storage("docextra2", TAGS)
    [leftover] = stack.doctor().diagnose()
    assert leftover.code is FindingCode.LEFTOVER_RESOURCE
    stack.put_storage("docextra2", {**TAGS, "iacli-stack": "other-dev"})
    assert "alone: it is no longer a leftover of doc-dev" in stack.doctor().remedy(leftover)
    assert "docextra2" in stack.storage_names()


def test_a_failed_first_deploy_and_a_failed_rollback(stack: Stack) -> None:
    stack.group()
    assert stack.deploy("iacli-1-aaaa", storage("docfirst1"), BROKEN) == "Failed"
    # nothing ever succeeded: no leftovers (that would be the whole group), not fixable here
    [finding] = stack.doctor().diagnose()
    assert finding.code is FindingCode.FAILED_CREATE and not finding.fixable
    assert "no deployment of doc-dev ever succeeded" in finding.message
    assert "`iacli destroy`" in finding.remedy
    assert stack.deploy("iacli-2-bbbb", storage("docfirst1")) == "Succeeded"
    assert stack.deploy("iacli-3-cccc", storage("docfirst1"), BROKEN) == "Failed"
    assert stack.deploy("iacli-4-bbbb-rollback", storage("docfirst1"), BROKEN) == "Failed"
    [finding] = stack.doctor().diagnose()
    assert finding.code is FindingCode.UPDATE_FAILED
    assert finding.message.startswith("iacli's rollback deployment iacli-4-bbbb-rollback ended Failed")


def _running(stack: Stack, name: str) -> None:
    """A deployment ARM keeps Running (the emulator runs its pending ones on the next listing)."""
    stack.emulator.state.put_deployment(DeploymentRecord(
        group=STACK, name=name, template={}, template_hash="0", parameters={}, mode="Incremental",
        provisioning_state="Running", correlation_id="c",
        timestamp=STARTED.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")))


def test_running_deployments_young_and_stuck(stack: Stack) -> None:
    stack.group()
    stack.deploy("iacli-1-aaaa", storage("docrun1"))
    _running(stack, "iacli-2-bbbb")
    stack.put_storage("docrun2", TAGS)  # what the running deployment may be creating: not a leftover now
    [young] = stack.doctor(STARTED + timedelta(minutes=10)).diagnose()
    assert (young.code, young.fixable) == (FindingCode.DEPLOYMENT_IN_PROGRESS, False)
    assert "iacli-2-bbbb is Running since 2026-03-01 10:00:00 UTC (10 min ago)" in young.message
    assert f"az deployment group cancel -g {STACK} -n iacli-2-bbbb" in young.remedy
    [stuck] = stack.doctor(STARTED + timedelta(hours=2, minutes=5)).diagnose()
    assert (stuck.code, stuck.fixable) == (FindingCode.STUCK_DEPLOYMENT, True)
    assert "(2 h 5 min ago)" in stuck.message and stuck.data["deployment"] == "iacli-2-bbbb"
    # the emulator cancels only deployments it has not started: ARM's refusal is reported with a hint
    refused = "cancel deployment iacli-2-bbbb: DeploymentCannotBeCancelled"
    with pytest.raises(ProviderError, match=refused) as err:
        stack.doctor().remedy(stuck)
    assert "Azure portal" in str(err.value.hint)


def test_cancelling_a_running_deployment() -> None:
    stack = Stack(Emulator(EmulatorOptions(async_polls=5)))
    stack.group()
    assert stack.deploy("iacli-1-aaaa", storage("doccancel1"), polling=False) == "Running"
    # listing deployments would run it (the emulator's rule), so the finding is the one diagnose makes
    stuck = Finding(FindingCode.STUCK_DEPLOYMENT, "", "", True, {"deployment": "iacli-1-aaaa"})
    assert stack.doctor().remedy(stuck) == "cancelled deployment iacli-1-aaaa (now Canceled)"
    again = stack.doctor().remedy(stuck)
    assert again == "deployment iacli-1-aaaa had already ended (Canceled): nothing to cancel"
    [finding] = stack.doctor().diagnose()
    assert finding.code is FindingCode.FAILED_CREATE and "iacli-1-aaaa ended Canceled" in finding.message
    assert stack.storage_names() == set()


# --- the CLI against the emulator server ------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def test_doctor_command(azure_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from iacli_azure.emulator.manager import EmulatorManager

    template = write(azure_project / "t.json", {"$schema": SCHEMA, "contentVersion": "1.0.0.0",
                                                "resources": [storage("azpdoctor1")]})
    args = ["--provider", "azure", "--name", "doc", "--template", str(template)]
    assert _cli(capsys, "deploy", *args, "--yes")[0] == 0
    assert _cli(capsys, "doctor", *args) == (0, "No problems found.\n")

    # a deploy whose run died before iacli rolled it back: it created azpdoctor2, then failed
    clients = make_clients(EmulatorManager(Path(os.environ["IACLI_HOME"])).ensure_running())
    failing = (storage("azpdoctor1"), storage("azpdoctor2"), BROKEN)
    assert deploy(clients, "iacli-20260301100000000-deadbeef", *failing) == "Failed"
    code, out = _cli(capsys, "doctor", *args)
    text = " ".join(out.split())
    assert code == 4
    assert "update-failed: the newest deployment iacli-20260301100000000-deadbeef ended Failed" in text
    assert "`iacli rollback --to N`" in text and "(manual)" in text
    assert f"leftover-resource: {STORAGE} azpdoctor2 is tagged iacli-stack: doc-dev" in text
    assert "remedy: delete it (it is tagged as this stack's)" in text
    code, out = _cli(capsys, "doctor", *args, "--output", "json")
    assert code == 4 and [(f["code"], f["fixable"]) for f in json.loads(out)] == [
        ("update-failed", False), ("leftover-resource", True)]

    code, out = _cli(capsys, "doctor", *args, "--fix", "--yes")
    assert code == 0 and f"deleted {STORAGE} azpdoctor2" in out
    code, out = _cli(capsys, "doctor", *args, "--output", "json")
    assert code == 4 and [f["code"] for f in json.loads(out)] == ["update-failed"]
    assert _cli(capsys, "rollback", *args, "--to", "1", "--yes")[0] == 0  # what the remedy says to run
    assert _cli(capsys, "doctor", *args) == (0, "No problems found.\n")
    assert _cli(capsys, "destroy", *args, "--yes")[0] == 0
    assert _cli(capsys, "doctor", *args) == (0, "No problems found.\n")
