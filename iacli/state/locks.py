"""Lock rules shared by every store: when a lock is stale, and the one-line error the loser gets.

A lock is **stale** when its TTL has expired, or when it was taken on this host by a process that no longer
exists. A stale lock is taken over by the next ``acquire_lock``; a live one makes it raise
:class:`StackLockedError` (a :class:`iacli.errors.LockedError`, exit code 7).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from iacli.errors import LockedError
from iacli.state.models import Lock, LockOwner, StackKey, parse_time, short_time

if TYPE_CHECKING:
    from iacli.state.store import StateStore


class StackLockedError(LockedError):
    """A stack is locked by another run (or the caller's lock was lost); ``lock`` is the holder's, if any."""

    def __init__(self, message: str, hint: str | None = None, lock: Lock | None = None) -> None:
        super().__init__(message, hint)
        self.lock = lock


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (zombies count as dead).

    Where that cannot be known (Windows, where signal 0 is not a probe), the answer is True, so only the TTL
    can make the lock stale.
    """
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to another user
    except OSError:
        return True
    try:  # Linux: a killed run whose parent has not reaped it yet is a zombie
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:][:1] != "Z"
    except (OSError, ValueError):
        return True


def stale_reason(lock: Lock, now: float, this_host: str) -> str | None:
    """Why ``lock`` is stale at ``now`` seen from ``this_host`` (``None`` if it is live)."""
    if parse_time(lock.expires_at) <= now:
        return f"its TTL expired at {short_time(lock.expires_at)}"
    if lock.owner.host == this_host and not pid_alive(lock.owner.pid):
        return f"process {lock.owner.pid} no longer runs on {this_host}"
    return None


def locked_error(lock: Lock) -> StackLockedError:
    """The error for a run that finds ``lock`` live: one line naming holder, command and since when."""
    stack = lock.key.stack
    return StackLockedError(
        f"stack {stack} is locked by {lock.owner} since {short_time(lock.acquired_at)}",
        hint=(
            f"wait for that run to finish; if it died, `iacli doctor {stack} --fix` removes its lock "
            f"(it expires by itself at {short_time(lock.expires_at)})"
        ),
        lock=lock,
    )


def lost_lock_error(key: StackKey, holder: Lock | None) -> StackLockedError:
    """The error for a run whose own lock was broken or taken over meanwhile."""
    if holder is None:
        message = f"the lock on stack {key.stack} was removed while this run held it"
    else:
        message = (
            f"the lock on stack {key.stack} was taken over by {holder.owner} "
            f"at {short_time(holder.acquired_at)} while this run held it"
        )
    return StackLockedError(
        message,
        hint=f"check `iacli history {key.stack}` and `iacli doctor {key.stack}` before retrying",
        lock=holder,
    )


@contextmanager
def held(store: StateStore, key: StackKey, owner: LockOwner, ttl_s: float) -> Iterator[Lock]:
    """``with held(store, key, owner, ttl) as lock:`` acquire the stack's lock, always release it."""
    lock = store.acquire_lock(key, owner, ttl_s)
    try:
        yield lock
    finally:
        store.release_lock(lock)
