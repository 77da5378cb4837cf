"""Which values a rollback takes from -p / --params-file: secrets (never stored), and nothing else."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from iacli.engine import StackRequest
from iacli.errors import UsageError
from iacli.rollback import given_secrets


def release(**parameters: Any) -> Any:
    return SimpleNamespace(number=3, secret_names=("DbPassword",),
                           parameters={"DbPassword": "sha256:abc", **parameters})


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def test_secrets_are_taken_under_the_template_or_the_blueprint_name() -> None:
    request = StackRequest(assignments=("db_password=s3cret",))
    assert given_secrets(request, release(), camel) == {"DbPassword": "s3cret"}
    request = StackRequest(assignments=("DbPassword=s3cret",))
    assert given_secrets(request, release(), camel) == {"DbPassword": "s3cret"}


def test_a_params_file_gives_secrets_too(tmp_path: Path) -> None:
    file = tmp_path / "secrets.yaml"
    file.write_text("DbPassword: from-file\n")
    request = StackRequest(params_file=file, assignments=())
    assert given_secrets(request, release(), camel) == {"DbPassword": "from-file"}


@pytest.mark.parametrize("assignment", ["Size=small", "Tags=a,b", "Public=true", "Count=2"])
def test_the_release_own_values_may_be_repeated(assignment: str) -> None:
    recorded = release(Size="small", Tags=["a", "b"], Public=True, Count=2)
    assert given_secrets(StackRequest(assignments=(assignment,)), recorded, camel) == {}


@pytest.mark.parametrize("assignment", ["Size=big", "Unknown=1", "Public=false"])
def test_other_values_are_refused(assignment: str) -> None:
    recorded = release(Size="small", Public=True)
    with pytest.raises(UsageError, match="may only give its secret parameters \\(DbPassword\\)"):
        given_secrets(StackRequest(assignments=(assignment,)), recorded, camel)
