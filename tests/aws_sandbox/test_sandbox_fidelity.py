"""Sandbox fidelity fixes, each deployed through CloudFormation on the in-thread sandbox.

- dynamic references ``{{resolve:ssm:...}}`` / ``{{resolve:secretsmanager:...}}`` (fixes/dynamic_refs.py)
- Auto Scaling groups update in place; ECS ClusterSettings (fixes/asg.py)
- resources reading an updated resource through Fn::GetAtt are updated (fixes/dependents.py)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _subnet(aws: Any) -> str:
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    subnets = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])
    return str(subnets["Subnets"][0]["SubnetId"])


def _launch_template(image: str, instance_type: str = "t3.micro") -> dict[str, Any]:
    return {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {"LaunchTemplateData": {"ImageId": image, "InstanceType": instance_type}},
    }


def _latest_image(aws: Any, template_id: str) -> str:
    versions = aws("ec2").describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Latest"]
    )
    return str(versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]["ImageId"])


# --- dynamic references ---------------------------------------------------------------------------------
def test_ssm_dynamic_reference_is_resolved(aws: Any) -> None:
    ssm = aws("ssm")
    ssm.put_parameter(Name="/app/ami", Value="ami-11111111", Type="String")
    ssm.put_parameter(Name="/app/ami", Value="ami-22222222", Type="String", Overwrite=True)
    template = {
        "Resources": {
            "Latest": _launch_template("{{resolve:ssm:/app/ami}}"),
            "First": _launch_template("{{resolve:ssm:/app/ami:1}}"),
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"Tags": [{"Key": "image", "Value": "img-{{resolve:ssm:/app/ami:2}}"}]},
            },
        }
    }
    aws.deploy("dyn", template)
    assert aws.status("dyn") == "CREATE_COMPLETE"
    resources = aws.resources("dyn")
    assert _latest_image(aws, resources["Latest"]) == "ami-22222222"
    assert _latest_image(aws, resources["First"]) == "ami-11111111"
    tags = aws("sqs").list_queue_tags(QueueUrl=resources["Queue"])["Tags"]
    assert tags == {"image": "img-ami-22222222"}


def test_ssm_dynamic_reference_resolved_on_update(aws: Any) -> None:
    aws("ssm").put_parameter(Name="/app/ami", Value="ami-11111111", Type="String")
    aws("ssm").put_parameter(Name="/app/other", Value="ami-33333333", Type="String")
    aws.deploy("dyn", {"Resources": {"Template": _launch_template("{{resolve:ssm:/app/ami}}")}})
    aws.update("dyn", {"Resources": {"Template": _launch_template("{{resolve:ssm:/app/other}}")}})
    assert aws.status("dyn") == "UPDATE_COMPLETE"
    assert _latest_image(aws, aws.resources("dyn")["Template"]) == "ami-33333333"


def test_missing_ssm_parameter_fails_the_resource(aws: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws.deploy("dyn", {"Resources": {"Template": _launch_template("{{resolve:ssm:/no/such}}")}})
    message = excinfo.value.response["Error"]["Message"]
    assert "Template" in message and "{{resolve:ssm:/no/such}}" in message


def test_secretsmanager_dynamic_reference_is_resolved(aws: Any) -> None:
    aws("secretsmanager").create_secret(Name="app-login", SecretString=json.dumps({"user": "admin"}))
    aws("secretsmanager").create_secret(Name="app-plain", SecretString="plain-text")
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "Tags": [
                {"Key": "user", "Value": "{{resolve:secretsmanager:app-login:SecretString:user}}"},
                {"Key": "plain", "Value": "{{resolve:secretsmanager:app-plain}}"},
            ]
        },
    }
    aws.deploy("dyn", {"Resources": {"Queue": queue}})
    tags = aws("sqs").list_queue_tags(QueueUrl=aws.resources("dyn")["Queue"])["Tags"]
    assert tags == {"user": "admin", "plain": "plain-text"}


def test_missing_secret_key_fails_the_resource(aws: Any) -> None:
    aws("secretsmanager").create_secret(Name="app-login", SecretString=json.dumps({"user": "admin"}))
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "Tags": [{"Key": "k", "Value": "{{resolve:secretsmanager:app-login:SecretString:nope}}"}]
        },
    }
    with pytest.raises(ClientError) as excinfo:
        aws.deploy("dyn", {"Resources": {"Queue": queue}})
    assert "nope" in excinfo.value.response["Error"]["Message"]


# --- Auto Scaling groups update in place; GetAtt of an updated resource --------------------------------
def _group_template(aws: Any, max_size: str, instance_type: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Template": _launch_template("ami-12c6146b", instance_type),
            "Group": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "1",
                    "MaxSize": max_size,
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Template"},
                        "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]},
                    },
                    "VPCZoneIdentifier": [_subnet(aws)],
                },
            },
        }
    }


def _group(aws: Any, name: str) -> dict[str, Any]:
    groups = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    assert len(groups) == 1, groups
    return dict(groups[0])


def test_group_size_change_updates_in_place(aws: Any) -> None:
    aws.deploy("asg", _group_template(aws, "2", "t3.micro"))
    name = aws.resources("asg")["Group"]
    instances = [i["InstanceId"] for i in _group(aws, name)["Instances"]]
    aws.update("asg", _group_template(aws, "4", "t3.micro"))
    assert aws.status("asg") == "UPDATE_COMPLETE"
    assert aws.resources("asg")["Group"] == name
    group = _group(aws, name)
    assert (group["MinSize"], group["MaxSize"]) == (1, 4)
    assert [i["InstanceId"] for i in group["Instances"]] == instances
    assert len(aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]) == 1


def test_group_follows_new_launch_template_version(aws: Any) -> None:
    aws.deploy("asg", _group_template(aws, "2", "t3.micro"))
    name = aws.resources("asg")["Group"]
    assert _group(aws, name)["LaunchTemplate"]["Version"] == "1"
    aws.update("asg", _group_template(aws, "2", "t3.small"))
    assert aws.status("asg") == "UPDATE_COMPLETE"
    assert aws.resources("asg")["Group"] == name
    assert _group(aws, name)["LaunchTemplate"]["Version"] == "2"


# --- ECS ClusterSettings -------------------------------------------------------------------------------
def _cluster(insights: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Cluster": {
                "Type": "AWS::ECS::Cluster",
                "Properties": {"ClusterSettings": [{"Name": "containerInsights", "Value": insights}]},
            }
        }
    }


def test_cluster_settings_are_applied(aws: Any) -> None:
    aws.deploy("ecs", _cluster("enabled"))
    name = aws.resources("ecs")["Cluster"]
    ecs = aws("ecs")
    settings = ecs.describe_clusters(clusters=[name], include=["SETTINGS"])["clusters"][0]["settings"]
    assert settings == [{"name": "containerInsights", "value": "enabled"}]
    aws.update("ecs", _cluster("disabled"))
    assert aws.resources("ecs")["Cluster"] == name
    settings = ecs.describe_clusters(clusters=[name], include=["SETTINGS"])["clusters"][0]["settings"]
    assert settings == [{"name": "containerInsights", "value": "disabled"}]
