"""Deploying ARM templates into the emulated subscription.

:meth:`DeploymentEngine.deploy` does what ARM does with a deployment PUT:

1. **preflight** (:meth:`DeploymentEngine.prepare`, failures answer ``400`` at once): the request is
   parsed; every expression is parsed and its functions looked up (``InvalidTemplate`` names an
   unsupported function); parameters are bound and validated; resources are expanded (conditions,
   copy loops) and ordered by their dependencies (an unknown ``dependsOn`` or a cycle is
   ``InvalidTemplate``); each resource's type must be supported and pass its resource provider's
   static checks (``InvalidTemplateDeployment`` with the provider's error in ``details``);
2. **execution**: resources are written wave by wave (:func:`~..arm.deployment_batches`), their
   bodies evaluated just before, so ``reference()``/``list*()`` see what earlier waves created.
   A failing resource fails alone; resources depending on it are skipped; independent ones still
   deploy.  Inline nested deployments (``Microsoft.Resources/deployments``, inner or outer scope)
   run as deployments of their own.  In ``Complete`` mode, top-level resources of the group that
   the template does not declare are deleted once every resource succeeded;
3. **outputs** are evaluated; the record gets ``Succeeded`` or ``Failed`` with ARM's
   ``DeploymentFailed`` error whose ``details`` hold each resource's error; every step is a
   deployment operation with its ``statusCode``.

Not emulated: ``onErrorDeployment`` (recorded, not acted on: iacli rolls back itself), linked
templates, deployments at subscription/management-group/tenant scope, complete mode in nested
deployments (they run incrementally).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ..arm import (
    ArmTemplateError,
    DeploymentInfo,
    EvaluationContext,
    ExpandedResource,
    ResourceGroupInfo,
    SubscriptionInfo,
    TenantInfo,
    deployment_batches,
    evaluate_outputs,
    expand_resources,
)
from ..arm.evaluator import _all_instances
from .errors import STATUS_TEXT, ArmError, group_not_found
from .evaluation import lenient_body
from .ids import parse_resource_id
from .keyvault_refs import resolve_references
from .preflight import (
    DeploymentRequest,
    check_functions,
    invalid_template,
    nested_literal_resources,
    parse_request,
    qualify_child_types,
)
from .resources import ResourceProviders
from .state import DeploymentRecord, EmulatorState, OperationRecord, ParameterRecord, ResourceGroup, utc_now
from .views import deployment_properties

JsonDict = dict[str, Any]

DEPLOYMENT_FAILED_MESSAGE = (
    "At least one resource deployment operation failed. Please list deployment operations for details. "
    "Please see https://aka.ms/arm-deployment-operations for usage details."
)


@dataclass
class Prepared:
    """A deployment that passed preflight: its bound context and ordered resources."""

    group: ResourceGroup
    name: str
    request: DeploymentRequest
    context: EvaluationContext
    resources: list[ExpandedResource]
    batches: list[list[ExpandedResource]]
    parameter_names: tuple[str, ...] = ()
    retained_ids: set[str] = field(default_factory=set)
    source_template: dict[str, Any] = field(default_factory=dict)
    """The template as sent (``request.template`` is what is evaluated, see :func:`qualify_child_types`)."""
    """Lower-cased ids complete mode must keep although they are not deployed (condition false)."""


@dataclass
class _Outcome:
    errors: list[ArmError] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


class DeploymentEngine:
    """Runs deployments, validations and nested deployments against an :class:`EmulatorState`."""

    def __init__(self, providers: ResourceProviders) -> None:
        self.providers = providers
        self._pending: dict[tuple[str, str], Prepared] = {}

    @property
    def state(self) -> EmulatorState:
        """The emulated subscription."""
        return self.providers.state

    # ------------------------------------------------------------------- public verbs
    def deploy(self, group: str, name: str, body: Any) -> DeploymentRecord:
        """Start deployment ``name`` in ``group`` from a PUT body; returns its record.

        Preflight failures raise :class:`ArmError` (400/404).  With ``async_polls`` 0 the
        deployment has run when this returns; otherwise it runs when its status is polled.
        """
        request = parse_request(body)
        with self.state.locked():
            self.settle()
            prepared = self.prepare(group, name, request)
            record = self._new_record(prepared)
            self.state.put_deployment(record)
            if self.providers.options.async_polls > 0:
                self._pending[_pending_key(group, name)] = prepared
            else:
                self._run(prepared, record)
            return record

    def validate(self, group: str, name: str, body: Any) -> JsonDict:
        """Preflight only (``POST .../validate``): the validation result body."""
        request = parse_request(body)
        with self.state.locked():
            prepared = self.prepare(group, name, request)
            record = self._new_record(prepared)
            record.provisioning_state = "Succeeded"
            record.validated_resources = [resource.resource_id for resource in prepared.resources]
            return {
                "id": f"/subscriptions/{self.state.subscription_id}/resourceGroups/{prepared.group.name}"
                f"/providers/Microsoft.Resources/deployments/{name}",
                "name": name,
                "type": "Microsoft.Resources/deployments",
                "properties": deployment_properties(record),
            }

    def settle(self, group: str | None = None, name: str | None = None) -> None:
        """Run pending deployments (all, or only ``group``/``name``)."""
        with self.state.locked():
            for (pending_group, pending_name), prepared in list(self._pending.items()):
                if group is not None and (pending_group, pending_name) != _pending_key(group, name or ""):
                    continue
                del self._pending[(pending_group, pending_name)]
                record = self.state.deployment(prepared.group.name, prepared.name)
                if record is not None:
                    self._run(prepared, record)

    def is_pending(self, group: str, name: str) -> bool:
        """True while a deployment waits for its status polls (``async_polls``)."""
        return _pending_key(group, name) in self._pending

    def cancel(self, group: str, name: str) -> None:
        """Cancel a deployment that has not run yet; ``DeploymentCannotBeCancelled`` otherwise."""
        with self.state.locked():
            record = self.state.deployment(group, name)
            if record is None:
                raise ArmError("DeploymentNotFound", f"Deployment '{name}' could not be found.", status=404)
            if self._pending.pop(_pending_key(group, name), None) is None:
                raise ArmError(
                    "DeploymentCannotBeCancelled",
                    f"The deployment '{name}' cannot be cancelled: its provisioning state is "
                    f"'{record.provisioning_state}'.",
                    status=409,
                )
            record.provisioning_state = "Canceled"
            record.duration = "PT0S"

    def forget_pending(self) -> None:
        """Drop every pending deployment (the state was reset)."""
        self._pending.clear()

    # ------------------------------------------------------------------------ preflight
    def prepare(self, group_name: str, name: str, request: DeploymentRequest) -> Prepared:
        """Preflight validation; raises 400/404 :class:`ArmError` s (see the module docstring)."""
        group = self.state.group(group_name)
        if group is None:
            raise group_not_found(group_name)
        check_functions(request.template)
        if request.references:
            resolved = resolve_references(self.state, request.references)
            request = replace(request, parameters={**request.parameters, **resolved})
        try:
            context = self._context(request, group, name)
            prepared = self._expanded(group, name, request, context)
        except ArmTemplateError as error:
            raise invalid_template(str(error)) from error
        errors = self._preflight_errors(prepared)
        for resource_type, resource_name in nested_literal_resources(request.template):
            errors.extend(_collect(self.providers.check_supported, "", resource_type, resource_name))
        if errors:
            raise _invalid_deployment(name, errors)
        return prepared

    def nested(self, resource: ExpandedResource, parent: Prepared) -> Prepared:
        """Preflight the inline nested deployment ``resource`` of ``parent``."""
        nested = resource.nested_deployment()
        if (
            nested.subscription_id
            and nested.subscription_id.casefold() != self.state.subscription_id.casefold()
        ):
            raise ArmError(
                "SubscriptionNotFound",
                f"The subscription '{nested.subscription_id}' could not be found.",
                status=404,
            )
        target_name = nested.resource_group_name or parent.group.name
        target = self.state.group(target_name)
        if target is None:
            raise group_not_found(target_name)
        request = DeploymentRequest(
            template=dict(nested.template), parameters=dict(nested.parameter_values), mode="Incremental"
        )
        if nested.scope == "inner":
            context = self._context(request, target, nested.name)
        elif target.name.casefold() != parent.group.name.casefold():
            raise ArmError(
                "InvalidTemplateDeployment",
                f"The nested deployment '{nested.name}' deploys to resource group '{target.name}' with "
                "expressionEvaluationOptions scope 'outer': the emulator supports cross-group nested deployments "
                "only with scope 'inner'.",
            )
        else:
            context = resource.context
        prepared = self._expanded(target, nested.name, request, context)
        errors = self._preflight_errors(prepared)
        if errors:
            raise _invalid_deployment(nested.name, errors)
        return prepared

    def _context(self, request: DeploymentRequest, group: ResourceGroup, name: str) -> EvaluationContext:
        return EvaluationContext.create(
            request.template,
            request.parameters,
            resource_group=ResourceGroupInfo(group.name, group.location, dict(group.tags), group.managed_by),
            subscription=SubscriptionInfo(self.state.subscription_id, self.state.tenant_id),
            tenant=TenantInfo(self.state.tenant_id),
            deployment=DeploymentInfo(name=name, mode=request.mode),
            reference_resolver=self.providers.reference,
            list_resolver=self.providers.list_values,
            now=datetime.now(timezone.utc),
        )

    def _expanded(
        self, group: ResourceGroup, name: str, request: DeploymentRequest, context: EvaluationContext
    ) -> Prepared:
        source = request.template
        request = replace(request, template=qualify_child_types(source))
        if context.template is source:
            context = replace(context, template=request.template)
        resources = _with_absolute_scopes(expand_resources(request.template, context), context)
        batches = deployment_batches(resources)
        deployed = {resource.resource_id.casefold() for resource in resources}
        retained = {
            instance.resource_id.casefold()
            for instance in _all_instances(request.template, context)
            if instance.resource_id.casefold() not in deployed
        }
        parameters = request.template.get("parameters") or {}
        return Prepared(
            group, name, request, context, resources, batches, tuple(parameters), retained, dict(source)
        )

    def _preflight_errors(self, prepared: Prepared) -> list[ArmError]:
        errors: list[ArmError] = []
        for resource in prepared.resources:
            if resource.is_nested_deployment:
                continue
            body = lenient_body(resource)
            errors.extend(
                _collect(
                    self.providers.preflight,
                    resource.resource_id,
                    resource.api_version,
                    resource.location,
                    body,
                )
            )
        return errors

    # ------------------------------------------------------------------------ execution
    def _new_record(self, prepared: Prepared) -> DeploymentRecord:
        template = prepared.source_template or prepared.request.template
        return DeploymentRecord(
            group=prepared.group.name,
            name=prepared.name,
            template=json.loads(json.dumps(template)),
            template_hash=template_hash(template),
            parameters=_parameter_records(prepared),
            mode=prepared.request.mode,
            provisioning_state="Running",
            correlation_id=str(uuid.uuid4()),
            timestamp=utc_now(),
            tags=dict(prepared.request.tags),
            on_error_deployment=prepared.request.on_error_deployment,
        )

    def _run(self, prepared: Prepared, record: DeploymentRecord) -> list[str]:
        """Execute ``prepared`` into ``record``; returns the ids written (nested ones included)."""
        started = time.monotonic()
        outcome = self._execute(prepared, record)
        if not outcome.errors and prepared.request.mode == "Complete" and record.parent is None:
            self._delete_undeclared(prepared, record, outcome)
        if not outcome.errors:
            self._outputs(prepared, record, outcome)
        record.output_resources = sorted(set(outcome.written), key=str.casefold)
        record.provisioning_state = "Failed" if outcome.errors else "Succeeded"
        if outcome.errors:
            record.error = ArmError(
                "DeploymentFailed", DEPLOYMENT_FAILED_MESSAGE, details=outcome.errors
            ).to_dict()
        record.timestamp = utc_now()
        record.duration = f"PT{time.monotonic() - started:.3f}S"
        return outcome.written

    def _execute(self, prepared: Prepared, record: DeploymentRecord) -> _Outcome:
        outcome = _Outcome()
        failed: set[str] = set()
        for batch in prepared.batches:
            for resource in batch:
                if any(dependency.casefold() in failed for dependency in resource.depends_on):
                    failed.add(resource.resource_id.casefold())
                    continue
                started = time.monotonic()
                try:
                    created, written = self._apply(resource, prepared, record)
                except ArmError as error:
                    self._record_failure(record, resource, error, started, outcome, failed)
                except ArmTemplateError as error:
                    wrapped = ArmError(
                        "InvalidTemplate",
                        f"Unable to process template language expressions for resource '{resource.resource_id}'. "
                        f"{error}",
                        target=resource.resource_id,
                    )
                    self._record_failure(record, resource, wrapped, started, outcome, failed)
                else:
                    outcome.written.extend(written)
                    status = 201 if created else 200
                    record.operations.append(_operation(resource, "Create", "Succeeded", status, started))
        return outcome

    def _record_failure(
        self,
        record: DeploymentRecord,
        resource: ExpandedResource,
        error: ArmError,
        started: float,
        outcome: _Outcome,
        failed: set[str],
    ) -> None:
        record.operations.append(
            _operation(resource, "Create", "Failed", error.status, started, error.to_dict())
        )
        outcome.errors.append(error)
        failed.add(resource.resource_id.casefold())

    def _apply(
        self, resource: ExpandedResource, prepared: Prepared, record: DeploymentRecord
    ) -> tuple[bool, list[str]]:
        if resource.is_nested_deployment:
            return self._apply_nested(resource, prepared, record)
        body = resource.evaluate_body()
        _, created = self.providers.put(
            resource.resource_id, resource.api_version, resource.location, body, deployment=record.name
        )
        return created, [resource.resource_id]

    def _apply_nested(
        self, resource: ExpandedResource, prepared: Prepared, record: DeploymentRecord
    ) -> tuple[bool, list[str]]:
        child = self.nested(resource, prepared)
        created = self.state.deployment(child.group.name, child.name) is None
        child_record = self._new_record(child)
        child_record.parent = record.name
        self.state.put_deployment(child_record)
        written = self._run(child, child_record)
        if child_record.provisioning_state != "Succeeded":
            details = [_error_from_dict(item) for item in (child_record.error or {}).get("details", [])]
            raise ArmError(
                "DeploymentFailed", DEPLOYMENT_FAILED_MESSAGE, details=details, target=resource.resource_id
            )
        return created, written

    def _delete_undeclared(self, prepared: Prepared, record: DeploymentRecord, outcome: _Outcome) -> None:
        keep = {resource_id.casefold() for resource_id in outcome.written} | prepared.retained_ids
        for resource in self.state.resources(prepared.group.name):
            parsed = parse_resource_id(resource.id)
            if parsed is None or not parsed.is_top_level or resource.id.casefold() in keep:
                continue
            started = time.monotonic()
            self.providers.delete(resource.id)
            record.operations.append(
                OperationRecord(
                    operation_id=_operation_id(),
                    provisioning_operation="Delete",
                    provisioning_state="Succeeded",
                    status_code="OK",
                    timestamp=utc_now(),
                    duration=_duration(started),
                    target_id=resource.id,
                    target_type=resource.type,
                    target_name=resource.name,
                    target_api_version=resource.api_version,
                )
            )

    def _outputs(self, prepared: Prepared, record: DeploymentRecord, outcome: _Outcome) -> None:
        started = time.monotonic()
        try:
            record.outputs = _without_secure_values(
                evaluate_outputs(prepared.request.template, prepared.context)
            )
        except (ArmTemplateError, ArmError) as error:
            inner = error if isinstance(error, ArmError) else ArmError("InvalidTemplate", str(error))
            failure = ArmError(
                "DeploymentOutputEvaluationFailed",
                "Unable to evaluate template outputs. Please see error details and deployment operations.",
                details=[inner],
            )
            outcome.errors.append(failure)
            record.operations.append(_output_operation("Failed", started, failure.to_dict()))
        else:
            record.operations.append(_output_operation("Succeeded", started, None))


# ------------------------------------------------------------------------------ helpers


def template_hash(template: Any) -> str:
    """ARM-like template hash: a decimal number derived from the template's canonical JSON
    (the same formula as ``deployment().properties.templateHash`` in the evaluator)."""
    canonical = json.dumps(template, sort_keys=True)
    return str(int(hashlib.sha256(canonical.encode()).hexdigest()[:16], 16))


def _parameter_records(prepared: Prepared) -> dict[str, ParameterRecord]:
    definitions = prepared.request.template.get("parameters") or {}
    records: dict[str, ParameterRecord] = {}
    for name in prepared.parameter_names:
        spec = definitions.get(name) or {}
        declared = str(spec.get("type", "string")) if isinstance(spec, dict) else "string"
        kind = {"securestring": "SecureString", "secureobject": "SecureObject"}.get(
            declared.casefold(), declared[:1].upper() + declared[1:]
        )
        value = prepared.context.parameter(name)
        reference = prepared.request.references.get(name)
        if reference is not None:
            digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
            records[name] = ParameterRecord(kind, None, digest, reference)
        elif kind.startswith("Secure"):
            digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
            records[name] = ParameterRecord(kind, None, digest)
        else:
            records[name] = ParameterRecord(kind, value)
    return records


def _without_secure_values(outputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """ARM never returns (nor does the emulator keep) the value of a ``secureString``/``secureObject`` output."""
    return {
        name: {"type": output["type"]} if str(output["type"]).startswith("Secure") else output
        for name, output in outputs.items()
    }


def _with_absolute_scopes(
    resources: list[ExpandedResource], context: EvaluationContext
) -> list[ExpandedResource]:
    """Work around the evaluator: an extension resource whose ``scope`` is a relative resource name
    (``Microsoft.Storage/storageAccounts/x``, as Bicep writes it) gets an id without subscription
    and group; ARM reads that scope relative to the deployment's resource group."""
    prefix = f"/subscriptions/{context.current_subscription_id()}/resourceGroups/{context.current_resource_group_name()}/providers/"

    def absolute(resource_id: str) -> str:
        return resource_id if resource_id.startswith("/") else prefix + resource_id

    if all(resource.resource_id.startswith("/") for resource in resources):
        return resources
    return [
        replace(
            resource,
            resource_id=absolute(resource.resource_id),
            depends_on=tuple(absolute(dependency) for dependency in resource.depends_on),
        )
        for resource in resources
    ]


