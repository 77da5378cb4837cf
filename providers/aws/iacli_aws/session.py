"""boto3 clients for a target: the real cloud through the usual credential chain, or the sandbox."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from typing import Any

from iacli.errors import ProviderError
from iacli.providers import Target, TargetKind

DEFAULT_REGION = "us-east-1"
SANDBOX_CREDENTIALS = {"aws_access_key_id": "iacli", "aws_secret_access_key": "sandbox"}
SANDBOX_ACCOUNT_ID = "123456789012"  # moto's account; the sandbox server is started without MOTO_ACCOUNT_ID


class AwsSession:
    """Lazily created clients (adaptive retries) for one target."""

    def __init__(
        self, target: Target, endpoint: Callable[[], str] | None, clients: dict[str, Any] | None = None
    ) -> None:
        self.target = target
        self._endpoint = endpoint
        self._clients: dict[str, Any] = dict(clients or {})

    @property
    def region(self) -> str:
        return self.target.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION

    @property
    def location(self) -> str:
        """``sandbox:<region>`` or ``aws:<region>``."""
        return f"{'sandbox' if self.target.kind is TargetKind.SANDBOX else 'aws'}:{self.region}"

    @cached_property
    def _session(self) -> Any:
        # botocore's session is what boto3 wraps; using it directly skips boto3's resource layer and
        # s3transfer (~0.08 s of imports on every command).
        import botocore.session

        session = botocore.session.Session(profile=None if self.target.kind is TargetKind.SANDBOX else self.target.profile)
        if self.target.profile and self.target.kind is not TargetKind.SANDBOX:
            from botocore.exceptions import ProfileNotFound

            try:
                session.get_scoped_config()
            except ProfileNotFound as exc:
                raise ProviderError(f"AWS profile: {exc}", hint="check --profile or AWS_PROFILE") from None
        return session

    def client(self, service: str) -> Any:
        """A client for ``service``; against the sandbox's endpoint when the target is the sandbox."""
        return self._client(service)

    def _client(self, service: str) -> Any:
        cache = self._clients
        if service not in cache:
            from botocore.config import Config

            config = Config(retries={"mode": "adaptive", "max_attempts": 8}, user_agent_extra="iacli")
            sandbox = self.target.kind is TargetKind.SANDBOX
            endpoint = self._endpoint() if self._endpoint and sandbox else None
            credentials = SANDBOX_CREDENTIALS if sandbox else {}
            cache[service] = self._session.create_client(
                service, region_name=self.region, endpoint_url=endpoint, config=config, **credentials
            )
        return cache[service]

    @cached_property
    def account_id(self) -> str:
        if self.target.kind is TargetKind.SANDBOX:
            return SANDBOX_ACCOUNT_ID
        return str(self.client("sts").get_caller_identity()["Account"])
