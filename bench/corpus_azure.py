"""How much of the real-world ARM corpus the offline Azure emulator deploys, through the real SDK.

    python bench/corpus_azure.py [--corpus DIR] [--only SUBSTRING] [--json OUT] [--verbose]

The corpus (``<repo>/../shared/corpus/azure``, or ``$IACLI_AZURE_CORPUS``) holds public
resource-group-scope ARM templates with parameter files (see its README).  Each template runs in a
fresh in-memory emulator, through the azure-mgmt clients (``make_clients``), in these stages:

- ``plan``     what-if before anything exists: must succeed and show only ``Create`` changes;
- ``apply``    the deployment (PUT + status polls) must reach ``Succeeded``;
- ``verify``   every deployment operation succeeded, and every id in ``outputResources`` answers a
               GET by id;
- ``replan``   what-if of the same template again: every change must be ``NoChange`` (the emulator
               is idempotent and its computed properties do not show up as changes);
- ``destroy``  deleting the resource group removes it and its resources.

A template counts as *deployed* when every stage passes; otherwise the outcome names the first stage
that failed, with ARM's error code (``InvalidTemplate``, ``NoRegisteredProviderFound``...).  A failure
is *internal* when the emulator answered 500 or something other than an ``HttpResponseError`` escaped:
always an emulator bug.

Numbers, not pass/fail; ``tests/azure_emulator/test_emu_corpus.py`` turns them into a floor.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "providers" / "azure"))

from azure.core.exceptions import HttpResponseError
from iacli_azure.emulator.service import Emulator
from iacli_azure.emulator.transport import EmulatorClients, make_clients

GROUP = "rg-corpus"
LOCATION = "eastus"
STAGES = ("plan", "apply", "verify", "replan", "destroy")


def default_corpus() -> Path:
    """``$IACLI_AZURE_CORPUS`` or ``<repo>/../shared/corpus/azure``."""
    configured = os.environ.get("IACLI_AZURE_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus" / "azure"


@dataclass(frozen=True)
class Entry:
    """One corpus template and its parameter file (paths relative to the corpus folder)."""

    template: str
    params: str
    resources: int

    @property
    def short(self) -> str:
        return self.template.removeprefix("templates/").removesuffix("/azuredeploy.json")


@dataclass
class Result:
    """What happened to one template."""

    template: str
    outcome: str = "deployed"
    code: str = ""
    error: str = ""
    internal: bool = False
    seconds: float = 0.0
    resources: int = 0

    @property
    def deployed(self) -> bool:
        return self.outcome == "deployed"


class StageFailure(Exception):
    """A stage failed: ``stage``, ARM error ``code`` and a one-line message."""

    def __init__(self, stage: str, code: str, message: str, internal: bool = False) -> None:
        super().__init__(message)
        self.stage, self.code, self.message, self.internal = stage, code, message, internal


def read_index(corpus: Path) -> list[Entry]:
    """The corpus index (``index.tsv``)."""
    with open(corpus / "index.tsv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Entry(row["template"], row["params"], int(row["resources"] or 0)) for row in rows]


def load(corpus: Path, entry: Entry) -> tuple[dict[str, Any], dict[str, Any]]:
    """The template and the ``parameters`` member of its parameter file."""
    template = json.loads((corpus / entry.template).read_text(encoding="utf-8-sig"))
    parameters = json.loads((corpus / entry.params).read_text(encoding="utf-8-sig")).get("parameters", {})
    return template, parameters


def run_entry(corpus: Path, entry: Entry) -> Result:
    """Run every stage for ``entry`` in a fresh emulator."""
    started = time.monotonic()
    result = Result(entry.short)
    try:
        template, parameters = load(corpus, entry)
        clients = make_clients(Emulator())
        clients.resources.resource_groups.create_or_update(GROUP, {"location": LOCATION})
        body = {"properties": {"template": template, "parameters": parameters, "mode": "Incremental"}}
        result.resources = _stages(clients, body)
    except StageFailure as failure:
        result.outcome, result.code, result.error, result.internal = (
            failure.stage,
            failure.code,
            failure.message,
            failure.internal,
        )
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _stages(clients: EmulatorClients, body: dict[str, Any]) -> int:
    operations = clients.deployments.deployments
    changes = _call("plan", lambda: operations.begin_what_if(GROUP, "plan", body).result().changes)
    kinds = {change.change_type for change in changes} - {"Create", "Unsupported"}
    if kinds:
        raise StageFailure("plan", "UnexpectedChange", f"what-if before deployment shows {sorted(kinds)}")
    deployment = _call("apply", lambda: operations.begin_create_or_update(GROUP, "main", body).result())
    _verify(clients, deployment)
    again = _call("replan", lambda: operations.begin_what_if(GROUP, "again", body).result().changes)
    changed = [change.resource_id for change in again if change.change_type != "NoChange"]
    if changed:
        raise StageFailure("replan", "NotIdempotent", f"what-if after deployment changes {changed[:3]}")
    _call("destroy", lambda: clients.resources.resource_groups.begin_delete(GROUP).result())
    if clients.resources.resource_groups.check_existence(GROUP):
        raise StageFailure("destroy", "GroupStillExists", "the resource group still exists")
    return len(deployment.properties.output_resources or [])


def _verify(clients: EmulatorClients, deployment: Any) -> None:
    if deployment.properties.provisioning_state != "Succeeded":
        raise StageFailure("apply", "NotSucceeded", str(deployment.properties.provisioning_state))
    failed = [
        op.operation_id
        for op in clients.deployments.deployment_operations.list(GROUP, "main")
        if op.properties.provisioning_state != "Succeeded"
    ]
    if failed:
        raise StageFailure("verify", "OperationFailed", f"operations not succeeded: {failed}")
    for item in deployment.properties.output_resources or []:
        if "/providers/Microsoft.Resources/deployments/" not in item.id:
            _call("verify", clients.resources.resources.get_by_id, item.id, api_version="2022-01-01")


def _call(stage: str, action: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return action(*args, **kwargs)
    except HttpResponseError as error:
        code = error.error.code if error.error is not None else str(error.status_code)
        detail = error.error.details[0] if error.error is not None and error.error.details else None
        message = (
            f"{detail.code}: {detail.message}"
            if detail is not None
            else (error.error.message if error.error else str(error))
        )
        raise StageFailure(
            stage, str(code), " ".join(str(message).split())[:400], error.status_code == 500
        ) from error
    except Exception as error:  # a crash is an emulator bug, reported as such
        raise StageFailure(stage, type(error).__name__, str(error)[:400], internal=True) from error


def summarize(results: list[Result]) -> dict[str, Any]:
    """Counts by outcome and by failing error code."""
    return {
        "templates": len(results),
        "deployed": sum(result.deployed for result in results),
        "internal": sum(result.internal for result in results),
        "outcomes": dict(Counter(result.outcome for result in results)),
        "codes": dict(Counter(result.code for result in results if not result.deployed)),
        "seconds": round(sum(result.seconds for result in results), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--only", help="run templates whose path contains this")
    parser.add_argument("--json", type=Path, help="write every result and the summary here")
    parser.add_argument("--verbose", action="store_true", help="one line per template")
    args = parser.parse_args(argv)
    entries = [entry for entry in read_index(args.corpus) if not args.only or args.only in entry.template]
    results = [run_entry(args.corpus, entry) for entry in entries]
    summary = summarize(results)
    for result in results:
        if args.verbose or not result.deployed:
            flag = "INTERNAL " if result.internal else ""
            detail = "" if result.deployed else f"  [{result.code}] {result.error}"
            print(f"{result.outcome:9} {flag}{result.template}{detail}")
    print(json.dumps(summary, indent=2))
    if args.json is not None:
        args.json.write_text(
            json.dumps({"summary": summary, "results": [asdict(r) for r in results]}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
