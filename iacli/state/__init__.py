"""Release history and per-stack locks: the :class:`StateStore` protocol and its SQLite implementation.

Typical use by the engine::

    store = SqliteStateStore(default_state_path(project_dir, config.state_path))
    with held(store, key, LockOwner.current("iacli deploy"), ttl_s=900) as lock:
        release = store.begin(NewRelease(...))
        ...  # apply; store.refresh_lock(lock) on long applies
        store.finish(key, release.number, Outcome.SUCCEEDED, outputs=outputs)

The meaning of ``current``, ``last_good``, sandbox generations and gone releases is documented in
:mod:`iacli.state.store`; the lock rules in :mod:`iacli.state.locks`.
"""

from iacli.state.locks import StackLockedError, held, pid_alive
from iacli.state.migrations import LATEST_VERSION
from iacli.state.models import (
    APPLY_KINDS,
    Lock,
    LockOwner,
    NewRelease,
    Outcome,
    Release,
    ReleaseKind,
    StackFilter,
    StackKey,
    template_hash,
)
from iacli.state.sqlite import SqliteStateStore
from iacli.state.store import StateError, StateStore, default_state_path

__all__ = [
    "APPLY_KINDS",
    "LATEST_VERSION",
    "Lock",
    "LockOwner",
    "NewRelease",
    "Outcome",
    "Release",
    "ReleaseKind",
    "SqliteStateStore",
    "StackFilter",
    "StackKey",
    "StackLockedError",
    "StateError",
    "StateStore",
    "default_state_path",
    "held",
    "pid_alive",
    "template_hash",
]
