"""The serverless-web blueprint: blueprint.yaml, examples, and the AWS SAM template.

The template is rendered with a tiny stand-in for the core renderer (same rules: sandboxed Jinja,
StrictUndefined, values only through the ``json`` filter, an ``asset()`` global), then translated with
aws-sam-translator and linted with cfn-lint, offline. ``test_core_renderer_agrees_with_the_stand_in``
checks that ``iacli.render`` produces the same template (and zips only the function code).
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.decode import decode_str
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

BLUEPRINT = Path(__file__).resolve().parents[2] / "blueprints" / "serverless-web"
TEMPLATE = "templates/aws/template.yaml.j2"
EXAMPLES = sorted((BLUEPRINT / "examples").glob("*.yaml"))
CODE_URI = "s3://iacli-assets-123456789012/serverless-web/src-0123abcd.zip"
REGION = "us-east-1"

# what the translated template may contain: the sandbox must know how to create each of these
TRANSLATED_TYPES = {
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::DynamoDB::Table",
    "AWS::IAM::Role",
    "AWS::Lambda::Function",
    "AWS::Lambda::Permission",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
}
AUTH_TYPES = {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"}


# ---------------------------------------------------------------- stand-in renderer


class _Json(str):
    """Text that went through the ``json`` filter."""


class _Asset:
    def __init__(self, path: str) -> None:
        self.placeholder = f"iacli-asset://{path}"


def _json_filter(value: Any) -> _Json:
    return _Json(json.dumps(value.placeholder if isinstance(value, _Asset) else value))


def _finalize(value: Any) -> Any:
    if not isinstance(value, _Json):
        raise TypeError(f"template value {value!r} did not go through the json filter")
    return value


def render(params: dict[str, Any], *, trim: bool = False, stack_name: str = "serverless-web-dev") -> str:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(BLUEPRINT)),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=trim,
        lstrip_blocks=trim,
    )
    env.filters["json"] = _json_filter
    env.globals["asset"] = _Asset
    blueprint = {"name": "serverless-web", "version": "1.0.0"}
    return env.get_template(TEMPLATE).render(
        params=params, stack_name=stack_name, env="dev", blueprint=blueprint
    )


# ---------------------------------------------------------------- helpers


def _spec() -> dict[str, Any]:
    return yaml.safe_load((BLUEPRINT / "blueprint.yaml").read_text())


def _params(overrides: dict[str, Any]) -> dict[str, Any]:
    values = {name: p["default"] for name, p in _spec()["parameters"].items()}
    values.update(overrides)
    return values


def _parse(text: str) -> dict[str, Any]:
    template, errors = decode_str(text)
    assert not errors, errors
    return json.loads(json.dumps(template))  # plain dicts (no line-number node types)


def _with_code(text: str) -> str:
    """What the AWS provider does before validating: the asset placeholder becomes an S3 URI."""
    placeholder = json.dumps("iacli-asset://src")
    assert text.count(placeholder) == 1
    return text.replace(placeholder, json.dumps(CODE_URI))


class _NoIamLoader:
    """Managed policy lookups would call IAM; SAM's bundled map must be enough."""

    def load(self) -> dict[str, str]:
        raise AssertionError("SAM tried to look up managed policies in IAM")


def _translate(template: dict[str, Any]) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    return transform(copy.deepcopy(template), {}, _NoIamLoader())  # type: ignore[no-any-return]


@cache
def _lint(text: str) -> tuple[str, ...]:
    import cfnlint.api

    return tuple(str(m) for m in cfnlint.api.lint(text, regions=[REGION]))


def _example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name} must be a mapping"
    return data


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


COMBOS = [{"auth": a, "tracing": t} for a, t in itertools.product([False, True], repeat=2)]
CASES = [pytest.param(_example(p), id=f"example-{p.stem}") for p in EXAMPLES] + [
    pytest.param(c, id=f"auth={c['auth']}-tracing={c['tracing']}") for c in COMBOS
]


# ---------------------------------------------------------------- blueprint.yaml and examples


