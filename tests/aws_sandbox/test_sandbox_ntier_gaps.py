"""Sandbox gaps the n-tier blueprint ran into, each deployed through CloudFormation on the in-thread sandbox.

- ``AWS::AutoScaling::ScalingPolicy`` (models/autoscaling.py)
- RDS ``ManageMasterUserPassword``, ``GetAtt MasterUserSecret.SecretArn``, ``VPCSecurityGroups``
  (fixes/rds.py)
- ``AWS::SecretsManager::Secret`` with ``GenerateSecretString`` (models/secretsmanager.py)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _default_vpc(aws: Any) -> str:
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


# --- AWS::AutoScaling::ScalingPolicy ---------------------------------------------------------------------
def _scaling_policy_template(aws: Any, policy: dict[str, Any]) -> dict[str, Any]:
    subnets = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [_default_vpc(aws)]}])
    return {
        "Parameters": {"Target": {"Type": "Number", "Default": "60"}},
        "Resources": {
            "Template": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {"LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}},
            },
            "Group": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "1",
                    "MaxSize": "3",
                    "LaunchTemplate": {
                        "LaunchTemplateId": {"Ref": "Template"},
                        "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]},
                    },
                    "VPCZoneIdentifier": [subnets["Subnets"][0]["SubnetId"]],
                },
            },
            "Policy": {
                "Type": "AWS::AutoScaling::ScalingPolicy",
                "Properties": {"AutoScalingGroupName": {"Ref": "Group"}, **policy},
            },
        },
        "Outputs": {
            "Ref": {"Value": {"Ref": "Policy"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Policy", "Arn"]}},
            "Name": {"Value": {"Fn::GetAtt": ["Policy", "PolicyName"]}},
        },
    }


_TARGET_TRACKING = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingConfiguration": {
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
        "TargetValue": {"Ref": "Target"},
    },
}


def _policies(aws: Any) -> list[dict[str, Any]]:
    return list(aws("autoscaling").describe_policies()["ScalingPolicies"])


def test_target_tracking_scaling_policy_is_created_updated_and_deleted(aws: Any) -> None:
    template = _scaling_policy_template(aws, _TARGET_TRACKING)
    aws.deploy("scaling", template)

    assert aws.status("scaling") == "CREATE_COMPLETE"
    (policy,) = _policies(aws)
    outputs = aws.outputs("scaling")
    assert policy["PolicyName"].startswith("scaling-Policy-")
    assert outputs == {"Ref": policy["PolicyARN"], "Arn": policy["PolicyARN"], "Name": policy["PolicyName"]}
    assert aws.resources("scaling")["Policy"] == policy["PolicyARN"]
    assert policy["AutoScalingGroupName"] == aws.resources("scaling")["Group"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ASGAverageCPUUtilization"}
    assert tracking["TargetValue"] == 60.0

    aws.update("scaling", template, Parameters=[{"ParameterKey": "Target", "ParameterValue": "75"}])
    (updated,) = _policies(aws)
    assert updated["PolicyName"] == policy["PolicyName"]  # in place
    assert updated["TargetTrackingConfiguration"]["TargetValue"] == 75.0
    assert aws.outputs("scaling")["Ref"] == policy["PolicyARN"]

    aws("cloudformation").delete_stack(StackName="scaling")
    assert _policies(aws) == []
    assert aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []


def test_simple_and_step_scaling_policies_through_a_change_set(aws: Any) -> None:
    simple = {"AdjustmentType": "ChangeInCapacity", "ScalingAdjustment": "1", "Cooldown": "120"}
    description = aws.change_set("scaling", _scaling_policy_template(aws, simple), "CREATE")
    assert ("Add", "Policy") in aws.actions(description)
    aws("cloudformation").execute_change_set(ChangeSetName=description["ChangeSetId"])
    (policy,) = _policies(aws)
    assert (policy["PolicyType"], policy["AdjustmentType"], policy["ScalingAdjustment"]) == (
        "SimpleScaling",
        "ChangeInCapacity",
        1,
    )
    assert policy["Cooldown"] == 120

    step = {
        "PolicyType": "StepScaling",
        "AdjustmentType": "PercentChangeInCapacity",
        "MetricAggregationType": "Average",
        "EstimatedInstanceWarmup": 60,
        "StepAdjustments": [
            {"MetricIntervalLowerBound": "0", "MetricIntervalUpperBound": "10", "ScalingAdjustment": "10"},
            {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 30},
        ],
    }
    aws.update("scaling", _scaling_policy_template(aws, step))
    (stepped,) = _policies(aws)
    assert stepped["PolicyName"] == policy["PolicyName"]
    assert (stepped["PolicyType"], stepped["MetricAggregationType"]) == ("StepScaling", "Average")
    assert stepped["StepAdjustments"] == [
        {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 10.0, "ScalingAdjustment": 10},
        {"MetricIntervalLowerBound": 10.0, "ScalingAdjustment": 30},
    ]

    aws("cloudformation").delete_stack(StackName="scaling")
    assert _policies(aws) == []


# --- RDS managed master password and security groups --------------------------------------------------
def _database_template(*, managed: bool = True, retention: int = 1) -> dict[str, Any]:
    database: dict[str, Any] = {
        "Engine": "postgres",
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": "20",
        "MasterUsername": "dbadmin",
        "BackupRetentionPeriod": retention,
        "VPCSecurityGroups": [{"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}],
    }
    if managed:
        database["ManageMasterUserPassword"] = True
    else:
        database["MasterUserPassword"] = "not-a-secret-1"
    return {
        "Resources": {
            "DatabaseSecurityGroup": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "database"},
            },
            "Database": {"Type": "AWS::RDS::DBInstance", "Properties": database},
        },
        "Outputs": (
            {"SecretArn": {"Value": {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}}}
            if managed
            else {}
        ),
    }


def _database(aws: Any) -> dict[str, Any]:
    (db,) = aws("rds").describe_db_instances()["DBInstances"]
    return dict(db)


def _secret_arns(aws: Any) -> list[str]:
    return [s["ARN"] for s in aws("secretsmanager").list_secrets()["SecretList"]]


def test_managed_master_password_gets_a_secret_deleted_with_the_database(aws: Any) -> None:
    aws.deploy("data", _database_template())

    db = _database(aws)
    secret = db["MasterUserSecret"]
    assert secret["SecretStatus"] == "active"
    assert ":kms:" in secret["KmsKeyId"]
    assert aws.outputs("data") == {"SecretArn": secret["SecretArn"]}
    assert _secret_arns(aws) == [secret["SecretArn"]]
    described = aws("secretsmanager").describe_secret(SecretId=secret["SecretArn"])
    assert described["Name"].startswith("rds!db-")
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=secret["SecretArn"])["SecretString"])
    assert value["username"] == "dbadmin" and len(value["password"]) >= 20
    assert not set(value["password"]) & set('/"@ ')
    group = aws.resources("data")["DatabaseSecurityGroup"]
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [group]

    aws("cloudformation").delete_stack(StackName="data")
    assert aws("rds").describe_db_instances()["DBInstances"] == []
    assert _secret_arns(aws) == []


def test_replaced_database_gets_a_new_secret_and_the_old_one_goes(aws: Any) -> None:
    aws.deploy("data", _database_template())
    first = _database(aws)["MasterUserSecret"]["SecretArn"]

    aws.update("data", _database_template(retention=7))  # RDS updates replace in the sandbox
    db = _database(aws)
    assert db["BackupRetentionPeriod"] == 7
    assert db["MasterUserSecret"]["SecretArn"] != first
    assert _secret_arns(aws) == [db["MasterUserSecret"]["SecretArn"]]
    aws("cloudformation").update_stack(
        StackName="data", TemplateBody=json.dumps(_database_template(retention=7)), Parameters=[]
    )
    assert aws.outputs("data") == {"SecretArn": db["MasterUserSecret"]["SecretArn"]}

    aws.update("data", _database_template(managed=False))
    assert "MasterUserSecret" not in _database(aws)
    assert _secret_arns(aws) == []
    aws("cloudformation").delete_stack(StackName="data")
    assert aws("rds").describe_db_instances()["DBInstances"] == []


# --- AWS::SecretsManager::Secret ------------------------------------------------------------------------
def _secret_template(generate: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"GenerateSecretString": generate, **extra},
            }
        },
        "Outputs": {"Ref": {"Value": {"Ref": "Secret"}}, "Id": {"Value": {"Fn::GetAtt": ["Secret", "Id"]}}},
    }


_GENERATE = {
    "SecretStringTemplate": '{"username": "app"}',
    "GenerateStringKey": "password",
    "PasswordLength": 24,
    "ExcludeCharacters": '"@/\\',
}


def _value(aws: Any, arn: str) -> dict[str, Any]:
    return dict(json.loads(aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]))


def test_generated_secret_is_created_updated_and_deleted(aws: Any) -> None:
    aws.deploy("secrets", _secret_template(_GENERATE, Description="app login"))

    arn = aws.resources("secrets")["Secret"]
    assert ":secretsmanager:" in arn and aws.outputs("secrets") == {"Ref": arn, "Id": arn}
    described = aws("secretsmanager").describe_secret(SecretId=arn)
    assert described["Name"].startswith("secrets-Secret-") and described["Description"] == "app login"
    value = _value(aws, arn)
    assert value["username"] == "app" and len(value["password"]) == 24
    assert not set(value["password"]) & set('"@/\\')

    # metadata only: same value, same version
    aws.update(
        "secrets",
        _secret_template(_GENERATE, Description="the app's login", Tags=[{"Key": "t", "Value": "1"}]),
    )
    described = aws("secretsmanager").describe_secret(SecretId=arn)
    assert described["Description"] == "the app's login" and described["Tags"] == [{"Key": "t", "Value": "1"}]
    assert _value(aws, arn) == value

    # a new generation rule generates a new value, in place
    aws.update("secrets", _secret_template({**_GENERATE, "PasswordLength": 40, "ExcludePunctuation": True}))
    assert aws.resources("secrets")["Secret"] == arn
    new = _value(aws, arn)
    assert len(new["password"]) == 40 and new["password"].isalnum()
    assert not aws("secretsmanager").describe_secret(SecretId=arn).get("Tags")  # the tag was removed

    aws("cloudformation").delete_stack(StackName="secrets")
    assert aws("secretsmanager").list_secrets()["SecretList"] == []


def test_named_secret_with_a_plain_password_and_a_new_name_replaces_it(aws: Any) -> None:
    aws.deploy("secrets", _secret_template({"PasswordLength": 16}, Name="app/one"))
    first = aws.resources("secrets")["Secret"]
    password = aws("secretsmanager").get_secret_value(SecretId="app/one")["SecretString"]
    assert len(password) == 16

    aws.update("secrets", _secret_template({"PasswordLength": 16}, Name="app/two"))
    second = aws.resources("secrets")["Secret"]
    assert second != first
    names = [s["Name"] for s in aws("secretsmanager").list_secrets()["SecretList"]]
    assert names == ["app/two"]
    aws("cloudformation").delete_stack(StackName="secrets")
    assert aws("secretsmanager").list_secrets()["SecretList"] == []


def test_secret_string_template_without_its_key_is_refused(aws: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws.deploy("secrets", _secret_template({"SecretStringTemplate": '{"username": "app"}'}))
    assert "SecretStringTemplate and GenerateStringKey go together" in str(excinfo.value)
