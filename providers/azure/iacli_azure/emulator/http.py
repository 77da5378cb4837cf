"""A minimal WSGI request/response layer (standard library only) for the emulator's REST surface."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote

from .errors import ArmError

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    416: "Range Not Satisfiable",
    500: "Internal Server Error",
}


@dataclass(frozen=True)
class Request:
    """An HTTP request as the routes see it."""

    method: str
    path: str
    query: Mapping[str, str]
    body: bytes
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    """Request headers, names in lower case (``content-type``, ``x-ms-version``...)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> Request:
        """Build a request from a WSGI environ."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = {name: values[-1] for name, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        scheme = environ.get("wsgi.url_scheme", "http")
        host = (
            environ.get("HTTP_HOST")
            or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        )
        path = str(environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", errors="replace")
        headers = {name[5:].replace("_", "-").lower(): str(value) for name, value in environ.items()
                   if name.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        return cls(method, path, query, body, f"{scheme}://{host}", headers)

    def json(self) -> Any:
        """The body parsed as JSON (``None`` when empty); ``InvalidRequestContent`` when malformed."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise ArmError(
                "InvalidRequestContent", f"The request content is not valid JSON: {error}"
            ) from error

    def url(self, path: str, **query: str) -> str:
        """An absolute URL on this server (for ``Location`` / ``Azure-AsyncOperation`` headers)."""
        suffix = "&".join(f"{name}={quote(value)}" for name, value in query.items())
        api_version = self.query.get("api-version")
        if api_version and "api-version" not in query:
            suffix = "&".join(item for item in (suffix, f"api-version={quote(api_version)}") if item)
        return f"{self.base_url}{quote(path)}" + (f"?{suffix}" if suffix else "")


@dataclass
class Response:
    """A JSON response (``body`` ``None``: no content); ``bytes`` bodies are sent as they are (the Blob
    data plane), with the ``Content-Type`` of ``headers`` and, for HEAD, the length of what GET sends."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, error: ArmError) -> Response:
        """ARM's error response for ``error``."""
        return cls(error.status, error.to_response())

    def encode(self, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
        """Status line, headers and body bytes."""
        headers = dict(self.headers)
        headers.setdefault("x-ms-request-id", str(uuid.uuid4()))
        if isinstance(self.body, bytes):
            payload = b"" if method == "HEAD" else self.body
            headers["Content-Length"] = str(len(self.body))
        else:
            payload = b"" if self.body is None or method == "HEAD" else json.dumps(self.body).encode()
            if self.body is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
            headers["Content-Length"] = str(len(payload))
        status = f"{self.status} {_REASONS.get(self.status, 'Unknown')}"
        return status, list(headers.items()), payload
