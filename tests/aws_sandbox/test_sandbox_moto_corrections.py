"""Sandbox fixes for moto behaviours the real-world template corpus ran into (bench/corpus_aws.py).

Each test deploys through CloudFormation what moto gets wrong, against the in-thread sandbox server.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _default_vpc(aws: Any) -> str:
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def _default_subnets(aws: Any) -> list[str]:
    subnets = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [_default_vpc(aws)]}])
    ordered = sorted(subnets["Subnets"], key=lambda s: s["AvailabilityZone"])
    return [str(s["SubnetId"]) for s in ordered]


# --- EC2 security groups and VPC endpoints (fixes/ec2.py) -------------------------------------------
def test_ingress_rule_without_ports_means_all_ports(aws: Any) -> None:
    group = {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": "all from the load balancer subnet",
            "VpcId": _default_vpc(aws),
            "SecurityGroupIngress": [
                {"IpProtocol": "-1", "CidrIp": "10.0.0.0/8"},
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            ],
        },
    }
    aws.deploy("s", {"Resources": {"Group": group}})

    described = aws("ec2").describe_security_groups(GroupIds=[aws.resources("s")["Group"]])
    rules = described["SecurityGroups"][0]["IpPermissions"]
    assert sorted((r["IpProtocol"], r.get("FromPort"), r.get("ToPort")) for r in rules) == [
        ("-1", None, None),
        ("tcp", 443, 443),
    ]


def test_security_group_whose_rule_fails_is_not_left_behind(aws: Any) -> None:
    group = {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupName": "web",
            "GroupDescription": "bad rule",
            "VpcId": _default_vpc(aws),
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "nope"}],
        },
    }
    with pytest.raises(ClientError, match=r"Group \(AWS::EC2::SecurityGroup\) failed to create"):
        aws.deploy("s", {"Resources": {"Group": group}})
    names = [g["GroupName"] for g in aws("ec2").describe_security_groups()["SecurityGroups"]]
    assert "web" not in names


def test_security_group_ingress_has_its_rule_id_and_is_revoked_with_its_stack(aws: Any) -> None:
    template = {
        "Resources": {
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "g", "VpcId": _default_vpc(aws)},
            },
            "FromSelf": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["Group", "GroupId"]},
                    "IpProtocol": "-1",
                    "SourceSecurityGroupId": {"Fn::GetAtt": ["Group", "GroupId"]},
                },
            },
            "Https": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Ref": "Group"},
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "CidrIpv6": "::/0",
                },
            },
        }
    }
    aws.deploy("s", template)
    resources = aws.resources("s")
    assert resources["FromSelf"].startswith("sgr-") and resources["Https"].startswith("sgr-")
    rules = aws("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [resources["Group"]]}]
    )["SecurityGroupRules"]
    ingress = {r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]}
    assert ingress == {resources["FromSelf"], resources["Https"]}

    template["Resources"].pop("Https")
    aws.update("s", template)
    rules = aws("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [resources["Group"]]}]
    )["SecurityGroupRules"]
    assert {r["SecurityGroupRuleId"] for r in rules if not r["IsEgress"]} == {resources["FromSelf"]}

    aws("cloudformation").delete_stack(StackName="s")
    assert resources["Group"] not in [
        g["GroupId"] for g in aws("ec2").describe_security_groups()["SecurityGroups"]
    ]


def test_vpc_endpoint_without_a_type_is_a_gateway_and_its_stack_deletes(aws: Any) -> None:
    vpc = {"Ref": "Vpc"}
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}},
            "Routes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": vpc}},
            "S3": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {
                    "VpcId": vpc,
                    "ServiceName": "com.amazonaws.us-east-1.s3",
                    "RouteTableIds": [{"Ref": "Routes"}],
                },
            },
            "Dynamo": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {"VpcId": vpc, "ServiceName": "com.amazonaws.us-east-1.dynamodb"},
            },
        }
    }
    aws.deploy("s", template)
    endpoints = aws("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    assert sorted(e["VpcEndpointType"] for e in endpoints) == ["Gateway", "Gateway"]

    aws("cloudformation").delete_stack(StackName="s")

    states = {e["VpcEndpointId"]: e["State"] for e in aws("ec2").describe_vpc_endpoints()["VpcEndpoints"]}
    assert set(states.values()) <= {"deleted"}
    assert aws("cloudformation").list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]


def test_instance_volume_gets_the_iops_of_its_block_device_mapping(aws: Any) -> None:
    image = aws("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = {
        "Type": "AWS::EC2::Instance",
        "Properties": {
            "ImageId": image,
            "InstanceType": "t3.micro",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/sdm",
                    "Ebs": {
                        "VolumeType": "io1",
                        "Iops": "200",
                        "VolumeSize": "10",
                        "DeleteOnTermination": "true",
                    },
                }
            ],
        },
    }
    aws.deploy("s", {"Resources": {"Server": instance}})
    volumes = aws("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [aws.resources("s")["Server"]]}]
    )["Volumes"]
    extra = [v for v in volumes if v["Attachments"][0]["Device"] == "/dev/sdm"]
    assert [(v["VolumeType"], v["Iops"], v["Size"]) for v in extra] == [("io1", 200, 10)]


# --- Fn::GetAZs (fixes/intrinsics.py) -----------------------------------------------------------------
GET_AZS = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.6.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": {"Ref": "Vpc"},
                "CidrBlock": "10.6.1.0/24",
                "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]},
            },
        },
    },
    "Outputs": {
        "Named": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}},
        "Empty": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": ""}]}},
        "Null": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": None}]}},
        "Subnet": {"Value": {"Ref": "Subnet"}},
    },
}


def test_get_azs_resolves_its_argument_and_lists_the_regions_zones(aws: Any) -> None:
    aws.deploy("s", GET_AZS)
    zones = ",".join(f"us-east-1{letter}" for letter in "abcdef")
    outputs = aws.outputs("s")
    assert (outputs["Named"], outputs["Empty"], outputs["Null"]) == (zones, zones, zones)
    subnet = aws("ec2").describe_subnets(SubnetIds=[outputs["Subnet"]])["Subnets"][0]
    assert subnet["AvailabilityZone"] == "us-east-1b"


def test_get_azs_of_an_empty_argument_is_the_stacks_region(aws: Any) -> None:
    west = boto3.client(
        "cloudformation",
        region_name="us-west-1",
        endpoint_url=aws.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )
    west.create_stack(StackName="west", TemplateBody=json.dumps(GET_AZS))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in west.describe_stacks()["Stacks"][0]["Outputs"]}
    assert {outputs[key] for key in ("Named", "Empty", "Null")} == {"us-west-1a,us-west-1b"}


# --- ELBv2 load balancers (fixes/elbv2.py) --------------------------------------------------------------
def test_network_load_balancer_placed_with_subnet_mappings(aws: Any) -> None:
    first, second = _default_subnets(aws)[:2]
    template = {
        "Resources": {
            "Ip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
            "Lb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Type": "network",
                    "Scheme": "internal",
                    "SubnetMappings": [
                        {"SubnetId": first, "AllocationId": {"Fn::GetAtt": ["Ip", "AllocationId"]}},
                        {"SubnetId": second},
                    ],
                    "Tags": [{"Key": "team", "Value": "edge"}],
                    "LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "false"}],
                },
            },
        },
        "Outputs": {"FullName": {"Value": {"Fn::GetAtt": ["Lb", "LoadBalancerFullName"]}}},
    }
    aws.deploy("s", template)

    arn = aws.resources("s")["Lb"]
    elbv2 = aws("elbv2")
    balancer = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert (balancer["Type"], balancer["Scheme"]) == ("network", "internal")
    assert sorted(z["SubnetId"] for z in balancer["AvailabilityZones"]) == sorted([first, second])
    assert elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"] == [
        {"Key": "team", "Value": "edge"}
    ]
    assert aws.outputs("s")["FullName"] == arn.split(":loadbalancer/")[1]


# --- RDS (fixes/rds.py) ---------------------------------------------------------------------------------
def test_rds_engine_name_is_case_insensitive(aws: Any) -> None:
    database = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "MySQL",
            "DBInstanceClass": "db.t3.small",
            "AllocatedStorage": "5",
            "MasterUsername": "admin",
            "MasterUserPassword": "secret-password",
        },
    }
    aws.deploy("s", {"Resources": {"Db": database}})
    instances = aws("rds").describe_db_instances()["DBInstances"]
    assert [i["Engine"] for i in instances] == ["mysql"]


def test_rds_groups_are_referenced_by_name(aws: Any) -> None:
    first, second = _default_subnets(aws)[:2]
    template = {
        "Resources": {
            "Params": {
                "Type": "AWS::RDS::DBParameterGroup",
                "Properties": {"Family": "mysql8.0", "Description": "p", "Parameters": {"autocommit": "1"}},
            },
            "Subnets": {
                "Type": "AWS::RDS::DBSubnetGroup",
                "Properties": {"DBSubnetGroupDescription": "s", "SubnetIds": [first, second]},
            },
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "Engine": "mysql",
                    "DBInstanceClass": "db.t3.small",
                    "AllocatedStorage": "5",
                    "MasterUsername": "admin",
                    "MasterUserPassword": "secret-password",
                    "DBParameterGroupName": {"Ref": "Params"},
                    "DBSubnetGroupName": {"Ref": "Subnets"},
                },
            },
        }
    }
    aws.deploy("s", template)

    resources = aws.resources("s")
    instance = aws("rds").describe_db_instances()["DBInstances"][0]
    assert instance["DBParameterGroups"][0]["DBParameterGroupName"] == resources["Params"]
    assert instance["DBSubnetGroup"]["DBSubnetGroupName"] == resources["Subnets"]
    assert all(resources.values())


# --- models with a physical id (models/efs.py, models/autoscaling.py) ----------------------------------
def test_efs_access_point_has_its_id_as_physical_id_and_is_deleted(aws: Any) -> None:
    template = {
        "Resources": {
            "Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {"Encrypted": True}},
            "Point": {
                "Type": "AWS::EFS::AccessPoint",
                "Properties": {
                    "FileSystemId": {"Ref": "Fs"},
                    "AccessPointTags": [{"Key": "Name", "Value": "app"}],
                },
            },
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Point", "Arn"]}}},
    }
    aws.deploy("s", template)

    point_id = aws.resources("s")["Point"]
    assert point_id.startswith("fsap-")
    assert aws.outputs("s")["Arn"].endswith(f":access-point/{point_id}")
    described = aws("efs").describe_access_points(AccessPointId=point_id)["AccessPoints"]
    assert described[0]["Name"] == "app"

    aws("cloudformation").delete_stack(StackName="s")
    assert aws("efs").describe_access_points()["AccessPoints"] == []


def _scaling_template(aws: Any) -> dict[str, Any]:
    image = aws("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    return {
        "Resources": {
            "Config": {
                "Type": "AWS::AutoScaling::LaunchConfiguration",
                "Properties": {"ImageId": image, "InstanceType": "t3.micro"},
            },
            "Group": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "AvailabilityZones": ["us-east-1a"],
                    "LaunchConfigurationName": {"Ref": "Config"},
                    "MinSize": "1",
                    "MaxSize": "2",
                },
            },
            "ScaleUp": {
                "Type": "AWS::AutoScaling::ScheduledAction",
                "Properties": {
                    "AutoScalingGroupName": {"Ref": "Group"},
                    "MaxSize": "4",
                    "Recurrence": "0 7 * * *",
                },
            },
        },
        "Outputs": {"Action": {"Value": {"Ref": "ScaleUp"}}},
    }


def test_scheduled_action_is_named_per_stack_and_deleted_with_it(aws: Any) -> None:
    template = _scaling_template(aws)
    aws.deploy("one", template)
    aws.deploy("two", template)

    names = [aws.resources(stack)["ScaleUp"] for stack in ("one", "two")]
    assert names[0].startswith("one-ScaleUp-") and names[1].startswith("two-ScaleUp-")
    assert aws.outputs("one")["Action"] == names[0]
    actions = aws("autoscaling").describe_scheduled_actions()["ScheduledUpdateGroupActions"]
    assert sorted(a["ScheduledActionName"] for a in actions) == sorted(names)

    aws("cloudformation").delete_stack(StackName="one")
    actions = aws("autoscaling").describe_scheduled_actions()["ScheduledUpdateGroupActions"]
    assert [a["ScheduledActionName"] for a in actions] == [names[1]]


# --- SSM-typed parameters (fixes/parameters.py) ---------------------------------------------------------
def _ssm_template(default: str) -> dict[str, Any]:
    return {
        "Parameters": {
            "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": default},
            "Zones": {"Type": "CommaDelimitedList", "Default": "a,b,c"},
        },
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}},
        "Outputs": {
            "Ami": {"Value": {"Ref": "Ami"}},
            "Second": {"Value": {"Fn::Select": [1, {"Ref": "Zones"}]}},
        },
    }


def test_ssm_parameter_default_is_not_resolved_when_a_value_is_given(aws: Any) -> None:
    aws("ssm").put_parameter(Name="/app/ami", Value="ami-0123456789abcdef0", Type="String")
    aws.deploy(
        "s",
        _ssm_template("/aws/service/not/in/the/sandbox"),
        Parameters=[{"ParameterKey": "Ami", "ParameterValue": "/app/ami"}],
    )

    assert aws.outputs("s") == {"Ami": "ami-0123456789abcdef0", "Second": "b"}
    listed = aws("cloudformation").describe_stacks(StackName="s")["Stacks"][0]["Parameters"]
    ami = next(p for p in listed if p["ParameterKey"] == "Ami")
    assert (ami["ParameterValue"], ami["ResolvedValue"]) == ("/app/ami", "ami-0123456789abcdef0")
    assert next(p for p in listed if p["ParameterKey"] == "Zones")["ParameterValue"] == "a,b,c"

    aws("ssm").put_parameter(Name="/app/ami", Value="ami-0fedcba9876543210", Type="String", Overwrite=True)
    template = _ssm_template("/aws/service/not/in/the/sandbox")
    template["Resources"]["Other"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    aws.update("s", template, Parameters=[{"ParameterKey": "Ami", "UsePreviousValue": True}])
    assert aws.outputs("s")["Ami"] == "ami-0fedcba9876543210"


def test_missing_ssm_parameter_is_a_validation_error_naming_it(aws: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws.deploy("s", _ssm_template("/aws/service/not/in/the/sandbox"))
    assert _error(excinfo) == (
        "ValidationError",
        "Unable to fetch parameters [/aws/service/not/in/the/sandbox] from parameter store for this account.",
    )
    assert aws("cloudformation").list_stacks()["StackSummaries"] == []

    created = aws.change_set("cs", _ssm_template("/aws/service/not/in/the/sandbox"), "CREATE")
    with pytest.raises(ClientError, match=r"Unable to fetch parameters \[/aws/service/not/in/the/sandbox\]"):
        aws("cloudformation").execute_change_set(ChangeSetName=created["ChangeSetId"])


def test_public_parameters_can_be_seeded_under_aws_service_only(aws: Any) -> None:
    ssm = aws("ssm")
    name = "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id"
    ssm.put_parameter(Name=name, Value="ami-00000000000000022", Type="String", DataType="aws:ec2:image")
    ssm.put_parameter(Name=name, Value="ami-00000000000000023", Type="String", Overwrite=True)
    parameter = ssm.get_parameter(Name=name)["Parameter"]
    assert (parameter["Name"], parameter["Value"], parameter["Version"]) == (name, "ami-00000000000000023", 2)
    assert [
        p["Name"]
        for p in ssm.get_parameters_by_path(Path="/aws/service/canonical", Recursive=True)["Parameters"]
    ] == [name]

    aws.deploy("s", _ssm_template(name))
    assert aws.outputs("s")["Ami"] == "ami-00000000000000023"

    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name="/aws/private/thing", Value="x", Type="String")
    assert _error(excinfo)[0] == "AccessDeniedException"


def test_moto_bundled_public_parameters_are_kept_when_one_is_seeded(aws: Any) -> None:
    ssm = aws("ssm")
    bundled = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"
    before = ssm.get_parameter(Name=bundled)["Parameter"]
    ssm.put_parameter(Name=bundled, Value="ami-0000000000000000a", Type="String", Overwrite=True)
    after = ssm.get_parameter(Name=bundled)["Parameter"]
    assert (after["Value"], after["Version"]) == ("ami-0000000000000000a", before["Version"] + 1)


# --- deletes (fixes/deletes.py) -------------------------------------------------------------------------
def _named_group_and_cluster(aws: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Targets": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "Name": "web-targets",
                    "VpcId": _default_vpc(aws),
                    "Port": 80,
                    "Protocol": "HTTP",
                },
            },
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "web"}},
        }
    }


def test_destroyed_target_group_and_cluster_can_be_deployed_again(aws: Any) -> None:
    template = _named_group_and_cluster(aws)
    aws.deploy("s", template)
    aws("cloudformation").delete_stack(StackName="s")
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert [c["status"] for c in aws("ecs").describe_clusters(clusters=["web"])["clusters"]] == ["INACTIVE"]

    aws.deploy("s", template)
    assert aws.status("s") == "CREATE_COMPLETE"


def test_failed_delete_names_the_stack_once(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    aws("s3").put_object(Bucket=aws.resources("s")["Bucket"], Key="k", Body=b"x")
    for stack in ("s", aws("cloudformation").describe_stacks(StackName="s")["Stacks"][0]["StackId"]):
        with pytest.raises(ClientError) as excinfo:
            aws("cloudformation").delete_stack(StackName=stack)
        message = _error(excinfo)[1]
        assert message.startswith("Stack s could not be deleted: Resource Bucket (AWS::S3::Bucket) failed")
        assert message.count("could not be deleted") == 1
    events = aws("cloudformation").describe_stack_events(StackName="s")["StackEvents"]
    assert [e["ResourceStatus"] for e in events].count("DELETE_FAILED") == 2


# --- a failed create, then DeleteStack (what iacli does in the sandbox) ---------------------------------
def _third_fails(aws: Any) -> dict[str, Any]:
    template = _named_group_and_cluster(aws)
    template["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "first"}}
    template["Resources"]["Targets"]["DependsOn"] = "Queue"
    template["Resources"]["Broken"] = {
        "Type": "AWS::SQS::Queue",
        "DependsOn": ["Queue", "Targets"],
        "Properties": {"QueueName": "third", "DelaySeconds": "not-a-number"},
    }
    template["Resources"]["Cluster"]["DependsOn"] = "Broken"
    return template


@pytest.mark.parametrize("how", ["create_stack", "change_set"])
def test_delete_after_a_failed_create_removes_everything_created(aws: Any, how: str) -> None:
    template = _third_fails(aws)
    cloudformation = aws("cloudformation")
    with pytest.raises(ClientError, match=r"Resource Broken \(AWS::SQS::Queue\) failed to create"):
        if how == "create_stack":
            aws.deploy("s", template)
        else:
            created = aws.change_set("s", template, "CREATE")
            cloudformation.execute_change_set(ChangeSetName=created["ChangeSetId"])
    assert aws.status("s") == "CREATE_FAILED"
    assert sorted(aws.resources("s")) == ["Queue", "Targets"]

    cloudformation.delete_stack(StackName="s")

    assert aws("sqs").list_queues().get("QueueUrls") is None
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert aws("ecs").describe_clusters(clusters=["web"])["clusters"] == []
    assert cloudformation.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]


def test_retain_except_on_create_keeps_the_resource_unless_the_create_failed(aws: Any) -> None:
    kept = {"Type": "AWS::SQS::Queue", "DeletionPolicy": "RetainExceptOnCreate", "Properties": {}}
    aws.deploy("ok", {"Resources": {"Kept": {**kept, "Properties": {"QueueName": "kept"}}}})
    aws("cloudformation").delete_stack(StackName="ok")
    assert [url.rsplit("/", 1)[1] for url in aws("sqs").list_queues()["QueueUrls"]] == ["kept"]

    broken = {"Type": "AWS::SQS::Queue", "DependsOn": "Kept", "Properties": {"DelaySeconds": "never"}}
    failing = {"Resources": {"Kept": {**kept, "Properties": {"QueueName": "rolled-back"}}, "Broken": broken}}
    with pytest.raises(ClientError, match="Broken"):
        aws.deploy("failed", failing)
    aws("cloudformation").delete_stack(StackName="failed")
    assert [url.rsplit("/", 1)[1] for url in aws("sqs").list_queues()["QueueUrls"]] == ["kept"]


# --- Fn::ImportValue in stacks made by change sets (fixes/changesets.py) --------------------------------
def _importer(parameter: str, value: Any) -> dict[str, Any]:
    properties = {"Name": parameter, "Type": "String", "Value": value}
    return {"Resources": {"Imported": {"Type": "AWS::SSM::Parameter", "Properties": properties}}}


def test_stacks_made_by_change_sets_import_exports(aws: Any) -> None:
    aws.deploy("early", _importer("early", "nothing to import yet"))  # no export in the region then
    exporter = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"Name": {"Value": "exported", "Export": {"Name": "network:name"}}},
    }
    aws.deploy("network", exporter)

    created = aws.change_set("late", _importer("late", {"Fn::ImportValue": "network:name"}), "CREATE")
    aws("cloudformation").execute_change_set(ChangeSetName=created["ChangeSetId"])
    aws.update("early", _importer("early", {"Fn::ImportValue": "network:name"}))

    ssm = aws("ssm")
    assert [ssm.get_parameter(Name=name)["Parameter"]["Value"] for name in ("late", "early")] == [
        "exported",
        "exported",
    ]


# --- properties (fixes/properties.py) ---------------------------------------------------------------
def test_ssm_parameter_without_a_name_gets_one_and_keeps_it(aws: Any) -> None:
    def template(value: str) -> dict[str, Any]:
        return {
            "Resources": {"Setting": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}}},
            "Outputs": {"Name": {"Value": {"Ref": "Setting"}}},
        }

    aws.deploy("unnamed", template("one"))
    name = aws.outputs("unnamed")["Name"]
    assert name and aws("ssm").get_parameter(Name=name)["Parameter"]["Value"] == "one"

    aws.update("unnamed", template("two"))
    assert aws.outputs("unnamed")["Name"] == name
    assert aws("ssm").get_parameter(Name=name)["Parameter"]["Value"] == "two"
    aws("cloudformation").delete_stack(StackName="unnamed")
    assert aws("ssm").describe_parameters()["Parameters"] == []
