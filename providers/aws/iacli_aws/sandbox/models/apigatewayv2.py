"""API Gateway v2 (HTTP and WebSocket APIs) on moto's apigatewayv2 backend: Api, Stage, Integration, Route,
Authorizer. moto has no CloudFormation model for any of them.

An Api ``Body`` (what SAM emits for ``AWS::Serverless::HttpApi``) is imported here rather than with
moto's ``import_api``, which deletes the API's stages, names ``x-amazon-apigateway-any-method`` routes
literally and ignores authorizers and route security. Quick create (``Target``) makes the integration,
the route and the ``$default`` auto-deploy stage, as API Gateway does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from moto.apigatewayv2.models import Api, ApiGatewayV2Backend, apigatewayv2_backends
from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends

from ._base import Properties, SandboxResource, Target, as_bool, as_int, camel_keys, tag_dict

_ANY = "x-amazon-apigateway-any-method"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", _ANY})
_API_FIELDS = {
    "ApiKeySelectionExpression": "api_key_selection_expression",
    "Description": "description",
    "DisableSchemaValidation": "disable_schema_validation",
    "Name": "name",
    "Version": "version",
    "DisableExecuteApiEndpoint": "disable_execute_api_endpoint",
    "RouteSelectionExpression": "route_selection_expression",
}
_INTEGRATION_FIELDS = {
    "ConnectionId": "connection_id",
    "ConnectionType": "connection_type",
    "ContentHandlingStrategy": "content_handling_strategy",
    "CredentialsArn": "credentials_arn",
    "Description": "description",
    "IntegrationMethod": "integration_method",
    "IntegrationSubtype": "integration_subtype",
    "IntegrationType": "integration_type",
    "IntegrationUri": "integration_uri",
    "PassthroughBehavior": "passthrough_behavior",
    "PayloadFormatVersion": "payload_format_version",
    "RequestParameters": "request_parameters",
    "RequestTemplates": "request_templates",
    "ResponseParameters": "response_parameters",
    "TemplateSelectionExpression": "template_selection_expression",
    "TimeoutInMillis": "timeout_in_millis",
    "TlsConfig": "tls_config",
}
_ROUTE_FIELDS = {
    "ApiKeyRequired": "api_key_required",
    "AuthorizationScopes": "authorization_scopes",
    "AuthorizationType": "authorization_type",
    "AuthorizerId": "authorizer_id",
    "ModelSelectionExpression": "model_selection_expression",
    "OperationName": "operation_name",
    "RequestModels": "request_models",
    "RequestParameters": "request_parameters",
    "RouteKey": "route_key",
    "RouteResponseSelectionExpression": "route_response_selection_expression",
    "Target": "target",
}


def _backend(target: Target) -> ApiGatewayV2Backend:
    return apigatewayv2_backends[target.account_id][target.region_name]


def _arguments(properties: Properties, fields: dict[str, str]) -> dict[str, Any]:
    return {argument: properties.get(name) for name, argument in fields.items()}


def _authorizer_arguments(name: str, spec: dict[str, Any], identity_source: Any) -> dict[str, Any]:
    kind = str(spec.get("type", "")).upper()
    jwt = spec.get("jwtConfiguration")
    return {
        "auth_creds_arn": spec.get("authorizerCredentialsArn"),
        "auth_payload_format_version": spec.get("authorizerPayloadFormatVersion"),
        "auth_result_ttl": spec.get("authorizerResultTtlInSeconds"),
        "authorizer_type": kind,
        "authorizer_uri": spec.get("authorizerUri"),
        "enable_simple_response": spec.get("enableSimpleResponses"),
        "identity_source": identity_source if isinstance(identity_source, list) else [identity_source],
        "identity_validation_expr": None,
        "jwt_config": {"audience": jwt.get("audience", []), "issuer": jwt.get("issuer")} if jwt else None,
        "name": name,
    }


def _import_authorizers(api: Api, document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Authorizers of the document's security schemes: scheme name -> (authorizer id, type)."""
    created = {}
    schemes = (
        document.get("components", {}).get("securitySchemes") or document.get("securityDefinitions") or {}
    )
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if spec:
            source = spec.get("identitySource", f"$request.header.{scheme.get('name', 'Authorization')}")
            authorizer = api.create_authorizer(**_authorizer_arguments(name, spec, source))
            created[name] = (
                authorizer.id,
                "CUSTOM" if authorizer.authorizer_type == "REQUEST" else authorizer.authorizer_type,
            )
    return created


