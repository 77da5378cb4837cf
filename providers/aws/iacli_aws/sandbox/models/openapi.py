"""Import an OpenAPI (Swagger 2.0 or OpenAPI 3) definition into a REST API of moto's apigateway backend.

This is what API Gateway does with a RestApi ``Body`` (and what SAM relies on: it emits every
``AWS::Serverless::Api`` as a swagger ``Body``). moto's own ``put_rest_api`` refuses Swagger 2.0 and
ignores security, so the sandbox imports the document itself through the backend's resource, method,
integration and authorizer calls. Supported: paths and methods (incl. ``x-amazon-apigateway-any-method``),
parameters, responses, ``x-amazon-apigateway-integration`` (with integration responses), security
(Cognito and Lambda authorizers, IAM, API keys, scopes), request validators, models, gateway
responses, binary media types and API key source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from moto.apigateway.models import APIGatewayBackend, RestAPI

ANY_METHOD = "x-amazon-apigateway-any-method"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", ANY_METHOD})
_AUTHORIZER_TYPES = {"cognito_user_pools": "COGNITO_USER_POOLS", "token": "TOKEN", "request": "REQUEST"}
_PARAMETER_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}


@dataclass
class ImportRecord:
    """What an import created besides resources and methods, so that a re-import can remove it."""

    authorizers: dict[str, str] = field(default_factory=dict)
    validators: dict[str, str] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)
    gateway_responses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MethodAuth:
    """How a method is authorised, resolved from its security requirements."""

    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    scopes: tuple[str, ...] = ()
    api_key_required: bool = False


def security_schemes(document: dict[str, Any]) -> dict[str, Any]:
    """The document's security schemes (``securityDefinitions`` or ``components.securitySchemes``)."""
    schemes = document.get("securityDefinitions") or document.get("components", {}).get("securitySchemes")
    return dict(schemes or {})


def import_document(backend: APIGatewayBackend, api_id: str, document: dict[str, Any]) -> ImportRecord:
    """Create everything ``document`` describes in the REST API ``api_id``."""
    api = backend.get_rest_api(api_id)
    _apply_api_extensions(api, document)
    record = ImportRecord()
    record.authorizers = _create_authorizers(backend, api_id, security_schemes(document))
    record.validators = _create_validators(backend, api_id, document)
    record.models = _create_models(backend, api_id, document)
    record.gateway_responses = _put_gateway_responses(backend, api_id, document)
    for path, item in sorted(document.get("paths", {}).items()):
        resource_id = ensure_resource(backend, api_id, path)
        for name, operation in item.items():
            if name.lower() in HTTP_METHODS:
                _put_operation(backend, api_id, resource_id, name, operation, document, record)
    return record


def clear_import(api: RestAPI, record: ImportRecord) -> None:
    """Remove what an earlier import created; the root resource (and its id) stays."""
    root = api.resources[api.root_resource_id]
    root.resource_methods = {}
    api.resources = {root.id: root}
    for authorizer_id in record.authorizers.values():
        api.authorizers.pop(authorizer_id, None)
    for validator_id in record.validators.values():
        api.request_validators.pop(validator_id, None)
    for name in record.models:
        api.models.pop(name, None)
    for response_type in record.gateway_responses:
        api.gateway_responses.pop(response_type, None)


def ensure_resource(backend: APIGatewayBackend, api_id: str, path: str) -> str:
    """Id of the resource at ``path``, creating it and its missing ancestors."""
    api = backend.get_rest_api(api_id)
    resource = api.resources[api.root_resource_id]
    current = ""
    for part in [p for p in path.split("/") if p]:
        current += "/" + part
        existing = api.get_resource_for_path(current)
        resource = existing or backend.create_resource(api_id, resource.id, part)
    return str(resource.id)


def _apply_api_extensions(api: RestAPI, document: dict[str, Any]) -> None:
    if "x-amazon-apigateway-binary-media-types" in document:
        api.binaryMediaTypes = list(document["x-amazon-apigateway-binary-media-types"])
    if "x-amazon-apigateway-api-key-source" in document:
        api.api_key_source = document["x-amazon-apigateway-api-key-source"]
    if "x-amazon-apigateway-policy" in document:
        api.policy = json.dumps(document["x-amazon-apigateway-policy"])
    if "x-amazon-apigateway-minimum-compression-size" in document:
        api.minimum_compression_size = document["x-amazon-apigateway-minimum-compression-size"]


def _create_authorizers(backend: APIGatewayBackend, api_id: str, schemes: dict[str, Any]) -> dict[str, str]:
    created: dict[str, str] = {}
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not spec:
            continue
        default_source = f"method.request.header.{scheme['name']}" if scheme.get("in") == "header" else None
        authorizer = backend.create_authorizer(
            api_id,
            name,
            _AUTHORIZER_TYPES.get(str(spec.get("type", "")).lower(), str(spec.get("type", "")).upper()),
            provider_arns=spec.get("providerARNs"),
            auth_type=scheme.get("x-amazon-apigateway-authtype"),
            authorizer_uri=spec.get("authorizerUri"),
            authorizer_credentials=spec.get("authorizerCredentials"),
            identity_source=spec.get("identitySource", default_source),
            identiy_validation_expression=spec.get("identityValidationExpression"),
            authorizer_result_ttl=spec.get("authorizerResultTtlInSeconds", 300),
        )
        created[name] = str(authorizer.id)
    return created


