from __future__ import annotations

import pytest

from iacli.blueprint.model import ParameterSpec, ParamType
from iacli.blueprint.params import ParamSource, parse_assignments, resolve
from iacli.errors import ParameterError, UsageError

SPECS = {
    "name": ParameterSpec(type=ParamType.STRING, default="app", pattern=r"^[a-z]+$"),
    "memory": ParameterSpec(type=ParamType.INTEGER, default=256, min=128, max=1024),
    "ratio": ParameterSpec(type=ParamType.NUMBER, default=0.5),
    "auth": ParameterSpec(type=ParamType.BOOLEAN, default=False),
    "zones": ParameterSpec(type=ParamType.LIST, default=["a"]),
    "tier": ParameterSpec(type=ParamType.STRING, default="s", enum=["s", "m"]),
    "password": ParameterSpec(type=ParamType.STRING, secret=True),
}


def cli(**values: str) -> ParamSource:
    return ParamSource("-p", values, from_cli=True)


def test_defaults_and_cli_values_are_typed() -> None:
    r = resolve(SPECS, [cli(memory="512", auth="true", zones="a, b", ratio="2", password="s3cret")])
    assert r.values["memory"] == 512 and r.values["auth"] is True
    assert r.values["zones"] == ["a", "b"] and r.values["ratio"] == 2 and r.values["name"] == "app"


def test_later_sources_win() -> None:
    r = resolve(SPECS, [ParamSource("file", {"memory": 300, "password": "a"}), cli(memory="400")])
    assert r.values["memory"] == 400


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"memory": "big"}, "parameter 'memory' (from command line) must be an integer, got 'big'"),
        ({"memory": "64"}, "the minimum is 128"),
        ({"memory": "4096"}, "the maximum is 1024"),
        ({"auth": "maybe"}, "must be a boolean"),
        ({"tier": "xl"}, "allowed: s, m"),
        ({"name": "x\n  Evil: true"}, "it must match ^[a-z]+$"),
        ({"nope": "1"}, "unknown parameter 'nope'"),
    ],
)
def test_bad_values_are_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(ParameterError) as err:
        resolve(SPECS, [cli(password="x", **values)])
    assert message in err.value.message


def test_yaml_values_are_not_coerced() -> None:
    with pytest.raises(ParameterError, match="must be an integer, got '512'"):
        resolve(SPECS, [ParamSource("params.yaml", {"memory": "512", "password": "x"})])
    with pytest.raises(ParameterError, match="must be an integer, got True"):
        resolve(SPECS, [ParamSource("params.yaml", {"memory": True, "password": "x"})])


def test_missing_required_parameter_names_it() -> None:
    with pytest.raises(ParameterError) as err:
        resolve(SPECS, [])
    assert "missing required parameter(s): password" in err.value.message
    assert err.value.hint == "-p password=VALUE"


def test_secrets_are_masked_and_hashed_with_salt() -> None:
    r = resolve(SPECS, [cli(password="hunter2")])
    assert "password" not in r.public()
    assert r.redacted()["password"] == "***"
    assert r.digest("a") != r.digest("b")
    assert "hunter2" not in r.digest("a")


def test_secret_value_never_echoed_in_errors() -> None:
    specs = {"pw": ParameterSpec(type=ParamType.STRING, secret=True, pattern="^[a-z]+$")}
    with pytest.raises(ParameterError) as err:
        resolve(specs, [cli(pw="Hunter2!")])
    assert "Hunter2" not in err.value.message


def test_assignment_syntax() -> None:
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError):
        parse_assignments(["novalue"])


def test_list_items_are_checked_by_pattern_and_enum() -> None:
    specs = {"envs": ParameterSpec(type=ParamType.LIST, default=[], pattern=r"^[A-Z_]+=.*$")}
    assert resolve(specs, [cli(envs="A=1,B=2")]).values["envs"] == ["A=1", "B=2"]
    with pytest.raises(ParameterError, match="must match"):
        resolve(specs, [cli(envs="A=1,bad")])
