"""SandboxManager: a real server process, shared by concurrent callers, keeping state between sessions."""

from __future__ import annotations

import ast
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from iacli_aws.sandbox import SandboxError
from iacli_aws.sandbox.manager import SandboxManager, SandboxStatus, default_home

DISTRIBUTION = {
    "Resources": {
        "Cdn": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [
                        {
                            "Id": "o",
                            "DomainName": "example.org",
                            "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"},
                        }
                    ],
                    "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"},
                }
            },
        }
    },
    "Outputs": {"Domain": {"Value": {"Fn::GetAtt": ["Cdn", "DomainName"]}}},
}


def _cloudformation(endpoint_url: str) -> Any:
    """A client from a fresh boto3 session, as a separate iacli command would make."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session.client("cloudformation", endpoint_url=endpoint_url)


def test_default_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IACLI_HOME", str(tmp_path))
    assert default_home() == tmp_path
    monkeypatch.delenv("IACLI_HOME")
    assert default_home() == Path.home() / ".iacli"


def test_nothing_recorded_or_stale_record_means_not_running(tmp_path: Path) -> None:
    manager = SandboxManager(tmp_path)
    assert manager.status() == SandboxStatus(running=False)
    manager.state_dir.mkdir(parents=True)
    dead_pid = 2**22 + 12345
    manager.info_path.write_text(
        json.dumps(
            {
                "pid": dead_pid,
                "port": 1,
                "endpoint_url": "http://127.0.0.1:1",
                "started_at": "2026-01-01T00:00:00+00:00",
            }
        )
    )
    assert manager.status().running is False
    manager.reset()
    manager.stop()
    assert not manager.info_path.exists()


def test_a_server_that_cannot_start_is_an_error(tmp_path: Path) -> None:
    manager = SandboxManager(tmp_path, python=str(tmp_path / "no-such-python"))
    with pytest.raises(SandboxError, match="could not be started"):
        manager.ensure_running()


def test_server_process_lifecycle(tmp_path: Path) -> None:
    manager = SandboxManager(tmp_path / "home")
    with ThreadPoolExecutor(max_workers=2) as pool:
        urls = list(pool.map(lambda _: manager.ensure_running(), range(2)))
    try:
        assert urls[0] == urls[1]
        assert SandboxManager(tmp_path / "home").ensure_running() == urls[0]

        _cloudformation(urls[0]).create_stack(StackName="kept", TemplateBody=json.dumps(DISTRIBUTION))
        stack = _cloudformation(urls[0]).describe_stacks(StackName="kept")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["Outputs"][0]["OutputValue"].endswith(".cloudfront.net")

        status = manager.status()
        assert (status.running, status.endpoint_url, status.stacks) == (True, urls[0], ("kept",))
        assert status.pid is not None and status.pid != os.getpid() and status.started_at

        manager.reset()
        assert manager.status().stacks == ()
        _cloudformation(urls[0]).create_stack(StackName="again", TemplateBody=json.dumps(DISTRIBUTION))
        assert manager.status().stacks == ("again",)
    finally:
        manager.stop()
    assert manager.status() == SandboxStatus(running=False)
    manager.stop()


def test_client_side_imports_neither_moto_nor_boto3() -> None:
    import iacli_aws.sandbox as package
    from iacli_aws.sandbox import manager

    for module in (package, manager):
        tree = ast.parse(Path(str(module.__file__)).read_text())
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {str(node.module) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported if name.split(".")[0] in {"moto", "boto3", "botocore"}}
