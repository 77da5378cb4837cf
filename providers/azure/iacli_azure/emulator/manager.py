"""Start, find, reset and stop the Azure emulator server (client side: no Azure SDK imports).

The design mirrors the AWS sandbox's :class:`~iacli_aws.sandbox.manager.SandboxManager`.  State
lives in ``<home>/sandbox/azure/``:

- ``server.json``  written by the server once it listens: ``{"pid", "port", "endpoint_url", "started_at"}``
- ``server.log``   the server's stdout and stderr
- ``lock``         an ``fcntl`` lock held while starting or stopping, so concurrent iacli commands
                   share one server
- ``resets``       how many times the running server was reset (part of :meth:`EmulatorManager.generation`)

The warm path of :meth:`EmulatorManager.ensure_running` costs a file read, a pid check and one HTTP
request to the server's health endpoint.  The emulator keeps its state in memory: stopping the server
(or a reset) drops every resource group and deployment.
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
from typing import Any

from iacli.errors import ProviderError

HEALTH_PATH = "/iacli-emulator/health"
STATUS_PATH = "/iacli-emulator/status"
RESET_PATH = "/iacli-emulator/reset"
_SERVER_MODULE = "iacli_azure.emulator.server"
_HEALTH_TIMEOUT_S = 1.0
_REQUEST_TIMEOUT_S = 30.0
_LOG_TAIL_BYTES = 2000
# The server is on loopback: never send its requests through an HTTP(S)_PROXY from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorError(ProviderError):
    """The Azure emulator server could not be started, reached, reset or stopped."""


@dataclass(frozen=True)
class EmulatorStatus:
    """What ``iacli sandbox status`` reports for Azure."""

    running: bool
    endpoint_url: str | None = None
    pid: int | None = None
    started_at: str | None = None
    resource_groups: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    """``group/name`` of every deployment."""


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


class EmulatorManager:
    """Manages the one Azure emulator server of an iacli home directory."""

    def __init__(self, home: Path, *, start_timeout_s: float = 10.0, python: str | None = None) -> None:
        self.state_dir = Path(home) / "sandbox" / "azure"
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

    def status(self) -> EmulatorStatus:
        """Whether the server runs, where, since when, and the groups and deployments it holds."""
        info = self._running()
        if info is None:
            return EmulatorStatus(running=False)
        data = self._request(info, STATUS_PATH, timeout=_REQUEST_TIMEOUT_S)
        groups = tuple(sorted(str(name) for name in data.get("resourceGroups", [])))
        deployments = tuple(
            sorted(
                f"{item['group']}/{item['name']}"
                for item in data.get("deployments", [])
                if isinstance(item, dict)
            )
        )
        return EmulatorStatus(True, info.endpoint_url, info.pid, info.started_at, groups, deployments)

    def reset(self) -> None:
        """Drop every group, resource and deployment the server holds (nothing when it is not running)."""
        info = self._running()
        if info is not None:
            self._request(info, RESET_PATH, method="POST", timeout=_REQUEST_TIMEOUT_S)
            self._resets_path.write_text(str(self._resets() + 1))

    def generation(self) -> str | None:
        """An id of the emulator's current incarnation: it changes on every start and reset, so history
        can tell which recorded releases still exist. None when no server is recorded. No request."""
        info = ServerInfo.read(self.info_path)
        if info is None:
            return None
        return f"{info.started_at}/{info.pid}/{self._resets()}"

    def stop(self) -> None:
        """Terminate the server and forget it; stopping a stopped emulator does nothing."""
        with self._locked():
            info = ServerInfo.read(self.info_path)
            if info is not None and self._is_ours(info):
                _terminate(info.pid)
            self.info_path.unlink(missing_ok=True)
            self._resets_path.unlink(missing_ok=True)
            self._reap()

    # --- internals ---------------------------------------------------------------------------------
    @property
    def _resets_path(self) -> Path:
        return self.state_dir / "resets"

    def _resets(self) -> int:
        try:
            return int(self._resets_path.read_text())
        except (OSError, ValueError):
            return 0

    def _running(self) -> ServerInfo | None:
        """The recorded server if it is alive and answers as itself; None otherwise."""
        info = ServerInfo.read(self.info_path)
        if info is None or not _alive(info.pid):
            return None
        try:
            health = self._request(info, HEALTH_PATH, timeout=_HEALTH_TIMEOUT_S)
        except EmulatorError:
            return None
        return info if health.get("pid") == info.pid else None

    def _is_ours(self, info: ServerInfo) -> bool:
        """Whether ``info.pid`` is an emulator server (a recycled pid must not be killed)."""
        if not _alive(info.pid):
            return False
        try:
            cmdline = Path(f"/proc/{info.pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return self._running() is not None
        return _SERVER_MODULE.encode() in cmdline

    def _start(self) -> ServerInfo:
        """Start a server (the caller holds the lock) and wait until it listens."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        stale = ServerInfo.read(self.info_path)
        if stale is not None and self._is_ours(stale):
            _terminate(stale.pid)
        self.info_path.unlink(missing_ok=True)
        self._resets_path.unlink(missing_ok=True)
        command = [self.python, "-m", _SERVER_MODULE, "--port", "0", "--host", "127.0.0.1"]
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
                    env=_server_environment(),
                )
            except OSError as error:
                raise EmulatorError(f"the Azure emulator could not be started: {error}") from error
        return self._wait_listening(self._process)

    def _wait_listening(self, process: subprocess.Popen[bytes]) -> ServerInfo:
        deadline = time.monotonic() + self.start_timeout_s
        delay = 0.005
        while time.monotonic() < deadline:
            info = ServerInfo.read(self.info_path)
            if info is not None and info.pid == process.pid:
                return info
            if process.poll() is not None:
                raise EmulatorError(
                    f"the Azure emulator exited at start (code {process.returncode}): {self._log_tail()}",
                    hint=f"see {self.log_path}",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        _terminate(process.pid)
        raise EmulatorError(
            f"the Azure emulator did not start within {self.start_timeout_s:.0f} s",
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
            raise EmulatorError(
                f"the Azure emulator at {info.endpoint_url} did not answer {path}: {error}"
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


def _server_environment() -> dict[str, str]:
    """The server's environment: ours, with this package importable even without an install."""
    environment = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    paths = [item for item in environment.get("PYTHONPATH", "").split(os.pathsep) if item]
    if package_root not in paths:
        environment["PYTHONPATH"] = os.pathsep.join([package_root, *paths])
    return environment


def _alive(pid: int) -> bool:
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


def _terminate(pid: int, timeout_s: float = 5.0) -> None:
    """SIGTERM ``pid``, wait for it to exit, SIGKILL it if it does not."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.01)
    if _alive(pid):
        raise EmulatorError(f"the Azure emulator server (pid {pid}) did not stop")