def test_blueprint_yaml_matches_core_model() -> None:
    model = pytest.importorskip("iacli.blueprint.model")
    spec = model.BlueprintSpec.model_validate(_spec())
    assert spec.name == BLUEPRINT.name
    assert (BLUEPRINT / spec.providers["aws"].template).is_file()
    assert {
        "app_name",
        "stage",
        "runtime",
        "memory_mb",
        "timeout_s",
        "auth",
        "tracing",
        "log_retention_days",
    } <= set(spec.parameters)
    assert {"api_url", "site_url", "table_name", "user_pool_id"} <= set(spec.outputs)
    assert spec.outputs["user_pool_id"].when == "auth"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_resolve_against_parameters(path: Path) -> None:
    model = pytest.importorskip("iacli.blueprint.model")
    params = pytest.importorskip("iacli.blueprint.params")
    spec = model.BlueprintSpec.model_validate(_spec())
    resolved = params.resolve(spec.parameters, [params.ParamSource(path.name, _example(path))])
    assert set(resolved.values) == set(spec.parameters)


def test_examples_exist_and_default_is_empty() -> None:
    assert {p.stem for p in EXAMPLES} >= {"default", "auth-tracing", "large"}
    assert _example(BLUEPRINT / "examples" / "default.yaml") == {}


def test_defaults_satisfy_their_own_constraints() -> None:
    for name, p in _spec()["parameters"].items():
        default = p["default"]
        if "enum" in p:
            assert default in p["enum"], name
        if "pattern" in p:
            assert re.fullmatch(p["pattern"], default), name
        if "min" in p:
            assert p["min"] <= default <= p["max"], name


# ---------------------------------------------------------------- render, translate, lint


@pytest.mark.parametrize("overrides", CASES)
def test_renders_translates_and_lints_clean(overrides: dict[str, Any]) -> None:
    params = _params(overrides)
    text = _with_code(render(params))
    assert _lint(text) == ()
    sam = _parse(text)
    assert sam["Transform"] == "AWS::Serverless-2016-10-31"
    assert sam["Resources"]["ItemsFunction"]["Properties"]["CodeUri"] == CODE_URI

    translated = _translate(sam)
    assert _lint(json.dumps(translated, indent=1)) == ()
    types = {r["Type"] for r in translated["Resources"].values()}
    assert types == TRANSLATED_TYPES | (AUTH_TYPES if params["auth"] else set())


@pytest.mark.parametrize("overrides", COMBOS, ids=lambda c: f"auth={c['auth']}-tracing={c['tracing']}")
def test_block_whitespace_settings_do_not_matter(overrides: dict[str, Any]) -> None:
    params = _params(overrides)
    assert _parse(render(params, trim=True)) == _parse(render(params, trim=False))


@pytest.mark.parametrize("overrides", CASES)
def test_outputs_follow_blueprint_yaml(overrides: dict[str, Any]) -> None:
    params = _params(overrides)
    outputs = _parse(render(params))["Outputs"]
    expected = {
        "".join(part.capitalize() for part in name.split("_"))
        for name, out in _spec()["outputs"].items()
        if out.get("when") is None or params[out["when"]]
    }
    assert set(outputs) == expected


def test_parameters_reach_the_resources() -> None:
    params = _params(
        {
            "app_name": "shop",
            "stage": "prod",
            "runtime": "python3.13",
            "memory_mb": 1024,
            "timeout_s": 20,
            "tracing": True,
            "auth": True,
            "log_retention_days": 90,
            "architecture": "x86_64",
            "api_rate_limit": 7,
            "api_burst_limit": 9,
            "price_class": "PriceClass_200",
            "retain_data": True,
        }
    )
    t = _parse(render(params))
    fn = t["Globals"]["Function"]
    assert (fn["Runtime"], fn["MemorySize"], fn["Timeout"], fn["Tracing"], fn["Architectures"]) == (
        "python3.13",
        1024,
        20,
        "Active",
        ["x86_64"],
    )
    res = t["Resources"]
    assert res["ItemsFunction"]["Properties"]["FunctionName"] == "shop-prod-items"
    assert res["ItemsFunctionLogGroup"]["Properties"] == {
        "LogGroupName": "/aws/lambda/shop-prod-items",
        "RetentionInDays": 90,
    }
    api = res["ItemsApi"]["Properties"]
    assert api["StageName"] == "prod" and api["TracingEnabled"] is True
    assert api["Auth"]["DefaultAuthorizer"] == "CognitoAuthorizer"
    assert api["MethodSettings"][0]["ThrottlingRateLimit"] == 7
    assert api["MethodSettings"][0]["ThrottlingBurstLimit"] == 9
    assert res["SiteDistribution"]["Properties"]["DistributionConfig"]["PriceClass"] == "PriceClass_200"
    for name in ("ItemsTable", "SiteBucket", "UserPool"):
        assert res[name]["DeletionPolicy"] == res[name]["UpdateReplacePolicy"] == "Retain"
    assert t["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"][1] == {"Stage": "prod"}


