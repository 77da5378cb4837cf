"""Fixtures for the AWS sandbox tests: one in-thread sandbox server per test session, reset per test.

Starting the server applies the sandbox's moto fixes to this whole test process (they are global,
like moto's backends); tests elsewhere that use ``mock_aws`` in the same process see them too.
"""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "us-east-1"
CODE_BUCKET = "iacli-fixture-code"
CODE_KEY = "app.zip"


class Aws:
    """boto3 clients for the sandbox endpoint (one per service, reused across tests)."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self._clients: dict[str, Any] = {}
        self._config = Config(retries={"max_attempts": 1, "mode": "standard"})

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self.endpoint_url, config=self._config
            )
        return self._clients[service]

    def reset(self) -> None:
        request = urllib.request.Request(self.endpoint_url + "/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).read()

    def upload_code(self) -> None:
        """The function package the fixture templates point at (s3://iacli-fixture-code/app.zip)."""
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
        self("s3").create_bucket(Bucket=CODE_BUCKET)
        self("s3").put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=archive.getvalue())

    def resources(self, stack: str) -> dict[str, str]:
        """Logical id -> physical id of a stack's resources."""
        summaries = self("cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
        return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}

    def outputs(self, stack: str) -> dict[str, str]:
        described = self("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs") or []}

    def status(self, stack: str) -> str:
        return str(self("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])

    def deploy(self, stack: str, template: dict[str, Any] | str, **kwargs: Any) -> None:
        body = template if isinstance(template, str) else json.dumps(template)
        self("cloudformation").create_stack(StackName=stack, TemplateBody=body, **kwargs)

    def update(self, stack: str, template: dict[str, Any] | str, **kwargs: Any) -> None:
        body = template if isinstance(template, str) else json.dumps(template)
        self("cloudformation").update_stack(StackName=stack, TemplateBody=body, **kwargs)

    def change_set(
        self, stack: str, template: dict[str, Any] | str, kind: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Create a change set and return its description."""
        body = template if isinstance(template, str) else json.dumps(template)
        cloudformation = self("cloudformation")
        created = cloudformation.create_change_set(
            StackName=stack,
            ChangeSetName=f"cs-{kind.lower()}",
            TemplateBody=body,
            ChangeSetType=kind,
            **kwargs,
        )
        return dict(cloudformation.describe_change_set(ChangeSetName=created["Id"]))

    @staticmethod
    def actions(description: dict[str, Any]) -> list[tuple[str, str]]:
        """(Action, LogicalResourceId) of each change of a described change set."""
        return [
            (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
            for c in description["Changes"]
        ]


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    from iacli_aws.sandbox.server import start_in_thread

    server, url = start_in_thread()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def _aws_clients(sandbox_url: str) -> Aws:
    return Aws(sandbox_url)


@pytest.fixture
def aws(_aws_clients: Aws) -> Aws:
    """The sandbox, emptied for this test."""
    _aws_clients.reset()
    return _aws_clients


@pytest.fixture
def serverless_template() -> dict[str, Any]:
    """A SAM-translated serverless web app (see fixtures/serverless_stack.sam.yaml for its source)."""
    template: dict[str, Any] = json.loads((FIXTURES / "serverless_stack.json").read_text())
    return template
