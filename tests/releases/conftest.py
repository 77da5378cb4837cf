"""A BYO template stack on the session's sandbox, with its own project (and so its own history)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

TEMPLATE = """\
Parameters:
  Seconds:
    Type: Number
    Default: 30
  TableName:
    Type: String
  Token:
    Type: String
    NoEcho: true
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Seconds
      Tags:
        - Key: token
          Value: !Ref Token
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  TableArn:
    Value: !GetAtt Table.Arn
"""
_counter = itertools.count()


@pytest.fixture
def stack(sandbox_project: Path, cli):  # type: ignore[no-untyped-def]
    """``stack("deploy", "-p", ...)`` runs iacli on a fresh BYO stack; ``stack.name`` is its base name."""
    (sandbox_project / "app.yaml").write_text(TEMPLATE)
    name = f"rel{next(_counter)}x{abs(hash(str(sandbox_project))) % 10_000}"

    class Runner:
        def __init__(self) -> None:
            self.name = name
            self.table = f"{name}-t"

        def __call__(self, command: str, *extra: str):  # type: ignore[no-untyped-def]
            return cli(command, "--template", "app.yaml", "--name", name, *extra)

    runner = Runner()
    yield runner
    runner("destroy", "--yes")
