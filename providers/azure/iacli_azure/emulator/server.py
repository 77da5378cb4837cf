"""The emulator as a background server process on loopback.

    python -m iacli_azure.emulator.server --port 0 --host 127.0.0.1 --ready-file F [--state-file S]

Once it listens, the server writes ``F`` (atomically) with ``{"pid", "port", "endpoint_url",
"started_at"}``, the record :class:`~.manager.EmulatorManager` waits for.  It serves until SIGTERM
or SIGINT.  With ``--state-file`` the state is loaded from ``S`` at start (when it exists) and saved
there at exit; without it, state lives as long as the process (like the AWS sandbox).

Clients: ``make_clients(endpoint_url)`` (:func:`~.transport.make_clients`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .resources import EmulatorOptions
from .service import Emulator

_log = logging.getLogger("iacli_azure.emulator.server")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s - %s", self.address_string(), format % args)


def serve(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> WSGIServer:
    """A threaded WSGI server for ``emulator`` bound to ``host:port`` (not yet serving).

    Call ``serve_forever()`` (in a thread, for tests) and ``shutdown()``; ``server_port`` is the
    bound port.
    """
    return make_server(host, port, emulator.app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def _write_ready_file(path: Path, host: str, port: int) -> None:
    info = {
        "pid": os.getpid(),
        "port": port,
        "endpoint_url": f"http://{host}:{port}",
        "started_at": datetime.now(timezone.utc).isoformat(),
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(info))
    os.replace(temporary, path)


def _load(emulator: Emulator, state_file: Path | None) -> None:
    if state_file is not None and state_file.exists():
        emulator.state.restore(json.loads(state_file.read_text()))
        _log.info("state loaded from %s", state_file)


def _save(emulator: Emulator, state_file: Path | None) -> None:
    if state_file is None:
        return
    temporary = state_file.with_name(state_file.name + ".tmp")
    temporary.write_text(json.dumps(emulator.state.snapshot()))
    os.replace(temporary, state_file)
    _log.info("state saved to %s", state_file)


def main(argv: list[str] | None = None) -> int:
    """Run the server until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m iacli_azure.emulator.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path)
    parser.add_argument("--state-file", type=Path)
    parser.add_argument("--async-polls", type=int, default=0, help="polls answering 'in progress' first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")

    emulator = Emulator(EmulatorOptions(async_polls=args.async_polls))
    _load(emulator, args.state_file)
    server = serve(emulator, args.host, args.port)
    port = int(server.server_port)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.ready_file is not None:
        _write_ready_file(args.ready_file, args.host, port)
    _log.info("iacli Azure emulator listening on http://%s:%d (pid %d)", args.host, port, os.getpid())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        _save(emulator, args.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
