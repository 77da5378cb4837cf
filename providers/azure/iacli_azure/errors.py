"""Azure SDK failures -> iacli errors, by exception class and ARM error code (never by message text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from iacli.errors import IacliError, NotFoundError, ParameterError, ProviderError, TemplateError

CREDENTIALS_HINT = ("sign in (`az login`, a service principal in AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, "
                    "or a managed identity) or use --target sandbox")

# ARM error code -> (iacli error class, hint)
ERROR_CODES: dict[str, tuple[type[IacliError], str | None]] = {
    "AuthorizationFailed": (ProviderError, CREDENTIALS_HINT),
    "InvalidAuthenticationToken": (ProviderError, CREDENTIALS_HINT),
    "ExpiredAuthenticationToken": (ProviderError, CREDENTIALS_HINT),
    "SubscriptionNotFound": (ProviderError, "check AZURE_SUBSCRIPTION_ID"),
    "InvalidSubscriptionId": (ProviderError, "check AZURE_SUBSCRIPTION_ID"),
    "ResourceGroupNotFound": (NotFoundError, "deploy the stack first, or check --name/--env/--target"),
    "DeploymentNotFound": (NotFoundError, "deploy the stack first"),
    "ResourceNotFound": (NotFoundError, None),
    "NotFound": (NotFoundError, None),
    "InvalidTemplate": (TemplateError, "`iacli validate` checks the template offline"),
    "InvalidTemplateDeployment": (TemplateError, "the details name the resource ARM refused"),
    "InvalidDeploymentParameterValue": (TemplateError, "check the parameter values"),
    "MissingSubscriptionRegistration": (ProviderError, "register the resource provider: az provider register -n NS"),
    "NoRegisteredProviderFound": (ProviderError, "check the resource type and its apiVersion"),
    "DeploymentActive": (ProviderError, "another deployment runs in this resource group; wait for it"),
    "ResourceGroupBeingDeleted": (ProviderError, "the resource group is being deleted; wait, then deploy again"),
    "KeyVaultParameterReferenceNotFound": (ParameterError, "check the vault of the secret reference"),
    "KeyVaultParameterReferenceSecretRetrieveFailed": (
        ParameterError, ("the vault needs enabledForTemplateDeployment: true, the secret must exist in it, and "
                         "you need Microsoft.KeyVault/vaults/deploy/action on the vault")),
}


def error_code(exc: BaseException) -> str | None:
    """The ARM error code of an azure-core ``HttpResponseError`` (``e.error.code``), else None."""
    error: Any = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    return str(code) if code else None


def error_message(exc: BaseException) -> str:
    error: Any = getattr(exc, "error", None)
    message = getattr(error, "message", None)
    if message:
        details = getattr(error, "details", None) or []
        inner = [f"{getattr(d, 'code', '')}: {getattr(d, 'message', '')}" for d in details if getattr(d, "code", None)]
        return str(message) + (f" ({'; '.join(inner)})" if inner else "")
    return str(getattr(exc, "message", None) or exc).splitlines()[0]


@contextmanager
def azure_errors(action: str) -> Iterator[None]:
    """Turn azure-core exceptions raised inside the block into iacli errors naming ``action``."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    try:
        yield
    except ClientAuthenticationError as exc:
        raise ProviderError(f"{action}: authentication failed: {error_message(exc)}", hint=CREDENTIALS_HINT) from None
    except HttpResponseError as exc:
        raise mapped(action, exc) from None
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise ProviderError(f"{action}: cannot reach Azure Resource Manager: {exc}") from None
    except _credential_errors() as exc:
        raise ProviderError(f"{action}: no Azure credentials: {exc}", hint=CREDENTIALS_HINT) from None


def mapped(action: str, exc: BaseException) -> IacliError:
    """The iacli error for an ARM error (its class and hint chosen by the code)."""
    code = error_code(exc)
    cls, hint = ERROR_CODES.get(code or "", (ProviderError, None))
    return cls(f"{action}: {code or 'error'}: {error_message(exc)}", hint=hint)


def _credential_errors() -> tuple[type[BaseException], ...]:
    try:
        from azure.identity import CredentialUnavailableError
    except ImportError:  # pragma: no cover - azure-identity is a dependency
        return ()
    return (CredentialUnavailableError,)
