"""Gaps the new blueprints (container-app, event-driven-iot, n-tier, serverless-web) found in the sandbox."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _ecs_service(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "apps"}},
        "Task": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": "web",
                "ContainerDefinitions": [{"Name": "web", "Image": "nginx", "Memory": 512}],
            },
        },
        "Service": {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "Cluster": {"Ref": "Cluster"},
                "ServiceName": "web",
                "TaskDefinition": {"Ref": "Task"},
                "DesiredCount": 1,
            },
        },
    }
    resources.update(extra or {})
    return {"Resources": resources}


def _scaling(min_capacity: int, max_capacity: int, target_value: float) -> dict[str, Any]:
    return _ecs_service(
        {
            "Target": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "ServiceNamespace": "ecs",
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "ResourceId": {"Fn::Sub": "service/${Cluster}/${Service.Name}"},
                    "MinCapacity": min_capacity,
                    "MaxCapacity": max_capacity,
                    "ScheduledActions": [
                        {
                            "ScheduledActionName": "night",
                            "Schedule": "cron(0 22 * * ? *)",
                            "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1},
                        }
                    ],
                },
            },
            "Policy": {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {
                    "PolicyName": "cpu",
                    "PolicyType": "TargetTrackingScaling",
                    "ScalingTargetId": {"Ref": "Target"},
                    "TargetTrackingScalingPolicyConfiguration": {
                        "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                        },
                        "TargetValue": target_value,
                        "ScaleInCooldown": 300,
                    },
                },
            },
        }
    ) | {
        "Outputs": {
            "TargetId": {"Value": {"Fn::GetAtt": ["Target", "Id"]}},
            "TargetRef": {"Value": {"Ref": "Target"}},
            "PolicyArn": {"Value": {"Fn::GetAtt": ["Policy", "Arn"]}},
            "PolicyRef": {"Value": {"Ref": "Policy"}},
        }
    }


def test_application_autoscaling_target_and_policy(aws: Any) -> None:
    aws.deploy("s", _scaling(1, 4, 60))
    scaling = aws("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == ("service/apps/web", 1, 4)
    (policy,) = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert (policy["PolicyName"], policy["PolicyType"], config["TargetValue"]) == (
        "cpu",
        "TargetTrackingScaling",
        60,
    )
    (action,) = scaling.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
    assert action["ScheduledActionName"] == "night"
    outputs = aws.outputs("s")
    assert outputs["TargetId"] == outputs["TargetRef"] == "service/apps/web|ecs:service:DesiredCount|ecs"
    assert outputs["PolicyArn"] == outputs["PolicyRef"] == policy["PolicyARN"]
    resources = aws.resources("s")
    assert (resources["Target"], resources["Policy"]) == (outputs["TargetId"], policy["PolicyARN"])

    aws.update("s", _scaling(2, 6, 75))
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    (updated,) = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert updated["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 75
    assert updated["PolicyARN"] == policy["PolicyARN"] == aws.resources("s")["Policy"]

    aws("cloudformation").delete_stack(StackName="s")
    assert scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert scaling.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"] == []


def test_application_autoscaling_policy_removed_in_an_update(aws: Any) -> None:
    template = _scaling(1, 4, 60)
    aws.deploy("s", template)
    smaller = copy.deepcopy(template)
    del smaller["Resources"]["Policy"]
    smaller["Outputs"] = {}
    aws.update("s", smaller)
    scaling = aws("application-autoscaling")
    assert scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert len(scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]) == 1


def _bucket(days: int, **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
            ]
        },
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "expire",
                    "Status": "Enabled",
                    "ExpirationInDays": days,
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                }
            ]
        },
        "Tags": [{"Key": "team", "Value": "iot"}],
        **extra,
    }
    return {
        "Resources": {
            "Archive": {"Type": "AWS::S3::Bucket", "Properties": properties},
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Archive"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                                "Action": "s3:GetObject",
                                "Resource": {"Fn::Sub": "${Archive.Arn}/*"},
                            }
                        ],
                    },
                },
            },
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Archive", "Arn"]}}},
    }


def test_bucket_settings_applied_on_create(aws: Any) -> None:
    aws.deploy("s", _bucket(90, VersioningConfiguration={"Status": "Enabled"}))
    name = aws.resources("s")["Archive"]
    s3 = aws("s3")
    (rule,) = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert (lifecycle["ID"], lifecycle["Status"], lifecycle["Expiration"]["Days"]) == (
        "expire",
        "Enabled",
        90,
    )
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "team", "Value": "iot"}]
    assert aws.outputs("s")["Arn"] == f"arn:aws:s3:::{name}"


def test_bucket_without_name_updates_in_place(aws: Any) -> None:
    aws.deploy("s", _bucket(90))
    name = aws.resources("s")["Archive"]
    s3 = aws("s3")
    s3.put_object(Bucket=name, Key="keep.txt", Body=b"x")

    changed = _bucket(30, Tags=[{"Key": "team", "Value": "ops"}])
    del changed["Resources"]["Archive"]["Properties"]["PublicAccessBlockConfiguration"]
    del changed["Resources"]["Archive"]["Properties"]["OwnershipControls"]
    changed["Resources"]["Archive"]["Properties"]["BucketEncryption"] = {
        "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/archive"}}
        ]
    }
    changed["Resources"]["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]["Sid"] = "ReadOnly"
    aws.update("s", changed)

    assert aws.resources("s")["Archive"] == name
    assert s3.get_object(Bucket=name, Key="keep.txt")["Body"].read() == b"x"
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert lifecycle["Expiration"]["Days"] == 30
    (rule,) = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": "alias/archive",
    }
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "team", "Value": "ops"}]
    for call in (s3.get_public_access_block, s3.get_bucket_ownership_controls):
        with pytest.raises(ClientError):
            call(Bucket=name)
    assert '"Sid": "ReadOnly"' in s3.get_bucket_policy(Bucket=name)["Policy"].replace("'", '"')

    no_lifecycle = _bucket(30)
    del no_lifecycle["Resources"]["Archive"]["Properties"]["LifecycleConfiguration"]
    aws.update("s", no_lifecycle)
    with pytest.raises(ClientError, match="NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=name)
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]["BlockPublicAcls"]
    s3.delete_object(Bucket=name, Key="keep.txt")
    aws("cloudformation").delete_stack(StackName="s")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_bucket_rename_replaces_it(aws: Any) -> None:
    aws.deploy("s", _bucket(90, BucketName="archive-one"))
    aws.update("s", _bucket(90, BucketName="archive-two"))
    names = [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    assert "archive-two" in names and "archive-one" not in names
    assert aws("s3").get_bucket_lifecycle_configuration(Bucket="archive-two")["Rules"][0]["ID"] == "expire"


def _topic_with_subscriptions(raw: bool) -> dict[str, Any]:
    return {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "Email": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": {"Ref": "Topic"},
                    "Protocol": "email",
                    "Endpoint": "ops@example.com",
                },
            },
            "ToQueue": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": {"Ref": "Topic"},
                    "Protocol": "sqs",
                    "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]},
                    "RawMessageDelivery": raw,
                    "FilterPolicy": {"severity": ["high"]},
                },
            },
        },
        "Outputs": {
            "EmailArn": {"Value": {"Ref": "Email"}},
            "QueueSubscriptionArn": {"Value": {"Fn::GetAtt": ["ToQueue", "Arn"]}},
        },
    }


def test_sns_subscription(aws: Any) -> None:
    aws.deploy("s", _topic_with_subscriptions(raw=True))
    sns = aws("sns")
    topic = aws.resources("s")["Topic"]
    subscriptions = {
        s["Protocol"]: s for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    }
    assert set(subscriptions) == {"email", "sqs"}
    outputs = aws.outputs("s")
    assert outputs["EmailArn"] == subscriptions["email"]["SubscriptionArn"] == aws.resources("s")["Email"]
    assert outputs["QueueSubscriptionArn"] == subscriptions["sqs"]["SubscriptionArn"]
    email = sns.get_subscription_attributes(SubscriptionArn=outputs["EmailArn"])["Attributes"]
    assert (email["Endpoint"], email["PendingConfirmation"]) == ("ops@example.com", "true")
    queue = sns.get_subscription_attributes(SubscriptionArn=outputs["QueueSubscriptionArn"])["Attributes"]
    assert queue["RawMessageDelivery"] == "true" and '"severity"' in queue["FilterPolicy"]

    aws.update("s", _topic_with_subscriptions(raw=False))
    queue = sns.get_subscription_attributes(SubscriptionArn=outputs["QueueSubscriptionArn"])["Attributes"]
    assert queue["RawMessageDelivery"] == "false"
    aws("cloudformation").delete_stack(StackName="s")
    assert sns.list_subscriptions()["Subscriptions"] == []


def _iot(description: str, action: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Type": {
                "Type": "AWS::IoT::ThingType",
                "Properties": {
                    "ThingTypeName": "sensor",
                    "ThingTypeProperties": {
                        "ThingTypeDescription": description,
                        "SearchableAttributes": ["site"],
                    },
                },
            },
            "Policy": {
                "Type": "AWS::IoT::Policy",
                "Properties": {
                    "PolicyName": "devices",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
                    },
                },
            },
            "Generated": {
                "Type": "AWS::IoT::Policy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]
                    }
                },
            },
        },
        "Outputs": {
            "TypeRef": {"Value": {"Ref": "Type"}},
            "TypeArn": {"Value": {"Fn::GetAtt": ["Type", "Arn"]}},
            "PolicyRef": {"Value": {"Ref": "Policy"}},
            "PolicyArn": {"Value": {"Fn::GetAtt": ["Policy", "Arn"]}},
        },
    }


def test_iot_thing_type_and_policy_ref_names(aws: Any) -> None:
    aws.deploy("s", _iot("Telemetry devices", "iot:Publish"))
    outputs = aws.outputs("s")
    assert (outputs["TypeRef"], outputs["PolicyRef"]) == ("sensor", "devices")
    assert outputs["TypeArn"].endswith(":thingtype/sensor") and outputs["PolicyArn"].endswith(
        ":policy/devices"
    )
    iot = aws("iot")
    described = iot.describe_thing_type(thingTypeName="sensor")
    assert described["thingTypeProperties"] == {
        "thingTypeDescription": "Telemetry devices",
        "searchableAttributes": ["site"],
    }
    assert '"iot:Publish"' in iot.get_policy(policyName="devices")["policyDocument"]
    generated = aws.resources("s")["Generated"]
    assert generated.startswith("s-Generated") or "Generated" in generated
    iot.get_policy(policyName=generated)

    for round_ in range(6):  # more updates than IoT keeps policy versions
        aws.update("s", _iot(f"Sensors, round {round_}", f"iot:Publish{round_}"))
    assert iot.describe_thing_type(thingTypeName="sensor")["thingTypeId"] == described["thingTypeId"]
    assert iot.describe_thing_type(thingTypeName="sensor")["thingTypeProperties"]["thingTypeDescription"] == (
        "Sensors, round 5"
    )
    assert '"iot:Publish5"' in iot.get_policy(policyName="devices")["policyDocument"]
    aws("cloudformation").delete_stack(StackName="s")
    assert iot.list_policies()["policies"] == [] and iot.list_thing_types()["thingTypes"] == []


def _groups(ports: list[int], egress: list[dict[str, Any]] | None, tag: str = "web") -> dict[str, Any]:
    web: dict[str, Any] = {
        "GroupDescription": "web",
        "VpcId": {"Ref": "Vpc"},
        "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": "0.0.0.0/0"} for port in ports
        ]
        + [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "CidrIpv6": "2001:db8::/32",
                "Description": "v6",
            }
        ],
        "Tags": [{"Key": "role", "Value": tag}],
    }
    if egress is not None:
        web["SecurityGroupEgress"] = egress
    return {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": web},
            "App": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "app",
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 8080,
                            "ToPort": 8080,
                            "SourceSecurityGroupId": {"Ref": "Web"},
                        }
                    ],
                },
            },
        }
    }


def _permissions(group: dict[str, Any], key: str) -> set[tuple[Any, ...]]:
    found = set()
    for permission in group[key]:
        for ip_range in permission.get("IpRanges", []):
            found.add((permission["IpProtocol"], permission.get("FromPort"), ip_range["CidrIp"]))
        for ip_range in permission.get("Ipv6Ranges", []):
            found.add((permission["IpProtocol"], permission.get("FromPort"), ip_range["CidrIpv6"]))
        for pair in permission.get("UserIdGroupPairs", []):
            found.add((permission["IpProtocol"], permission.get("FromPort"), pair["GroupId"]))
    return found


def test_security_group_egress_applied_and_rules_updated_in_place(aws: Any) -> None:
    https_out = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]
    aws.deploy("s", _groups([80], https_out))
    ids = aws.resources("s")
    ec2 = aws("ec2")

    def group(logical_id: str) -> dict[str, Any]:
        return ec2.describe_security_groups(GroupIds=[ids[logical_id]])["SecurityGroups"][0]

    assert _permissions(group("Web"), "IpPermissions") == {
        ("tcp", 80, "0.0.0.0/0"),
        ("tcp", 22, "2001:db8::/32"),
    }
    assert _permissions(group("Web"), "IpPermissionsEgress") == {("tcp", 443, "0.0.0.0/0")}
    assert _permissions(group("App"), "IpPermissionsEgress") == {("-1", None, "0.0.0.0/0")}

    aws.update("s", _groups([80, 443], None, tag="edge"))
    assert aws.resources("s") == ids  # same groups: nothing replaced
    web = group("Web")
    assert _permissions(web, "IpPermissions") == {
        ("tcp", 80, "0.0.0.0/0"),
        ("tcp", 443, "0.0.0.0/0"),
        ("tcp", 22, "2001:db8::/32"),
    }
    assert _permissions(web, "IpPermissionsEgress") == {("-1", None, "0.0.0.0/0")}
    assert web["Tags"] == [{"Key": "role", "Value": "edge"}]
    assert _permissions(group("App"), "IpPermissions") == {("tcp", 8080, ids["Web"])}

    aws.update("s", _groups([443], https_out))
    assert aws.resources("s") == ids
    assert _permissions(group("Web"), "IpPermissions") == {
        ("tcp", 443, "0.0.0.0/0"),
        ("tcp", 22, "2001:db8::/32"),
    }
    assert _permissions(group("Web"), "IpPermissionsEgress") == {("tcp", 443, "0.0.0.0/0")}
    aws("cloudformation").delete_stack(StackName="s")
    assert [
        g["GroupName"]
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    ] == []


def test_fn_cidr(aws: Any) -> None:
    cidr = {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 3, 8]}
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.42.0.0/16"}},
            **{
                f"Subnet{index}": {
                    "Type": "AWS::EC2::Subnet",
                    "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": {"Fn::Select": [index, cidr]}},
                }
                for index in range(3)
            },
        },
        "Outputs": {
            "Blocks": {"Value": {"Fn::Join": [",", {"Fn::Cidr": ["192.168.0.0/24", 6, 5]}]}},
            "V6": {"Value": {"Fn::Select": [1, {"Fn::Cidr": ["2001:db8::/56", 2, 64]}]}},
        },
    }
    aws.deploy("s", template)
    subnets = aws("ec2").describe_subnets(SubnetIds=[aws.resources("s")[f"Subnet{i}"] for i in range(3)])
    assert sorted(s["CidrBlock"] for s in subnets["Subnets"]) == [
        "10.42.0.0/24",
        "10.42.1.0/24",
        "10.42.2.0/24",
    ]
    outputs = aws.outputs("s")
    assert outputs["Blocks"] == ",".join(f"192.168.0.{n}/27" for n in range(0, 192, 32))
    assert outputs["V6"] == "2001:db8:0:1::/64"


def test_fn_cidr_too_many_blocks_is_refused(aws: Any) -> None:
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": ["10.0.0.0/24", 3, 7]}]},
                },
            },
        }
    }
    with pytest.raises(ClientError, match="Fn::Cidr"):
        aws.deploy("s", template)


def test_role_inline_policy_is_json_after_create(aws: Any) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    aws.deploy(
        "s",
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                }
                            ]
                        },
                        "Policies": [
                            {"PolicyName": "read", "PolicyDocument": document},
                            # no Version: accepted by AWS (moto's PutRolePolicy validation refuses it)
                            {"PolicyName": "old", "PolicyDocument": {"Statement": document["Statement"]}},
                        ],
                    },
                }
            }
        },
    )
    role = aws.resources("s")["Role"]
    got = aws("iam").get_role_policy(RoleName=role, PolicyName="read")["PolicyDocument"]
    assert got == document
    old = aws("iam").get_role_policy(RoleName=role, PolicyName="old")["PolicyDocument"]
    assert old == {"Statement": document["Statement"]}


def test_log_group_arn_and_kinesis_settings(aws: Any) -> None:
    def template(mode: str, encrypted: bool) -> dict[str, Any]:
        stream: dict[str, Any] = {"StreamModeDetails": {"StreamMode": mode}}
        if mode == "PROVISIONED":
            stream["ShardCount"] = 1
        if encrypted:
            stream["StreamEncryption"] = {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
        return {
            "Resources": {
                "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/app"}},
                "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": stream},
            },
            "Outputs": {"LogArn": {"Value": {"Fn::GetAtt": ["Logs", "Arn"]}}},
        }

    aws.deploy("s", template("ON_DEMAND", True))
    assert aws.outputs("s")["LogArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/app:*"
    name = aws.resources("s")["Stream"]
    described = aws("kinesis").describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert (described["EncryptionType"], described["KeyId"]) == ("KMS", "alias/aws/kinesis")
    assert described["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    aws.update("s", template("PROVISIONED", False))
    described = aws("kinesis").describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert described["EncryptionType"] == "NONE"
    assert described["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}


def test_ecs_and_ecr_properties(aws: Any) -> None:
    vpc = aws("ec2").create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    subnet = aws("ec2").create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")["Subnet"]["SubnetId"]
    group = aws("ec2").create_security_group(GroupName="svc", Description="svc", VpcId=vpc)["GroupId"]
    roles = "arn:aws:iam::123456789012:role/"
    template = _ecs_service()
    template["Resources"]["Task"]["Properties"].update(
        {
            "Cpu": "256",
            "Memory": "512",
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "ExecutionRoleArn": roles + "exec",
            "TaskRoleArn": roles + "task",
            "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
        }
    )
    template["Resources"]["Service"]["Properties"].update(
        {
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "AssignPublicIp": "ENABLED",
                    "Subnets": [subnet],
                    "SecurityGroups": [group],
                }
            },
            "LoadBalancers": [
                {
                    "ContainerName": "web",
                    "ContainerPort": 80,
                    "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
                }
            ],
        }
    )
    template["Resources"]["Repo"] = {
        "Type": "AWS::ECR::Repository",
        "Properties": {
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "EncryptionConfiguration": {"EncryptionType": "AES256"},
            "LifecyclePolicy": {"LifecyclePolicyText": '{"rules": []}'},
        },
    }
    aws.deploy("s", template)
    ecs = aws("ecs")
    (service,) = ecs.describe_services(cluster="apps", services=["web"])["services"]
    assert service["launchType"] == "FARGATE"
    assert service["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [subnet]
    assert service["loadBalancers"][0]["containerPort"] == 80
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert (task["cpu"], task["memory"], task["networkMode"]) == ("256", "512", "awsvpc")
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert (task["executionRoleArn"], task["taskRoleArn"]) == (roles + "exec", roles + "task")
    assert task["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    ecr = aws("ecr")
    repo_name = aws.resources("s")["Repo"]
    (repo,) = ecr.describe_repositories(repositoryNames=[repo_name])["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"]["encryptionType"] == "AES256"
    assert ecr.get_lifecycle_policy(repositoryName=repo_name)["lifecyclePolicyText"] == '{"rules": []}'

    template["Resources"]["Service"]["Properties"]["DesiredCount"] = 2
    template["Resources"]["Repo"]["Properties"]["ImageScanningConfiguration"] = {"ScanOnPush": False}
    aws.update("s", template)
    (service,) = ecs.describe_services(cluster="apps", services=["web"])["services"]
    assert service["desiredCount"] == 2 and service["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert aws.resources("s")["Repo"] == repo_name
    (repo,) = ecr.describe_repositories(repositoryNames=[repo_name])["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}
