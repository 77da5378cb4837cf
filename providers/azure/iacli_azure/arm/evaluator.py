"""Evaluation of ARM templates: parameters, variables, values, resources and outputs.

Typical use by a deployment engine::

    ctx = EvaluationContext.create(template, {"storageName": "demo"},
                                   resource_group=ResourceGroupInfo("rg", "westeurope"),
                                   reference_resolver=engine.reference)
    resources = expand_resources(template, ctx)
    for resource in deployment_order(resources):
        body = resource.evaluate_body()      # properties may call reference() of earlier ones
        engine.put(resource.resource_id, body)
    outputs = evaluate_outputs(template, ctx)

Names, types, API versions, locations, conditions, ``copy`` counts and ``dependsOn`` are
evaluated by :func:`expand_resources`.  Everything else in a resource (``properties``, ``sku``,
``tags``...) is evaluated only when :meth:`ExpandedResource.evaluate_body` is called, so a
``reference()`` to a resource deployed earlier resolves against the deployed state.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from .errors import (
    ArmTemplateError,
    DependencyCycleError,
    EvaluationError,
    ParameterValidationError,
    TemplateValidationError,
    UnsupportedTemplateFeatureError,
)
from .expressions import (
    Expr,
    FunctionCall,
    IndexAccess,
    IntegerLiteral,
    PropertyAccess,
    StringLiteral,
    parse_template_string,
)
from .functions import Scope, call_function
from .values import JsonValue, deep_equals, get_property, is_int, lookup_case_insensitive, type_name

__all__ = [
    "CopyInfo",
    "DeploymentInfo",
    "EvaluationContext",
    "ExpandedResource",
    "ListRequest",
    "ListResolver",
    "NestedDeployment",
    "ReferenceRequest",
    "ReferenceResolver",
    "ResourceGroupInfo",
    "SubscriptionInfo",
    "TenantInfo",
    "deployment_batches",
    "deployment_order",
    "evaluate",
    "evaluate_outputs",
    "expand_resources",
    "parameter_values_from_file",
    "placeholder_list_resolver",
]

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
MAX_COPY_COUNT = 800
DEPLOYMENTS_TYPE = "microsoft.resources/deployments"


# =============================================================================================
# deployment scope information


@dataclass(frozen=True)
class ResourceGroupInfo:
    """The target resource group, as ``resourceGroup()`` reports it."""

    name: str
    location: str
    tags: Mapping[str, str] = field(default_factory=dict)
    managed_by: str | None = None


@dataclass(frozen=True)
class SubscriptionInfo:
    """The target subscription, as ``subscription()`` reports it."""

    subscription_id: str = ZERO_GUID
    tenant_id: str = ZERO_GUID
    display_name: str = "Offline Subscription"


@dataclass(frozen=True)
class TenantInfo:
    """The tenant, as ``tenant()`` reports it."""

    tenant_id: str = ZERO_GUID
    display_name: str = "Offline Tenant"
    country_code: str = "US"


@dataclass(frozen=True)
class DeploymentInfo:
    """The deployment operation, as ``deployment()`` reports it.

    ``location`` is set for subscription-level deployments; ``template_link_uri`` when the
    template was deployed from a URI (it enables ``deployment().properties.templateLink.uri``).
    """

    name: str = "deployment"
    mode: str = "Incremental"
    location: str | None = None
    template_link_uri: str | None = None


@dataclass(frozen=True)
class ReferenceRequest:
    """What ``reference()`` asks the deployment engine for.

    ``resource_id`` is always a full resource id (a template resource name is translated);
    ``target`` is the argument as written; ``full`` is True for ``reference(x, v, 'Full')``.
    """

    resource_id: str
    api_version: str | None
    full: bool
    target: str


@dataclass(frozen=True)
class ListRequest:
    """What a ``list*`` function (``listKeys``, ``listSecrets``...) asks the engine for."""

    function_name: str
    resource_id: str
    api_version: str
    function_values: JsonValue
    target: str


ReferenceResolver = Callable[[ReferenceRequest], JsonValue]
ListResolver = Callable[[ListRequest], JsonValue]


def placeholder_list_resolver(request: ListRequest) -> JsonValue:
    """A ``list*`` resolver for an offline emulator: deterministic placeholder secrets.

    The answer is one object carrying the members the common ``list*`` actions return
    (storage ``keys``, Service Bus/Event Hubs ``primaryKey``/``primaryConnectionString``,
    Cosmos DB ``primaryMasterKey``, Cognitive Services ``key1``, container registry
    ``username``/``passwords``, ``accountSasToken``...), so ``listKeys(...).keys[0].value``
    and friends evaluate.  Values derive from the resource id and function name only.
    """
    segments = request.resource_id.rstrip("/").split("/")
    name = segments[-1]
    lowered = [segment.casefold() for segment in segments]
    host = segments[lowered.index("namespaces") + 1] if "namespaces" in lowered[:-1] else name

    def secret(label: str) -> str:
        digest = hashlib.sha256(
            f"{request.resource_id.casefold()}|{request.function_name.casefold()}|{label}".encode()
        )
        return base64.b64encode(digest.digest()).decode("ascii")

    primary, secondary = secret("primary"), secret("secondary")

    def connection(key: str) -> str:
        return f"Endpoint=sb://{host}.offline.invalid/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}"

    return {
        "keys": [
            {"keyName": "key1", "permissions": "FULL", "value": primary},
            {"keyName": "key2", "permissions": "FULL", "value": secondary},
        ],
        "keyName": "RootManageSharedAccessKey",
        "primaryKey": primary,
        "secondaryKey": secondary,
        "key1": primary,
        "key2": secondary,
        "primaryMasterKey": primary,
        "secondaryMasterKey": secondary,
        "primaryReadonlyMasterKey": secret("primary-readonly"),
        "secondaryReadonlyMasterKey": secret("secondary-readonly"),
        "primaryConnectionString": connection(primary),
        "secondaryConnectionString": connection(secondary),
        "username": name,
        "passwords": [{"name": "password", "value": primary}, {"name": "password2", "value": secondary}],
        "default": primary,
        "masterKey": secondary,
        "functionKeys": {"default": primary},
        "value": primary,
        "accountSasToken": f"sv=2021-06-08&ss=b&srt=s&sp=r&sig={primary}",
        "serviceSasToken": f"sv=2021-06-08&sr=c&sp=r&sig={primary}",
    }


def _azure_cloud_environment() -> dict[str, JsonValue]:
    return {
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": (
            "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/"
            "quickstart-templates/aliases.json"
        ),
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net",
        },
    }


def _sequential_guids(seed: str) -> Callable[[], str]:
    counter = itertools.count()
    namespace = uuid.UUID("6f1c9e1a-8f77-4a43-9d55-2c6d1b0b7e21")
    return lambda: str(uuid.uuid5(namespace, f"{seed}-{next(counter)}"))


# =============================================================================================
# lazily evaluated named values (parameters, variables)


class _LazyValues:
    """Named values computed on first use, cached, with cycle detection; names ignore case."""

    def __init__(
        self, kind: str, names: Iterable[str], compute: Callable[[str, EvaluationContext], JsonValue]
    ) -> None:
        self._kind = kind
        self._names = {name.casefold(): name for name in names}
        self._compute = compute
        self._cache: dict[str, JsonValue] = {}
        self._in_progress: list[str] = []

    @classmethod
    def fixed(cls, kind: str, values: Mapping[str, JsonValue]) -> _LazyValues:
        """Values known up front."""
        return cls(kind, values, lambda name, _ctx: values[name])

    def names(self) -> list[str]:
        return list(self._names.values())

    def canonical(self, name: str) -> str | None:
        return self._names.get(name.casefold())

    def get(self, name: str, ctx: EvaluationContext) -> JsonValue:
        canonical = self.canonical(name)
        if canonical is None:
            known = ", ".join(self._names.values()) or "(none)"
            raise EvaluationError(
                f"The {self._kind} '{name}' is not defined in the template; defined: {known}"
            )
        if canonical in self._cache:
            return self._cache[canonical]
        if canonical in self._in_progress:
            cycle = (*self._in_progress[self._in_progress.index(canonical) :], canonical)
            raise DependencyCycleError(
                f"Circular reference between {self._kind}s: {' -> '.join(cycle)}", cycle
            )
        self._in_progress.append(canonical)
        try:
            value = self._compute(canonical, ctx)
        finally:
            self._in_progress.pop()
        self._cache[canonical] = value
        return value


# =============================================================================================
# the evaluation context


@dataclass(frozen=True)
class _UserFunction:
    name: str
    parameter_names: tuple[str, ...]
    output: Any


@dataclass(frozen=True, eq=False)
class EvaluationContext:
    """Everything an expression can see: parameters, variables, scope objects and callbacks.

    Build one with :meth:`create`; contexts for copy loops, lambdas and user-defined functions
    are derived from it (the dataclass is frozen, derivations share the variable cache).
    ``reference_resolver`` and ``list_resolver`` are called for ``reference()`` and ``list*()``;
    without them those functions raise :class:`EvaluationError`.
    """

    template: Mapping[str, Any]
    resource_group_info: ResourceGroupInfo | None
    subscription_info: SubscriptionInfo
    tenant_info: TenantInfo
    deployment_info: DeploymentInfo
    environment_info: Mapping[str, JsonValue]
    reference_resolver: ReferenceResolver | None
    list_resolver: ListResolver | None
    now: datetime
    guid_factory: Callable[[], str]
    parameter_store: _LazyValues = field(repr=False, compare=False)
    variable_store: _LazyValues = field(repr=False, compare=False)
    user_functions: Mapping[str, _UserFunction] = field(default_factory=dict, repr=False)
    resource_names: Mapping[str, str] = field(default_factory=dict, repr=False)
    copy_indexes: Mapping[str, int] = field(default_factory=dict)
    default_loop: str | None = None
    lambda_bindings: Mapping[str, JsonValue] = field(default_factory=dict)
    in_parameter_defaults: bool = False

    # ----------------------------------------------------------------------------- creation

    @classmethod
    def create(
        cls,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        *,
        resource_group: ResourceGroupInfo | None = ResourceGroupInfo("resourceGroup", "westus"),
        subscription: SubscriptionInfo | None = None,
        tenant: TenantInfo | None = None,
        deployment: DeploymentInfo | None = None,
        environment: Mapping[str, JsonValue] | None = None,
        reference_resolver: ReferenceResolver | None = None,
        list_resolver: ListResolver | None = None,
        now: datetime | None = None,
        guid_factory: Callable[[], str] | None = None,
    ) -> EvaluationContext:
        """Create the root context of a deployment of ``template``.

        ``parameters`` maps parameter names to plain values (use
        :func:`parameter_values_from_file` for a parameters file).  Defaults are applied and
        every parameter is type-checked and validated against ``allowedValues``,
        ``minValue``/``maxValue`` and ``minLength``/``maxLength`` here, so errors surface early.
        Pass ``resource_group=None`` for a subscription-level deployment.  ``now`` (default: a
        fixed instant) feeds ``utcNow()``; ``guid_factory`` (default: deterministic) feeds
        ``newGuid()``.
        """
        if not isinstance(template, Mapping):
            raise TemplateValidationError("The template must be a JSON object")
        deployment_info = deployment or DeploymentInfo()
        definitions = _mapping_section(template, "parameters")
        provided = _match_provided_parameters(definitions, parameters or {})
        missing = [
            name
            for name, spec in definitions.items()
            if name not in provided
            and not (isinstance(spec, Mapping) and ("defaultValue" in spec or spec.get("nullable") is True))
        ]
        if missing:
            raise ParameterValidationError(
                "The value for the template parameter(s) "
                + ", ".join(f"'{name}'" for name in missing)
                + " is not provided"
            )
        ctx = cls(
            template=template,
            resource_group_info=resource_group,
            subscription_info=subscription or SubscriptionInfo(),
            tenant_info=tenant or TenantInfo(tenant_id=(subscription or SubscriptionInfo()).tenant_id),
            deployment_info=deployment_info,
            environment_info=environment if environment is not None else _azure_cloud_environment(),
            reference_resolver=reference_resolver,
            list_resolver=list_resolver,
            now=now or datetime(2024, 1, 1, tzinfo=timezone.utc),
            guid_factory=guid_factory or _sequential_guids(deployment_info.name),
            parameter_store=_LazyValues("parameter", definitions, _parameter_computer(definitions, provided)),
            variable_store=_variable_store(template),
            user_functions=_user_functions(template),
        )
        for name in definitions:
            ctx.parameter(name)
        return ctx

    # ------------------------------------------------------------------------ derivations

    def with_copy_index(self, loop_name: str, index: int, *, default: bool = False) -> EvaluationContext:
        """A context inside iteration ``index`` of copy loop ``loop_name``.

        ``default=True`` makes it the loop ``copyIndex()`` without a name refers to.
        """
        indexes = dict(self.copy_indexes)
        indexes[loop_name.casefold()] = index
        return replace(self, copy_indexes=indexes, default_loop=loop_name if default else self.default_loop)

    def with_lambda_variables(self, bindings: Mapping[str, JsonValue]) -> EvaluationContext:
        """A context where ``lambdaVariables(name)`` sees ``bindings`` (inner ones shadow outer)."""
        merged = dict(self.lambda_bindings)
        merged.update({name.casefold(): value for name, value in bindings.items()})
        return replace(self, lambda_bindings=merged)

    def with_resource_names(self, names: Mapping[str, str]) -> EvaluationContext:
        """A context where ``reference('name')`` of a template resource maps to its id."""
        return replace(self, resource_names={name.casefold(): rid for name, rid in names.items()})

    # ------------------------------------------------------------------- Scope protocol

    @property
    def parameters(self) -> dict[str, JsonValue]:
        """The resolved parameter values (after defaults), keyed by declared name."""
        return {name: self.parameter(name) for name in self.parameter_store.names()}

    def evaluate(self, expr: Expr) -> JsonValue:
        """Evaluate an expression AST."""
        if isinstance(expr, (StringLiteral, IntegerLiteral)):
            return expr.value
        if isinstance(expr, FunctionCall):
            return call_function(self, expr)
        if isinstance(expr, PropertyAccess):
            return get_property(self.evaluate(expr.target), expr.name)
        return _index(self.evaluate(expr.target), self.evaluate(expr.index))

    def parameter(self, name: str) -> JsonValue:
        """Value of parameter ``name``."""
        return self.parameter_store.get(name, self)

    def variable(self, name: str) -> JsonValue:
        """Value of variable ``name``, evaluated on first use."""
        root = replace(
            self, copy_indexes={}, default_loop=None, lambda_bindings={}, in_parameter_defaults=False
        )
        return self.variable_store.get(name, root)

    def lambda_variable(self, name: str) -> JsonValue:
        """Value bound to lambda variable ``name``."""
        found, value = lookup_case_insensitive(self.lambda_bindings, name)
        if not found:
            raise EvaluationError(f"The lambda variable '{name}' is not defined in this scope")
        return value

    def copy_index(self, loop_name: str | None) -> int:
        """Current iteration of copy loop ``loop_name`` (``None``: the resource/output loop)."""
        name = loop_name if loop_name is not None else self.default_loop
        if name is None:
            raise EvaluationError("The template function 'copyIndex' is only valid inside a copy loop")
        index = self.copy_indexes.get(name.casefold())
        if index is None:
            raise EvaluationError(
                f"The template function 'copyIndex' refers to copy loop '{name}', which is not in scope"
            )
        return index

    def current_subscription_id(self) -> str:
        """Subscription of the deployment."""
        return self.subscription_info.subscription_id

    def current_resource_group_name(self) -> str | None:
        """Resource group of the deployment (``None`` at subscription scope)."""
        return self.resource_group_info.name if self.resource_group_info else None

    def resource_group(self) -> JsonValue:
        """``resourceGroup()``."""
        info = self.resource_group_info
        if info is None:
            raise EvaluationError(
                "The template function 'resourceGroup' is not valid in a subscription-level deployment"
            )
        result: dict[str, JsonValue] = {
            "id": f"/subscriptions/{self.current_subscription_id()}/resourceGroups/{info.name}",
            "name": info.name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": info.location,
            "tags": dict(info.tags),
            "properties": {"provisioningState": "Succeeded"},
        }
        if info.managed_by:
            result["managedBy"] = info.managed_by
        return result

    def subscription(self) -> JsonValue:
        """``subscription()``."""
        info = self.subscription_info
        return {
            "id": f"/subscriptions/{info.subscription_id}",
            "subscriptionId": info.subscription_id,
            "tenantId": info.tenant_id,
            "displayName": info.display_name,
        }

    def tenant(self) -> JsonValue:
        """``tenant()``."""
        info = self.tenant_info
        return {
            "countryCode": info.country_code,
            "displayName": info.display_name,
            "id": f"/tenants/{info.tenant_id}",
            "tenantId": info.tenant_id,
        }

    def deployment(self) -> JsonValue:
        """``deployment()``: name, template, templateHash, parameters, mode..."""
        info = self.deployment_info
        template: JsonValue = json.loads(json.dumps(self.template))
        properties: dict[str, JsonValue] = {
            "template": template,
            "templateHash": str(
                int(hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:16], 16)
            ),
            "parameters": {name: {"value": value} for name, value in self.parameters.items()},
            "mode": info.mode,
            "provisioningState": "Accepted",
        }
        if info.template_link_uri:
            properties["templateLink"] = {"uri": info.template_link_uri}
        result: dict[str, JsonValue] = {"name": info.name, "properties": properties}
        if info.location:
            result["location"] = info.location
        return result

    def environment(self) -> JsonValue:
        """``environment()``."""
        return json.loads(json.dumps(self.environment_info))  # type: ignore[no-any-return]

    def reference(self, target: str, api_version: str | None, full: bool) -> JsonValue:
        """``reference()``: delegates to ``reference_resolver``."""
        if self.reference_resolver is None:
            raise EvaluationError(
                f"The template function 'reference' can't resolve '{target}': no reference resolver"
            )
        return self.reference_resolver(
            ReferenceRequest(self.resolve_resource_id(target), api_version, full, target)
        )

    def list_values(self, function_name: str, target: str, api_version: str, values: JsonValue) -> JsonValue:
        """``list*()``: delegates to ``list_resolver``."""
        if self.list_resolver is None:
            raise EvaluationError(
                f"The template function '{function_name}' can't resolve '{target}': no list resolver"
            )
        request = ListRequest(function_name, self.resolve_resource_id(target), api_version, values, target)
        return self.list_resolver(request)

    def utc_now(self) -> datetime:
        """``utcNow()``: only valid in parameter default values."""
        if not self.in_parameter_defaults:
            raise EvaluationError("The template function 'utcNow' is only valid in parameter default values")
        return self.now

    def new_guid(self) -> str:
        """``newGuid()``: only valid in parameter default values."""
        if not self.in_parameter_defaults:
            raise EvaluationError("The template function 'newGuid' is only valid in parameter default values")
        return self.guid_factory()

    def call_user_function(self, name: str, args: list[JsonValue]) -> JsonValue:
        """Call the user-defined function ``namespace.member``."""
        function = self.user_functions.get(name.casefold())
        if function is None:
            raise EvaluationError(f"The user-defined function '{name}' is not defined in the template")
        if len(args) != len(function.parameter_names):
            raise EvaluationError(
                f"The user-defined function '{name}' expects {len(function.parameter_names)} argument(s), got {len(args)}"
            )
        scope = replace(
            self,
            parameter_store=_LazyValues.fixed(
                "function parameter", dict(zip(function.parameter_names, args))
            ),
            variable_store=_LazyValues.fixed("variable", {}),
            copy_indexes={},
            default_loop=None,
            lambda_bindings={},
        )
        return evaluate(function.output, scope)

    # -------------------------------------------------------------------------- helpers

    def resolve_resource_id(self, target: str) -> str:
        """Translate a template resource name (or ``Namespace/type/name``) into a resource id."""
        if target.startswith("/"):
            return target
        known = self.resource_names.get(target.casefold())
        if known == _AMBIGUOUS:
            raise EvaluationError(
                f"The resource name '{target}' is used by several resources of the template; use resourceId()"
            )
        if known is not None:
            return known
        segments = target.split("/")
        if len(segments) >= 3 and len(segments) % 2 == 1 and "." in segments[0]:
            types = [segments[0], *segments[1::2]]
            return _resource_id_for(self, "/".join(types), "/".join(segments[2::2]))
        raise EvaluationError(
            f"The resource '{target}' is not defined in the template and is not a resource id"
        )


def _as_scope(ctx: EvaluationContext) -> Scope:
    """Static check (mypy): :class:`EvaluationContext` implements the :class:`Scope` protocol."""
    return ctx


def _index(target: JsonValue, index: JsonValue) -> JsonValue:
    if isinstance(target, list):
        if not is_int(index):
            raise EvaluationError(f"An array can only be indexed with an integer, got {type_name(index)}")
        assert isinstance(index, int)
        if not 0 <= index < len(target):
            raise EvaluationError(f"The array index {index} is out of bounds (length {len(target)})")
        return target[index]
    if isinstance(target, dict):
        if not isinstance(index, str):
            raise EvaluationError(f"An object can only be indexed with a string, got {type_name(index)}")
        return get_property(target, index)
    raise EvaluationError(f"A value of type '{type_name(target)}' can't be indexed")


# =============================================================================================
# parameters


_PARAMETER_TYPES = ("string", "securestring", "int", "bool", "object", "secureobject", "array")


def parameter_values_from_file(document: Mapping[str, Any]) -> dict[str, JsonValue]:
    """Extract plain values from a parameters file (``{"parameters": {"x": {"value": 1}}}``).

    The inner mapping alone is accepted too.  Key Vault references are not supported offline.
    """
    entries = (
        document.get("parameters", document)
        if "$schema" in document or "parameters" in document
        else document
    )
    if not isinstance(entries, Mapping):
        raise ParameterValidationError("The parameters file must contain a 'parameters' object")
    values: dict[str, JsonValue] = {}
    for name, entry in entries.items():
        if isinstance(entry, Mapping) and "reference" in entry:
            raise UnsupportedTemplateFeatureError(
                f"The parameter '{name}' uses a Key Vault reference, which is not supported offline"
            )
        if not isinstance(entry, Mapping) or "value" not in entry:
            raise ParameterValidationError(f"The parameter '{name}' in the parameters file has no 'value'")
        values[name] = entry["value"]
    return values


def _match_provided_parameters(definitions: Mapping[str, Any], provided: Mapping[str, Any]) -> dict[str, Any]:
    by_folded = {name.casefold(): name for name in definitions}
    matched: dict[str, Any] = {}
    unknown = []
    for name, value in provided.items():
        canonical = by_folded.get(name.casefold())
        if canonical is None:
            unknown.append(name)
        elif value is not None:
            matched[canonical] = value
    if unknown:
        raise ParameterValidationError(
            "The following parameters were supplied, but do not correspond to any parameters defined in the "
            "template: " + ", ".join(f"'{name}'" for name in unknown)
        )
    return matched


def _parameter_computer(
    definitions: Mapping[str, Any], provided: Mapping[str, Any]
) -> Callable[[str, EvaluationContext], JsonValue]:
    def compute(name: str, ctx: EvaluationContext) -> JsonValue:
        spec = definitions[name]
        if not isinstance(spec, Mapping):
            raise TemplateValidationError(f"The definition of parameter '{name}' must be an object")
        if name in provided:
            value: JsonValue = provided[name]
        elif "defaultValue" in spec:
            default_ctx = replace(
                ctx, copy_indexes={}, default_loop=None, lambda_bindings={}, in_parameter_defaults=True
            )
            value = evaluate(spec["defaultValue"], default_ctx)
        elif spec.get("nullable") is True:
            value = None
        else:
            raise ParameterValidationError(f"The value for the template parameter '{name}' is not provided")
        return _validate_parameter(name, spec, value)

    return compute


def _validate_parameter(name: str, spec: Mapping[str, Any], value: JsonValue) -> JsonValue:
    if "$ref" in spec:
        raise UnsupportedTemplateFeatureError(
            f"The parameter '{name}' uses a user-defined type ($ref), which is not supported"
        )
    if value is None and spec.get("nullable") is True:
        return None
    declared = str(spec.get("type", "")).casefold()
    if declared not in _PARAMETER_TYPES:
        raise TemplateValidationError(f"The parameter '{name}' has an invalid type '{spec.get('type')}'")
    value = _coerce_parameter(name, declared, value)
    _check_allowed_values(name, spec, value)
    _check_bounds(name, spec, value)
    return value


def _coerce_parameter(name: str, declared: str, value: JsonValue) -> JsonValue:
    if declared in ("string", "securestring") and isinstance(value, str):
        return value
    if declared == "int":
        if is_int(value):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            return int(value.strip())
    if declared == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    if declared in ("object", "secureobject") and isinstance(value, dict):
        return value
    if declared == "array" and isinstance(value, list):
        return value
    raise ParameterValidationError(
        f"The provided value for the template parameter '{name}' is not valid: expected a value of type "
        f"'{declared}', got {type_name(value)}"
    )


def _allowed(value: JsonValue, allowed: Sequence[JsonValue]) -> bool:
    # Strings are compared ignoring case, so 'standard_lrs' matches an allowed 'Standard_LRS'.
    if isinstance(value, str):
        return any(isinstance(item, str) and item.casefold() == value.casefold() for item in allowed)
    return any(deep_equals(value, item) for item in allowed)


def _check_allowed_values(name: str, spec: Mapping[str, Any], value: JsonValue) -> None:
    allowed = spec.get("allowedValues")
    if allowed is None:
        return
    if not isinstance(allowed, list):
        raise TemplateValidationError(f"The 'allowedValues' of parameter '{name}' must be an array")
    candidates = (
        value if isinstance(value, list) and str(spec.get("type", "")).casefold() == "array" else [value]
    )
    for candidate in candidates:
        if not _allowed(candidate, allowed):
            raise ParameterValidationError(
                f"The provided value {json.dumps(candidate)} for the template parameter '{name}' is not valid. "
                f"The value is not part of the allowed value(s): {json.dumps(allowed)}"
            )


def _check_bounds(name: str, spec: Mapping[str, Any], value: JsonValue) -> None:
    checks: list[tuple[str, int | None, bool]] = []
    if is_int(value):
        assert isinstance(value, int)
        checks += [("minValue", value, True), ("maxValue", value, False)]
    if isinstance(value, (str, list)):
        checks += [("minLength", len(value), True), ("maxLength", len(value), False)]
    for key, actual, is_minimum in checks:
        bound = spec.get(key)
        if bound is None or actual is None:
            continue
        if (actual < bound) if is_minimum else (actual > bound):
            raise ParameterValidationError(
                f"The provided value for the template parameter '{name}' is not valid: "
                f"{'length ' if 'Length' in key else ''}{actual} violates {key} {bound}"
            )


# =============================================================================================
# variables and user-defined functions


def _mapping_section(template: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    section = template.get(key) or {}
    if not isinstance(section, Mapping):
        raise TemplateValidationError(f"The template '{key}' section must be an object")
    return section


def _copy_specs(value: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise TemplateValidationError(f"The 'copy' of {where} must be an array of objects")
    for item in value:
        if not isinstance(item.get("name"), str) or "input" not in item or "count" not in item:
            raise TemplateValidationError(f"Each 'copy' of {where} needs 'name', 'count' and 'input'")
    return value


def _variable_store(template: Mapping[str, Any]) -> _LazyValues:
    section = _mapping_section(template, "variables")
    definitions: dict[str, Any] = {key: value for key, value in section.items() if key.casefold() != "copy"}
    loops: dict[str, Mapping[str, Any]] = {}
    for key, value in section.items():
        if key.casefold() == "copy":
            loops.update({spec["name"]: spec for spec in _copy_specs(value, "the variables section")})

    def compute(name: str, ctx: EvaluationContext) -> JsonValue:
        if name in loops:
            return _expand_copy_input(loops[name], ctx, f"variable copy '{name}'")
        return evaluate(definitions[name], ctx)

    return _LazyValues("variable", [*definitions, *loops], compute)


def _user_functions(template: Mapping[str, Any]) -> dict[str, _UserFunction]:
    functions: dict[str, _UserFunction] = {}
    for namespace in template.get("functions") or []:
        prefix = str(namespace.get("namespace", ""))
        for member, definition in (namespace.get("members") or {}).items():
            names = tuple(str(parameter.get("name")) for parameter in definition.get("parameters") or [])
            output = (definition.get("output") or {}).get("value")
            full_name = f"{prefix}.{member}"
            functions[full_name.casefold()] = _UserFunction(full_name, names, output)
    return functions


# =============================================================================================
# evaluating JSON values


def evaluate(value: Any, ctx: EvaluationContext) -> JsonValue:
    """Evaluate every expression string inside the JSON value ``value``.

    Objects whose ``copy`` member is an array of ``{name, count, input}`` loops (property
    iteration) get one array member per loop.  ``[[`` escapes are resolved in literals.
    """
    if isinstance(value, str):
        return _evaluate_string(value, ctx)
    if isinstance(value, list):
        return [evaluate(item, ctx) for item in value]
    if isinstance(value, Mapping):
        return _evaluate_object(value, ctx)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise EvaluationError(f"Unsupported value of type {type(value).__name__} in the template")


def _evaluate_string(text: str, ctx: EvaluationContext) -> JsonValue:
    parsed = parse_template_string(text)
    if isinstance(parsed, str):
        return parsed
    try:
        return ctx.evaluate(parsed)
    except EvaluationError as error:
        if error.expression is None:
            error.expression = text
            error.args = (f"{error.args[0] if error.args else error} (in expression '{text}')",)
        raise


def _is_property_copy(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, Mapping) and "input" in item and "name" in item for item in value)
    )


def _evaluate_object(value: Mapping[str, Any], ctx: EvaluationContext) -> dict[str, JsonValue]:
    result: dict[str, JsonValue] = {}
    for key, item in value.items():
        if key.casefold() == "copy" and _is_property_copy(item):
            for spec in _copy_specs(item, "a property"):
                result[spec["name"]] = _expand_copy_input(spec, ctx, f"property copy '{spec['name']}'")
        else:
            result[key] = evaluate(item, ctx)
    return result


def _copy_count(spec: Mapping[str, Any], ctx: EvaluationContext, where: str) -> int:
    count = evaluate(spec.get("count"), ctx)
    if not is_int(count):
        raise TemplateValidationError(f"The 'count' of {where} must be an integer, got {type_name(count)}")
    assert isinstance(count, int)
    if not 0 <= count <= MAX_COPY_COUNT:
        raise TemplateValidationError(
            f"The 'count' of {where} must be between 0 and {MAX_COPY_COUNT}, got {count}"
        )
    return count


def _expand_copy_input(spec: Mapping[str, Any], ctx: EvaluationContext, where: str) -> list[JsonValue]:
    name = str(spec["name"])
    count = _copy_count(spec, ctx, where)
    return [evaluate(spec["input"], ctx.with_copy_index(name, index)) for index in range(count)]


# =============================================================================================
# resources


@dataclass(frozen=True)
class CopyInfo:
    """Where an expanded resource sits in its ``copy`` loop."""

    name: str
    index: int
    count: int
    mode: str = "Parallel"
    batch_size: int | None = None


@dataclass(frozen=True)
class NestedDeployment:
    """A ``Microsoft.Resources/deployments`` resource with an inline template.

    With ``scope == "inner"`` the inner template is evaluated on its own with
    ``parameter_values``; with ``"outer"`` its expressions see the parent's parameters and
    variables (expand it with ``expand_resources(nested.template, parent_context)``).
    """

    name: str
    scope: str
    template: Mapping[str, Any]
    parameter_values: Mapping[str, JsonValue]
    mode: str
    resource_group_name: str | None
    subscription_id: str | None

    def context(self, parent: EvaluationContext) -> EvaluationContext:
        """The context to evaluate the nested template with."""
        if self.scope == "outer":
            return parent
        group = parent.resource_group_info
        if self.resource_group_name is not None:
            location = group.location if group else "westus"
            group = ResourceGroupInfo(self.resource_group_name, location)
        subscription = parent.subscription_info
        if self.subscription_id is not None:
            subscription = replace(subscription, subscription_id=self.subscription_id)
        return EvaluationContext.create(
            self.template,
            self.parameter_values,
            resource_group=group,
            subscription=subscription,
            tenant=parent.tenant_info,
            deployment=DeploymentInfo(name=self.name, mode=self.mode),
            environment=parent.environment_info,
            reference_resolver=parent.reference_resolver,
            list_resolver=parent.list_resolver,
            now=parent.now,
            guid_factory=parent.guid_factory,
        )


_STRUCTURAL_KEYS = frozenset(["condition", "copy", "dependson", "resources", "comments", "existing"])


@dataclass(frozen=True, eq=False)
class ExpandedResource:
    """One resource instance to deploy, after ``condition`` and ``copy`` expansion.

    ``name``, ``type``, ``api_version``, ``location`` and ``depends_on`` (resource ids) are
    evaluated.  The rest of the definition stays raw in ``definition`` until
    :meth:`evaluate_body` or :meth:`evaluate_properties` is called, typically once the
    resources in ``depends_on`` are deployed.
    """

    resource_id: str
    name: str
    type: str
    api_version: str
    location: str | None
    depends_on: tuple[str, ...]
    copy: CopyInfo | None
    definition: Mapping[str, Any] = field(repr=False)
    context: EvaluationContext = field(repr=False, compare=False)
    template_index: int = 0
    symbolic_name: str | None = None

    @property
    def is_nested_deployment(self) -> bool:
        """True for ``Microsoft.Resources/deployments`` resources."""
        return self.type.casefold() == DEPLOYMENTS_TYPE

    def evaluate_properties(self) -> JsonValue:
        """Evaluate ``properties`` (a nested deployment's inline ``template`` stays raw)."""
        properties = self.definition.get("properties")
        if self.is_nested_deployment and isinstance(properties, Mapping) and "template" in properties:
            evaluated = evaluate(
                {key: value for key, value in properties.items() if key != "template"}, self.context
            )
            assert isinstance(evaluated, dict)
            evaluated["template"] = properties["template"]
            return evaluated
        return evaluate(properties, self.context)

    def evaluate_body(self) -> dict[str, JsonValue]:
        """The resource as sent to its provider: every member evaluated except
        ``condition``/``copy``/``dependsOn``/nested ``resources``/``comments``."""
        body: dict[str, JsonValue] = {"type": self.type, "apiVersion": self.api_version, "name": self.name}
        if self.location is not None:
            body["location"] = self.location
        for key, value in self.definition.items():
            folded = key.casefold()
            if folded in _STRUCTURAL_KEYS or folded in ("type", "apiversion", "name", "location"):
                continue
            body[key] = (
                self.evaluate_properties() if folded == "properties" else evaluate(value, self.context)
            )
        return body

    def nested_deployment(self) -> NestedDeployment:
        """Describe the nested deployment; linked templates (``templateLink``) are unsupported."""
        if not self.is_nested_deployment:
            raise TemplateValidationError(f"The resource '{self.name}' is not a nested deployment")
        properties = self.definition.get("properties") or {}
        if "templateLink" in properties:
            raise UnsupportedTemplateFeatureError(
                f"The deployment '{self.name}' uses a linked template (templateLink), which can't be fetched offline"
            )
        template = properties.get("template")
        if not isinstance(template, Mapping):
            raise TemplateValidationError(f"The deployment '{self.name}' has no inline 'template'")
        options = properties.get("expressionEvaluationOptions") or {}
        scope = str(evaluate(options.get("scope", "outer"), self.context) or "outer").casefold()
        evaluated = self.evaluate_properties()
        assert isinstance(evaluated, dict)
        raw_parameters = evaluated.get("parameters") or {}
        if scope == "inner" and isinstance(raw_parameters, dict):
            values = parameter_values_from_file({"parameters": raw_parameters})
        else:
            values = {}
        mode = str(evaluated.get("mode") or "Incremental")
        return NestedDeployment(
            name=self.name,
            scope="inner" if scope == "inner" else "outer",
            template=template,
            parameter_values=values,
            mode=mode,
            resource_group_name=_optional_str(evaluate(self.definition.get("resourceGroup"), self.context)),
            subscription_id=_optional_str(evaluate(self.definition.get("subscriptionId"), self.context)),
        )


def _optional_str(value: JsonValue) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class _Definition:
    """A resource definition from the template, flattened (children carry their parent)."""

    raw: Mapping[str, Any]
    template_index: int
    symbolic_name: str | None
    parent: _Instance | None = None


@dataclass(frozen=True)
class _Instance:
    """One evaluated instance (pass 1): identity, condition, loop position."""

    definition: _Definition
    bindings: tuple[tuple[str, int, bool], ...]
    resource_id: str
    name: str
    type: str
    api_version: str
    location: str | None
    condition: bool
    existing: bool
    copy: CopyInfo | None

    def context(self, base: EvaluationContext) -> EvaluationContext:
        ctx = base
        for loop_name, index, default in self.bindings:
            ctx = ctx.with_copy_index(loop_name, index, default=default)
        return ctx

    @property
    def typed_name(self) -> str:
        return _typed_name(self.type, self.name)


def _template_resources(template: Mapping[str, Any]) -> list[tuple[str | None, Mapping[str, Any]]]:
    resources = template.get("resources") or []
    if isinstance(resources, Mapping):
        items: list[tuple[str | None, Any]] = list(resources.items())
    elif isinstance(resources, list):
        items = [(None, resource) for resource in resources]
    else:
        raise TemplateValidationError("The template 'resources' section must be an array or an object")
    for position, (symbolic, resource) in enumerate(items):
        if not isinstance(resource, Mapping):
            raise TemplateValidationError(
                f"The resource '{symbolic or position}' definition must be an object"
            )
    return items


def _typed_name(resource_type: str, name: str) -> str:
    types = resource_type.strip("/").split("/")
    names = name.strip("/").split("/")
    if len(names) != len(types) - 1:
        raise TemplateValidationError(
            f"The template resource '{name}' for type '{resource_type}' has incorrect segment lengths: "
            f"a type with {len(types) - 1} segment(s) after the namespace needs as many name segments"
        )
    parts = [types[0]]
    for type_segment, name_segment in zip(types[1:], names):
        parts.extend((type_segment, name_segment))
    return "/".join(parts)


def _resource_id_for(
    ctx: EvaluationContext,
    resource_type: str,
    name: str,
    scope: str | None = None,
    group: str | None = None,
    subscription_id: str | None = None,
) -> str:
    typed = _typed_name(resource_type, name)
    if scope:
        return f"{scope.rstrip('/')}/providers/{typed}"
    subscription = subscription_id or ctx.current_subscription_id()
    if resource_type.casefold() == "microsoft.resources/resourcegroups":
        return f"/subscriptions/{subscription}/resourceGroups/{name}"
    resource_group = group or ctx.current_resource_group_name()
    if resource_group is None:
        return f"/subscriptions/{subscription}/providers/{typed}"
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/{typed}"


def _required_str(value: JsonValue, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise TemplateValidationError(
            f"The resource {what} must be a non-empty string, got {type_name(value)}"
        )
    return value


def _child_identity(definition: _Definition, resource_type: str, name: str) -> tuple[str, str]:
    parent = definition.parent
    if parent is None or "/" in resource_type:
        return resource_type, name
    return f"{parent.type}/{resource_type}", f"{parent.name}/{name}"


def _evaluate_instance(
    definition: _Definition,
    ctx: EvaluationContext,
    bindings: tuple[tuple[str, int, bool], ...],
    copy: CopyInfo | None,
) -> _Instance:
    raw = definition.raw
    label = definition.symbolic_name or str(raw.get("name", definition.template_index))
    condition = evaluate(raw.get("condition", True), ctx)
    if not isinstance(condition, bool):
        raise TemplateValidationError(
            f"The condition of resource '{label}' must be a boolean, got {type_name(condition)}"
        )
    resource_type, name = _child_identity(
        definition,
        _required_str(evaluate(raw.get("type"), ctx), f"type of '{label}'"),
        _required_str(evaluate(raw.get("name"), ctx), f"name of '{label}'"),
    )
    api_version = evaluate(raw.get("apiVersion", ""), ctx)
    location = evaluate(raw.get("location"), ctx)
    scope = evaluate(raw.get("scope"), ctx)
    group = evaluate(raw.get("resourceGroup"), ctx) if resource_type.casefold() == DEPLOYMENTS_TYPE else None
    subscription = (
        evaluate(raw.get("subscriptionId"), ctx) if resource_type.casefold() == DEPLOYMENTS_TYPE else None
    )
    resource_id = _resource_id_for(
        ctx, resource_type, name, _optional_str(scope), _optional_str(group), _optional_str(subscription)
    )
    return _Instance(
        definition=definition,
        bindings=bindings,
        resource_id=resource_id,
        name=name,
        type=resource_type,
        api_version=str(api_version or ""),
        location=_optional_str(location),
        condition=condition and (definition.parent is None or definition.parent.condition),
        existing=bool(raw.get("existing", False)),
        copy=copy,
    )


def _resource_copy(
    definition: _Definition, ctx: EvaluationContext
) -> tuple[str, int, str, int | None] | None:
    spec = definition.raw.get("copy")
    if spec is None:
        return None
    label = str(definition.raw.get("name", definition.template_index))
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise TemplateValidationError(f"The 'copy' of resource '{label}' must be an object with a 'name'")
    count = _copy_count(spec, ctx, f"resource '{label}'")
    mode = str(spec.get("mode", "Parallel")).casefold()
    if mode not in ("parallel", "serial"):
        raise TemplateValidationError(f"The copy mode of resource '{label}' must be 'Parallel' or 'Serial'")
    batch: int | None = None
    if spec.get("batchSize") is not None:
        value = evaluate(spec["batchSize"], ctx)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise TemplateValidationError(
                f"The copy batchSize of resource '{label}' must be a positive integer"
            )
        batch = value
    return str(spec["name"]), count, "Serial" if mode == "serial" else "Parallel", batch


def _instances_of(
    definition: _Definition, ctx: EvaluationContext, bindings: tuple[tuple[str, int, bool], ...]
) -> Iterator[_Instance]:
    copy = _resource_copy(definition, ctx)
    if copy is None:
        yield _evaluate_instance(definition, ctx, bindings, None)
        return
    loop_name, count, mode, batch = copy
    for index in range(count):
        loop_bindings = (*bindings, (loop_name, index, True))
        info = CopyInfo(loop_name, index, count, mode, batch)
        yield _evaluate_instance(
            definition, ctx.with_copy_index(loop_name, index, default=True), loop_bindings, info
        )


def _all_instances(template: Mapping[str, Any], ctx: EvaluationContext) -> list[_Instance]:
    instances: list[_Instance] = []
    counter = itertools.count()

    def visit(definition: _Definition, bindings: tuple[tuple[str, int, bool], ...]) -> None:
        parent_ctx = definition.parent.context(ctx) if definition.parent else ctx
        for instance in _instances_of(definition, parent_ctx, bindings):
            instances.append(instance)
            for child in instance.definition.raw.get("resources") or []:
                if not isinstance(child, Mapping):
                    raise TemplateValidationError(f"The child resources of '{instance.name}' must be objects")
                visit(_Definition(child, next(counter), None, instance), instance.bindings)

    for symbolic, raw in _template_resources(template):
        visit(_Definition(raw, next(counter), symbolic), ())
    return instances


class _DependencyIndex:
    """Resolves ``dependsOn`` entries (names, ids, ``type/name``, copy loops, symbolic names)."""

    def __init__(self, instances: Sequence[_Instance]) -> None:
        self._by_key: dict[str, list[_Instance]] = {}
        for instance in instances:
            keys = {instance.resource_id, instance.name, instance.typed_name}
            if instance.copy:
                keys.add(instance.copy.name)
            if instance.definition.symbolic_name:
                keys.add(instance.definition.symbolic_name)
            for key in keys:
                self._by_key.setdefault(key.casefold(), []).append(instance)

    def resolve(self, entry: str) -> list[_Instance]:
        key = entry.casefold().rstrip("/")
        found = self._by_key.get(key)
        if found is None:
            raise TemplateValidationError(f"The resource '{entry}' is not defined in the template")
        return found

    def try_resolve(self, entry: str) -> list[_Instance]:
        try:
            return self.resolve(entry)
        except TemplateValidationError:
            return []


def _explicit_dependencies(
    instance: _Instance, ctx: EvaluationContext, index: _DependencyIndex
) -> list[_Instance]:
    raw = instance.definition.raw.get("dependsOn") or []
    entries = evaluate(raw, ctx)
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise TemplateValidationError(
            f"The dependsOn of resource '{instance.name}' must be an array of strings"
        )
    return [dependency for entry in entries if isinstance(entry, str) for dependency in index.resolve(entry)]


def _reference_calls(value: Any) -> Iterator[FunctionCall]:
    if isinstance(value, str):
        parsed = parse_template_string(value)
        if not isinstance(parsed, str):
            yield from _calls_in(parsed)
    elif isinstance(value, list):
        for item in value:
            yield from _reference_calls(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _reference_calls(item)


def _calls_in(expr: Expr) -> Iterator[FunctionCall]:
    if isinstance(expr, FunctionCall):
        name = expr.name.casefold()
        if expr.args and (name == "reference" or name.startswith("list")):
            yield expr
        for arg in expr.args:
            yield from _calls_in(arg)
    elif isinstance(expr, (PropertyAccess, IndexAccess)):
        yield from _calls_in(expr.target)
        if isinstance(expr, IndexAccess):
            yield from _calls_in(expr.index)


def _refuse(_request: object) -> JsonValue:
    raise EvaluationError("reference() is not available while computing implicit dependencies")


def _implicit_dependencies(
    instance: _Instance, ctx: EvaluationContext, index: _DependencyIndex
) -> list[_Instance]:
    """Resources named in ``reference()``/``list*()`` calls whose target can be computed statically."""
    static_ctx = replace(ctx, reference_resolver=_refuse, list_resolver=_refuse)
    body = {
        key: value for key, value in instance.definition.raw.items() if key.casefold() not in _STRUCTURAL_KEYS
    }
    found: list[_Instance] = []
    for call in _reference_calls(body):
        try:
            target = static_ctx.evaluate(call.args[0])
        except ArmTemplateError:
            continue
        if isinstance(target, str):
            found.extend(index.try_resolve(target))
    return found


def _serial_dependencies(instance: _Instance, instances: Sequence[_Instance]) -> list[_Instance]:
    copy = instance.copy
    if copy is None or copy.mode != "Serial" or copy.index == 0:
        return []
    batch = copy.batch_size or 1
    previous_batch = copy.index // batch - 1
    if previous_batch < 0:
        return []
    return [
        other
        for other in instances
        if other.definition is instance.definition
        and other.copy is not None
        and other.bindings[:-1] == instance.bindings[:-1]
        and other.copy.index // batch == previous_batch
    ]


_AMBIGUOUS = "\0ambiguous"


def _resource_name_map(instances: Sequence[_Instance]) -> dict[str, str]:
    """Template resource names and symbolic names -> resource id (ambiguous names marked)."""
    names: dict[str, str] = {}
    for instance in instances:
        for key in {instance.name, instance.definition.symbolic_name or instance.name}:
            folded = key.casefold()
            if folded in names and names[folded].casefold() != instance.resource_id.casefold():
                names[folded] = _AMBIGUOUS
            else:
                names[folded] = instance.resource_id
    return names


def expand_resources(template: Mapping[str, Any], ctx: EvaluationContext) -> list[ExpandedResource]:
    """Expand the template's resources into the instances to deploy, in template order.

    Applies ``condition`` (false: the resource is left out and dependencies on it are dropped),
    resource ``copy`` loops (``count``, ``mode``, ``batchSize``; serial batches depend on the
    previous batch), nested child ``resources`` (which depend on their parent) and
    ``existing`` resources (languageVersion 2.0: referenceable, not deployed).  ``dependsOn``
    entries (names, resource ids, ``type/name``, copy loop names or symbolic names) become
    resource ids; ``reference()``/``list*()`` calls on template resources add implicit
    dependencies.  Raises :class:`TemplateValidationError` for unknown dependencies or
    resources defined twice.
    """
    instances = _all_instances(template, ctx)
    names = _resource_name_map(instances)
    base = ctx.with_resource_names(names)
    index = _DependencyIndex(instances)
    _check_duplicates(instances)
    expanded: list[ExpandedResource] = []
    for instance in instances:
        if not instance.condition or instance.existing:
            continue
        instance_ctx = instance.context(base)
        dependencies = [
            *_explicit_dependencies(instance, instance_ctx, index),
            *_implicit_dependencies(instance, instance_ctx, index),
            *_serial_dependencies(instance, instances),
            *([instance.definition.parent] if instance.definition.parent else []),
        ]
        expanded.append(
            ExpandedResource(
                resource_id=instance.resource_id,
                name=instance.name,
                type=instance.type,
                api_version=instance.api_version,
                location=instance.location,
                depends_on=_dependency_ids(instance, dependencies),
                copy=instance.copy,
                definition=instance.definition.raw,
                context=instance_ctx,
                template_index=instance.definition.template_index,
                symbolic_name=instance.definition.symbolic_name,
            )
        )
    return expanded


def _dependency_ids(instance: _Instance, dependencies: Iterable[_Instance]) -> tuple[str, ...]:
    ids: dict[str, None] = {}
    for dependency in dependencies:
        if (
            dependency.condition
            and not dependency.existing
            and dependency.resource_id != instance.resource_id
        ):
            ids.setdefault(dependency.resource_id, None)
    return tuple(ids)


def _check_duplicates(instances: Sequence[_Instance]) -> None:
    seen: set[str] = set()
    for instance in instances:
        if not instance.condition:
            continue
        key = instance.resource_id.casefold()
        if key in seen:
            raise TemplateValidationError(
                f"The resource '{instance.resource_id}' is defined multiple times in the template"
            )
        seen.add(key)


# =============================================================================================
# ordering


def deployment_batches(resources: Sequence[ExpandedResource]) -> list[list[ExpandedResource]]:
    """Group resources into waves: each wave only depends on earlier waves.

    Dependencies on ids that are not in ``resources`` are ignored.  Raises
    :class:`DependencyCycleError` naming the resources of a cycle.
    """
    by_id = {resource.resource_id.casefold(): resource for resource in resources}
    pending = {
        resource.resource_id.casefold(): {
            dep.casefold() for dep in resource.depends_on if dep.casefold() in by_id
        }
        for resource in resources
    }
    batches: list[list[ExpandedResource]] = []
    while pending:
        ready = [
            resource
            for resource in resources
            if resource.resource_id.casefold() in pending and not pending[resource.resource_id.casefold()]
        ]
        if not ready:
            cycle = _find_cycle(pending)
            names = " -> ".join(by_id[key].name for key in cycle)
            raise DependencyCycleError(
                f"Circular dependency detected on resources: {names}",
                tuple(by_id[key].resource_id for key in cycle),
            )
        batches.append(ready)
        done = {resource.resource_id.casefold() for resource in ready}
        pending = {key: deps - done for key, deps in pending.items() if key not in done}
    return batches


def deployment_order(resources: Sequence[ExpandedResource]) -> list[ExpandedResource]:
    """Topologically sort ``resources`` by ``depends_on`` (stable: template order when free).

    Raises :class:`DependencyCycleError` when the dependencies contain a cycle.
    """
    return [resource for batch in deployment_batches(resources) for resource in batch]


def _find_cycle(pending: Mapping[str, set[str]]) -> list[str]:
    start = next(iter(pending))
    path: list[str] = []
    node = start
    while node not in path:
        path.append(node)
        node = next(iter(sorted(pending[node])))
    return [*path[path.index(node) :], node]


# =============================================================================================
# outputs


_OUTPUT_TYPES = {
    "string": "String",
    "securestring": "SecureString",
    "int": "Int",
    "bool": "Bool",
    "object": "Object",
    "secureobject": "SecureObject",
    "array": "Array",
}


def evaluate_outputs(template: Mapping[str, Any], ctx: EvaluationContext) -> dict[str, dict[str, JsonValue]]:
    """Evaluate the template's outputs as ARM reports them: ``{name: {"type": "String", "value": ...}}``.

    Outputs whose ``condition`` is false are left out; an output ``copy`` (``count`` and
    ``input``, ``copyIndex()`` refers to it) produces an array.  Values are checked against the
    declared type.  ``reference('name')`` works for the template's resources.
    """
    outputs = _mapping_section(template, "outputs")
    names = _resource_name_map(_all_instances(template, ctx))
    base = ctx.with_resource_names(names)
    result: dict[str, dict[str, JsonValue]] = {}
    for name, spec in outputs.items():
        if not isinstance(spec, Mapping):
            raise TemplateValidationError(f"The output '{name}' must be an object")
        condition = evaluate(spec.get("condition", True), base)
        if not isinstance(condition, bool):
            raise TemplateValidationError(f"The condition of output '{name}' must be a boolean")
        if not condition:
            continue
        declared = _OUTPUT_TYPES.get(str(spec.get("type", "")).casefold())
        if declared is None:
            raise TemplateValidationError(f"The output '{name}' has an invalid type '{spec.get('type')}'")
        value = _output_value(name, spec, base)
        _check_output_type(name, declared, value)
        result[name] = {"type": declared, "value": value}
    return result


def _output_value(name: str, spec: Mapping[str, Any], ctx: EvaluationContext) -> JsonValue:
    copy = spec.get("copy")
    if copy is None:
        return evaluate(spec.get("value"), ctx)
    if not isinstance(copy, Mapping) or "input" not in copy:
        raise TemplateValidationError(f"The copy of output '{name}' needs 'count' and 'input'")
    count = _copy_count(copy, ctx, f"output '{name}'")
    return [evaluate(copy["input"], ctx.with_copy_index(name, index, default=True)) for index in range(count)]


def _check_output_type(name: str, declared: str, value: JsonValue) -> None:
    checks: dict[str, Callable[[JsonValue], bool]] = {
        "String": lambda v: isinstance(v, str),
        "SecureString": lambda v: isinstance(v, str),
        "Int": is_int,
        "Bool": lambda v: isinstance(v, bool),
        "Object": lambda v: v is None or isinstance(v, dict),
        "SecureObject": lambda v: v is None or isinstance(v, dict),
        "Array": lambda v: isinstance(v, list),
    }
    if not checks[declared](value):
        raise TemplateValidationError(
            f"The template output '{name}' is not valid: expected a value of type '{declared}', got {type_name(value)}"
        )
