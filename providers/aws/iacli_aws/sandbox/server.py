"""The sandbox's AWS endpoint: moto, with the sandbox models and fixes, served on loopback.

Run as a process (what :class:`~iacli_aws.sandbox.manager.SandboxManager` starts)::

    python -m iacli_aws.sandbox.server --port 0 --ready-file /path/ready.json

or in a thread of the current process (tests): :func:`start_in_thread`.

The socket listens, and the ready file is written, within a few hundred milliseconds; moto itself
(about 1.5 s of imports) loads in a background thread meanwhile, and requests other than
``/iacli-sandbox/health`` wait for it. The caller can thus get on with its own work while moto loads.
Requests are served one at a time: moto's backends are not thread-safe. (Connections accepted before
moto is loaded use werkzeug's request handler instead of moto's, which differs only in keeping
underscores in S3 user-metadata header names.)

iacli's own endpoints (JSON):

- ``GET /iacli-sandbox/health``: ``{"pid", "started_at", "moto_loaded"}``, answered at once.
- ``GET /iacli-sandbox/status``: ``{"stacks": [{"name", "status", "account_id", "region"}]}`` (live stacks).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

HEALTH_PATH = "/iacli-sandbox/health"
STATUS_PATH = "/iacli-sandbox/status"
_OWN_PREFIX = "/iacli-sandbox/"

StartResponse = Callable[..., Any]


def prepare_moto() -> Callable[..., Iterable[bytes]]:
    """Load moto with the sandbox models and fixes; return moto's WSGI application."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from .fixes import apply_fixes

    apply_fixes()
    return DomainDispatcherApplication(create_backend_app)


def live_stacks() -> list[dict[str, str]]:
    """Every stack moto holds (all accounts and regions), except deleted ones."""
    from moto.cloudformation.models import cloudformation_backends

    stacks = []
    for account_id, regions in list(cloudformation_backends.items()):
        for region, backend in list(regions.items()):
            for stack in backend.stacks.values():
                stacks.append(
                    {"name": stack.name, "status": stack.status, "account_id": account_id, "region": region}
                )
    return stacks


class SandboxApp:
    """WSGI application: iacli's endpoints, then moto (loaded by :meth:`load`), one request at a time."""

    def __init__(self) -> None:
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._loaded = threading.Event()
        self._lock = threading.Lock()
        self._moto: Callable[..., Iterable[bytes]] | None = None
        self._load_error: str | None = None

    def load(self) -> None:
        """Load moto (slow: imports); requests wait for this to finish."""
        try:
            self._moto = prepare_moto()
        except Exception as error:  # noqa: BLE001 - reported on every request instead
            self._load_error = f"{type(error).__name__}: {error}"
        finally:
            self._loaded.set()

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Block until moto is loaded (or failed to load)."""
        return self._loaded.wait(timeout)

    def health(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "started_at": self.started_at,
            "moto_loaded": self._loaded.is_set(),
            "error": self._load_error,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return _json_response(start_response, self.health())
        self._loaded.wait()
        if self._moto is None:
            return _json_response(start_response, {"error": self._load_error}, "500 Internal Server Error")
        with self._lock:
            if path == STATUS_PATH:
                return _json_response(start_response, {"stacks": live_stacks()})
            return list(self._moto(environ, start_response))


def _json_response(
    start_response: StartResponse, body: dict[str, Any], status: str = "200 OK"
) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class _QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler without the access log (the sandbox log is for errors)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are not logged."""


def _moto_request_handler() -> type[WSGIRequestHandler]:
    """moto's request handler (it keeps underscores in S3 metadata headers), without the access log."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietMotoRequestHandler(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """Requests are not logged."""

    return QuietMotoRequestHandler


def _load(sandbox: SandboxServer) -> None:
    """Load moto, then hand new connections to moto's request handler."""
    sandbox.app.load()
    if sandbox.app.health()["error"] is None:
        sandbox.server.RequestHandlerClass = _moto_request_handler()


@dataclass
class SandboxServer:
    """A running sandbox server: the werkzeug server, its app and the serving thread (if any)."""

    server: BaseWSGIServer
    app: SandboxApp
    thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        host = self.server.server_address[0]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join()


def create_server(host: str = "127.0.0.1", port: int = 0) -> SandboxServer:
    """Bind the server (port 0: any free port) and start loading moto in the background."""
    app = SandboxApp()
    sandbox = SandboxServer(
        make_server(host, port, app, threaded=True, request_handler=_QuietRequestHandler), app
    )
    threading.Thread(target=_load, args=(sandbox,), name="iacli-sandbox-load", daemon=True).start()
    return sandbox


def start_in_thread(port: int = 0, host: str = "127.0.0.1") -> tuple[SandboxServer, str]:
    """Serve the sandbox from a daemon thread of this process; returns the server and its endpoint URL.

    Returns once moto is loaded, so the first request is not slow. Stop it with ``server.stop()``.
    """
    sandbox = create_server(host, port)
    sandbox.thread = threading.Thread(target=sandbox.server.serve_forever, name="iacli-sandbox", daemon=True)
    sandbox.thread.start()
    sandbox.app.wait_loaded()
    return sandbox, sandbox.endpoint_url


def write_ready_file(path: Path, sandbox: SandboxServer) -> None:
    """Atomically write ``{"pid", "port", "endpoint_url", "started_at"}`` to ``path``."""
    data = {
        "pid": os.getpid(),
        "port": sandbox.port,
        "endpoint_url": sandbox.endpoint_url,
        "started_at": sandbox.app.started_at,
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data))
    os.replace(partial, path)


def _stop_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m iacli_aws.sandbox.server",
        description="iacli's AWS sandbox: moto with the sandbox models.",
    )
    parser.add_argument("--port", type=int, required=True, help="TCP port; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--ready-file", type=Path, help="written (JSON) once the server listens")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Process entry point: serve until SIGTERM/SIGINT."""
    args = parse_args(argv)
    sandbox = create_server(args.host, args.port)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    if args.ready_file is not None:
        write_ready_file(args.ready_file, sandbox)
    try:
        sandbox.server.serve_forever()
    except SystemExit:
        pass
    finally:
        sandbox.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
