"""ARM-shaped errors raised by the emulator.

Every failure the emulator reports to a client is an :class:`ArmError`: an ARM error ``code``, a
``message``, optional ``details`` (more ARM errors) and the HTTP status the REST surface answers with.
The codes are Azure Resource Manager's own (``InvalidTemplate``, ``ResourceNotFound``...), so callers
match codes, never message text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ArmError(Exception):
    """An error in ARM's shape: ``{"error": {"code", "message", "target"?, "details"}}``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        details: Sequence[ArmError] = (),
        target: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = tuple(details)
        self.target = target

    def to_dict(self) -> dict[str, Any]:
        """The inner error object (what goes under ``"error"``)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            body["target"] = self.target
        body["details"] = [detail.to_dict() for detail in self.details]
        return body

    def to_response(self) -> dict[str, Any]:
        """The response body ARM sends for this error."""
        return {"error": self.to_dict()}


STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "NoContent",
    400: "BadRequest",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    500: "InternalServerError",
}
"""ARM's spelling of HTTP statuses, as used in deployment operations' ``statusCode``."""


def not_found(resource_type: str, name: str, group: str | None) -> ArmError:
    """ARM's ``ResourceNotFound`` for a resource of ``resource_type`` named ``name``."""
    where = f" under resource group '{group}'" if group else ""
    return ArmError(
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}'{where} was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        status=404,
    )


def group_not_found(group: str) -> ArmError:
    """ARM's ``ResourceGroupNotFound``."""
    return ArmError("ResourceGroupNotFound", f"Resource group '{group}' could not be found.", status=404)