def test_defaults_are_public_untraced_and_disposable() -> None:
    t = _parse(render(_params({})))
    res = t["Resources"]
    assert t["Globals"]["Function"]["Tracing"] == "PassThrough"
    assert res["ItemsApi"]["Properties"]["TracingEnabled"] is False
    assert "Auth" not in res["ItemsApi"]["Properties"]
    assert not {"UserPool", "UserPoolClient"} & set(res)
    assert res["ItemsTable"]["DeletionPolicy"] == "Delete"


def test_security_baseline() -> None:
    res = _parse(render(_params({"auth": True})))["Resources"]
    bucket = res["SiteBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    allow = res["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${SiteDistribution}" in allow["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Sub"]
    table = res["ItemsTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    policy = res["ItemsFunction"]["Properties"]["Policies"]
    assert len(policy) == 1
    (statement,) = policy[0]["Statement"]
    assert statement["Resource"] == {"Fn::GetAtt": ["ItemsTable", "Arn"]}
    assert all(a.startswith("dynamodb:") and "*" not in a for a in statement["Action"])


def test_string_values_cannot_inject_yaml() -> None:
    # the core validates patterns first; the template must be safe even without that
    params = _params({"stage": "dev\n  Evil: true", "app_name": "a: b\n#"})
    t = _parse(render(params, stack_name="x\nResources: {}"))
    assert t["Resources"]["ItemsApi"]["Properties"]["StageName"] == "dev\n  Evil: true"
    assert "Evil" not in t["Resources"]["ItemsApi"]["Properties"]
    assert t["Resources"]["ItemsFunction"]["Properties"]["FunctionName"] == "a: b\n#-dev\n  Evil: true-items"
    assert len(t["Resources"]) > 5


def test_unfiltered_values_are_refused_by_the_stand_in() -> None:
    env = SandboxedEnvironment(undefined=StrictUndefined, finalize=_finalize)
    with pytest.raises(TypeError, match="json filter"):
        env.from_string("x: {{ v }}").render(v="1")


# the function package: both entry points (Lambda app.py, Azure function_app.py + host.json), the shared
# core and its two stores, and the Azure Functions requirements; nothing else (no tests, no caches)
CODE_FILES = {"app.py", "function_app.py", "host.json", "items_api.py", "items_cosmos.py", "items_dynamodb.py",
              "requirements.txt"}


def test_function_code_folder_holds_only_runtime_code() -> None:
    files = {p.name for p in (BLUEPRINT / "src").iterdir() if p.name != "__pycache__"}
    assert files == CODE_FILES


@pytest.mark.parametrize("overrides", CASES)
def test_core_renderer_agrees_with_the_stand_in(overrides: dict[str, Any]) -> None:
    core = pytest.importorskip("iacli.render")
    params = _params(overrides)
    context = {
        "params": params,
        "stack_name": "serverless-web-dev",
        "env": "dev",
        "blueprint": {"name": "serverless-web", "version": "1.0.0"},
    }
    rendered = core.render_template(BLUEPRINT, TEMPLATE, context, lambda text, _source: _parse(text))
    (placeholder,) = rendered.assets
    code_uri = rendered.body["Resources"]["ItemsFunction"]["Properties"]["CodeUri"]
    assert code_uri == placeholder
    rendered.body["Resources"]["ItemsFunction"]["Properties"]["CodeUri"] = "iacli-asset://src"
    assert rendered.body == _parse(render(params))
    zipped = zipfile.ZipFile(io.BytesIO(rendered.assets[placeholder].data))
    assert zipped.namelist() == sorted(CODE_FILES)
