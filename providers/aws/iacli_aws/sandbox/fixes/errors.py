"""Fix (f): a resource that fails is reported as a CloudFormation error naming it; the stack says FAILED.

moto behaviour corrected:

- An error from a resource's service (say DynamoDB's ``ResourceInUseException``) propagates out of
  CreateStack/UpdateStack/ExecuteChangeSet as that service's error. Through the CloudFormation
  (query protocol) endpoint a JSON-protocol error body cannot be parsed: botocore raises
  ``ResponseParserError``; a plain Python exception becomes an HTTP 500 that botocore retries. Now
  every resource failure is a CloudFormation ``ValidationError`` (HTTP 400) whose message names the
  logical id, the type, the operation and the service's own error code and message.
- The stack stays CREATE_IN_PROGRESS (or keeps its previous status) after a failure. It is now
  CREATE_FAILED or UPDATE_FAILED (AWS's statuses for a failure that was not rolled back; the sandbox
  never rolls back by itself: iacli does), with a stack event giving the reason; a failed change set
  execution is EXECUTE_FAILED.
- Listing the resources of a stack whose creation failed re-ran the creation of the resources not
  created yet (moto's lazy resource map creates on access), failing again. Listing now shows only
  resources that exist, and never creates any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack

from ._patching import replace

_NOT_FOUND_CODES = ("NotFound", "NoSuch", "DoesNotExist", "NotExist")


def error_code(error: BaseException) -> str:
    """The AWS error code of a moto exception (its class name for other exceptions)."""
    code = getattr(error, "error_type", None) or getattr(error, "code", None)
    return code.split("#")[-1] if isinstance(code, str) else type(error).__name__


def describe_error(error: BaseException) -> str:
    """``Code: message`` of a moto service error, or of any exception."""
    if isinstance(error, ResourceFailed):
        return error.message
    message = getattr(error, "message", None) or str(error)
    return f"{error_code(error)}: {message}"


def is_not_found(error: BaseException) -> bool:
    """Whether ``error`` says the thing does not exist (by error code, never by message text)."""
    if isinstance(error, ResourceFailed):
        return is_not_found(error.cause)
    return isinstance(error, KeyError) or any(marker in error_code(error) for marker in _NOT_FOUND_CODES)


class ResourceFailed(ValidationError):
    """A resource could not be created, updated or deleted; raised as a CloudFormation ValidationError."""

    def __init__(self, logical_id: str, resource_type: str, operation: str, cause: BaseException) -> None:
        super().__init__(
            message=f"Resource {logical_id} ({resource_type}) failed to {operation}: {describe_error(cause)}"
        )
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.cause = cause


def _naming_failures(operation: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def parse_and_apply(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            try:
                return original(logical_id, resource_json, *args, **kwargs)
            except ResourceFailed:
                raise
            except Exception as error:
                raise ResourceFailed(logical_id, str(resource_json.get("Type")), operation, error) from error

        return parse_and_apply

    return make


_naming_create_failures = _naming_failures("create")
_naming_update_failures = _naming_failures("update")


Locator = Callable[..., tuple[Stack | None, str]]


def _marking_failed(locate: Locator) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a backend operation: on a resource failure, give the stack ``locate`` finds a FAILED status."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def operation(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            except ResourceFailed as error:
                stack, status = locate(self, *args, **kwargs)
                if stack is not None:
                    stack.status = status
                    stack._add_stack_event(status, resource_status_reason=error.message)
                raise

        return operation

    return make


def _stack_named(
    backend: CloudFormationBackend, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Stack | None:
    name = kwargs.get("name", args[0] if args else None)
    return next((s for s in backend.stacks.values() if s.name == name), None)


def _created_stack(backend: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[Stack | None, str]:
    return _stack_named(backend, args, kwargs), "CREATE_FAILED"


def _updated_stack(backend: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[Stack | None, str]:
    return _stack_named(backend, args, kwargs), "UPDATE_FAILED"


def _executed_stack(backend: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[Stack | None, str]:
    change_set = backend.describe_change_set(kwargs.get("change_set_name", args[0] if args else ""))
    if change_set is None:
        return None, "FAILED"
    change_set.execution_status = "EXECUTE_FAILED"
    return backend.stacks.get(change_set.stack_id), f"{change_set.change_set_type}_FAILED"


_marking_failed_create = _marking_failed(_created_stack)
_marking_failed_update = _marking_failed(_updated_stack)
_marking_failed_execute = _marking_failed(_executed_stack)


def _existing_resources(_original: Callable[..., Any]) -> property:
    def stack_resources(self: Stack) -> Iterable[Any]:
        resource_map = self.resource_map
        parsed = (resource_map._parsed_resources.get(name) for name in resource_map.resources)
        return [resource for resource in parsed if resource is not None and not isinstance(resource, str)]

    return property(stack_resources)


def apply() -> None:
    """Install the failure behaviour described in the module docstring (after :mod:`.updates`)."""
    replace(parsing, "parse_and_create_resource", _naming_create_failures)
    replace(parsing, "parse_and_update_resource", _naming_update_failures)
    replace(CloudFormationBackend, "create_stack", _marking_failed_create)
    replace(CloudFormationBackend, "update_stack", _marking_failed_update)
    replace(CloudFormationBackend, "execute_change_set", _marking_failed_execute)
    replace(Stack, "stack_resources", _existing_resources)
