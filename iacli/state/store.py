"""The :class:`StateStore` protocol (what the engine and the CLI rely on) and where the default store lives.

Semantics every implementation follows:

* **Numbers.** Releases are numbered 1, 2, 3… per :class:`StackKey`, allocated by :meth:`StateStore.begin`
  atomically (two processes never get the same number).
* **current** is the release that describes what is deployed now: the newest *visible* release whose
  outcome is ``SUCCEEDED``, of any kind; if that release is a ``DESTROY``, nothing is deployed and the answer
  is ``None``. Failed, rolled-back, interrupted and in-progress releases never become current: a failed
  apply is either rolled back by the provider (outcome ``ROLLED_BACK``) or followed by an ``AUTO_ROLLBACK``
  release that succeeds and becomes current. To learn whether something happened *after* the current
  release (an interrupted or failed run whose effect is unknown), compare with :meth:`StateStore.latest`.
* **last_good** is the newest visible ``SUCCEEDED`` release of kind ``DEPLOY``, ``ROLLBACK`` or
  ``AUTO_ROLLBACK`` (never ``DESTROY``), optionally with ``number < before``; it is what a rollback restores.
* **Visible** means not gone: :meth:`StateStore.mark_gone` has not stamped it, and, when the caller passes
  ``generation=`` (the sandbox's current generation id, which changes on every sandbox start and reset),
  its ``sandbox_generation`` equals that id. Releases of an older sandbox incarnation thus disappear from
  ``current``/``last_good``/``latest`` without anyone having to clean up; ``history`` still lists them
  (``include_gone=False`` hides them) and :meth:`Release.is_gone` tells the CLI to show them as gone. For
  cloud targets pass ``generation=None``. ``get(key, N)`` always returns release N, gone or not, so
  ``rollback --to N`` can re-create an old sandbox release.
* **Locks.** One per stack. ``acquire_lock`` is atomic across processes; it raises
  :class:`~iacli.state.locks.StackLockedError` (a :class:`iacli.errors.LockedError`, exit 7) if a live lock
  exists and takes over a stale one (expired TTL, or same host and dead pid). Taking over a stale lock, or
  breaking one, marks the stack's in-progress releases ``INTERRUPTED`` (their run is dead), in the same
  transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from iacli.errors import IacliError
from iacli.state.models import Lock, LockOwner, NewRelease, Outcome, Release, StackFilter, StackKey

STATE_DIR = ".iacli"
STATE_FILE = "state.db"


class StateError(IacliError):
    """The state database cannot be used (unreadable, corrupt, or written by a newer iacli)."""


def default_state_path(project_dir: Path, configured: str | None) -> Path:
    """Where the project's state database lives.

    ``project_dir/.iacli/state.db`` unless ``configured`` (``state_path`` in iacli.yaml) says otherwise; a
    relative ``configured`` path is relative to ``project_dir``, ``~`` is expanded.
    """
    if not configured:
        return project_dir / STATE_DIR / STATE_FILE
    path = Path(configured).expanduser()
    return path if path.is_absolute() else project_dir / path


class StateStore(Protocol):
    """History of releases per stack, the templates they applied, and per-stack locks."""

    def begin(self, release: NewRelease) -> Release:
        """Record the start of an apply: allocate the next number, outcome ``IN_PROGRESS``, one transaction.

        Raises ``ValueError`` if a secret parameter is not redacted or ``rollback_of`` names no release.
        """
        ...

    def finish(
        self,
        key: StackKey,
        number: int,
        outcome: Outcome,
        outputs: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Release:
        """Record how release ``number`` ended (``ended_at`` = now) and return it.

        ``outputs=None`` keeps the stored outputs; ``error`` replaces the stored one. Normally called once; a
        later call overwrites (a run whose stale lock was taken over, and whose release was therefore marked
        interrupted, still records its real outcome). ``KeyError`` if the release does not exist,
        ``ValueError`` for ``Outcome.IN_PROGRESS``.
        """
        ...

    def get(self, key: StackKey, number: int) -> Release | None:
        """Release ``number`` of the stack, gone or not."""
        ...

    def latest(self, key: StackKey, *, generation: str | None = None) -> Release | None:
        """The newest visible release, whatever its outcome."""
        ...

    def history(
        self,
        key: StackKey,
        limit: int | None = None,
        *,
        generation: str | None = None,
        include_gone: bool = True,
    ) -> list[Release]:
        """Releases newest first (at most ``limit``); ``include_gone=False`` keeps only visible ones."""
        ...

    def last_good(
        self, key: StackKey, before: int | None = None, *, generation: str | None = None
    ) -> Release | None:
        """The newest visible succeeded deploy/rollback/auto-rollback, with ``number < before`` if given."""
        ...

    def current(self, key: StackKey, *, generation: str | None = None) -> Release | None:
        """The release describing what is deployed now (see the module docs), ``None`` if nothing is."""
        ...

    def template(self, template_hash: str) -> str:
        """The stored template text with this sha256 (``KeyError`` if there is none)."""
        ...

    def stacks(self, match: StackFilter | None = None) -> list[StackKey]:
        """Every stack with at least one release, sorted, restricted to ``match`` (default: all)."""
        ...

    def mark_gone(self, match: StackFilter, *, keep_generation: str | None = None) -> int:
        """Stamp ``gone_at`` on the matching stacks' releases (e.g. after a sandbox reset); returns how many.

        With ``keep_generation``, releases applied to that sandbox generation are left alone. Already-gone
        releases keep their first stamp.
        """
        ...

    def forget(self, match: StackFilter) -> int:
        """Delete the matching stacks' releases (and templates no release uses any more); returns how many."""
        ...

    def acquire_lock(self, key: StackKey, owner: LockOwner, ttl_s: float) -> Lock:
        """Take the stack's lock for ``ttl_s`` seconds, atomically across processes.

        Raises :class:`~iacli.state.locks.StackLockedError` naming the holder if a live lock exists; takes
        over a stale one (the returned lock's ``took_over`` is the replaced lock).
        """
        ...

    def release_lock(self, lock: Lock) -> None:
        """Give the lock back; a no-op if it is no longer ours (broken or taken over)."""
        ...

    def refresh_lock(self, lock: Lock, ttl_s: float | None = None) -> None:
        """Extend the lock to now + ``ttl_s`` (default: its own TTL); raises ``StackLockedError`` if lost."""
        ...

    def get_lock(self, key: StackKey) -> Lock | None:
        """The stack's lock, live or stale, if any."""
        ...

    def locks(self) -> list[Lock]:
        """Every lock held, live or stale, sorted by stack key."""
        ...

    def stale_reason(self, lock: Lock) -> str | None:
        """Why ``lock`` is stale (e.g. ``"process 4242 no longer runs on host"``), ``None`` if it is live."""
        ...

    def break_lock(self, key: StackKey) -> Lock | None:
        """Remove the stack's lock whoever holds it (``iacli doctor --fix``); returns the removed lock."""
        ...

    def close(self) -> None:
        """Release the database connection; the store cannot be used afterwards."""
        ...
