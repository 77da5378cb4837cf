"""CloudFormation models the sandbox adds to (or replaces in) moto, each backed by moto's service backend.

Importing this package defines the model classes, which registers them with moto the only way moto
offers: ``CloudFormationModel.__subclasses__()``, read by ``moto.cloudformation.parsing`` and cached
(``get_model_list``/``get_model_map``). That registration is process-global, which is why the package
is imported only by the sandbox server process (and by tests running the server in a thread). Which
model wins for a type moto also has is decided explicitly by :func:`iacli_aws.sandbox.fixes.registry`,
not by import order.

Naming: moto files model classes under ``model_data["sandbox"][ClassName]`` (second part of the module
path), so class names here are unique. The only other module-level state is a read-only cache of
moto's bundled AWS managed policies (:mod:`.iam`).

Models hold ids, not backend objects, except the ones replacing a moto model for a type moto already
handles (Lambda Function, IAM Role, DynamoDB Table, Logs LogGroup, S3 Bucket), which create through moto's model
and keep moto's object as the stack resource.
"""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel

from .apigateway import ApiGatewayAuthorizer, ApiGatewayDeployment, ApiGatewayRestApi, ApiGatewayStage
from .apigatewayv2 import (
    ApiGatewayV2Api,
    ApiGatewayV2Authorizer,
    ApiGatewayV2Integration,
    ApiGatewayV2Route,
    ApiGatewayV2Stage,
)
from .applicationautoscaling import ApplicationAutoScalingScalableTarget, ApplicationAutoScalingScalingPolicy
from .autoscaling import AutoScalingScalingPolicy, AutoScalingScheduledAction
from .awslambda import LambdaPermission, SandboxLambdaFunction
from .cloudformation import WaitConditionHandle
from .cloudfront import CloudFrontDistribution, CloudFrontOriginAccessControl
from .cognito import CognitoUserPool, CognitoUserPoolClient, CognitoUserPoolDomain
from .dynamodb import SandboxDynamoDBTable
from .ec2 import Ec2SecurityGroupIngress
from .efs import EfsAccessPoint
from .elasticache import ElastiCacheCacheCluster, ElastiCacheReplicationGroup, ElastiCacheSubnetGroup
from .elasticbeanstalk import (
    ElasticBeanstalkApplication,
    ElasticBeanstalkApplicationVersion,
    ElasticBeanstalkConfigurationTemplate,
    ElasticBeanstalkEnvironment,
)
from .iam import SandboxIamRole
from .iot import IotPolicy, IotThingType, IotTopicRule
from .logs import SandboxLogGroup
from .policies import S3BucketPolicy, SnsTopicPolicy, SqsQueuePolicy
from .s3 import SandboxS3Bucket
from .secretsmanager import SecretsManagerSecret
from .sns import SnsSubscription

#: Every model of this package; for a type moto also models, the one here is used.
SANDBOX_MODELS: tuple[type[CloudFormationModel], ...] = (
    ApiGatewayAuthorizer,
    ApiGatewayDeployment,
    ApiGatewayRestApi,
    ApiGatewayStage,
    ApiGatewayV2Api,
    ApiGatewayV2Authorizer,
    ApiGatewayV2Integration,
    ApiGatewayV2Route,
    ApiGatewayV2Stage,
    ApplicationAutoScalingScalableTarget,
    ApplicationAutoScalingScalingPolicy,
    AutoScalingScalingPolicy,
    AutoScalingScheduledAction,
    CloudFrontDistribution,
    CloudFrontOriginAccessControl,
    CognitoUserPool,
    CognitoUserPoolClient,
    CognitoUserPoolDomain,
    Ec2SecurityGroupIngress,
    EfsAccessPoint,
    ElastiCacheCacheCluster,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    ElasticBeanstalkApplication,
    ElasticBeanstalkApplicationVersion,
    ElasticBeanstalkConfigurationTemplate,
    ElasticBeanstalkEnvironment,
    IotPolicy,
    IotThingType,
    IotTopicRule,
    LambdaPermission,
    S3BucketPolicy,
    SandboxDynamoDBTable,
    SandboxIamRole,
    SandboxLambdaFunction,
    SandboxLogGroup,
    SandboxS3Bucket,
    SecretsManagerSecret,
    SnsSubscription,
    SnsTopicPolicy,
    SqsQueuePolicy,
    WaitConditionHandle,
)


def sandbox_types() -> frozenset[str]:
    """The CloudFormation types this package models."""
    return frozenset(model.cloudformation_type() for model in SANDBOX_MODELS)