def _route_auth(
    requirements: list[dict[str, list[str]]], authorizers: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    for requirement in requirements:
        for name, scopes in requirement.items():
            if name in authorizers:
                authorizer_id, kind = authorizers[name]
                return {
                    "authorization_type": kind,
                    "authorizer_id": authorizer_id,
                    "authorization_scopes": scopes,
                }
            if name.lower() in ("aws_iam", "sigv4"):
                return {"authorization_type": "AWS_IAM", "authorizer_id": None, "authorization_scopes": []}
    return {"authorization_type": "NONE", "authorizer_id": None, "authorization_scopes": []}


def import_http_api(api: Api, document: dict[str, Any]) -> None:
    """Replace the routes, integrations and authorizers of ``api`` by those ``document`` describes."""
    api.routes.clear()
    api.integrations.clear()
    api.authorizers.clear()
    authorizers = _import_authorizers(api, document)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method.lower() not in _METHODS:
                continue
            route_key = (
                path if path.startswith("$") else f"{'ANY' if method == _ANY else method.upper()} {path}"
            )
            spec = operation.get("x-amazon-apigateway-integration") or {}
            target = None
            if spec:
                integration = api.create_integration(
                    connection_type=spec.get("connectionType", "INTERNET"),
                    description="",
                    integration_method=str(spec.get("httpMethod", "POST")),
                    integration_type=str(spec.get("type", "")).upper(),
                    integration_uri=str(spec.get("uri", "")),
                    payload_format_version=spec.get("payloadFormatVersion"),
                    timeout_in_millis=spec.get("timeoutInMillis"),
                    request_parameters=spec.get("requestParameters"),
                )
                target = f"integrations/{integration.id}"
            auth = _route_auth(operation.get("security", document.get("security", [])), authorizers)
            api.create_route(
                api_key_required=False,
                route_key=route_key,
                target=target,  # type: ignore[arg-type]
                operation_name=operation.get("operationId"),
                **auth,
            )
    info = document.get("info", {})
    api.name = info.get("title", api.name)
    api.version = str(info["version"]) if "version" in info else api.version
    if "x-amazon-apigateway-cors" in document:
        api.cors_configuration = document["x-amazon-apigateway-cors"]


def _body(target: Target, properties: Properties) -> dict[str, Any] | None:
    if properties.get("Body"):
        body = properties["Body"]
        return yaml.safe_load(body) if isinstance(body, str) else dict(body)
    location = properties.get("BodyS3Location")
    if not location:
        return None
    key = s3_backends[target.account_id][target.partition].get_object(location["Bucket"], location["Key"])
    loaded: dict[str, Any] | None = yaml.safe_load(key.value) if key is not None else None
    return loaded


def _quick_create(backend: ApiGatewayV2Backend, api: Api, properties: Properties) -> None:
    integration = api.create_integration(
        connection_type="INTERNET",
        description="",
        integration_method="POST",
        integration_type="AWS_PROXY",
        integration_uri=properties["Target"],
        payload_format_version="2.0",
        credentials_arn=properties.get("CredentialsArn"),
    )
    api.create_route(
        api_key_required=False,
        authorization_scopes=[],
        route_key=properties.get("RouteKey", "$default"),
        target=f"integrations/{integration.id}",
    )
    backend.create_stage(api.api_id, {"stageName": "$default", "autoDeploy": True})


class ApiGatewayV2Api(SandboxResource, CloudFormationModel):
    """AWS::ApiGatewayV2::Api (Body/BodyS3Location imported; quick create).

    Ref: api id; GetAtt ApiEndpoint, ApiId.
    """

    CFN_TYPE = "AWS::ApiGatewayV2::Api"
    ATTRIBUTES = frozenset({"ApiEndpoint", "ApiId"})
    CREATE_ONLY = frozenset({"ProtocolType", "Target", "RouteKey", "CredentialsArn"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayV2Api:
        backend = _backend(target)
        arguments = _arguments(properties, _API_FIELDS)
        arguments["name"] = arguments["name"] or name
        api = backend.create_api(
            cors_configuration=camel_keys(properties.get("CorsConfiguration")),
            protocol_type=properties.get("ProtocolType", "HTTP"),
            tags=tag_dict(properties.get("Tags")),
            **arguments,
        )
        created = cls(target, api.api_id, properties)
        body = _body(target, properties)
        if body:
            import_http_api(api, body)
        if properties.get("Target"):
            _quick_create(backend, api, properties)
        created.apply_fields(api, properties)
        return created

    def apply_fields(self, api: Api, properties: Properties) -> None:
        for name, attribute in _API_FIELDS.items():
            if name in properties:
                setattr(api, attribute, properties[name])
        if "CorsConfiguration" in properties:
            api.cors_configuration = camel_keys(properties["CorsConfiguration"])

    def apply_update(self, properties: Properties) -> None:
        api = _backend(self.target).get_api(self.physical_id)
        body = _body(self.target, properties)
        if body != _body(self.target, self.properties) and body:
            import_http_api(api, body)
        self.apply_fields(api, properties)

    def remove(self) -> None:
        _backend(self.target).delete_api(self.physical_id)

    def attribute(self, name: str) -> Any:
        return (
            self.physical_id
            if name == "ApiId"
            else _backend(self.target).get_api(self.physical_id).api_endpoint
        )


def stage_config(name: str, properties: Properties) -> dict[str, Any]:
    """A template Stage as moto's stage config (the API's camelCase, user maps untouched)."""
    config: dict[str, Any] = camel_keys(
        {k: v for k, v in properties.items() if k not in ("ApiId", "StageName", "RouteSettings")},
        opaque=frozenset({"StageVariables", "Tags"}),
    )
    config["stageName"] = name
    config["routeSettings"] = {
        key: camel_keys(value) for key, value in (properties.get("RouteSettings") or {}).items()
    }
    if "AutoDeploy" in properties:
        config["autoDeploy"] = as_bool(properties["AutoDeploy"])
    return config


class ApiGatewayV2Stage(SandboxResource, CloudFormationModel):
    """AWS::ApiGatewayV2::Stage. Ref: the stage name."""

    CFN_TYPE = "AWS::ApiGatewayV2::Stage"
    NAME_PROPERTY = "StageName"
    CREATE_ONLY = frozenset({"ApiId", "StageName"})

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayV2Stage:
        _backend(target).create_stage(str(properties["ApiId"]), stage_config(name, properties))
        return cls(target, name, properties)

    def apply_update(self, properties: Properties) -> None:
        _backend(self.target).create_stage(
            str(properties["ApiId"]), stage_config(self.physical_id, properties)
        )

    def remove(self) -> None:
        api = _backend(self.target).apis.get(str(self.properties["ApiId"]))
        if api is not None:
            api.delete_stage(self.physical_id)


def _replace_keeping_id(
    items: dict[str, Any], old_id: str, make: Callable[[], Any], id_attribute: str
) -> None:
    """Put a freshly made backend object under ``old_id`` (an in-place update keeps the id)."""
    new = make()
    items.pop(getattr(new, id_attribute))
    setattr(new, id_attribute, old_id)
    items[old_id] = new


class ApiGatewayV2Integration(SandboxResource, CloudFormationModel):
    """AWS::ApiGatewayV2::Integration. Ref: integration id; GetAtt IntegrationId."""

    CFN_TYPE = "AWS::ApiGatewayV2::Integration"
    ATTRIBUTES = frozenset({"IntegrationId"})
    CREATE_ONLY = frozenset({"ApiId"})

    @staticmethod
    def _make(api: Api, properties: Properties) -> Any:
        arguments = _arguments(properties, _INTEGRATION_FIELDS)
        arguments["connection_type"] = arguments["connection_type"] or "INTERNET"
        arguments["description"] = arguments["description"] or ""
        return api.create_integration(**arguments)

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayV2Integration:
        integration = cls._make(_backend(target).get_api(str(properties["ApiId"])), properties)
        return cls(target, integration.id, properties)

    def apply_update(self, properties: Properties) -> None:
        api = _backend(self.target).get_api(str(properties["ApiId"]))
        _replace_keeping_id(api.integrations, self.physical_id, lambda: self._make(api, properties), "id")

    def remove(self) -> None:
        api = _backend(self.target).apis.get(str(self.properties["ApiId"]))
        if api is not None:
            api.delete_integration(self.physical_id)

    def attribute(self, name: str) -> Any:
        return self.physical_id


class ApiGatewayV2Route(SandboxResource, CloudFormationModel):
    """AWS::ApiGatewayV2::Route. Ref: route id; GetAtt RouteId."""

    CFN_TYPE = "AWS::ApiGatewayV2::Route"
    ATTRIBUTES = frozenset({"RouteId"})
    CREATE_ONLY = frozenset({"ApiId"})

    @staticmethod
    def _make(api: Api, properties: Properties) -> Any:
        arguments = _arguments(properties, _ROUTE_FIELDS)
        arguments["api_key_required"] = as_bool(arguments["api_key_required"])
        arguments["authorization_scopes"] = arguments["authorization_scopes"] or []
        return api.create_route(**arguments)

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayV2Route:
        route = cls._make(_backend(target).get_api(str(properties["ApiId"])), properties)
        return cls(target, route.route_id, properties)

    def apply_update(self, properties: Properties) -> None:
        api = _backend(self.target).get_api(str(properties["ApiId"]))
        _replace_keeping_id(api.routes, self.physical_id, lambda: self._make(api, properties), "route_id")

    def remove(self) -> None:
        api = _backend(self.target).apis.get(str(self.properties["ApiId"]))
        if api is not None:
            api.delete_route(self.physical_id)

    def attribute(self, name: str) -> Any:
        return self.physical_id


class ApiGatewayV2Authorizer(SandboxResource, CloudFormationModel):
    """AWS::ApiGatewayV2::Authorizer (JWT or REQUEST). Ref: authorizer id; GetAtt AuthorizerId."""

    CFN_TYPE = "AWS::ApiGatewayV2::Authorizer"
    ATTRIBUTES = frozenset({"AuthorizerId"})
    CREATE_ONLY = frozenset({"ApiId"})

    @staticmethod
    def _make(api: Api, properties: Properties) -> Any:
        spec = camel_keys(
            {k: v for k, v in properties.items() if k not in ("ApiId", "Name", "IdentitySource")}
        )
        spec["type"] = properties["AuthorizerType"]
        spec["authorizerResultTtlInSeconds"] = as_int(properties.get("AuthorizerResultTtlInSeconds"))
        return api.create_authorizer(
            **_authorizer_arguments(properties["Name"], spec, list(properties.get("IdentitySource", [])))
        )

    @classmethod
    def create(cls, target: Target, name: str, properties: Properties) -> ApiGatewayV2Authorizer:
        authorizer = cls._make(_backend(target).get_api(str(properties["ApiId"])), properties)
        return cls(target, authorizer.id, properties)

    def apply_update(self, properties: Properties) -> None:
        api = _backend(self.target).get_api(str(properties["ApiId"]))
        _replace_keeping_id(api.authorizers, self.physical_id, lambda: self._make(api, properties), "id")

    def remove(self) -> None:
        api = _backend(self.target).apis.get(str(self.properties["ApiId"]))
        if api is not None:
            api.delete_authorizer(self.physical_id)

    def attribute(self, name: str) -> Any:
        return self.physical_id
