"""Each sandbox fix of moto's CloudFormation, against the behaviour it corrects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iacli_aws.sandbox.fixes.graph import references, topological_order


def _queue(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": properties}


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


# --- (a) unsupported resource types ---------------------------------------------------------------
UNSUPPORTED = {"Resources": {"Queue": _queue(), "Thing": {"Type": "AWS::Foo::Bar", "Properties": {}}}}


def test_create_stack_with_unsupported_type_fails_naming_it(aws: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws.deploy("s", UNSUPPORTED)
    assert _error(excinfo) == (
        "ValidationError",
        "iacli sandbox does not support resource type AWS::Foo::Bar (logical id Thing)",
    )
    assert aws("cloudformation").list_stacks()["StackSummaries"] == []
    assert aws("sqs").list_queues().get("QueueUrls") is None


def test_change_set_and_validate_template_refuse_unsupported_types(aws: Any) -> None:
    with pytest.raises(ClientError, match="AWS::Foo::Bar"):
        aws.change_set("s", UNSUPPORTED, "CREATE")
    with pytest.raises(ClientError, match="AWS::Foo::Bar"):
        aws("cloudformation").validate_template(TemplateBody=json.dumps(UNSUPPORTED))


def test_update_stack_to_unsupported_type_is_refused_before_any_change(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"Queue": _queue()}})
    with pytest.raises(ClientError, match=r"AWS::Foo::Bar \(logical id Thing\)"):
        aws.update("s", {"Resources": {"Thing": UNSUPPORTED["Resources"]["Thing"]}})
    assert list(aws.resources("s")) == ["Queue"]


@pytest.mark.parametrize(
    ("resource_type", "reason"),
    [
        ("Custom::Seed", "custom resources need a Lambda runtime"),
        ("AWS::CloudFormation::WaitCondition", "nothing in the sandbox signals"),
    ],
)
def test_custom_resources_and_wait_conditions_are_refused_with_a_reason(
    aws: Any, resource_type: str, reason: str
) -> None:
    template = {"Resources": {"R": {"Type": resource_type, "Properties": {"ServiceToken": "arn"}}}}
    with pytest.raises(ClientError, match=reason):
        aws.deploy("s", template)


def test_transform_is_refused(aws: Any) -> None:
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Queue": _queue()}}
    with pytest.raises(ClientError, match="does not run template transforms"):
        aws.deploy("s", template)


def test_unsupported_resource_behind_a_false_condition_is_accepted(aws: Any) -> None:
    template = {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Queue": _queue(),
            "Thing": {**UNSUPPORTED["Resources"]["Thing"], "Condition": "IsProd"},
        },
    }
    aws.deploy("s", template)
    assert list(aws.resources("s")) == ["Queue"]
    with pytest.raises(ClientError, match="AWS::Foo::Bar"):
        aws.update("s", template, Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])


def test_wait_condition_handle_is_supported(aws: Any) -> None:
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"Url": {"Value": {"Ref": "Handle"}}},
    }
    aws.deploy("s", template)
    assert aws.outputs("s")["Url"].startswith(
        "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/"
    )


# --- (b) updates ----------------------------------------------------------------------------------
def _role_arn(aws: Any) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return str(
        aws("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    )


def test_changed_resource_without_moto_update_is_replaced_not_dropped(aws: Any) -> None:
    aws.upload_code()
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "fn",
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "Role": _role_arn(aws),
            "Code": {"S3Bucket": "iacli-fixture-code", "S3Key": "app.zip"},
        },
    }
    permission = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Ref": "Fn"},
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
        },
    }
    aws.deploy("s", {"Resources": {"Fn": function, "Perm": permission}})
    before = aws.resources("s")["Perm"]

    permission["Properties"]["Principal"] = "sns.amazonaws.com"
    aws.update("s", {"Resources": {"Fn": function, "Perm": permission}})

    after = aws.resources("s")
    assert set(after) == {"Fn", "Perm"} and after["Perm"] != before
    statements = json.loads(aws("lambda").get_policy(FunctionName="fn")["Policy"])["Statement"]
    assert [(s["Sid"], s["Principal"]["Service"]) for s in statements] == [
        (after["Perm"], "sns.amazonaws.com")
    ]


def test_table_and_log_group_update_in_place(aws: Any) -> None:
    table = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        },
    }
    logs = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}
    aws.deploy("s", {"Resources": {"Table": table, "Logs": logs}})
    before = aws.resources("s")
    aws("dynamodb").put_item(TableName=before["Table"], Item={"id": {"S": "kept"}})

    table["Properties"]["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    logs["Properties"]["RetentionInDays"] = 30
    aws.update("s", {"Resources": {"Table": table, "Logs": logs}})

    assert aws.resources("s") == before
    backups = aws("dynamodb").describe_continuous_backups(TableName=before["Table"])[
        "ContinuousBackupsDescription"
    ]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert aws("dynamodb").scan(TableName=before["Table"])["Count"] == 1
    assert aws("logs").describe_log_groups()["logGroups"][0]["retentionInDays"] == 30


def test_replacement_reaches_unchanged_resources_that_reference_it(aws: Any) -> None:
    table = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": "items-v1",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        },
    }
    parameter = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": "table-name", "Type": "String", "Value": {"Ref": "Table"}},
    }
    aws.deploy("s", {"Resources": {"Table": table, "Name": parameter}})

    table["Properties"]["TableName"] = "items-v2"
    aws.update("s", {"Resources": {"Table": table, "Name": parameter}})

    assert aws("dynamodb").list_tables()["TableNames"] == ["items-v2"]
    assert aws("ssm").get_parameter(Name="table-name")["Parameter"]["Value"] == "items-v2"


def _table(name: str, key: str = "id") -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        },
    }


def test_failed_replacement_keeps_the_old_resource_and_can_be_rolled_back(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"Table": _table("t-keep")}})
    aws("dynamodb").create_table(**{k: v for k, v in _table("t-taken")["Properties"].items()})

    with pytest.raises(
        ClientError, match=r"Table \(AWS::DynamoDB::Table\) failed to create: ResourceInUseException"
    ):
        aws.update("s", {"Resources": {"Table": _table("t-taken")}})
    assert aws.status("s") == "UPDATE_FAILED"
    assert aws.resources("s") == {"Table": "t-keep"}

    aws.update("s", {"Resources": {"Table": _table("t-keep")}})
    assert (aws.status("s"), aws.resources("s")) == ("UPDATE_COMPLETE", {"Table": "t-keep"})
    assert sorted(aws("dynamodb").list_tables()["TableNames"]) == ["t-keep", "t-taken"]


def test_custom_named_resource_that_needs_replacing_is_refused(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"Table": _table("orders")}})
    with pytest.raises(ClientError, match="custom-named resource requires replacing"):
        aws.update("s", {"Resources": {"Table": _table("orders", key="pk")}})
    key = aws("dynamodb").describe_table(TableName="orders")["Table"]["KeySchema"][0]["AttributeName"]
    assert key == "id"


def test_removed_resources_go_last_and_retain_is_honoured(aws: Any) -> None:
    aws.deploy(
        "s",
        {
            "Resources": {
                "Gone": _queue(QueueName="gone"),
                "Kept": {**_queue(QueueName="kept"), "DeletionPolicy": "Retain"},
            }
        },
    )
    aws.update("s", {"Resources": {"New": _queue(QueueName="new")}})
    urls = aws("sqs").list_queues()["QueueUrls"]
    assert sorted(url.rsplit("/", 1)[1] for url in urls) == ["kept", "new"]
    assert list(aws.resources("s")) == ["New"]


def test_a_removed_logical_id_added_again_is_created_again(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"A": _queue(QueueName="a"), "Q": _queue(QueueName="q")}})
    aws.update("s", {"Resources": {"A": _queue(QueueName="a")}})
    aws.update("s", {"Resources": {"A": _queue(QueueName="a"), "Q": _queue(QueueName="q")}})
    assert sorted(url.rsplit("/", 1)[1] for url in aws("sqs").list_queues()["QueueUrls"]) == ["a", "q"]


def _api(deployment: str, path: str) -> dict[str, Any]:
    body = {
        "swagger": "2.0",
        "info": {"title": "api"},
        "paths": {
            path: {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": "{}"},
                    }
                }
            }
        },
    }
    return {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}},
            deployment: {
                "Type": "AWS::ApiGateway::Deployment",
                "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "Stage"},
            },
            "Prod": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "StageName": "prod",
                    "DeploymentId": {"Ref": deployment},
                },
            },
        }
    }


def test_sam_style_redeployment_moves_the_stage_then_deletes_the_old_deployment(aws: Any) -> None:
    aws.deploy("s", _api("DeploymentA", "/a"))
    api_id = aws.resources("s")["Api"]

    aws.update("s", _api("DeploymentB", "/b"))

    resources = aws.resources("s")
    apigateway = aws("apigateway")
    assert resources["Api"] == api_id
    assert [d["id"] for d in apigateway.get_deployments(restApiId=api_id)["items"]] == [
        resources["DeploymentB"]
    ]
    assert (
        apigateway.get_stage(restApiId=api_id, stageName="prod")["deploymentId"] == resources["DeploymentB"]
    )
    assert {r["path"] for r in apigateway.get_resources(restApiId=api_id)["items"]} == {"/", "/b"}


def test_dependency_helpers() -> None:
    fragment = {
        "A": {"Fn::Sub": ["${X}-${Y.Arn}-${AWS::Region}-${!Literal}", {"X": {"Ref": "Z"}}]},
        "B": {"Fn::GetAtt": "W.Arn"},
    }
    assert references(fragment) == {"Y", "AWS::Region", "Z", "W"}
    resources = {"C": {"Properties": {"P": {"Ref": "B"}}}, "B": {"DependsOn": "A"}, "A": {}}
    assert topological_order(resources) == ["A", "B", "C"]


# --- (c) and (d) change sets ----------------------------------------------------------------------
def test_change_set_lists_only_real_changes(aws: Any) -> None:
    template = {
        "Parameters": {"Delay": {"Type": "String", "Default": "0"}},
        "Resources": {
            "Bare": {"Type": "AWS::SQS::Queue"},
            "Delayed": _queue(DelaySeconds={"Ref": "Delay"}),
            "Other": _queue(),
        },
    }
    aws.deploy("s", template)

    description = aws.change_set(
        "s", template, "UPDATE", Parameters=[{"ParameterKey": "Delay", "ParameterValue": "5"}]
    )

    assert aws.actions(description) == [("Modify", "Delayed")]


def test_execute_change_set_refreshes_outputs_and_exports(aws: Any) -> None:
    template = {
        "Resources": {"Queue": _queue(QueueName="one")},
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Export": {"Name": "queue-arn"}}},
    }
    created = aws.change_set("s", template, "CREATE")
    aws("cloudformation").execute_change_set(ChangeSetName=created["ChangeSetId"])
    assert aws.outputs("s")["Arn"].endswith(":one")

    template["Resources"]["Queue"]["Properties"]["QueueName"] = "two"
    updated = aws.change_set("s", template, "UPDATE")
    aws("cloudformation").execute_change_set(ChangeSetName=updated["ChangeSetId"])

    assert aws.outputs("s")["Arn"].endswith(":two")
    exports = aws("cloudformation").list_exports()["Exports"]
    assert [(e["Name"], e["Value"].rsplit(":", 1)[1]) for e in exports] == [("queue-arn", "two")]


# --- (e) deletes ----------------------------------------------------------------------------------
def test_non_empty_bucket_fails_the_delete_and_keeps_the_stack(aws: Any) -> None:
    aws.deploy("s", {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Queue": _queue()}})
    bucket = aws.resources("s")["Bucket"]
    aws("s3").put_object(Bucket=bucket, Key="index.html", Body=b"hi")

    with pytest.raises(ClientError, match=r"Bucket \(AWS::S3::Bucket\) failed to delete: BucketNotEmpty"):
        aws("cloudformation").delete_stack(StackName="s")
    assert aws.status("s") == "DELETE_FAILED"
    assert list(aws.resources("s")) == ["Bucket"]

    aws("s3").delete_object(Bucket=bucket, Key="index.html")
    aws("cloudformation").delete_stack(StackName="s")
    assert aws("s3").list_buckets()["Buckets"] == []


def test_network_stack_deletes_completely(aws: Any) -> None:
    vpc = {"Ref": "Vpc"}
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": vpc, "CidrBlock": "10.9.1.0/24"}},
            "Igw": {"Type": "AWS::EC2::InternetGateway"},
            "Attach": {
                "Type": "AWS::EC2::VPCGatewayAttachment",
                "Properties": {"VpcId": vpc, "InternetGatewayId": {"Ref": "Igw"}},
            },
            "Routes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": vpc}},
            "Default": {
                "Type": "AWS::EC2::Route",
                "DependsOn": "Attach",
                "Properties": {
                    "RouteTableId": {"Ref": "Routes"},
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "GatewayId": {"Ref": "Igw"},
                },
            },
            "Assoc": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "Routes"}},
            },
        }
    }
    aws.deploy("s", template)
    vpc_id = aws.resources("s")["Vpc"]

    aws("cloudformation").delete_stack(StackName="s")

    ec2 = aws("ec2")
    assert vpc_id not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    assert ec2.describe_internet_gateways()["InternetGateways"] == []


def test_container_stack_deletes_completely(aws: Any) -> None:
    vpc = {"Ref": "Vpc"}
    subnets = [{"Ref": "SubnetA"}, {"Ref": "SubnetB"}]
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.8.0.0/16"}},
            "SubnetA": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": vpc, "CidrBlock": "10.8.1.0/24", "AvailabilityZone": "us-east-1a"},
            },
            "SubnetB": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": vpc, "CidrBlock": "10.8.2.0/24", "AvailabilityZone": "us-east-1b"},
            },
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": subnets}},
            "Targets": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {"VpcId": vpc, "Port": 80, "Protocol": "HTTP", "TargetType": "ip"},
            },
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Lb"},
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Targets"}}],
                },
            },
            "Cluster": {"Type": "AWS::ECS::Cluster"},
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "Family": "web",
                    "ContainerDefinitions": [{"Name": "web", "Image": "nginx", "Memory": 128}],
                },
            },
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "TaskDefinition": {"Ref": "Task"},
                    "DesiredCount": 1,
                },
            },
        }
    }
    aws.deploy("s", template)
    resources = aws.resources("s")

    aws("cloudformation").delete_stack(StackName="s")

    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    clusters = aws("ecs").describe_clusters(clusters=[resources["Cluster"]])["clusters"]
    assert [c["status"] for c in clusters] == ["INACTIVE"]
    task = aws("ecs").describe_task_definition(taskDefinition=resources["Task"])["taskDefinition"]
    assert task["status"] == "INACTIVE"


# --- (f) failures ---------------------------------------------------------------------------------
def test_failed_resource_is_named_and_the_stack_is_create_failed(aws: Any) -> None:
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "Code": {"S3Bucket": "missing-bucket", "S3Key": "app.zip"},
        },
    }
    function["Properties"]["Role"] = _role_arn(aws)
    template = {"Resources": {"Queue": _queue(), "Fn": {**function, "DependsOn": "Queue"}}}

    with pytest.raises(ClientError) as excinfo:
        aws.deploy("s", template)

    code, message = _error(excinfo)
    assert code == "ValidationError"
    assert message.startswith("Resource Fn (AWS::Lambda::Function) failed to create: ")
    assert aws.status("s") == "CREATE_FAILED"
    assert list(aws.resources("s")) == ["Queue"]
    aws("cloudformation").delete_stack(StackName="s")
    assert aws("sqs").list_queues().get("QueueUrls") is None
