"""The records of the state store: stacks, releases, lock owners and locks (frozen dataclasses, no I/O).

Times are ISO 8601 UTC strings with millisecond precision and a ``Z`` suffix
(``2026-11-22T20:01:02.123Z``); they sort chronologically as plain strings.
"""

from __future__ import annotations

import fnmatch
import getpass
import hashlib
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    """How a release ended (``IN_PROGRESS`` until :meth:`StateStore.finish` is called)."""

    IN_PROGRESS = "in-progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ROLLED_BACK = "rolled-back"
    INTERRUPTED = "interrupted"


class ReleaseKind(str, Enum):
    """Why a release was applied."""

    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    AUTO_ROLLBACK = "auto-rollback"
    DESTROY = "destroy"


#: Kinds whose successful release leaves a template deployed (what ``last_good`` may return).
APPLY_KINDS: frozenset[ReleaseKind] = frozenset(
    {ReleaseKind.DEPLOY, ReleaseKind.ROLLBACK, ReleaseKind.AUTO_ROLLBACK}
)


def format_time(epoch: float) -> str:
    """``epoch`` seconds as ISO 8601 UTC with milliseconds: ``2026-11-22T20:01:02.123Z``."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> float:
    """The epoch seconds of an ISO 8601 string written by :func:`format_time` (``Z`` or an offset)."""
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def short_time(text: str) -> str:
    """An ISO time cut to whole seconds for messages: ``2026-11-22T20:01:02Z``."""
    return text[:19] + "Z" if len(text) >= 19 else text


def template_hash(text: str) -> str:
    """The key a template is stored under: the sha256 hex digest of its UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StackKey:
    """Identifies one stack's history: provider, target and stack name."""

    provider: str
    target: str
    stack: str

    def __str__(self) -> str:
        return f"{self.provider}/{self.target}/{self.stack}"


@dataclass(frozen=True)
class StackFilter:
    """Selects stacks by glob patterns (``fnmatch``/SQLite ``GLOB`` syntax, case-sensitive).

    ``StackFilter()`` matches every stack; ``StackFilter(provider="aws", target="sandbox:*")`` matches every
    stack of the AWS sandbox in any region; ``StackFilter.exact(key)`` matches one stack.
    """

    provider: str = "*"
    target: str = "*"
    stack: str = "*"

    @classmethod
    def exact(cls, key: StackKey) -> StackFilter:
        """A filter matching ``key`` only (glob metacharacters in its fields are escaped)."""
        return cls(_glob_escape(key.provider), _glob_escape(key.target), _glob_escape(key.stack))

    def matches(self, key: StackKey) -> bool:
        """Whether ``key`` is selected (same rules as the SQL ``GLOB`` the store uses)."""
        return all(
            fnmatch.fnmatchcase(value, pattern)
            for value, pattern in ((key.provider, self.provider), (key.target, self.target),
                                   (key.stack, self.stack))
        )


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


@dataclass(frozen=True)
class NewRelease:
    """What the engine knows when an apply starts; :meth:`StateStore.begin` turns it into a :class:`Release`.

    ``parameters`` must already be redacted: the value of every parameter named in ``secret_names`` is
    ``None`` or a ``"sha256:<salted hash>"`` string (the store refuses anything else). ``parameters``,
    ``request`` and ``summary`` must be JSON-serialisable; they come back as parsed JSON (tuples become
    lists). ``template`` is stored once per distinct text, keyed by its sha256.
    """

    key: StackKey
    kind: ReleaseKind
    origin: str
    blueprint: str | None
    blueprint_version: str | None
    template: str
    parameters: dict[str, Any]
    secret_names: tuple[str, ...]
    request: dict[str, Any]
    plan_id: str | None
    summary: dict[str, int]
    user: str
    host: str
    git_commit: str | None
    rollback_of: int | None = None
    sandbox_generation: str | None = None


@dataclass(frozen=True)
class Release:
    """A stored release: number ``N`` of its stack (1, 2, 3…), what was applied, by whom, and how it ended.

    ``gone_at`` is set by :meth:`StateStore.mark_gone` when the stack it describes no longer exists (a
    sandbox reset or stop). Use :meth:`is_gone` to also account for the sandbox generation.
    """

    number: int
    key: StackKey
    kind: ReleaseKind
    outcome: Outcome
    origin: str
    blueprint: str | None
    blueprint_version: str | None
    template_hash: str
    parameters: dict[str, Any]
    secret_names: tuple[str, ...]
    request: dict[str, Any]
    plan_id: str | None
    summary: dict[str, int]
    outputs: dict[str, Any]
    error: str | None
    started_at: str
    ended_at: str | None
    user: str
    host: str
    git_commit: str | None
    rollback_of: int | None
    sandbox_generation: str | None
    gone_at: str | None = None

    @property
    def finished(self) -> bool:
        """Whether :meth:`StateStore.finish` has recorded an outcome."""
        return self.outcome is not Outcome.IN_PROGRESS

    def is_gone(self, generation: str | None = None) -> bool:
        """Whether what this release deployed no longer exists.

        True when it was marked gone, or when ``generation`` (the sandbox's current generation) is given and
        differs from the generation the release was applied to. ``generation=None`` means "not a sandbox
        target, or generation unknown": only the explicit mark counts.
        """
        if self.gone_at is not None:
            return True
        return generation is not None and self.sandbox_generation != generation

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (enums as their values, the key flattened), e.g. for ``--output json``."""
        return {
            "number": self.number,
            "provider": self.key.provider,
            "target": self.key.target,
            "stack": self.key.stack,
            "kind": self.kind.value,
            "outcome": self.outcome.value,
            "origin": self.origin,
            "blueprint": self.blueprint,
            "blueprint_version": self.blueprint_version,
            "template_hash": self.template_hash,
            "parameters": self.parameters,
            "secret_names": list(self.secret_names),
            "request": self.request,
            "plan_id": self.plan_id,
            "summary": self.summary,
            "outputs": self.outputs,
            "error": self.error,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "user": self.user,
            "host": self.host,
            "git_commit": self.git_commit,
            "rollback_of": self.rollback_of,
            "sandbox_generation": self.sandbox_generation,
            "gone_at": self.gone_at,
        }


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry (containers)
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


@dataclass(frozen=True)
class LockOwner:
    """Who holds (or wants) a stack's lock: ``user@host pid N (command)``."""

    user: str
    host: str
    pid: int
    command: str

    @classmethod
    def current(cls, command: str) -> LockOwner:
        """This process: login name, host name, pid, and ``command`` (e.g. ``"iacli deploy"``)."""
        return cls(user=_current_user(), host=socket.gethostname(), pid=os.getpid(), command=command)

    def __str__(self) -> str:
        return f"{self.user}@{self.host} pid {self.pid} ({self.command})"


@dataclass(frozen=True)
class Lock:
    """A held lock. ``token`` proves ownership to ``release_lock``/``refresh_lock``.

    ``ttl_s`` is the time to live the lock was taken (or last refreshed) with; ``expires_at`` is when it
    becomes stale unless refreshed. ``took_over`` is the stale lock this one replaced, if any (so the
    caller can say so).
    """

    key: StackKey
    owner: LockOwner
    acquired_at: str
    expires_at: str
    token: str
    ttl_s: float = 0.0
    took_over: Lock | None = field(default=None, compare=False)
