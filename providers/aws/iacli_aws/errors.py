"""botocore failures -> iacli errors, by exception class and AWS error code (never by message text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from iacli.errors import ProviderError

CREDENTIAL_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
     "SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException"}
)
_CREDENTIALS_HINT = "configure credentials (AWS_PROFILE, --profile, SSO login) or use --target sandbox"


def error_code(exc: Exception) -> str | None:
    """The AWS error code of a ClientError, else None."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "") or None
    return None


def error_message(exc: Exception) -> str:
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message") or exc)
    return str(exc)


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Turn botocore exceptions raised inside the block into ProviderError naming ``action``."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    try:
        yield
    except (bx.NoCredentialsError, bx.PartialCredentialsError, bx.NoRegionError) as exc:
        raise ProviderError(f"{action}: {exc}", hint=_CREDENTIALS_HINT) from None
    except bx.EndpointConnectionError as exc:
        raise ProviderError(f"{action}: cannot reach {exc.kwargs.get('endpoint_url')}") from None
    except bx.ClientError as exc:
        code = error_code(exc)
        hint = _CREDENTIALS_HINT if code in CREDENTIAL_CODES else None
        raise ProviderError(f"{action}: {code}: {error_message(exc)}", hint=hint) from None
    except (bx.BotoCoreError, ResponseParserError) as exc:
        raise ProviderError(f"{action}: {exc}") from None