def _create_validators(backend: APIGatewayBackend, api_id: str, document: dict[str, Any]) -> dict[str, str]:
    created: dict[str, str] = {}
    for name, spec in (document.get("x-amazon-apigateway-request-validators") or {}).items():
        validator = backend.create_request_validator(
            api_id, name, spec.get("validateRequestBody", False), spec.get("validateRequestParameters", False)
        )
        created[name] = validator.id
    return created


def _create_models(backend: APIGatewayBackend, api_id: str, document: dict[str, Any]) -> list[str]:
    schemas = document.get("definitions") or document.get("components", {}).get("schemas") or {}
    for name, schema in schemas.items():
        backend.create_model(
            api_id, name, "application/json", schema.get("description", ""), json.dumps(schema)
        )
    return list(schemas)


def _put_gateway_responses(backend: APIGatewayBackend, api_id: str, document: dict[str, Any]) -> list[str]:
    responses = document.get("x-amazon-apigateway-gateway-responses") or {}
    for response_type, spec in responses.items():
        backend.put_gateway_response(
            api_id,
            response_type,
            str(spec["statusCode"]) if "statusCode" in spec else None,  # type: ignore[arg-type]
            spec.get("responseParameters"),
            spec.get("responseTemplates"),
        )
    return list(responses)


def resolve_auth(
    requirements: list[dict[str, list[str]]], schemes: dict[str, Any], authorizers: dict[str, str]
) -> MethodAuth:
    """Authorization of a method from its security requirements (OR of ANDs; the sandbox merges them)."""
    auth = MethodAuth()
    for requirement in requirements:
        for name, scopes in requirement.items():
            scheme = schemes.get(name, {})
            if name in authorizers:
                spec = scheme["x-amazon-apigateway-authorizer"]
                kind = (
                    "COGNITO_USER_POOLS"
                    if str(spec.get("type")).lower() == "cognito_user_pools"
                    else "CUSTOM"
                )
                auth = MethodAuth(kind, authorizers[name], tuple(scopes or ()), auth.api_key_required)
            elif str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
                auth = MethodAuth("AWS_IAM", None, (), auth.api_key_required)
            elif scheme.get("type") == "apiKey":
                auth = MethodAuth(auth.authorization_type, auth.authorizer_id, auth.scopes, True)
    return auth


def _request_parameters(operation: dict[str, Any]) -> dict[str, bool] | None:
    parameters = {}
    for parameter in operation.get("parameters", []):
        location = _PARAMETER_LOCATIONS.get(parameter.get("in", ""))
        if location:
            parameters[f"method.request.{location}.{parameter['name']}"] = bool(
                parameter.get("required", False)
            )
    return parameters or None


def _put_operation(
    backend: APIGatewayBackend,
    api_id: str,
    resource_id: str,
    name: str,
    operation: dict[str, Any],
    document: dict[str, Any],
    record: ImportRecord,
) -> None:
    method = "ANY" if name.lower() == ANY_METHOD else name.upper()
    requirements = operation.get("security", document.get("security", []))
    auth = resolve_auth(requirements, security_schemes(document), record.authorizers)
    validator = operation.get(
        "x-amazon-apigateway-request-validator", document.get("x-amazon-apigateway-request-validator")
    )
    backend.put_method(
        api_id,
        resource_id,
        method,
        auth.authorization_type,
        api_key_required=auth.api_key_required,
        request_parameters=_request_parameters(operation),
        operation_name=operation.get("operationId"),
        authorizer_id=auth.authorizer_id,
        authorization_scopes=list(auth.scopes) or None,  # type: ignore[arg-type]  # moto takes a list
        request_validator_id=record.validators.get(validator) if validator else None,
    )
    _put_method_responses(backend, api_id, resource_id, method, operation.get("responses", {}))
    integration = operation.get("x-amazon-apigateway-integration")
    if integration:
        _put_integration(backend, api_id, resource_id, method, integration)


def _put_method_responses(
    backend: APIGatewayBackend, api_id: str, resource_id: str, method: str, responses: dict[str, Any]
) -> None:
    for code, response in responses.items():
        if not str(code).isdigit():
            continue
        headers = {f"method.response.header.{h}": False for h in (response or {}).get("headers", {})}
        backend.put_method_response(api_id, resource_id, method, str(code), None, headers or None)


def _put_integration(
    backend: APIGatewayBackend, api_id: str, resource_id: str, method: str, integration: dict[str, Any]
) -> None:
    backend.put_integration(
        function_id=api_id,
        resource_id=resource_id,
        method_type=method,
        integration_type=str(integration.get("type", "")).upper(),
        uri=integration.get("uri"),  # type: ignore[arg-type]
        integration_method=integration.get("httpMethod"),  # type: ignore[arg-type]
        credentials=integration.get("credentials"),
        request_templates=integration.get("requestTemplates"),
        passthrough_behavior=integration.get("passthroughBehavior"),
        tls_config=integration.get("tlsConfig"),
        cache_namespace=integration.get("cacheNamespace"),
        timeout_in_millis=integration.get("timeoutInMillis"),
        request_parameters=integration.get("requestParameters"),
        content_handling=integration.get("contentHandling"),
        connection_type=integration.get("connectionType"),
    )
    for pattern, response in (integration.get("responses") or {}).items():
        backend.put_integration_response(
            api_id,
            resource_id,
            method,
            str(response.get("statusCode", "200")),
            "" if pattern == "default" else pattern,
            response.get("responseTemplates") or {},
            response.get("responseParameters") or {},
            response.get("contentHandling"),
        )
