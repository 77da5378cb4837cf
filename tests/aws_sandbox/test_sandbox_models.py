"""The sandbox's CloudFormation models: create, update in place or replace, GetAtt, delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from iacli_aws.sandbox.models.cloudfront import distribution_config
from iacli_aws.sandbox.models.openapi import resolve_auth


def _distribution(comment: str, aliases: list[str]) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Enabled": True,
                "Comment": comment,
                "Aliases": aliases,
                "IPV6Enabled": False,
                "Origins": [
                    {
                        "Id": "api",
                        "DomainName": "api.example.org",
                        "CustomOriginConfig": {
                            "OriginProtocolPolicy": "https-only",
                            "OriginSSLProtocols": ["TLSv1.2"],
                        },
                    }
                ],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "api",
                    "ViewerProtocolPolicy": "https-only",
                    "ForwardedValues": {"QueryString": True, "Headers": ["Authorization"]},
                },
                "CacheBehaviors": [
                    {
                        "PathPattern": "/static/*",
                        "TargetOriginId": "api",
                        "ViewerProtocolPolicy": "allow-all",
                        "AllowedMethods": ["GET", "HEAD", "OPTIONS"],
                        "CachedMethods": ["GET", "HEAD"],
                    }
                ],
                "CustomErrorResponses": [
                    {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"}
                ],
                "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
            }
        },
    }


def test_distribution_config_conversion() -> None:
    config = distribution_config(
        _distribution("c", ["a.example.org"])["Properties"]["DistributionConfig"], "ref"
    )
    assert config["Aliases"] == {"Quantity": 1, "Items": ["a.example.org"]}
    assert config["IsIPV6Enabled"] is False
    behavior = config["CacheBehaviors"]["Items"][0]
    assert behavior["AllowedMethods"] == {
        "Quantity": 3,
        "Items": ["GET", "HEAD", "OPTIONS"],
        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
    }
    origin = config["Origins"]["Items"][0]
    assert origin["CustomOriginConfig"]["OriginSslProtocols"] == {"Quantity": 1, "Items": ["TLSv1.2"]}
    forwarded = config["DefaultCacheBehavior"]["ForwardedValues"]
    assert forwarded["Headers"] == {"Quantity": 1, "Items": ["Authorization"]}


def test_distribution_updates_in_place(aws: Any) -> None:
    aws.deploy(
        "s",
        {
            "Resources": {"Cdn": _distribution("one", ["a.example.org"])},
            "Outputs": {"Domain": {"Value": {"Fn::GetAtt": ["Cdn", "DomainName"]}}},
        },
    )
    dist_id = aws.resources("s")["Cdn"]
    aws.update(
        "s",
        {
            "Resources": {"Cdn": _distribution("two", ["a.example.org", "b.example.org"])},
            "Outputs": {"Domain": {"Value": {"Fn::GetAtt": ["Cdn", "DomainName"]}}},
        },
    )
    assert aws.resources("s") == {"Cdn": dist_id}
    config = aws("cloudfront").get_distribution_config(Id=dist_id)["DistributionConfig"]
    assert (config["Comment"], config["Aliases"]["Items"]) == ("two", ["a.example.org", "b.example.org"])
    assert config["CacheBehaviors"]["Items"][0]["PathPattern"] == "/static/*"
    assert aws.outputs("s")["Domain"].endswith(".cloudfront.net")


def test_user_pool_and_client_update_in_place(aws: Any) -> None:
    def template(length: int, flows: list[str]) -> dict[str, Any]:
        return {
            "Resources": {
                "Pool": {
                    "Type": "AWS::Cognito::UserPool",
                    "Properties": {
                        "UserPoolName": "users",
                        "Policies": {"PasswordPolicy": {"MinimumLength": length}},
                    },
                },
                "Client": {
                    "Type": "AWS::Cognito::UserPoolClient",
                    "Properties": {"UserPoolId": {"Ref": "Pool"}, "ExplicitAuthFlows": flows},
                },
                "Domain": {
                    "Type": "AWS::Cognito::UserPoolDomain",
                    "Properties": {"UserPoolId": {"Ref": "Pool"}, "Domain": "iacli-users"},
                },
            },
            "Outputs": {
                "Arn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}},
                "Provider": {"Value": {"Fn::GetAtt": ["Pool", "ProviderName"]}},
            },
        }

    aws.deploy("s", template(8, ["ALLOW_USER_SRP_AUTH"]))
    before = aws.resources("s")
    aws.update("s", template(14, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]))

    assert aws.resources("s") == before
    cognito = aws("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=before["Pool"])["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    client = cognito.describe_user_pool_client(UserPoolId=before["Pool"], ClientId=before["Client"])[
        "UserPoolClient"
    ]
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert (
        cognito.describe_user_pool_domain(Domain="iacli-users")["DomainDescription"]["UserPoolId"]
        == before["Pool"]
    )
    assert aws.outputs("s") == {
        "Arn": pool["Arn"],
        "Provider": f"cognito-idp.us-east-1.amazonaws.com/{before['Pool']}",
    }


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "orders", "description": "orders api"},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True}
    },
    "x-amazon-apigateway-gateway-responses": {
        "DEFAULT_4XX": {"statusCode": 400, "responseTemplates": {"application/json": "{}"}}
    },
    "components": {
        "schemas": {"Order": {"type": "object"}},
        "securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "sigv4": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
            "Lambda": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/fn",
                    "authorizerResultTtlInSeconds": 60,
                },
            },
        },
    },
    "paths": {
        "/orders/{id}": {
            "x-amazon-apigateway-any-method": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "security": [{"Lambda": []}, {"api_key": []}],
                "x-amazon-apigateway-request-validator": "all",
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "ANY",
                    "uri": "https://backend.example.org/orders/{id}",
                },
            },
        },
        "/health": {
            "get": {
                "security": [{"sigv4": []}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "responses": {"default": {"statusCode": "200"}},
                },
            }
        },
    },
}


def _rest_api(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}}},
        "Outputs": {"Root": {"Value": {"Fn::GetAtt": ["Api", "RootResourceId"]}}},
    }


def test_openapi3_body_is_imported(aws: Any) -> None:
    aws.deploy("s", _rest_api(OPENAPI))
    apigateway, api_id = aws("apigateway"), aws.resources("s")["Api"]
    api = apigateway.get_rest_api(restApiId=api_id)
    assert (api["name"], api["description"], api["binaryMediaTypes"]) == (
        "orders",
        "orders api",
        ["image/png"],
    )
    paths = {r["path"]: r for r in apigateway.get_resources(restApiId=api_id)["items"]}
    assert set(paths) == {"/", "/health", "/orders", "/orders/{id}"}
    assert aws.outputs("s")["Root"] == paths["/"]["id"]
    authorizer = apigateway.get_authorizers(restApiId=api_id)["items"][0]
    assert (authorizer["name"], authorizer["type"], authorizer["authorizerResultTtlInSeconds"]) == (
        "Lambda",
        "TOKEN",
        60,
    )
    method = apigateway.get_method(restApiId=api_id, resourceId=paths["/orders/{id}"]["id"], httpMethod="ANY")
    assert (method["authorizationType"], method["authorizerId"], method["apiKeyRequired"]) == (
        "CUSTOM",
        authorizer["id"],
        True,
    )
    assert method["requestParameters"] == {"method.request.path.id": True}
    validator = apigateway.get_request_validators(restApiId=api_id)["items"][0]
    assert method["requestValidatorId"] == validator["id"]
    health = apigateway.get_method(restApiId=api_id, resourceId=paths["/health"]["id"], httpMethod="GET")
    assert health["authorizationType"] == "AWS_IAM"
    assert "selectionPattern" not in health["methodIntegration"]["integrationResponses"]["200"]
    assert [m["name"] for m in apigateway.get_models(restApiId=api_id)["items"]] == ["Order"]
    assert (
        apigateway.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")["statusCode"] == "400"
    )


def test_changed_body_is_reimported_keeping_the_api_and_its_root(aws: Any) -> None:
    aws.deploy("s", _rest_api(OPENAPI))
    api_id, root = aws.resources("s")["Api"], aws.outputs("s")["Root"]
    changed = {**OPENAPI, "paths": {"/v2": OPENAPI["paths"]["/health"]}}
    aws.update("s", _rest_api(changed))
    apigateway = aws("apigateway")
    assert aws.resources("s")["Api"] == api_id and aws.outputs("s")["Root"] == root
    assert {r["path"] for r in apigateway.get_resources(restApiId=api_id)["items"]} == {"/", "/v2"}
    assert len(apigateway.get_authorizers(restApiId=api_id)["items"]) == 1


def test_body_from_s3_and_authorizer_and_stage_resources(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="specs")
    aws("s3").put_object(Bucket="specs", Key="api.yaml", Body=yaml.safe_dump(OPENAPI).encode())

    def template(rate: int) -> dict[str, Any]:
        api = {"Ref": "Api"}
        return {
            "Resources": {
                "Api": {
                    "Type": "AWS::ApiGateway::RestApi",
                    "Properties": {"Name": "named", "BodyS3Location": {"Bucket": "specs", "Key": "api.yaml"}},
                },
                "Auth": {
                    "Type": "AWS::ApiGateway::Authorizer",
                    "Properties": {
                        "RestApiId": api,
                        "Name": "pool",
                        "Type": "COGNITO_USER_POOLS",
                        "IdentitySource": "method.request.header.Authorization",
                        "ProviderARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"],
                    },
                },
                "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": api}},
                "Stage": {
                    "Type": "AWS::ApiGateway::Stage",
                    "Properties": {
                        "RestApiId": api,
                        "StageName": "live",
                        "DeploymentId": {"Ref": "Deployment"},
                        "Variables": {"mode": "test"},
                        "MethodSettings": [
                            {
                                "ResourcePath": "/orders/{id}",
                                "HttpMethod": "GET",
                                "ThrottlingRateLimit": rate,
                                "MetricsEnabled": True,
                            }
                        ],
                    },
                },
            },
            "Outputs": {"AuthId": {"Value": {"Fn::GetAtt": ["Auth", "AuthorizerId"]}}},
        }

    aws.deploy("s", template(10))
    aws.update("s", template(20))

    resources, apigateway = aws.resources("s"), aws("apigateway")
    assert apigateway.get_rest_api(restApiId=resources["Api"])["name"] == "named"
    authorizers = {
        a["name"]: a["id"] for a in apigateway.get_authorizers(restApiId=resources["Api"])["items"]
    }
    assert authorizers["pool"] == resources["Auth"] == aws.outputs("s")["AuthId"]
    stage = apigateway.get_stage(restApiId=resources["Api"], stageName="live")
    assert (stage["deploymentId"], stage["variables"]) == (resources["Deployment"], {"mode": "test"})
    setting = stage["methodSettings"]["~1orders~1{id}/GET"]
    assert (setting["throttlingRateLimit"], setting["metricsEnabled"]) == (20.0, True)


def test_security_requirements_resolve_to_method_authorization() -> None:
    schemes = OPENAPI["components"]["securitySchemes"]
    auth = resolve_auth([{"api_key": []}, {"Lambda": ["read"]}], schemes, {"Lambda": "a1"})
    assert (auth.authorization_type, auth.authorizer_id, auth.scopes, auth.api_key_required) == (
        "CUSTOM",
        "a1",
        ("read",),
        True,
    )
    assert resolve_auth([], schemes, {}).authorization_type == "NONE"


def test_role_updates_policies_in_place(aws: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }

    def template(managed: list[str], inline: str) -> dict[str, Any]:
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": inline, "Resource": "*"}],
        }
        return {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": trust,
                        "ManagedPolicyArns": managed,
                        "Description": inline,
                        "Policies": [{"PolicyName": "inline", "PolicyDocument": document}],
                    },
                }
            }
        }

    aws.deploy("s", template(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], "s3:GetObject"))
    role_name = aws.resources("s")["Role"]
    role_id = aws("iam").get_role(RoleName=role_name)["Role"]["RoleId"]
    aws.update("s", template(["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"], "sqs:SendMessage"))

    iam = aws("iam")
    role = iam.get_role(RoleName=role_name)["Role"]
    assert (role["RoleId"], role["Description"]) == (role_id, "sqs:SendMessage")
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSXrayWriteOnlyAccess"]
    document = iam.get_role_policy(RoleName=role_name, PolicyName="inline")["PolicyDocument"]
    assert document["Statement"][0]["Action"] == "sqs:SendMessage"
    aws("cloudformation").delete_stack(StackName="s")
    assert iam.list_roles()["Roles"] == []


@pytest.mark.parametrize("kind", ["queue", "topic"])
def test_queue_and_topic_policies(aws: Any, kind: str) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
    if kind == "queue":
        resources = {
            "Target": {"Type": "AWS::SQS::Queue"},
            "Policy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {"Queues": [{"Ref": "Target"}], "PolicyDocument": document},
            },
        }
    else:
        resources = {
            "Target": {"Type": "AWS::SNS::Topic"},
            "Policy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {"Topics": [{"Ref": "Target"}], "PolicyDocument": document},
            },
        }
    aws.deploy("s", {"Resources": resources})
    target = aws.resources("s")["Target"]
    if kind == "queue":
        policy = aws("sqs").get_queue_attributes(QueueUrl=target, AttributeNames=["Policy"])["Attributes"][
            "Policy"
        ]
    else:
        policy = aws("sns").get_topic_attributes(TopicArn=target)["Attributes"]["Policy"]
    assert json.loads(policy)["Statement"][0]["Principal"] == "*"
