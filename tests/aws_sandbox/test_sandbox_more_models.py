"""Second-priority sandbox models: IoT rules, ElastiCache, Elastic Beanstalk, API Gateway v2."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _rule(sql: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Rule": {
                "Type": "AWS::IoT::TopicRule",
                "Properties": {
                    "TopicRulePayload": {
                        "Sql": sql,
                        "RuleDisabled": False,
                        "Actions": [
                            {
                                "Sqs": {
                                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                    "RoleArn": "arn:aws:iam::123456789012:role/iot",
                                    "UseBase64": False,
                                }
                            }
                        ],
                    }
                },
            }
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Rule", "Arn"]}}},
    }


def test_iot_topic_rule(aws: Any) -> None:
    aws.deploy("s", _rule("SELECT * FROM 'devices/+/telemetry'"))
    name = aws.resources("s")["Rule"]
    aws.update("s", _rule("SELECT temp FROM 'devices/+/telemetry'"))

    rule = aws("iot").get_topic_rule(ruleName=name)["rule"]
    assert (rule["sql"], rule["actions"][0]["sqs"]["queueUrl"].rsplit("/", 1)[1]) == (
        "SELECT temp FROM 'devices/+/telemetry'",
        "q",
    )
    assert aws.outputs("s")["Arn"].endswith(f":rule/{name}")
    aws("cloudformation").delete_stack(StackName="s")
    assert aws("iot").list_topic_rules()["rules"] == []


def test_elasticache_cluster_replication_group_and_subnet_group(aws: Any) -> None:
    vpc = aws("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = aws("ec2").create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    template = {
        "Resources": {
            "Subnets": {
                "Type": "AWS::ElastiCache::SubnetGroup",
                "Properties": {"Description": "cache", "SubnetIds": [subnet]},
            },
            "Cache": {
                "Type": "AWS::ElastiCache::CacheCluster",
                "Properties": {
                    "Engine": "redis",
                    "CacheNodeType": "cache.t3.micro",
                    "NumCacheNodes": 1,
                    "CacheSubnetGroupName": {"Ref": "Subnets"},
                },
            },
            "Group": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {
                    "ReplicationGroupDescription": "sessions",
                    "Engine": "redis",
                    "CacheNodeType": "cache.t3.micro",
                    "NumCacheClusters": 2,
                    "CacheSubnetGroupName": {"Ref": "Subnets"},
                },
            },
        },
        "Outputs": {
            "Redis": {"Value": {"Fn::GetAtt": ["Cache", "RedisEndpoint.Address"]}},
            "Port": {"Value": {"Fn::GetAtt": ["Cache", "RedisEndpoint.Port"]}},
            "Primary": {"Value": {"Fn::GetAtt": ["Group", "PrimaryEndPoint.Address"]}},
        },
    }
    aws.deploy("s", template)

    resources, elasticache = aws.resources("s"), aws("elasticache")
    cluster = elasticache.describe_cache_clusters(CacheClusterId=resources["Cache"])["CacheClusters"][0]
    assert (cluster["CacheNodeType"], cluster["CacheSubnetGroupName"]) == (
        "cache.t3.micro",
        resources["Subnets"],
    )
    group = elasticache.describe_replication_groups(ReplicationGroupId=resources["Group"])[
        "ReplicationGroups"
    ][0]
    assert group["Description"] == "sessions"
    outputs = aws.outputs("s")
    assert outputs["Redis"].startswith(resources["Cache"]) and outputs["Port"] == "6379"
    assert outputs["Primary"].startswith("master.")

    template["Resources"]["Cache"]["Properties"]["CacheNodeType"] = "cache.t3.small"
    aws.update("s", template)
    assert aws.resources("s") == resources
    cluster = elasticache.describe_cache_clusters(CacheClusterId=resources["Cache"])["CacheClusters"][0]
    assert cluster["CacheNodeType"] == "cache.t3.small"

    aws("cloudformation").delete_stack(StackName="s")
    assert elasticache.describe_cache_clusters()["CacheClusters"] == []
    assert elasticache.describe_replication_groups()["ReplicationGroups"] == []
    assert [
        g["CacheSubnetGroupName"] for g in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]
    ] in ([], ["default"])


def _beanstalk(bundle_key: str) -> dict[str, Any]:
    app = {"Ref": "App"}
    return {
        "Resources": {
            "App": {"Type": "AWS::ElasticBeanstalk::Application", "Properties": {"Description": "shop"}},
            "Version": {
                "Type": "AWS::ElasticBeanstalk::ApplicationVersion",
                "Properties": {
                    "ApplicationName": app,
                    "SourceBundle": {"S3Bucket": "iacli-fixture-code", "S3Key": bundle_key},
                },
            },
            "Config": {
                "Type": "AWS::ElasticBeanstalk::ConfigurationTemplate",
                "Properties": {
                    "ApplicationName": app,
                    "SolutionStackName": "64bit Amazon Linux 2023 v4.0.0 running Python 3.11",
                    "OptionSettings": [
                        {"Namespace": "aws:autoscaling:asg", "OptionName": "MaxSize", "Value": "2"}
                    ],
                },
            },
            "Env": {
                "Type": "AWS::ElasticBeanstalk::Environment",
                "Properties": {
                    "ApplicationName": app,
                    "TemplateName": {"Ref": "Config"},
                    "VersionLabel": {"Ref": "Version"},
                    "SolutionStackName": "64bit Amazon Linux 2023 v4.0.0 running Python 3.11",
                },
            },
        },
        "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Env", "EndpointURL"]}}},
    }


def test_elastic_beanstalk_application_and_environment(aws: Any) -> None:
    aws.upload_code()
    aws.deploy("s", _beanstalk("app.zip"))

    resources = aws.resources("s")
    environments = aws("elasticbeanstalk").describe_environments()["Environments"]
    assert [(e["EnvironmentName"], e["ApplicationName"]) for e in environments] == [
        (resources["Env"], resources["App"])
    ]
    assert environments[0]["SolutionStackName"].endswith("Python 3.11")
    assert aws.outputs("s")["Url"].endswith(".elb.amazonaws.com")
    aws("cloudformation").delete_stack(StackName="s")
    assert aws("elasticbeanstalk").describe_applications()["Applications"] == []


def test_elastic_beanstalk_version_needs_its_source_bundle(aws: Any) -> None:
    aws.upload_code()
    with pytest.raises(
        ClientError, match=r"Version \(AWS::ElasticBeanstalk::ApplicationVersion\) failed to create"
    ):
        aws.deploy("s", _beanstalk("missing.zip"))


def _http_api(fn_arn: str, issuer: str) -> dict[str, Any]:
    integration = {
        "httpMethod": "POST",
        "type": "aws_proxy",
        "payloadFormatVersion": "2.0",
        "uri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
    }
    body = {
        "openapi": "3.0.1",
        "info": {"title": "things", "version": "1.0"},
        "components": {
            "securitySchemes": {
                "Jwt": {
                    "type": "oauth2",
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {"audience": ["client"], "issuer": issuer},
                    },
                }
            }
        },
        "paths": {
            "/things": {"get": {"x-amazon-apigateway-integration": integration, "security": [{"Jwt": []}]}},
            "$default": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": integration,
                    "isDefaultRoute": True,
                }
            },
        },
    }
    return {
        "Resources": {
            "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": body}},
            "Live": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {
                    "ApiId": {"Ref": "Http"},
                    "StageName": "live",
                    "AutoDeploy": True,
                    "Tags": {"team": "web"},
                    "DefaultRouteSettings": {"ThrottlingRateLimit": 10, "ThrottlingBurstLimit": 20},
                },
            },
        },
        "Outputs": {"Endpoint": {"Value": {"Fn::GetAtt": ["Http", "ApiEndpoint"]}}},
    }


def test_http_api_from_sam_style_body(aws: Any) -> None:
    fn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    aws.deploy("s", _http_api(fn, "https://issuer.example.org/one"))
    aws.update("s", _http_api(fn, "https://issuer.example.org/two"))

    api_id, v2 = aws.resources("s")["Http"], aws("apigatewayv2")
    assert aws.outputs("s")["Endpoint"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com"
    routes = {r["RouteKey"]: r for r in v2.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == {"GET /things", "$default"}
    assert routes["GET /things"]["AuthorizationType"] == "JWT"
    authorizer = v2.get_authorizer(ApiId=api_id, AuthorizerId=routes["GET /things"]["AuthorizerId"])
    assert authorizer["JwtConfiguration"]["Issuer"] == "https://issuer.example.org/two"
    integration_id = routes["$default"]["Target"].split("/")[1]
    assert v2.get_integration(ApiId=api_id, IntegrationId=integration_id)["IntegrationUri"].endswith(
        f"{fn}/invocations"
    )
    stage = v2.get_stage(ApiId=api_id, StageName="live")
    assert (stage["AutoDeploy"], stage["Tags"], stage["DefaultRouteSettings"]["ThrottlingRateLimit"]) == (
        True,
        {"team": "web"},
        10.0,
    )


def test_http_api_quick_create_and_explicit_routes(aws: Any) -> None:
    template = {
        "Resources": {
            "Quick": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {
                    "Name": "quick",
                    "ProtocolType": "HTTP",
                    "Target": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                },
            },
            "Socket": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {
                    "Name": "socket",
                    "ProtocolType": "WEBSOCKET",
                    "RouteSelectionExpression": "$request.body.action",
                },
            },
            "Backend": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "Socket"},
                    "IntegrationType": "HTTP_PROXY",
                    "IntegrationMethod": "POST",
                    "IntegrationUri": "https://backend.example.org/ws",
                },
            },
            "Connect": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "Socket"},
                    "RouteKey": "$connect",
                    "Target": {"Fn::Sub": "integrations/${Backend}"},
                },
            },
        }
    }
    aws.deploy("s", template)
    template["Resources"]["Backend"]["Properties"]["IntegrationUri"] = "https://backend.example.org/v2"
    aws.update("s", template)

    resources, v2 = aws.resources("s"), aws("apigatewayv2")
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=resources["Quick"])["Items"]] == ["$default"]
    assert [s["StageName"] for s in v2.get_stages(ApiId=resources["Quick"])["Items"]] == ["$default"]
    route = v2.get_route(ApiId=resources["Socket"], RouteId=resources["Connect"])
    assert route["Target"] == f"integrations/{resources['Backend']}"
    integration = v2.get_integration(ApiId=resources["Socket"], IntegrationId=resources["Backend"])
    assert integration["IntegrationUri"] == "https://backend.example.org/v2"
    aws("cloudformation").delete_stack(StackName="s")
    assert v2.get_apis()["Items"] == []
