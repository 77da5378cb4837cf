"""Regression floor for "bring your own template" on the real-world corpus (``bench/corpus_aws.py``).

Runs public CloudFormation templates nobody on this project wrote through the engine (plan, apply,
resources, destroy) against a sandbox of its own, and asserts

- at least as many deploy as were measured (a floor: improvements pass, regressions fail), and
- no failure is an iacli internal error (what the CLI reports with exit 1), except the ones listed in
  ``KNOWN_INTERNAL_ERRORS``, each a diagnosed bug awaiting its fix.

The whole corpus (56 templates) takes ~75 s, most of it cfn-lint (~0.75 s a template), so by default a
fixed representative subset of 28 runs (~40 s): every template that deployed when measured but the
near-duplicates (JSON/YAML twins, the 15 CloudWatch-agent variants), plus one of each kind of failure.
``IACLI_CORPUS_FULL=1`` runs all 56 against the full-corpus floor. The corpus folder is
``$IACLI_CORPUS`` or ``<repo>/../shared/corpus/aws``; without it the test is skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

# Measured with moto 5.2.5, cfn-lint 1.58.0 (plain: no assisted fixtures).
FLOOR_SUBSET = 19
FLOOR_FULL = 24

SUBSET = (
    # deployed when measured
    "DataPipeline/DataPipeline-StringValue.yaml",
    "DynamoDB/DynamoDB_Secondary_Indexes.json",
    "DynamoDB/DynamoDB_Table.yaml",
    "EC2/InstanceWithCfnInit.json",
    "Lambda/LambdaSample.yaml",
    "SQS/SQSFIFOQueue.json",
    "SQS/SQSStandardQueue.yaml",
    "Solutions/S3CrossAccountReplicationWithKMS/templates/source.json",
    "Solutions/VPCPeering/templates/VPCPeering-Accepter-Role.cfn.json",
    "VPC/FindInMapAZs.json",
    # failed when measured, one of each kind (see KNOWN_INTERNAL_ERRORS and the bench's report)
    "AutoScaling/AutoScalingRollingUpdates.yaml",
    "AutoScaling/AutoScalingScheduledAction.json",
    "AutoScaling/AutoScalingScheduledAction.yaml",
    "EC2/EC2InstanceWithSecurityGroupSample.yaml",
    "ECS/FargateLaunchType/clusters/public-vpc.json",
    "ECS/FargateLaunchType/services/public-service.yaml",
    "EFS/EFSAccessPoint.yaml",
    "ElasticLoadBalancing/ELBStickinessSample.yaml",
    "ElasticLoadBalancing/NetworkLoadBalancerWithEIPs.json",
    "RDS/RDS_with_DBParameterGroup.yaml",
    "Solutions/AmazonCloudWatchAgent/inline/amazon_linux.json",
    "Solutions/AmazonCloudWatchAgent/inline/windows.json",
    "Solutions/AmazonCloudWatchAgent/ssm/ubuntu.yaml",
    "Solutions/CloudFormationEndpointSignals/cfn-endpoint-creationpolicy-no-igw.json",
    "Solutions/EC2DomainJoin/EC2-Domain-Join.yaml",
    "Solutions/OperatingSystems/RHEL9_cfn-hup.json",
    "Solutions/TaggingRootVolumesInEC2/Tagging_Root_volume.yaml",
    "Solutions/VPCPeering/templates/VPCPeering-Requester-Setup.cfn.json",
)

# Internal errors (exit 1) already diagnosed: a substring of the bench's error line -> the bug.
# Delete an entry once its bug is fixed (the test warns when an entry no longer occurs).
KNOWN_INTERNAL_ERRORS: dict[str, str] = {}  # substring of the error -> diagnosis; none known now


def _corpus() -> Path:
    configured = os.environ.get("IACLI_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus" / "aws"


def _bench() -> ModuleType:
    path = REPO / "bench" / "corpus_aws.py"
    spec = importlib.util.spec_from_file_location("iacli_bench_corpus_aws", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    corpus = _corpus()
    if not (corpus / "index.tsv").is_file():
        pytest.skip(f"no template corpus at {corpus} (set IACLI_CORPUS to its aws/ folder)")
    full = os.environ.get("IACLI_CORPUS_FULL") == "1"
    bench = _bench()
    entries = None if full else SUBSET
    result: dict[str, Any] = bench.run_corpus(corpus, entries=entries, timeout=60.0, budget=600.0)
    result["full"] = full
    return result


def _table(report: dict[str, Any]) -> str:
    return "\n".join(
        f"  {r['outcome']:<9} {r['template']}: {r['error']}" for r in report["results"] if r["outcome"] != "deployed"
    )


def test_subset_is_in_the_corpus(report: dict[str, Any]) -> None:
    if report["full"]:
        return
    ran = {r["template"] for r in report["results"]}
    assert ran == set(SUBSET), f"not in the corpus index: {sorted(set(SUBSET) - ran)}"


def test_deploys_at_least_the_measured_floor(report: dict[str, Any]) -> None:
    floor = FLOOR_FULL if report["full"] else FLOOR_SUBSET
    assert report["deployed"] >= floor, (
        f"deployed {report['deployed']} of {report['total']}, fewer than the floor {floor}; failures:\n"
        + _table(report)
    )


def test_no_failure_is_an_internal_error(report: dict[str, Any]) -> None:
    internal = [r for r in report["results"] if r["internal"]]
    unknown = [r for r in internal if not any(sig in r["error"] for sig in KNOWN_INTERNAL_ERRORS)]
    assert not unknown, "iacli internal errors (exit 1):\n" + "\n".join(
        f"  {r['outcome']:<9} {r['template']}: {r['error']}" for r in unknown
    )
    seen = {sig for sig in KNOWN_INTERNAL_ERRORS for r in internal if sig in r["error"]}
    for stale in sorted(set(KNOWN_INTERNAL_ERRORS) - seen):
        warnings.warn(f"known internal error no longer occurs, remove it from KNOWN_INTERNAL_ERRORS: {stale}",
                      stacklevel=1)


def test_every_template_finishes_in_time(report: dict[str, Any]) -> None:
    late = [r["template"] for r in report["results"] if r["outcome"] in ("timeout", "skipped")]
    assert not late, f"timed out or skipped: {late}"
