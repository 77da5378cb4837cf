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


class AwsSession:
    """Lazily created clients (adaptive retries) for one target."""

    def __init__(self, target: Target, endpoint: Callable[[], str] | None) -> None:
        self.target = target
        self._endpoint = endpoint

    @property
    def region(self) -> str:
        return self.target.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION

    @cached_property
    def _session(self) -> Any:
        import boto3

        if self.target.kind is TargetKind.SANDBOX:
            return boto3.session.Session(region_name=self.region, **SANDBOX_CREDENTIALS)
        try:
            return boto3.session.Session(profile_name=self.target.profile, region_name=self.region)
        except Exception as exc:  # botocore.exceptions.ProfileNotFound and friends
            raise ProviderError(f"AWS profile: {exc}", hint="check --profile or AWS_PROFILE") from None

    def client(self, service: str) -> Any:
        """A client for ``service``; against the sandbox's endpoint when the target is the sandbox."""
        return self._client(service)

    def _client(self, service: str) -> Any:
        cache = self.__dict__.setdefault("_clients", {})
        if service not in cache:
            from botocore.config import Config

            config = Config(retries={"mode": "adaptive", "max_attempts": 8}, user_agent_extra="iacli")
            endpoint = self._endpoint() if self._endpoint and self.target.kind is TargetKind.SANDBOX else None
            cache[service] = self._session.client(service, endpoint_url=endpoint, config=config)
        return cache[service]

    @cached_property
    def account_id(self) -> str:
        return str(self.client("sts").get_caller_identity()["Account"])
