"""The provider-side view of a local sandbox server: one adapter for every provider whose sandbox is a
:class:`~iacli.localserver.LocalServerManager` (the AWS moto server, the ARM emulator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iacli.errors import IacliError, ProviderError
from iacli.localserver import LocalServerManager
from iacli.providers import Sandbox, SandboxInfo


class LocalServerSandbox(Sandbox):
    """Starts the server on demand (once per run), reports it, resets and stops it.

    ``holds`` names the attribute of the manager's status that lists what the server holds
    (``stacks``, ``resource_groups``); it is reported under the same name.
    """

    def __init__(self, provider: str, label: str, manager: Callable[[], LocalServerManager], holds: str) -> None:
        self.provider = provider
        self.label = label
        self._manager = manager
        self._holds = holds
        self._url: str | None = None

    def endpoint(self) -> str:
        """Start the server if needed; its endpoint URL."""
        if self._url is None:
            try:
                self._url = str(self._manager().ensure_running())
            except IacliError as exc:
                raise ProviderError(f"the {self.label} could not start: {exc.message}", hint="see `iacli sandbox "
                                    "status`; `iacli sandbox stop` clears a broken one") from None
        return self._url

    def running(self) -> bool:
        """Whether it runs, without asking what it holds."""
        return self._manager().is_running()

    def status(self) -> SandboxInfo:
        state: Any = self._manager().status()  # type: ignore[attr-defined]
        if not state.running:
            return SandboxInfo(self.provider, False, state.endpoint_url, {})
        details = {"pid": state.pid, "started_at": state.started_at, self._holds: list(getattr(state, self._holds))}
        return SandboxInfo(self.provider, True, state.endpoint_url, details)

    def reset(self) -> None:
        self._manager().reset()

    def stop(self) -> None:
        self._manager().stop()
        self._url = None

    def generation(self) -> str | None:
        return self._manager().generation()
