"""The error tree and the exit codes: the one place where both are defined.

Every error iacli raises on purpose is an :class:`IacliError`; it carries its exit code to the single error
boundary in :mod:`iacli.cli.app`, which prints one line (plus a hint) and exits. Nothing else calls
``sys.exit``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes (README, docs/exit-codes.md)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INVALID = 3
    PROVIDER = 4
    DEPLOY_FAILED = 5
    CHANGES_PRESENT = 6
    LOCKED = 7


class IacliError(Exception):
    """Base of every expected failure: a one-line message, an optional hint, an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(IacliError):
    """The command line itself is wrong (conflicting or missing options)."""

    exit_code = ExitCode.USAGE


class InvalidInputError(IacliError):
    """A blueprint, parameter, template or config file is invalid; nothing was deployed."""

    exit_code = ExitCode.INVALID


class BlueprintError(InvalidInputError):
    """A blueprint cannot be found or its blueprint.yaml is invalid."""


class ParameterError(InvalidInputError):
    """A parameter value is unknown, missing or of the wrong type."""


class TemplateError(InvalidInputError):
    """A template fails to render, parse or validate."""


class ConfigError(InvalidInputError):
    """iacli.yaml is invalid."""


class ProviderError(IacliError):
    """The provider, its credentials or its API failed."""

    exit_code = ExitCode.PROVIDER


class NotFoundError(ProviderError):
    """The stack (or another object the command needs) does not exist on the target."""


class DeploymentFailedError(IacliError):
    """An apply failed. ``rolled_back`` says whether the target is back at its previous state; when it is
    not, the stack needs attention (``iacli doctor``)."""

    exit_code = ExitCode.DEPLOY_FAILED

    def __init__(self, message: str, hint: str | None = None, rolled_back: bool = True) -> None:
        super().__init__(message, hint)
        self.rolled_back = rolled_back


class StalePlanError(InvalidInputError):
    """A saved plan no longer describes the change it would make."""


class LockedError(IacliError):
    """Another run holds the stack's lock."""

    exit_code = ExitCode.LOCKED
