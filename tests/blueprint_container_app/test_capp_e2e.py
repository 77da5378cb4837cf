"""container-app through the CLI, in-process, against a real sandbox (a moto server process).

deploy -> plan (image change) -> deploy -> plan (desired_count) -> deploy -> destroy, then a second
deployment with HTTPS -> destroy, checking with plain boto3 what exists in the sandbox after each step
and that nothing is left at the end.

Sandbox gaps, found while writing this blueprint (what is asserted below is what the sandbox does):

- ``AWS::ApplicationAutoScaling::ScalableTarget`` and ``::ScalingPolicy`` have no sandbox model: change
  set creation is refused ("iacli sandbox does not support resource types ..."), so
  ``iacli deploy container-app`` fails on the sandbox. Until they exist, this test runs the same flow
  with the blueprint's rendered template minus those two resources (``--template``) and ends in xfail;
  once they exist it runs the blueprint itself and checks the autoscaling target and policy too.
- moto stores fewer properties than AWS: AWS::ECS::Cluster ``ClusterSettings`` (containerInsights reads
  "disabled"); AWS::ECS::TaskDefinition ``Cpu``, ``NetworkMode`` (reads "bridge"),
  ``RequiresCompatibilities`` (reads EC2), ``ExecutionRoleArn``, ``TaskRoleArn``, ``RuntimePlatform``;
  AWS::ECS::Service ``LaunchType`` (reads EC2), ``LoadBalancers`` (empty), ``NetworkConfiguration``
  (empty), ``DeploymentConfiguration``, ``PropagateTags``; AWS::ECR::Repository ``LifecyclePolicy`` (no
  policy), ``ImageScanningConfiguration`` and ``EncryptionConfiguration`` (read back empty);
  AWS::EC2::SecurityGroup inline ``SecurityGroupEgress`` (the group keeps allow-all egress);
  AWS::EC2::SubnetRouteTableAssociation is kept aside (DescribeRouteTables shows no association; its
  physical id is the route table id).
- An AWS::EC2::SecurityGroup whose ``SecurityGroupIngress``/``SecurityGroupEgress`` changes is deleted
  and created again (moto's update; AWS updates it in place, and the plan rightly says "update"): the
  new group id then replaces the load balancer (a new DNS name: the ``url`` output changes), its
  listeners and the service's security group. Turning HTTPS on in an update (443 ingress added and
  ``HttpsListener`` created together) leaves ``HttpsListener`` on a load balancer that no longer
  exists (DescribeListeners of the stack's load balancer shows only port 80). ``-p port=...`` updates
  also go through this replacement.
- ``Fn::Cidr`` is not evaluated (``Fn::Select`` over it fails with ``KeyError: 0``); the template computes
  the subnet ranges itself instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from iacli.cli.app import main

STACK = "container-app-dev"
AUTOSCALING = ("AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy")


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Flow:
    """Runs iacli in-process; targets the blueprint, or its rendered template when the sandbox lacks types."""

    capsys: pytest.CaptureFixture[str]
    folder: Path
    fallback: str | None = None
    endpoint: str = ""

    def run(self, *args: str, expect: int | None = 0) -> Result:
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        if expect is not None:
            assert code == expect, f"iacli {' '.join(args)} -> {code}\n{out}\n{err}"
        assert "Traceback" not in err
        return Result(code, out, err)

    def stack(self, name: str = "container-app", **params: Any) -> list[str]:
        """CLI arguments naming the deployment ``<name>-dev`` with these parameters."""
        assignments = [a for k, v in params.items() for a in ("-p", f"{k}={v}")]
        if self.fallback is None:
            return ["container-app", "--name", name, *assignments]
        out = self.folder / f"render-{len(list(self.folder.glob('render-*')))}"
        self.run("render", "container-app", "--name", name, *assignments, "-o", str(out))
        template = yaml.safe_load((out / "template.yaml").read_text())
        for logical_id in ("ScalableTarget", "CpuScalingPolicy"):
            del template["Resources"][logical_id]
        path = out / "template.json"
        path.write_text(json.dumps(template, indent=1))
        return ["--template", str(path), "--name", name]

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )


@pytest.fixture
def flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Flow]:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("IACLI_HOME", str(tmp_path / "home"))
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    runner = Flow(capsys, tmp_path)
    try:
        yield runner
    finally:
        main(["sandbox", "stop"])


def test_deploy_update_and_destroy_in_the_sandbox(flow: Flow) -> None:
    shown = flow.run("blueprints", "show", "container-app")
    assert "Fargate" in shown.out and "repository_uri" in shown.out and "secrets" in shown.out

    first = flow.run("deploy", "container-app", "--yes", expect=None)
    if first.code != 0:
        # the one known gap (module docstring): nothing else may be refused
        assert first.code == 4 and "iacli sandbox does not support resource types" in first.err, first.err
        refused = first.err.split("does not support resource types", 1)[1]
        named = {word for word in refused.replace(";", " ").split() if word.startswith("AWS::")}
        assert named == set(AUTOSCALING), first.err
        flow.fallback = "sandbox lacks " + ", ".join(AUTOSCALING)
        flow.run("deploy", *flow.stack(), "--yes")

    outputs = json.loads(flow.run("outputs", *flow.stack(), "--output", "json").out)
    if flow.fallback:  # a bare template's outputs keep their CloudFormation names
        outputs = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): value for name, value in outputs.items()}
    flow.endpoint = json.loads(flow.run("sandbox", "status", "--output", "json").out)["aws"]["endpoint_url"]
    assert set(outputs) == {"url", "cluster_name", "service_name", "repository_uri", "log_group"}
    assert (outputs["cluster_name"], outputs["service_name"], outputs["log_group"]) == (
        STACK,
        "web",
        f"/ecs/{STACK}/web",
    )
    assert outputs["repository_uri"].endswith(f".dkr.ecr.us-east-1.amazonaws.com/{STACK}/web")
    assert outputs["url"].startswith("http://") and outputs["url"].endswith(".elb.amazonaws.com")
    assert_deployed(flow, outputs, image="nginx:1.27", desired=2, revision=1)

    # a new image: a new task definition revision, the service moved onto it
    plan = json.loads(flow.run("plan", *flow.stack(image="nginx:1.28"), "--output", "json").out)
    changed = {c["logical_id"]: c for c in plan["changes"] if c["action"] != "noop"}
    assert set(changed) == {"TaskDefinition", "Service"}
    assert changed["TaskDefinition"]["action"] == "replace"
    assert [(p["path"], p["before"], p["after"]) for p in changed["TaskDefinition"]["properties"]] == [
        ("ContainerDefinitions.[web].Image", "nginx:1.27", "nginx:1.28")
    ]
    assert changed["Service"]["action"] == "update" and "TaskDefinition" in changed["Service"]["reason"]
    flow.run("deploy", *flow.stack(image="nginx:1.28"), "--yes")
    assert_deployed(flow, outputs, image="nginx:1.28", desired=2, revision=2)

    # more copies: one property of the service
    text = flow.run("plan", *flow.stack(image="nginx:1.28", desired_count=3)).out
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete" in text
    assert "DesiredCount: 2 -> 3" in text
    flow.run("deploy", *flow.stack(image="nginx:1.28", desired_count=3), "--yes")
    assert_deployed(flow, outputs, image="nginx:1.28", desired=3, revision=2)
    flow.run("plan", *flow.stack(image="nginx:1.28", desired_count=3), "--detailed-exitcode", expect=0)

    destroyed = flow.run("destroy", *flow.stack(), "--yes")
    assert f"Destroyed {STACK}" in destroyed.out

    # HTTPS, with a certificate from the sandbox's ACM: port 80 redirects, 443 forwards. A second
    # deployment rather than an update of the first: see the security-group gap in the module docstring.
    cert = flow.client("acm").request_certificate(DomainName="app.example.com")["CertificateArn"]
    flow.run("deploy", *flow.stack("capp-tls", tls_certificate=cert), "--yes")
    elb = flow.client("elbv2")
    (lb,) = elb.describe_load_balancers()["LoadBalancers"]
    listeners = {
        entry["Port"]: entry
        for entry in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert set(listeners) == {80, 443}
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    assert (
        listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"][0]["CertificateArn"] == cert
    )
    assert listeners[443]["DefaultActions"][0]["Type"] == "forward"
    (group,) = [
        g
        for g in flow.client("ec2").describe_security_groups()["SecurityGroups"]
        if "LoadBalancerSecurityGroup" in g["GroupName"]
    ]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [80, 443]
    assert "Destroyed capp-tls-dev" in flow.run("destroy", *flow.stack("capp-tls"), "--yes").out
    assert_nothing_left(flow)

    if flow.fallback:
        pytest.xfail(f"{flow.fallback}: the rest of the flow passed with the template minus those resources")


def assert_deployed(flow: Flow, outputs: dict[str, str], *, image: str, desired: int, revision: int) -> None:
    ecr = flow.client("ecr")
    (repo,) = ecr.describe_repositories()["repositories"]
    assert repo["repositoryUri"] == outputs["repository_uri"] and repo["imageTagMutability"] == "IMMUTABLE"

    ecs = flow.client("ecs")
    (cluster,) = ecs.describe_clusters(clusters=[STACK])["clusters"]
    assert cluster["status"] == "ACTIVE"
    (service,) = ecs.describe_services(cluster=STACK, services=["web"])["services"]
    assert service["status"] == "ACTIVE" and service["desiredCount"] == desired
    assert service["taskDefinition"].endswith(f":task-definition/{STACK}-web:{revision}")
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    assert (container["name"], container["image"]) == ("web", image)
    assert container["portMappings"][0]["containerPort"] == 80
    assert container["logConfiguration"]["options"]["awslogs-group"] == outputs["log_group"]
    active = ecs.list_task_definitions(familyPrefix=f"{STACK}-web", status="ACTIVE")["taskDefinitionArns"]
    assert active == [service["taskDefinition"]]  # the replaced revision is deregistered

    ec2 = flow.client("ec2")
    (vpc,) = [v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.42.0.0/24", "10.42.1.0/24"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    (igw,) = ec2.describe_internet_gateways()["InternetGateways"]
    assert igw["Attachments"][0]["VpcId"] == vpc["VpcId"]
    groups = {
        g["GroupName"]: g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
            "SecurityGroups"
        ]
        if g["GroupName"] != "default"
    }
    assert len(groups) == 2
    (service_group,) = [g for name, g in groups.items() if "ServiceSecurityGroup" in name]
    (rule,) = service_group["IpPermissions"]
    assert rule["FromPort"] == 80 and rule["IpRanges"] == [] and len(rule["UserIdGroupPairs"]) == 1

    elb = flow.client("elbv2")
    (lb,) = elb.describe_load_balancers()["LoadBalancers"]
    assert (lb["Scheme"], lb["Type"], lb["VpcId"]) == ("internet-facing", "application", vpc["VpcId"])
    assert outputs["url"] == f"http://{lb['DNSName']}"
    (group,) = elb.describe_target_groups()["TargetGroups"]
    assert (group["TargetType"], group["Port"], group["HealthCheckPath"], group["VpcId"]) == (
        "ip",
        80,
        "/",
        vpc["VpcId"],
    )
    (listener,) = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert listener["Port"] == 80 and listener["DefaultActions"] == [
        {"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}
    ]

    (log_group,) = flow.client("logs").describe_log_groups()["logGroups"]
    assert (log_group["logGroupName"], log_group["retentionInDays"]) == (outputs["log_group"], 14)

    roles = [r["RoleName"] for r in flow.client("iam").list_roles()["Roles"]]
    assert sorted(r.removeprefix(f"{STACK}-").split("-")[0] for r in roles) == [
        "TaskExecutionRole",
        "TaskRole",
    ], roles

    if not flow.fallback:
        scaling = flow.client("application-autoscaling")
        (target,) = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
        assert target["ResourceId"] == f"service/{STACK}/web"
        assert (target["ScalableDimension"], target["MinCapacity"], target["MaxCapacity"]) == (
            "ecs:service:DesiredCount",
            1,
            4,
        )
        (policy,) = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        config = policy["TargetTrackingScalingPolicyConfiguration"]
        assert policy["PolicyType"] == "TargetTrackingScaling" and config["TargetValue"] == 60
        assert (
            config["PredefinedMetricSpecification"]["PredefinedMetricType"]
            == "ECSServiceAverageCPUUtilization"
        )


def assert_nothing_left(flow: Flow) -> None:
    stacks = flow.client("cloudformation").list_stacks()["StackSummaries"]
    assert [s["StackName"] for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"] == []
    assert flow.client("ecr").describe_repositories()["repositories"] == []
    ecs = flow.client("ecs")
    # ECS keeps deleted clusters, services and task definition revisions visible as INACTIVE
    clusters = ecs.describe_clusters(clusters=[STACK, "capp-tls-dev"])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters), clusters
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == []
    elb = flow.client("elbv2")
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    assert elb.describe_target_groups()["TargetGroups"] == []
    ec2 = flow.client("ec2")
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if not s["DefaultForAz"]] == []
    assert ec2.describe_internet_gateways()["InternetGateways"] == []
    assert [
        g["GroupName"]
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    ] == []
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert [
        r["RouteTableId"]
        for r in ec2.describe_route_tables()["RouteTables"]
        if r["VpcId"] not in default_vpcs
    ] == []
    assert flow.client("iam").list_roles()["Roles"] == []
    assert flow.client("logs").describe_log_groups()["logGroups"] == []
    scaling = flow.client("application-autoscaling")
    assert scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
