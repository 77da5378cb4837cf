"""A realistic SAM-translated serverless stack on the sandbox: every resource really exists in moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

STACK = "web"


@pytest.fixture
def deployed(aws: Any, serverless_template: dict[str, Any]) -> dict[str, str]:
    """The serverless stack, created through a CREATE change set; its resources by logical id."""
    aws.upload_code()
    description = aws.change_set(STACK, serverless_template, "CREATE", Capabilities=["CAPABILITY_IAM"])
    assert set(aws.actions(description)) == {("Add", name) for name in serverless_template["Resources"]}
    aws("cloudformation").execute_change_set(ChangeSetName=description["ChangeSetId"])
    return dict(aws.resources(STACK))


def test_every_resource_of_the_stack_exists(
    aws: Any, deployed: dict[str, str], serverless_template: dict[str, Any]
) -> None:
    assert aws.status(STACK) == "CREATE_COMPLETE"
    assert set(deployed) == set(serverless_template["Resources"])
    assert all(deployed.values())


def test_cdn_bucket_and_policy(aws: Any, deployed: dict[str, str]) -> None:
    cloudfront = aws("cloudfront")
    assert [d["Id"] for d in cloudfront.list_distributions()["DistributionList"]["Items"]] == [
        deployed["Distribution"]
    ]
    config = cloudfront.get_distribution_config(Id=deployed["Distribution"])["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["PriceClass"] == "PriceClass_100"
    origin = config["Origins"]["Items"][0]
    assert origin["OriginAccessControlId"] == deployed["SiteOac"]
    assert origin["DomainName"].startswith(deployed["SiteBucket"])
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    oacs = cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert [(o["Id"], o["SigningBehavior"]) for o in oacs] == [(deployed["SiteOac"], "always")]
    policy = json.loads(aws("s3").get_bucket_policy(Bucket=deployed["SiteBucket"])["Policy"])
    assert deployed["Distribution"] in json.dumps(policy["Statement"][0]["Condition"])


def _resource_ids(aws: Any, api_id: str) -> dict[str, str]:
    return {r["path"]: r["id"] for r in aws("apigateway").get_resources(restApiId=api_id)["items"]}


def test_rest_api_from_swagger_body_with_cognito_authorizer(aws: Any, deployed: dict[str, str]) -> None:
    apigateway, api_id = aws("apigateway"), deployed["Api"]
    api = apigateway.get_rest_api(restApiId=api_id)
    assert (api["name"], api["endpointConfiguration"]["types"]) == (STACK, ["REGIONAL"])
    paths = _resource_ids(aws, api_id)
    assert set(paths) == {"/", "/items", "/items/{id}"}
    authorizer = apigateway.get_authorizers(restApiId=api_id)["items"][0]
    pool_arn = aws("cognito-idp").describe_user_pool(UserPoolId=deployed["UserPool"])["UserPool"]["Arn"]
    assert (authorizer["type"], authorizer["providerARNs"]) == ("COGNITO_USER_POOLS", [pool_arn])
    method = apigateway.get_method(restApiId=api_id, resourceId=paths["/items/{id}"], httpMethod="DELETE")
    assert (method["authorizationType"], method["authorizerId"]) == ("COGNITO_USER_POOLS", authorizer["id"])
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    assert f":function:{deployed['ApiFunction']}/invocations" in method["methodIntegration"]["uri"]
    cors = apigateway.get_method(restApiId=api_id, resourceId=paths["/items"], httpMethod="OPTIONS")
    assert (cors["authorizationType"], cors["methodIntegration"]["type"]) == ("NONE", "MOCK")


def test_stage_keeps_tracing_and_method_settings(aws: Any, deployed: dict[str, str]) -> None:
    stage = aws("apigateway").get_stage(restApiId=deployed["Api"], stageName="dev")
    deployment = next(name for name in deployed if name.startswith("ApiDeployment"))
    assert stage["deploymentId"] == deployed[deployment]
    assert stage["tracingEnabled"] is True
    throttling = stage["methodSettings"]["*/*"]
    assert (throttling["throttlingRateLimit"], throttling["throttlingBurstLimit"]) == (100.0, 200)


def test_function_role_permissions_and_logs(aws: Any, deployed: dict[str, str]) -> None:
    function = aws("lambda").get_function_configuration(FunctionName=deployed["ApiFunction"])
    assert (function["MemorySize"], function["Architectures"], function["TracingConfig"]) == (
        256,
        ["arm64"],
        {"Mode": "Active"},
    )
    assert function["Environment"]["Variables"] == {"TABLE_NAME": deployed["ItemsTable"]}
    assert function["Role"].endswith(f"role/{deployed['ApiFunctionRole']}")
    statements = json.loads(aws("lambda").get_policy(FunctionName=deployed["ApiFunction"])["Policy"])[
        "Statement"
    ]
    assert len(statements) == 4
    assert {s["Principal"]["Service"] for s in statements} == {"apigateway.amazonaws.com"}
    iam = aws("iam")
    attached = iam.list_attached_role_policies(RoleName=deployed["ApiFunctionRole"])["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
    assert iam.list_role_policies(RoleName=deployed["ApiFunctionRole"])["PolicyNames"] == [
        "ApiFunctionRolePolicy0"
    ]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=deployed["ApiLogGroup"])["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [(f"/aws/lambda/{STACK}-api", 14)]


def test_table_and_user_pool(aws: Any, deployed: dict[str, str]) -> None:
    dynamodb = aws("dynamodb")
    table = dynamodb.describe_table(TableName=deployed["ItemsTable"])["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    backups = dynamodb.describe_continuous_backups(TableName=deployed["ItemsTable"])[
        "ContinuousBackupsDescription"
    ]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    cognito = aws("cognito-idp")
    assert [p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]] == [deployed["UserPool"]]
    pool = cognito.describe_user_pool(UserPoolId=deployed["UserPool"])["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["UsernameAttributes"] == ["email"]
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=deployed["UserPool"])
    assert (mfa["MfaConfiguration"], mfa["SoftwareTokenMfaConfiguration"]) == ("OPTIONAL", {"Enabled": True})
    client = cognito.describe_user_pool_client(
        UserPoolId=deployed["UserPool"], ClientId=deployed["UserPoolClient"]
    )["UserPoolClient"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert "ClientSecret" not in client


def test_outputs_with_ref_and_getatt_after_create_change_set(aws: Any, deployed: dict[str, str]) -> None:
    outputs = aws.outputs(STACK)
    distribution = aws("cloudfront").get_distribution(Id=deployed["Distribution"])["Distribution"]
    assert outputs["SiteUrl"] == f"https://{distribution['DomainName']}"
    assert outputs["ApiUrl"] == f"https://{deployed['Api']}.execute-api.us-east-1.amazonaws.com/dev"
    assert (
        outputs["UserPoolProviderUrl"]
        == f"https://cognito-idp.us-east-1.amazonaws.com/{deployed['UserPool']}"
    )
    assert (outputs["TableName"], outputs["FunctionMemory"]) == (deployed["ItemsTable"], "256")
    assert outputs["UserPoolClientId"] == deployed["UserPoolClient"]


def test_memory_change_updates_only_the_function(
    aws: Any, deployed: dict[str, str], serverless_template: dict[str, Any]
) -> None:
    description = aws.change_set(
        STACK,
        serverless_template,
        "UPDATE",
        Parameters=[{"ParameterKey": "MemorySize", "ParameterValue": "512"}],
    )
    assert aws.actions(description) == [("Modify", "ApiFunction")]
    assert description["Changes"][0]["ResourceChange"]["PhysicalResourceId"] == deployed["ApiFunction"]
    aws("cloudformation").execute_change_set(ChangeSetName=description["ChangeSetId"])

    assert aws.status(STACK) == "UPDATE_COMPLETE"
    assert aws.resources(STACK) == deployed
    assert aws.outputs(STACK)["FunctionMemory"] == "512"
    function = aws("lambda").get_function_configuration(FunctionName=deployed["ApiFunction"])
    assert (function["MemorySize"], function["Architectures"]) == (512, ["arm64"])
    assert (
        len(json.loads(aws("lambda").get_policy(FunctionName=deployed["ApiFunction"])["Policy"])["Statement"])
        == 4
    )
    assert aws("apigateway").get_stage(restApiId=deployed["Api"], stageName="dev")["tracingEnabled"] is True


def test_other_change_leaves_the_function_alone(
    aws: Any, deployed: dict[str, str], serverless_template: dict[str, Any]
) -> None:
    before = aws("lambda").get_function_configuration(FunctionName=deployed["ApiFunction"])
    serverless_template["Resources"]["ApiLogGroup"]["Properties"]["RetentionInDays"] = 30
    description = aws.change_set(STACK, serverless_template, "UPDATE")
    assert aws.actions(description) == [("Modify", "ApiLogGroup")]
    aws("cloudformation").execute_change_set(ChangeSetName=description["ChangeSetId"])

    assert aws.resources(STACK) == deployed
    after = aws("lambda").get_function_configuration(FunctionName=deployed["ApiFunction"])
    for key in ("LastModified", "CodeSha256", "MemorySize", "Environment", "TracingConfig"):
        assert after[key] == before[key]
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=deployed["ApiLogGroup"])["logGroups"]
    assert groups[0]["retentionInDays"] == 30


def test_delete_stack_leaves_nothing(aws: Any, deployed: dict[str, str]) -> None:
    aws("cloudformation").delete_stack(StackName=STACK)

    assert [s["StackStatus"] for s in aws("cloudformation").list_stacks()["StackSummaries"]] == [
        "DELETE_COMPLETE"
    ]
    assert [b["Name"] for b in aws("s3").list_buckets()["Buckets"]] == ["iacli-fixture-code"]
    assert aws("cloudfront").list_distributions()["DistributionList"].get("Items") is None
    assert aws("cloudfront").list_origin_access_controls()["OriginAccessControlList"].get("Items") == []
    assert aws("apigateway").get_rest_apis()["items"] == []
    assert aws("lambda").list_functions()["Functions"] == []
    assert aws("iam").list_roles()["Roles"] == []
    assert aws("dynamodb").list_tables()["TableNames"] == []
    assert aws("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    assert aws("logs").describe_log_groups()["logGroups"] == []
