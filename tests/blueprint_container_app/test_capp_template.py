"""The container-app blueprint: blueprint.yaml, examples, and the AWS CloudFormation template.

Templates are rendered through the real pipeline (``Engine.prepare``: parameter resolution, the core's
sandboxed renderer, the AWS provider's parser) and linted with ``Engine.validate`` (cfn-lint), offline.
The promises checked here: secrets reach the container only through the task definition's ``Secrets``;
only valid Fargate cpu/memory pairs render; both IAM roles hold the least they need.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iacli.blueprint.loader import load_blueprint
from iacli.blueprint.params import ParamSource, resolve
from iacli.config import ProjectConfig
from iacli.engine import Engine, StackRequest
from iacli.errors import IacliError, TemplateError

BLUEPRINT = Path(__file__).resolve().parents[2] / "blueprints" / "container-app"
EXAMPLES = sorted((BLUEPRINT / "examples").glob("*.yaml"))
STACK = "container-app-dev"

#: What the template may contain: the sandbox must know how to create each of these.
TYPES = {
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::ECR::Repository",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
}

#: Fargate (Linux) task sizes: vCPU -> every valid memory size in MiB.
FARGATE = {
    0.25: [512, 1024, 2048],
    0.5: list(range(1024, 4097, 1024)),
    1: list(range(2048, 8193, 1024)),
    2: list(range(4096, 16385, 1024)),
    4: list(range(8192, 30721, 1024)),
    8: list(range(16384, 61441, 4096)),
    16: list(range(32768, 122881, 8192)),
}
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbCdEf"


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("capp")
    (root / "project").mkdir()
    return Engine(root / "project", ProjectConfig(), root / "home")


def _spec() -> dict[str, Any]:
    return yaml.safe_load((BLUEPRINT / "blueprint.yaml").read_text())


def _example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name} must be a mapping"
    return data


def _prepare(engine: Engine, params: dict[str, Any]) -> Any:
    folder = engine.home / "params"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"p{abs(hash(json.dumps(params, sort_keys=True)))}.yaml"
    path.write_text(yaml.safe_dump(params))
    return engine.prepare(StackRequest(blueprint="container-app", params_file=path))


def render(engine: Engine, **params: Any) -> dict[str, Any]:
    """The rendered template as plain dicts."""
    return json.loads(json.dumps(_prepare(engine, params).deployable.template.body))


def lint(engine: Engine, **params: Any) -> list[str]:
    """cfn-lint findings (errors, warnings and informational) as iacli validate reports them."""
    prepared = _prepare(engine, params)
    return [f"{d.severity.value} {d.rule} {d.path}: {d.message}" for d in engine.validate(prepared)]


def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def container(template: dict[str, Any]) -> dict[str, Any]:
    (definition,) = props(template, "TaskDefinition")["ContainerDefinitions"]
    return definition


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [s for p in props(template, role).get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def refused(engine: Engine, **params: Any) -> str:
    with pytest.raises(TemplateError) as err:
        _prepare(engine, params)
    return str(err.value.message)


# ---------------------------------------------------------------- blueprint.yaml and examples


def test_blueprint_yaml_matches_core_model() -> None:
    bp = load_blueprint("container-app", Path("/nonexistent"))
    # the installed copy (site-packages in CI) or this checkout (editable installs)
    assert bp.origin == "built-in" and bp.root.name == BLUEPRINT.name
    spec = bp.spec
    assert (BLUEPRINT / spec.providers["aws"].template).is_file()
    assert {
        "image",
        "cpu",
        "memory",
        "port",
        "desired_count",
        "min_count",
        "max_count",
        "env_vars",
        "secrets",
        "health_check_path",
        "app_name",
        "tls_certificate",
    } <= set(spec.parameters)
    assert set(spec.outputs) == {"url", "cluster_name", "service_name", "repository_uri", "log_group"}
    assert "aws" in spec.details and "Fargate" in spec.details


def test_parameter_names_are_provider_neutral() -> None:
    for name in _spec()["parameters"]:
        assert not any(
            word in name.split("_") for word in ("aws", "ecs", "ecr", "fargate", "alb", "arn", "vpc")
        ), name


def test_examples_exist_and_default_runs_nginx() -> None:
    assert {p.stem for p in EXAMPLES} >= {"default", "scaled", "with-secrets"}
    assert _example(BLUEPRINT / "examples" / "default.yaml") == {"image": "nginx:1.27"}
    assert _spec()["parameters"]["image"]["default"] == "nginx:1.27"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_resolve_against_parameters(path: Path) -> None:
    spec = load_blueprint("container-app", Path("/nonexistent")).spec
    resolved = resolve(spec.parameters, [ParamSource(path.name, _example(path))])
    assert set(resolved.values) == set(spec.parameters)


def test_defaults_satisfy_their_own_constraints() -> None:
    import re

    for name, p in _spec()["parameters"].items():
        default = p["default"]
        if "enum" in p:
            assert default in p["enum"], name
        if "pattern" in p:
            assert re.fullmatch(p["pattern"], default), name
        if "min" in p:
            assert p["min"] <= default <= p["max"], name


def test_cpu_enum_and_memory_bounds_match_the_fargate_table() -> None:
    params = _spec()["parameters"]
    assert params["cpu"]["enum"] == list(FARGATE)
    assert params["memory"]["min"] == min(min(v) for v in FARGATE.values())
    assert params["memory"]["max"] == max(max(v) for v in FARGATE.values())
    readme = (BLUEPRINT / "README.md").read_text()
    for cpu in FARGATE:
        assert f"\n| {cpu} | " in readme, cpu


# ---------------------------------------------------------------- render and lint

LINT_CASES = [pytest.param(_example(p), id=f"example-{p.stem}") for p in EXAMPLES] + [
    pytest.param(
        {
            "cpu": 16,
            "memory": 122880,
            "tls_certificate": CERT,
            "network_cidr": "192.168.7.0/24",
            "secrets": ["A=x"],
            "env_vars": ["B=y"],
            "port": 3000,
            "retain_repository": True,
            "desired_count": 1,
            "min_count": 1,
            "max_count": 1,
        },
        id="largest",
    ),
]


@pytest.mark.parametrize("params", LINT_CASES)
def test_renders_and_lints_clean(engine: Engine, params: dict[str, Any]) -> None:
    assert lint(engine, **params) == []
    template = render(engine, **params)
    assert "Transform" not in template and "Parameters" not in template
    assert {r["Type"] for r in resources(template).values()} <= TYPES
    https = bool(params.get("tls_certificate"))
    assert ("HttpsListener" in resources(template)) is https


@pytest.mark.parametrize("params", LINT_CASES)
def test_outputs_follow_blueprint_yaml(engine: Engine, params: dict[str, Any]) -> None:
    outputs = render(engine, **params)["Outputs"]
    assert set(outputs) == {"".join(w.capitalize() for w in n.split("_")) for n in _spec()["outputs"]}
    assert outputs["Url"]["Value"] == {"Fn::Sub": "http://${LoadBalancer.DNSName}"}
    assert outputs["RepositoryUri"]["Value"] == {"Fn::GetAtt": ["Repository", "RepositoryUri"]}


def test_default_template(engine: Engine) -> None:
    t = render(engine)
    assert set(resources(t)) == {
        "Vpc",
        "InternetGateway",
        "InternetGatewayAttachment",
        "PublicSubnetA",
        "PublicSubnetB",
        "PublicRouteTable",
        "PublicDefaultRoute",
        "PublicSubnetARouteTableAssociation",
        "PublicSubnetBRouteTableAssociation",
        "LoadBalancerSecurityGroup",
        "ServiceSecurityGroup",
        "LoadBalancer",
        "TargetGroup",
        "HttpListener",
        "Repository",
        "LogGroup",
        "TaskExecutionRole",
        "TaskRole",
        "Cluster",
        "TaskDefinition",
        "Service",
        "ScalableTarget",
        "CpuScalingPolicy",
    }
    c = container(t)
    assert c["Image"] == "nginx:1.27" and c["Name"] == "web" and c["Essential"] is True
    assert c["PortMappings"] == [{"ContainerPort": 80, "Protocol": "tcp"}]
    assert "Environment" not in c and "Secrets" not in c
    task = props(t, "TaskDefinition")
    assert (task["Cpu"], task["Memory"], task["NetworkMode"], task["RequiresCompatibilities"]) == (
        "256",
        "512",
        "awsvpc",
        ["FARGATE"],
    )
    svc = props(t, "Service")
    assert svc["LaunchType"] == "FARGATE" and svc["DesiredCount"] == 2 and svc["ServiceName"] == "web"
    assert svc["LoadBalancers"] == [
        {"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": "TargetGroup"}}
    ]
    assert svc["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert props(t, "Cluster")["ClusterName"] == STACK
    assert props(t, "Cluster")["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    repo = props(t, "Repository")
    assert repo["RepositoryName"] == f"{STACK}/web"
    assert repo["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert json.loads(repo["LifecyclePolicy"]["LifecyclePolicyText"])["rules"] == [
        {
            "rulePriority": 1,
            "description": "keep the last 10 images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"},
        }
    ]
    assert repo["EmptyOnDelete"] is True and resources(t)["Repository"]["DeletionPolicy"] == "Delete"
    assert props(t, "LogGroup") == {"LogGroupName": f"/ecs/{STACK}/web", "RetentionInDays": 14}
    lb = props(t, "LoadBalancer")
    assert lb["Scheme"] == "internet-facing" and lb["Type"] == "application"
    tg = props(t, "TargetGroup")
    assert (tg["TargetType"], tg["Port"], tg["HealthCheckPath"]) == ("ip", 80, "/")
    assert props(t, "HttpListener")["DefaultActions"] == [
        {"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}
    ]
    assert [r["FromPort"] for r in props(t, "LoadBalancerSecurityGroup")["SecurityGroupIngress"]] == [80]


def test_parameters_reach_the_resources(engine: Engine) -> None:
    t = render(
        engine,
        app_name="shop-api",
        image="public.ecr.aws/nginx/nginx:1.27",
        cpu=1,
        memory=4096,
        port=8080,
        desired_count=4,
        min_count=3,
        max_count=20,
        scale_cpu_percent=50,
        health_check_path="/healthz",
        log_retention_days=30,
        keep_images=30,
        retain_repository=True,
    )
    c = container(t)
    assert (c["Name"], c["Image"], c["PortMappings"][0]["ContainerPort"]) == (
        "shop-api",
        "public.ecr.aws/nginx/nginx:1.27",
        8080,
    )
    assert (props(t, "TaskDefinition")["Cpu"], props(t, "TaskDefinition")["Memory"]) == ("1024", "4096")
    assert props(t, "TaskDefinition")["Family"] == f"{STACK}-shop-api"
    assert props(t, "Service")["DesiredCount"] == 4
    assert props(t, "Service")["LoadBalancers"][0]["ContainerPort"] == 8080
    target = props(t, "ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (3, 20)
    assert target["ResourceId"] == {"Fn::Sub": "service/${Cluster}/${Service.Name}"}
    assert target["ScalableDimension"] == "ecs:service:DesiredCount"
    policy = props(t, "CpuScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]
    assert policy["TargetValue"] == 50
    assert policy["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
    }
    assert (props(t, "TargetGroup")["Port"], props(t, "TargetGroup")["HealthCheckPath"]) == (8080, "/healthz")
    assert props(t, "LogGroup") == {"LogGroupName": f"/ecs/{STACK}/shop-api", "RetentionInDays": 30}
    repo = props(t, "Repository")
    assert (
        repo["EmptyOnDelete"] is False
        and json.loads(repo["LifecyclePolicy"]["LifecyclePolicyText"])["rules"][0]["selection"]["countNumber"]
        == 30
    )
    assert (
        resources(t)["Repository"]["DeletionPolicy"]
        == resources(t)["Repository"]["UpdateReplacePolicy"]
        == "Retain"
    )
    (ingress,) = props(t, "ServiceSecurityGroup")["SecurityGroupIngress"]
    assert (ingress["FromPort"], ingress["ToPort"]) == (8080, 8080)
    (egress,) = props(t, "LoadBalancerSecurityGroup")["SecurityGroupEgress"]
    assert (egress["FromPort"], egress["ToPort"], egress["CidrIp"]) == (8080, 8080, "10.42.0.0/16")


def test_https_listener_and_redirect_with_a_certificate(engine: Engine) -> None:
    t = render(engine, tls_certificate=CERT)
    https = props(t, "HttpsListener")
    assert (https["Protocol"], https["Port"], https["Certificates"]) == (
        "HTTPS",
        443,
        [{"CertificateArn": CERT}],
    )
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert https["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]
    (redirect,) = props(t, "HttpListener")["DefaultActions"]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert [r["FromPort"] for r in props(t, "LoadBalancerSecurityGroup")["SecurityGroupIngress"]] == [80, 443]
    assert set(resources(t)["Service"]["DependsOn"]) == {"HttpListener", "HttpsListener"}


@pytest.mark.parametrize(
    ("cidr", "subnets"),
    [
        ("10.42.0.0/16", ["10.42.0.0/24", "10.42.1.0/24"]),
        ("192.168.4.0/22", ["192.168.4.0/24", "192.168.5.0/24"]),
        ("172.16.8.0/23", ["172.16.8.0/25", "172.16.8.128/25"]),
        ("172.31.255.0/24", ["172.31.255.0/26", "172.31.255.64/26"]),
    ],
)
def test_subnets_are_carved_from_network_cidr(engine: Engine, cidr: str, subnets: list[str]) -> None:
    t = render(engine, network_cidr=cidr)
    assert props(t, "Vpc")["CidrBlock"] == cidr
    assert [props(t, f"PublicSubnet{x}")["CidrBlock"] for x in "AB"] == subnets
    assert [props(t, f"PublicSubnet{x}")["AvailabilityZone"]["Fn::Select"][0] for x in "AB"] == [0, 1]


# ---------------------------------------------------------------- cpu and memory


@pytest.mark.parametrize("cpu", list(FARGATE))
def test_smallest_and_largest_fargate_sizes_render(engine: Engine, cpu: float) -> None:
    # every size in between is covered by the refusal message below, which lists the template's table
    for memory in (FARGATE[cpu][0], FARGATE[cpu][-1]):
        task = props(render(engine, cpu=cpu, memory=memory), "TaskDefinition")
        assert (task["Cpu"], task["Memory"]) == (str(int(cpu * 1024)), str(memory))


@pytest.mark.parametrize(
    ("cpu", "memory", "allowed"),
    [
        (0.25, 4096, "allowed: 512, 1024, 2048"),
        (0.5, 512, "allowed: 1024, 2048, 3072, 4096"),
        (1, 1024, "allowed: 2048 to 8192 in steps of 1024"),
        (2, 17408, "allowed: 4096 to 16384 in steps of 1024"),
        (4, 31744, "allowed: 8192 to 30720 in steps of 1024"),
        (8, 18432, "allowed: 16384 to 61440 in steps of 4096"),
        (16, 36864, "allowed: 32768 to 122880 in steps of 8192"),
    ],
)
def test_invalid_fargate_sizes_are_refused(engine: Engine, cpu: float, memory: int, allowed: str) -> None:
    message = refused(engine, cpu=cpu, memory=memory)
    assert f"memory {memory} MiB is not valid with cpu {cpu}; {allowed}" in message


def test_cpu_and_memory_outside_the_enum_and_bounds_are_refused_before_rendering(engine: Engine) -> None:
    for params in ({"cpu": 0.3}, {"cpu": 32}, {"memory": 256}, {"memory": 131072}):
        with pytest.raises(IacliError) as err:
            _prepare(engine, params)
        assert not isinstance(err.value, TemplateError), params


# ---------------------------------------------------------------- environment and secrets


def test_env_vars_become_plain_environment(engine: Engine) -> None:
    c = container(render(engine, env_vars=["LOG_LEVEL=info", "EMPTY=", "EQUATION=a=b", "_X1=1"]))
    assert c["Environment"] == [
        {"Name": "LOG_LEVEL", "Value": "info"},
        {"Name": "EMPTY", "Value": ""},
        {"Name": "EQUATION", "Value": "a=b"},
        {"Name": "_X1", "Value": "1"},
    ]
    assert "Secrets" not in c


def test_secrets_only_through_task_definition_secrets(engine: Engine) -> None:
    secrets = [
        "API_KEY=orders/api-key",
        f"DB_PASSWORD={SECRET_ARN}:password::",
        "DB_USER=orders/db:username::",
    ]
    t = render(engine, env_vars=["APP_ENV=prod"], secrets=secrets)
    c = container(t)
    assert c["Environment"] == [{"Name": "APP_ENV", "Value": "prod"}]
    prefix = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    assert c["Secrets"] == [
        {"Name": "API_KEY", "ValueFrom": {"Fn::Sub": prefix + "orders/api-key"}},
        {"Name": "DB_PASSWORD", "ValueFrom": f"{SECRET_ARN}:password::"},
        {"Name": "DB_USER", "ValueFrom": {"Fn::Sub": prefix + "orders/db:username::"}},
    ]
    # nowhere else: no template parameters, no environment, no outputs, no tags carry a secret reference
    elsewhere = json.dumps({k: v for k, v in t.items() if k != "Resources"})
    others = {k: v for k, v in resources(t).items() if k not in {"TaskDefinition", "TaskExecutionRole"}}
    for text in (elsewhere, json.dumps(others), json.dumps(c["Environment"])):
        assert "orders/" not in text and "secretsmanager" not in text
    assert "Parameters" not in t


def test_execution_role_reads_exactly_the_listed_secrets(engine: Engine) -> None:
    secrets = [
        "API_KEY=orders/api-key",
        f"DB_PASSWORD={SECRET_ARN}:password::",
        "DB_USER=orders/db:username::",
    ]
    t = render(engine, secrets=secrets)
    (read,) = [s for s in statements(t, "TaskExecutionRole") if s["Sid"] == "ReadListedSecrets"]
    assert read["Action"] == "secretsmanager:GetSecretValue"
    prefix = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    assert read["Resource"] == [
        {"Fn::Sub": prefix + "orders/api-key-??????"},
        SECRET_ARN,
        SECRET_ARN + "-??????",
        {"Fn::Sub": prefix + "orders/db-??????"},
    ]
    assert "ReadListedSecrets" not in {s["Sid"] for s in statements(render(engine), "TaskExecutionRole")}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"env_vars": ["NOEQUALS"]}, 'env_vars item "NOEQUALS" is not KEY=VALUE'),
        ({"env_vars": ["1ABC=x"]}, 'env_vars item "1ABC=x" is not KEY=VALUE'),
        ({"env_vars": ["MY-VAR=x"]}, 'env_vars item "MY-VAR=x" is not KEY=VALUE'),
        ({"env_vars": ["=x"]}, 'env_vars item "=x" is not KEY=VALUE'),
        ({"env_vars": ["A=1", "A=2"]}, "environment variable A is given more than once"),
        ({"env_vars": ["A=1"], "secrets": ["A=s"]}, "environment variable A is given more than once"),
        ({"secrets": ["JUSTANAME"]}, 'secrets item "JUSTANAME" is not ENV_NAME=SECRET'),
        ({"secrets": ["X=arn:aws:s3:::bucket"]}, "not the ARN of a Secrets Manager secret"),
        (
            {"secrets": ["X=arn:aws:secretsmanager:us-east-1:123:secret:n"]},
            "not the ARN of a Secrets Manager secret",
        ),
        ({"secrets": ["X=has space"]}, 'secrets item "X=has space": SECRET must be'),
        ({"secrets": ["X=${AWS::AccountId}"]}, "SECRET must be"),
        ({"secrets": ["X="]}, "SECRET must be"),
        ({"desired_count": 5}, "desired_count 5 is outside min_count..max_count (1..4)"),
        ({"min_count": 3, "max_count": 2, "desired_count": 2}, "min_count 3 is above max_count 2"),
        ({"network_cidr": "10.1.1.0/16"}, "network_cidr 10.1.1.0/16 has host bits set"),
    ],
)
def test_inconsistent_parameters_are_refused(engine: Engine, params: dict[str, Any], message: str) -> None:
    assert message in refused(engine, **params)


def test_every_problem_is_listed_at_once(engine: Engine) -> None:
    message = refused(engine, memory=4096, desired_count=9, env_vars=["bad-name=1"])
    assert (
        message.count(";") >= 2
        and "memory 4096" in message
        and "desired_count 9" in message
        and "bad-name" in message
    )


def test_list_values_cannot_inject_yaml(engine: Engine) -> None:
    # list items are not pattern-checked by the core: the template must keep them data
    value = 'x"\n          Privileged: true\n#'
    t = render(engine, env_vars=[f"A={value}"])
    c = container(t)
    assert c["Environment"] == [{"Name": "A", "Value": value}] and "Privileged" not in c


# ---------------------------------------------------------------- least privilege


def test_roles_are_least_privilege(engine: Engine) -> None:
    t = render(engine)
    for role in ("TaskExecutionRole", "TaskRole"):
        p = props(t, role)
        assert "ManagedPolicyArns" not in p and "PermissionsBoundary" not in p
        (trust,) = p["AssumeRolePolicyDocument"]["Statement"]
        assert (
            trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
            and trust["Action"] == "sts:AssumeRole"
        )
    # the application's role: nothing at all, and only for this account's tasks
    task_role = props(t, "TaskRole")
    assert "Policies" not in task_role
    condition = task_role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    # the agent's role: token (no resource-level permissions), pull from its own repository, own logs
    by_sid = {s["Sid"]: s for s in statements(t, "TaskExecutionRole")}
    assert set(by_sid) == {"EcrAuthorizationToken", "PullFromOwnRepository", "WriteOwnLogGroup"}
    assert by_sid["EcrAuthorizationToken"]["Action"] == "ecr:GetAuthorizationToken"
    assert by_sid["PullFromOwnRepository"]["Resource"] == {"Fn::GetAtt": ["Repository", "Arn"]}
    assert by_sid["WriteOwnLogGroup"]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:*"
    }
    for sid, statement in by_sid.items():
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a for a in actions), sid
        assert statement["Resource"] != "*" or actions == ["ecr:GetAuthorizationToken"], sid
    task = props(t, "TaskDefinition")
    assert task["ExecutionRoleArn"] == {"Fn::GetAtt": ["TaskExecutionRole", "Arn"]}
    assert task["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}


def test_network_exposure(engine: Engine) -> None:
    t = render(engine)
    (ingress,) = props(t, "ServiceSecurityGroup")["SecurityGroupIngress"]
    assert ingress["SourceSecurityGroupId"] == {"Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"]}
    assert "CidrIp" not in ingress
    (egress,) = props(t, "LoadBalancerSecurityGroup")["SecurityGroupEgress"]
    assert (egress["IpProtocol"], egress["CidrIp"]) == ("tcp", "10.42.0.0/16")
    assert props(t, "Service")["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] == [
        {"Ref": "ServiceSecurityGroup"}
    ]
