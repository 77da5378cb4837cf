"""Start, find, reset and stop a local emulator server process (stdlib only: cheap to import).

A provider's offline sandbox (the AWS moto server, the Azure ARM emulator) runs as one background
process per iacli home directory, on 127.0.0.1 and a free port.  :class:`LocalServerManager` is the
client side every such sandbox shares; a provider subclasses it with its state directory, server
module, endpoint paths, error class and messages.  State lives in the subclass's ``state_dir``:

- ``server.json``  written by the server once it listens: ``{"pid", "port", "endpoint_url", "started_at"}``
- ``server.log``   the server's stdout and stderr
- ``lock``         an ``fcntl`` lock held while starting or stopping, so concurrent iacli commands
                   share one server
- ``resets``       how many times the running server was reset (part of
                   :meth:`LocalServerManager.generation`)

The warm path of :meth:`LocalServerManager.ensure_running` costs a file read, a pid check and one
HTTP request to the server's health endpoint.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from iacli.errors import ProviderError

HEALTH_TIMEOUT_S = 1.0
# Waiting for the server to finish loading (status, reset right after a start) can take a few seconds.
REQUEST_TIMEOUT_S = 30.0
_LOG_TAIL_BYTES = 2000
# The server is on loopback: never send its requests through an HTTP(S)_PROXY from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class ServerInfo:
    """The contents of ``server.json``."""

    pid: int
    port: int
    endpoint_url: str
    started_at: str

    @classmethod
    def read(cls, path: Path) -> ServerInfo | None:
        """The recorded server, or None when there is no (readable) record."""
        try:
            data = json.loads(path.read_text())
            return cls(
                int(data["pid"]), int(data["port"]), str(data["endpoint_url"]), str(data["started_at"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


class LocalServerManager:
    """Manages the one local server of a state directory; subclasses set the class attributes below."""

    server_module: ClassVar[str]
    """The module run as ``python -m <server_module> --port 0 --host 127.0.0.1 --ready-file <path>``."""
    health_path: ClassVar[str]
    status_path: ClassVar[str]
    reset_path: ClassVar[str]
    reset_method: ClassVar[str] = "POST"
    error_class: ClassVar[type[ProviderError]]
    server_label: ClassVar[str]
    """Names the server in start failures: ``"<label> could not be started"``."""
    endpoint_label: ClassVar[str]
    """Names the server in request failures: ``"<label> at <url> did not answer <path>"``."""
    process_label: ClassVar[str]
    """Names the server in stop failures: ``"<label> (pid <pid>) did not stop"``."""
    forget_resets_on_start: ClassVar[bool] = False
    """Whether starting and stopping the server also deletes its ``resets`` counter."""

    def __init__(self, state_dir: Path, *, start_timeout_s: float = 10.0, python: str | None = None) -> None:
        self.state_dir = state_dir
        self.info_path = self.state_dir / "server.json"
        self.log_path = self.state_dir / "server.log"
        self.lock_path = self.state_dir / "lock"
        self.start_timeout_s = start_timeout_s
        self.python = python or sys.executable
        self._process: subprocess.Popen[bytes] | None = None

    def ensure_running(self) -> str:
        """The endpoint URL of the running server, starting one on a free port if there is none."""
        info = self._running()
        if info is not None:
            return info.endpoint_url
        with self._locked():
            info = self._running()
            return info.endpoint_url if info is not None else self._start().endpoint_url

    def is_running(self) -> bool:
        """Whether the server runs and answers its health check (no status request)."""
        return self._running() is not None

    def reset(self) -> None:
        """Drop everything the server holds (nothing to do when it is not running)."""
        info = self._running()
        if info is not None:
            self._request(info, self.reset_path, method=self.reset_method, timeout=REQUEST_TIMEOUT_S)
            self._resets_path.write_text(str(self._resets() + 1))

    def generation(self) -> str | None:
        """An id of the server's current incarnation: it changes on every start and reset, so history
        can tell which recorded releases still exist. None when no server is recorded. No request."""
        info = ServerInfo.read(self.info_path)
        if info is None:
            return None
        return f"{info.started_at}/{info.pid}/{self._resets()}"

    def stop(self) -> None:
        """Terminate the server and forget it; stopping a stopped server does nothing."""
        with self._locked():
            self._forget()
            self._reap()

    # --- hooks ---------------------------------------------------------------------------------------
    def _check_health(self, info: ServerInfo, health: dict[str, Any]) -> None:
        """Raise when the server answers its health check but cannot serve (default: never)."""

    def _environment(self) -> dict[str, str] | None:
        """The server's environment (default None: ours)."""
        return None

    # --- internals -----------------------------------------------------------------------------------
    @property
    def _resets_path(self) -> Path:
        return self.state_dir / "resets"

    def _resets(self) -> int:
        try:
            return int(self._resets_path.read_text())
        except (OSError, ValueError):
            return 0

    def _status_data(self) -> tuple[ServerInfo, dict[str, Any]] | None:
        """The running server and its status answer, or None when it is not running."""
        info = self._running()
        if info is None:
            return None
        return info, self._request(info, self.status_path, timeout=REQUEST_TIMEOUT_S)

    def _running(self) -> ServerInfo | None:
        """The recorded server if it is alive and answers as itself; None otherwise.

        Raises what :meth:`_check_health` raises when the server runs but cannot serve.
        """
        info = ServerInfo.read(self.info_path)
        if info is None or not alive(info.pid):
            return None
        try:
            health = self._request(info, self.health_path, timeout=HEALTH_TIMEOUT_S)
        except self.error_class:
            return None
        if health.get("pid") != info.pid:
            return None
        self._check_health(info, health)
        return info

    def _is_ours(self, info: ServerInfo) -> bool:
        """Whether ``info.pid`` is our server (a recycled pid must not be killed)."""
        if not alive(info.pid):
            return False
        try:
            cmdline = Path(f"/proc/{info.pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            try:
                return self._running() is not None
            except self.error_class:
                return True
        return self.server_module.encode() in cmdline

    def _forget(self) -> None:
        """End the recorded server if it is ours and delete its record (the caller holds the lock)."""
        info = ServerInfo.read(self.info_path)
        if info is not None and self._is_ours(info):
            self._terminate(info.pid)
        self.info_path.unlink(missing_ok=True)
        if self.forget_resets_on_start:
            self._resets_path.unlink(missing_ok=True)

    def _start(self) -> ServerInfo:
        """Start a server (the caller holds the lock) and wait until it listens."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._forget()
        command = [self.python, "-m", self.server_module, "--port", "0", "--host", "127.0.0.1"]
        command += ["--ready-file", str(self.info_path)]
        with open(self.log_path, "ab") as log:
            try:
                self._process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                    env=self._environment(),
                )
            except OSError as error:
                raise self.error_class(f"{self.server_label} could not be started: {error}") from error
        return self._wait_listening(self._process)

    def _wait_listening(self, process: subprocess.Popen[bytes]) -> ServerInfo:
        deadline = time.monotonic() + self.start_timeout_s
        delay = 0.005
        while time.monotonic() < deadline:
            info = ServerInfo.read(self.info_path)
            if info is not None and info.pid == process.pid:
                return info
            if process.poll() is not None:
                raise self.error_class(
                    f"{self.server_label} exited at start (code {process.returncode}): {self._log_tail()}",
                    hint=f"see {self.log_path}",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        self._terminate(process.pid)
        raise self.error_class(
            f"{self.server_label} did not start within {self.start_timeout_s:.0f} s",
            hint=f"see {self.log_path}",
        )

    def _request(self, info: ServerInfo, path: str, *, method: str = "GET", timeout: float) -> dict[str, Any]:
        request = urllib.request.Request(
            info.endpoint_url + path, method=method, data=b"" if method == "POST" else None
        )
        try:
            with _LOOPBACK.open(request, timeout=timeout) as response:
                body = response.read()
        except (urllib.error.URLError, OSError) as error:
            raise self.error_class(
                f"{self.endpoint_label} at {info.endpoint_url} did not answer {path}: {error}"
            ) from error
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - _LOG_TAIL_BYTES))
                return log.read().decode(errors="replace").strip()
        except OSError:
            return ""

    def _reap(self) -> None:
        """Collect the exit status of a server this manager started (no zombie in long-lived callers)."""
        if self._process is not None and self._process.poll() is not None:
            self._process = None

    def _terminate(self, pid: int, timeout_s: float = 5.0) -> None:
        """SIGTERM ``pid``, wait for it to exit, SIGKILL it if it does not."""
        if not terminate(pid, timeout_s):
            raise self.error_class(f"{self.process_label} (pid {pid}) did not stop")


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a zombie child of ours is reaped and counts as dead)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def terminate(pid: int, timeout_s: float = 5.0) -> bool:
    """SIGTERM ``pid``, wait for it to exit, SIGKILL it if it does not; False if it is still alive."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not alive(pid):
                return True
            time.sleep(0.01)
    return not alive(pid)
