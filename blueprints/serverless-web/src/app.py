"""Items API on AWS Lambda behind API Gateway (REST, proxy integration), over one DynamoDB table.

The routes, validation and responses are ``items_api`` (shared with the Azure Functions entry point,
``function_app.py``); this module turns API Gateway events into requests and opens the table.

Configuration (environment): ``TABLE_NAME`` (required), ``ALLOWED_ORIGIN`` (CORS origin, default ``*``),
``LOG_LEVEL`` (default ``INFO``). Logs are one JSON object per line.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from items_api import DEFAULT_LIMIT, MAX_LIMIT, ApiError, ApiRequest, handle, make_logger, validate_new_item
from items_dynamodb import DynamoItemStore

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "ApiError", "handler", "logger", "validate_new_item"]

Response = dict[str, Any]

logger = make_logger(sys.stdout)


@lru_cache(maxsize=1)
def _dynamodb() -> Any:
    """One DynamoDB resource per execution environment (reused across invocations)."""
    return boto3.resource("dynamodb", config=Config(retries={"mode": "adaptive", "max_attempts": 5}))


def _store() -> DynamoItemStore:
    return DynamoItemStore(_dynamodb().Table(os.environ["TABLE_NAME"]))


def _request(event: dict[str, Any]) -> ApiRequest:
    return ApiRequest(
        method=str(event.get("httpMethod", "")),
        resource=str(event.get("resource", "")),
        path_params=event.get("pathParameters") or {},
        query=event.get("queryStringParameters") or {},
        body=str(event.get("body") or "").encode("utf-8", errors="surrogatepass"),
        body_base64=bool(event.get("isBase64Encoded")),
    )


def handler(event: dict[str, Any], context: Any) -> Response:
    """API Gateway (REST, Lambda proxy integration) entry point."""
    fields = {
        "request_id": getattr(context, "aws_request_id", None),
        "api_request_id": (event.get("requestContext") or {}).get("requestId"),
        "method": event.get("httpMethod"),
        "resource": event.get("resource"),
    }
    answer = handle(_request(event), _store, logger, fields)
    return {"statusCode": answer.status, "headers": answer.headers, "body": answer.body}