def _collect(check: Callable[..., None], *args: Any) -> list[ArmError]:
    try:
        check(*args)
    except ArmError as error:
        return [error]
    return []


def _invalid_deployment(name: str, errors: list[ArmError]) -> ArmError:
    return ArmError(
        "InvalidTemplateDeployment",
        f"The template deployment '{name}' is not valid according to the validation procedure. "
        f"The tracking id is '{uuid.uuid4()}'. See inner errors for details.",
        details=errors,
    )


def _error_from_dict(data: JsonDict) -> ArmError:
    return ArmError(
        str(data.get("code")),
        str(data.get("message")),
        details=[_error_from_dict(item) for item in data.get("details") or []],
        target=data.get("target"),
    )


def _pending_key(group: str, name: str) -> tuple[str, str]:
    return group.casefold(), name.casefold()


def _operation_id() -> str:
    return uuid.uuid4().hex[:16].upper()


def _duration(started: float) -> str:
    return f"PT{time.monotonic() - started:.3f}S"


def _operation(
    resource: ExpandedResource,
    operation: str,
    state: str,
    status: int,
    started: float,
    error: JsonDict | None = None,
) -> OperationRecord:
    return OperationRecord(
        operation_id=_operation_id(),
        provisioning_operation=operation,
        provisioning_state=state,
        status_code=STATUS_TEXT.get(status, str(status)),
        timestamp=utc_now(),
        duration=_duration(started),
        target_id=resource.resource_id,
        target_type=resource.type,
        target_name=resource.name,
        target_api_version=resource.api_version,
        error=error,
    )


def _output_operation(state: str, started: float, error: JsonDict | None) -> OperationRecord:
    return OperationRecord(
        operation_id=_operation_id(),
        provisioning_operation="EvaluateDeploymentOutput",
        provisioning_state=state,
        status_code="OK" if error is None else "BadRequest",
        timestamp=utc_now(),
        duration=_duration(started),
        error=error,
    )
