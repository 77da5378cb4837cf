"""The :class:`Emulator`: one emulated subscription with its engine and WSGI app."""

from __future__ import annotations

from .app import EmulatorApp
from .engine import DeploymentEngine
from .resources import EmulatorOptions, ResourceProviders
from .state import EmulatorState


class Emulator:
    """An offline Azure Resource Manager: state, resource providers, deployment engine, REST app.

    Serve the SDK from it in memory with ``make_clients(emulator)``
    (:func:`~.transport.make_clients`) or over HTTP with :mod:`.server`.
    """

    def __init__(self, options: EmulatorOptions | None = None, state: EmulatorState | None = None) -> None:
        self.state = state or EmulatorState()
        self.providers = ResourceProviders(self.state, options)
        self.engine = DeploymentEngine(self.providers)
        self.app = EmulatorApp(self.engine)

    @property
    def options(self) -> EmulatorOptions:
        """The knobs this emulator was built with."""
        return self.providers.options

    def reset(self) -> None:
        """Forget every group, resource, deployment and pending operation."""
        with self.state.locked():
            self.engine.forget_pending()
            self.state.clear()
