"""API Gateway REST APIs on moto's apigateway backend: RestApi (with an OpenAPI Body), Deployment, Stage
and Authorizer.

moto's CloudFormation RestApi needs ``Name`` and ignores ``Body``; its Deployment has no physical id
(a ``Ref`` to it yields the model object, not the id), no update and no delete; Stage and Authorizer
have no model at all, so a stage SAM declares never exists in moto. These models replace or add them.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from moto.apigateway.exceptions import ApiGatewayException, BadRequestException, NotFoundException
from moto.apigateway.models import APIGatewayBackend, RestAPI, Stage, apigateway_backends
from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends

from ._base import Properties, SandboxResource, Target, as_bool, as_int, json_text, tag_dict
from .openapi import ImportRecord, clear_import, import_document

# CloudFormation MethodSetting keys and the stage patch paths API Gateway (and moto) use for them.
_METHOD_SETTING_PATHS = {
    "CacheDataEncrypted": "caching/dataEncrypted",
    "CacheTtlInSeconds": "caching/ttlInSeconds",
    "CachingEnabled": "caching/enabled",
    "DataTraceEnabled": "logging/dataTrace",
    "LoggingLevel": "logging/loglevel",
    "MetricsEnabled": "metrics/enabled",
    "ThrottlingBurstLimit": "throttling/burstLimit",
    "ThrottlingRateLimit": "throttling/rateLimit",
}


def _backend(target: Target) -> APIGatewayBackend:
    return apigateway_backends[target.account_id][target.region_name]


def _body(target: Target, properties: Properties) -> dict[str, Any] | None:
    """The OpenAPI document of a RestApi: ``Body`` or the object ``BodyS3Location`` points at."""
    if properties.get("Body"):
        body = properties["Body"]
        return json.loads(body) if isinstance(body, str) else dict(body)
    location = properties.get("BodyS3Location")
    if not location:
        return None
    key = s3_backends[target.account_id][target.partition].get_object(location["Bucket"], location["Key"])
    if key is None:
        raise BadRequestException(
            f"BodyS3Location s3://{location['Bucket']}/{location['Key']} does not exist"
        )
    loaded: dict[str, Any] = yaml.safe_load(key.value)
    return loaded


def _endpoint_configuration(properties: Properties) -> dict[str, Any] | None:
    config = properties.get("EndpointConfiguration")
    if not config:
        return None
    converted: dict[str, Any] = {"types": list(config.get("Types", ["EDGE"]))}
    if config.get("VpcEndpointIds"):
        converted["vpcEndpointIds"] = list(config["VpcEndpointIds"])
    return converted


def _apply_api_properties(api: RestAPI, properties: Properties, body: dict[str, Any] | None) -> None:
    """Set what the RestApi properties say on ``api``; explicit properties win over the body."""
    title = (body or {}).get("info", {}).get("title")
    api.name = properties.get("Name") or title or api.name
    api.description = properties.get("Description", (body or {}).get("info", {}).get("description", ""))
    if "BinaryMediaTypes" in properties:
        api.binaryMediaTypes = list(properties["BinaryMediaTypes"])
    if "ApiKeySourceType" in properties:
        api.api_key_source = properties["ApiKeySourceType"]
    if "Policy" in properties:
        api.policy = json_text(properties["Policy"])
    if "MinimumCompressionSize" in properties:
        api.minimum_compression_size = as_int(properties["MinimumCompressionSize"])
    api.disableExecuteApiEndpoint = as_bool(properties.get("DisableExecuteApiEndpoint"))
    api.endpoint_configuration = _endpoint_configuration(properties) or {"types": ["EDGE"]}
    api.tags = tag_dict(properties.get("Tags"))


class ApiGatewayRestApi(SandboxResource, CloudFormationModel):
    """AWS::ApiGateway::RestApi; ``Body``/``BodyS3Location`` is imported (re-imported on change).

    Ref: the API id; GetAtt RestApiId, RootResourceId.
    """

    CFN_TYPE = "AWS::ApiGateway::RestApi"
    ATTRIBUTES = frozenset({"RestApiId", "RootResourceId"})

    def __init__(self, target: Target, physical_id: str, properties: Properties, record: ImportRecord):
        super().__init__(target, physical_id, properties)
        self.record = record

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayRestApi:
        body = _body(target, properties)
        api_name = properties.get("Name") or (body or {}).get("info", {}).get("title")
        if not api_name:
            raise BadRequestException("A RestApi needs a Name unless its Body gives info.title")
        backend = _backend(target)
        api = backend.create_rest_api(name=api_name, description="", tags=tag_dict(properties.get("Tags")))  # type: ignore[arg-type]
        record = import_document(backend, api.id, body) if body else ImportRecord()
        _apply_api_properties(api, properties, body)
        return cls(target, api.id, properties, record)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        api = backend.get_rest_api(self.physical_id)
        body = _body(self.target, properties)
        if body != _body(self.target, self.properties):
            clear_import(api, self.record)
            self.record = import_document(backend, api.id, body) if body else ImportRecord()
        _apply_api_properties(api, properties, body)

    def remove(self) -> None:
        _backend(self.target).apis.pop(self.physical_id, None)

    def attribute(self, name: str) -> Any:
        if name == "RestApiId":
            return self.physical_id
        return _backend(self.target).get_rest_api(self.physical_id).root_resource_id


def _method_setting_operations(setting: dict[str, Any]) -> list[dict[str, str]]:
    path = setting.get("ResourcePath", "/*")
    resource = "*" if path == "/*" else path.lstrip("/").replace("/", "~1")
    if path != "/*":
        resource = "~1" + resource
    prefix = f"/{resource}/{setting.get('HttpMethod', '*')}"
    return [
        {
            "op": "replace",
            "path": f"{prefix}/{suffix}",
            "value": str(setting[key]).lower() if isinstance(setting[key], bool) else str(setting[key]),
        }
        for key, suffix in _METHOD_SETTING_PATHS.items()
        if key in setting
    ]


def configure_stage(stage: Stage, properties: Properties) -> None:
    """Apply the settings a Stage (or a Deployment's StageDescription) declares to ``stage``."""
    stage.description = properties.get("Description", "")
    stage.variables = dict(properties.get("Variables") or {})
    stage.tracing_enabled = as_bool(properties.get("TracingEnabled"))
    stage.cache_cluster_enabled = as_bool(properties.get("CacheClusterEnabled"))
    stage.cache_cluster_size = properties.get("CacheClusterSize")
    stage.tags = tag_dict(properties.get("Tags")) or None
    stage.method_settings = {}
    operations = [op for s in properties.get("MethodSettings", []) for op in _method_setting_operations(s)]
    stage.apply_operations(operations)
    log = properties.get("AccessLogSetting")
    stage.access_log_settings = (
        {"destinationArn": log.get("DestinationArn"), "format": log.get("Format")} if log else None
    )


class ApiGatewayStage(SandboxResource, CloudFormationModel):
    """AWS::ApiGateway::Stage with method settings, tracing, variables, access logs. Ref: stage name."""

    CFN_TYPE = "AWS::ApiGateway::Stage"
    NAME_PROPERTY = "StageName"
    CREATE_ONLY = frozenset({"RestApiId", "StageName"})

    @property
    def api_id(self) -> str:
        return str(self.properties["RestApiId"])

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayStage:
        stage = _backend(target).create_stage(
            str(properties["RestApiId"]), name, str(properties["DeploymentId"])
        )
        configure_stage(stage, properties)
        return cls(target, name, properties)

    def apply_update(self, properties: Properties) -> None:
        stage = _backend(self.target).get_stage(self.api_id, self.physical_id)
        stage.deployment_id = str(properties["DeploymentId"])
        configure_stage(stage, properties)

    def remove(self) -> None:
        try:
            _backend(self.target).delete_stage(self.api_id, self.physical_id)
        except NotFoundException:
            pass


class ApiGatewayDeployment(SandboxResource, CloudFormationModel):
    """AWS::ApiGateway::Deployment; with ``StageName`` it also creates (and on delete removes) that stage.

    Ref and GetAtt DeploymentId: the deployment id.
    """

    CFN_TYPE = "AWS::ApiGateway::Deployment"
    ATTRIBUTES = frozenset({"DeploymentId"})
    CREATE_ONLY = frozenset({"RestApiId", "DeploymentCanarySettings"})

    @property
    def api_id(self) -> str:
        return str(self.properties["RestApiId"])

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayDeployment:
        backend = _backend(target)
        api_id, stage_name = str(properties["RestApiId"]), properties.get("StageName") or ""
        deployment = backend.create_deployment(api_id, stage_name, properties.get("Description", ""))
        if stage_name:
            configure_stage(backend.get_stage(api_id, stage_name), properties.get("StageDescription") or {})
        return cls(target, deployment.id, properties)

    def apply_update(self, properties: Properties) -> None:
        backend = _backend(self.target)
        backend.get_deployment(self.api_id, self.physical_id).description = properties.get("Description", "")
        stage_name = properties.get("StageName")
        if stage_name:
            api = backend.get_rest_api(self.api_id)
            if stage_name not in api.stages:
                backend.create_stage(self.api_id, stage_name, self.physical_id)
            configure_stage(api.stages[stage_name], properties.get("StageDescription") or {})

    def remove(self) -> None:
        try:
            api = _backend(self.target).get_rest_api(self.api_id)
        except NotFoundException:
            return
        own_stage = api.stages.get(self.properties.get("StageName") or "")
        if own_stage is not None and own_stage.deployment_id == self.physical_id:
            api.stages.pop(str(own_stage.name))
        users = sorted(str(s.name) for s in api.stages.values() if s.deployment_id == self.physical_id)
        if users:
            raise BadRequestException(
                f"Active stages pointing to deployment {self.physical_id} must be moved or deleted: {users}"
            )
        api.deployments.pop(self.physical_id, None)

    def attribute(self, name: str) -> Any:
        return self.physical_id


class ApiGatewayAuthorizer(SandboxResource, CloudFormationModel):
    """AWS::ApiGateway::Authorizer (Cognito, TOKEN, REQUEST). Ref and GetAtt AuthorizerId: its id."""

    CFN_TYPE = "AWS::ApiGateway::Authorizer"
    ATTRIBUTES = frozenset({"AuthorizerId"})
    CREATE_ONLY = frozenset({"RestApiId"})

    @property
    def api_id(self) -> str:
        return str(self.properties["RestApiId"])

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayAuthorizer:
        authorizer = _backend(target).create_authorizer(
            str(properties["RestApiId"]),
            properties.get("Name", name),
            properties["Type"],
            provider_arns=properties.get("ProviderARNs"),
            auth_type=properties.get("AuthType"),
            authorizer_uri=properties.get("AuthorizerUri"),
            authorizer_credentials=properties.get("AuthorizerCredentials"),
            identity_source=properties.get("IdentitySource"),
            identiy_validation_expression=properties.get("IdentityValidationExpression"),
            authorizer_result_ttl=as_int(properties.get("AuthorizerResultTtlInSeconds")),
        )
        return cls(target, str(authorizer.id), properties)

    def apply_update(self, properties: Properties) -> None:
        authorizer = _backend(self.target).get_authorizer(self.api_id, self.physical_id)
        authorizer.name = properties.get("Name", authorizer.name)
        authorizer.type = properties["Type"]
        authorizer.provider_arns = properties.get("ProviderARNs")
        authorizer.auth_type = properties.get("AuthType")
        authorizer.authorizer_uri = properties.get("AuthorizerUri")
        authorizer.authorizer_credentials = properties.get("AuthorizerCredentials")
        authorizer.identity_source = properties.get("IdentitySource")
        authorizer.identity_validation_expression = properties.get("IdentityValidationExpression")
        authorizer.authorizer_result_ttl = as_int(properties.get("AuthorizerResultTtlInSeconds"))

    def remove(self) -> None:
        try:
            _backend(self.target).get_rest_api(self.api_id).authorizers.pop(self.physical_id, None)
        except ApiGatewayException:
            pass

    def attribute(self, name: str) -> Any:
        return self.physical_id
