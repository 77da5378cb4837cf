"""The default :class:`~iacli.state.store.StateStore`: one local SQLite database in WAL mode.

Every write is one ``BEGIN IMMEDIATE`` transaction (rolled back on any exception, ``KeyboardInterrupt``
included), so a crash never leaves half a record, release numbers are allocated race-free, and lock
acquisition is atomic across processes. Readers never block writers (WAL). Waiting for another process's
write is bounded by ``timeout_s`` (SQLite's busy timeout).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from iacli.state.locks import locked_error, lost_lock_error, stale_reason
from iacli.state.migrations import LATEST_VERSION, NewerSchemaError, migrate
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
    format_time,
    template_hash,
)
from iacli.state.store import StateError, StateStore

if TYPE_CHECKING:
    from typing_extensions import Self

_KEY = "provider = ? AND target = ? AND stack = ?"
_GLOB = "provider GLOB ? AND target GLOB ? AND stack GLOB ?"
_REDACTED_PREFIX = "sha256:"


def _key(key: StackKey) -> tuple[str, str, str]:
    return (key.provider, key.target, key.stack)


def _glob(match: StackFilter) -> tuple[str, str, str]:
    return (match.provider, match.target, match.stack)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _visible(generation: str | None) -> tuple[str, tuple[str, ...]]:
    if generation is None:
        return " AND gone_at IS NULL", ()
    return " AND gone_at IS NULL AND sandbox_generation = ?", (generation,)


def _check_new(release: NewRelease) -> None:
    for part in ("provider", "target", "stack"):
        if not getattr(release.key, part):
            raise ValueError(f"a release needs a non-empty {part}")
    for name in release.secret_names:
        value = release.parameters.get(name)
        if value is not None and not (isinstance(value, str) and value.startswith(_REDACTED_PREFIX)):
            # never echo the value: it is a secret in clear
            raise ValueError(f"parameter {name!r} is secret but its value is not redacted")


class SqliteStateStore:
    """A :class:`~iacli.state.store.StateStore` in the SQLite file ``path`` (created, with its folder).

    ``clock`` (epoch seconds) and ``host`` (this machine's name, for judging locks of dead processes) exist
    for tests. The store may be shared between threads of one process (calls are serialised); each process
    opens its own.
    """

    def __init__(
        self,
        path: Path,
        *,
        timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        host: str | None = None,
    ) -> None:
        self.path = path
        self._clock = clock
        self._host = host if host is not None else socket.gethostname()
        self._mutex = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(path), timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open the state database {path}: {exc}") from None
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            self._enable_wal(conn, timeout_s)
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, clock())
        except NewerSchemaError as exc:
            self.close()
            raise StateError(
                f"the state database {path} has schema version {exc.found}; "
                f"this iacli knows versions up to {LATEST_VERSION}",
                hint="upgrade iacli (pip install -U iacli)",
            ) from None
        except sqlite3.Error as exc:
            self.close()
            raise StateError(f"cannot use the state database {path}: {exc}") from None
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _enable_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
        # switching a new database to WAL needs a moment of exclusive access: retry while another
        # process holds it (the mode is persistent, so this only contends on first use)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    # -- plumbing ---------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent); the store cannot be used afterwards."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StateError(f"the state database {self.path} is closed")
        return self._conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            try:
                yield self._connection()
            except sqlite3.OperationalError as exc:
                raise StateError(f"cannot read the state database {self.path}: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any exception."""
        with self._mutex:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StateError(f"cannot write the state database {self.path}: {exc}") from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise StateError(f"cannot write the state database {self.path}: {exc}") from None
                raise

    def _now(self) -> str:
        return format_time(self._clock())

    # -- releases ---------------------------------------------------------------------------------

    def begin(self, release: NewRelease) -> Release:
        """Record the start of an apply (see :meth:`StateStore.begin`)."""
        _check_new(release)
        digest = template_hash(release.template)
        values = (
            release.kind.value,
            Outcome.IN_PROGRESS.value,
            release.origin,
            release.blueprint,
            release.blueprint_version,
            digest,
            _dumps(release.parameters),
            _dumps(list(release.secret_names)),
            _dumps(release.request),
            release.plan_id,
            _dumps(release.summary),
            _dumps({}),
            None,
            self._now(),
            None,
            release.user,
            release.host,
            release.git_commit,
            release.rollback_of,
            release.sandbox_generation,
        )
        key = _key(release.key)
        with self._write() as conn:
            if release.rollback_of is not None and not conn.execute(
                f"SELECT 1 FROM releases WHERE {_KEY} AND number = ?", (*key, release.rollback_of)
            ).fetchone():
                raise ValueError(
                    f"rollback_of: stack {release.key.stack} has no release {release.rollback_of}"
                )
            conn.execute(
                "INSERT OR IGNORE INTO templates (hash, text, created_at) VALUES (?, ?, ?)",
                (digest, release.template, self._now()),
            )
            number = int(
                conn.execute(
                    f"SELECT COALESCE(MAX(number), 0) + 1 FROM releases WHERE {_KEY}", key
                ).fetchone()[0]
            )
            conn.execute(
                "INSERT INTO releases (provider, target, stack, number, kind, outcome, origin, blueprint,"
                " blueprint_version, template_hash, parameters, secret_names, request, plan_id, summary,"
                " outputs, error, started_at, ended_at, user, host, git_commit, rollback_of,"
                " sandbox_generation) VALUES (" + ", ".join("?" * 24) + ")",
                (*key, number, *values),
            )
            row = self._release_row(conn, release.key, number)
        assert row is not None
        return row

    def finish(
        self,
        key: StackKey,
        number: int,
        outcome: Outcome,
        outputs: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Release:
        """Record how release ``number`` ended (see :meth:`StateStore.finish`)."""
        outcome = Outcome(outcome)
        if outcome is Outcome.IN_PROGRESS:
            raise ValueError("finish needs a final outcome, not in-progress")
        outputs_json = None if outputs is None else _dumps(outputs)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE releases SET outcome = ?, ended_at = ?, error = ?, outputs = COALESCE(?, outputs)"
                f" WHERE {_KEY} AND number = ?",
                (outcome.value, self._now(), error, outputs_json, *_key(key), number),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"stack {key.stack} has no release {number}")
            row = self._release_row(conn, key, number)
        assert row is not None
        return row

    def get(self, key: StackKey, number: int) -> Release | None:
        """Release ``number`` of the stack, gone or not."""
        with self._read() as conn:
            return self._release_row(conn, key, number)

    def latest(self, key: StackKey, *, generation: str | None = None) -> Release | None:
        """The newest visible release, whatever its outcome."""
        visible, params = _visible(generation)
        return self._first(f"WHERE {_KEY}{visible} ORDER BY number DESC LIMIT 1", (*_key(key), *params))

    def history(
        self,
        key: StackKey,
        limit: int | None = None,
        *,
        generation: str | None = None,
        include_gone: bool = True,
    ) -> list[Release]:
        """Releases newest first, at most ``limit``; ``include_gone=False`` keeps only visible ones."""
        visible, params = ("", ()) if include_gone else _visible(generation)
        sql = f"SELECT * FROM releases WHERE {_KEY}{visible} ORDER BY number DESC"
        args: tuple[Any, ...] = (*_key(key), *params)
        if limit is not None:
            sql += " LIMIT ?"
            args = (*args, max(limit, 0))
        with self._read() as conn:
            return [self._to_release(row) for row in conn.execute(sql, args)]

    def last_good(
        self, key: StackKey, before: int | None = None, *, generation: str | None = None
    ) -> Release | None:
        """The newest visible succeeded deploy/rollback/auto-rollback, with ``number < before`` if given."""
        visible, params = _visible(generation)
        kinds = sorted(kind.value for kind in APPLY_KINDS)
        sql = f"WHERE {_KEY} AND outcome = ? AND kind IN ({', '.join('?' * len(kinds))}){visible}"
        args: tuple[Any, ...] = (*_key(key), Outcome.SUCCEEDED.value, *kinds, *params)
        if before is not None:
            sql += " AND number < ?"
            args = (*args, before)
        return self._first(sql + " ORDER BY number DESC LIMIT 1", args)

    def current(self, key: StackKey, *, generation: str | None = None) -> Release | None:
        """The newest visible succeeded release, unless it is a destroy (then nothing is deployed)."""
        visible, params = _visible(generation)
        found = self._first(
            f"WHERE {_KEY} AND outcome = ?{visible} ORDER BY number DESC LIMIT 1",
            (*_key(key), Outcome.SUCCEEDED.value, *params),
        )
        if found is None or found.kind is ReleaseKind.DESTROY:
            return None
        return found

    def template(self, template_hash: str) -> str:
        """The stored template text with this sha256 (``KeyError`` if there is none)."""
        with self._read() as conn:
            row = conn.execute("SELECT text FROM templates WHERE hash = ?", (template_hash,)).fetchone()
        if row is None:
            raise KeyError(template_hash)
        return str(row[0])

    def stacks(self, match: StackFilter | None = None) -> list[StackKey]:
        """Every stack with at least one release, sorted, restricted to ``match`` (default: all)."""
        match = match or StackFilter()
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT provider, target, stack FROM releases WHERE {_GLOB}"
                " ORDER BY provider, target, stack",
                _glob(match),
            ).fetchall()
        return [StackKey(row[0], row[1], row[2]) for row in rows]

    def mark_gone(self, match: StackFilter, *, keep_generation: str | None = None) -> int:
        """Stamp ``gone_at`` on the matching stacks' releases; returns how many were stamped."""
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE releases SET gone_at = ? WHERE gone_at IS NULL AND {_GLOB}"
                " AND (? IS NULL OR sandbox_generation IS NOT ?)",
                (self._now(), *_glob(match), keep_generation, keep_generation),
            )
            return int(cursor.rowcount)

    def forget(self, match: StackFilter) -> int:
        """Delete the matching stacks' releases and the templates no release uses; returns how many."""
        with self._write() as conn:
            cursor = conn.execute(f"DELETE FROM releases WHERE {_GLOB}", _glob(match))
            conn.execute(
                "DELETE FROM templates WHERE hash NOT IN (SELECT DISTINCT template_hash FROM releases)"
            )
            return int(cursor.rowcount)

    def _first(self, where: str, args: tuple[Any, ...]) -> Release | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT * FROM releases {where}", args).fetchone()
        return None if row is None else self._to_release(row)

    def _release_row(self, conn: sqlite3.Connection, key: StackKey, number: int) -> Release | None:
        sql = f"SELECT * FROM releases WHERE {_KEY} AND number = ?"
        row = conn.execute(sql, (*_key(key), number)).fetchone()
        return None if row is None else self._to_release(row)

    @staticmethod
    def _to_release(row: sqlite3.Row) -> Release:
        return Release(
            number=int(row["number"]),
            key=StackKey(row["provider"], row["target"], row["stack"]),
            kind=ReleaseKind(row["kind"]),
            outcome=Outcome(row["outcome"]),
            origin=row["origin"],
            blueprint=row["blueprint"],
            blueprint_version=row["blueprint_version"],
            template_hash=row["template_hash"],
            parameters=json.loads(row["parameters"]),
            secret_names=tuple(json.loads(row["secret_names"])),
            request=json.loads(row["request"]),
            plan_id=row["plan_id"],
            summary=json.loads(row["summary"]),
            outputs=json.loads(row["outputs"]),
            error=row["error"],
            started_at=row["started_at"],
            ended_at=row["ended_at"],
            user=row["user"],
            host=row["host"],
            git_commit=row["git_commit"],
            rollback_of=row["rollback_of"],
            sandbox_generation=row["sandbox_generation"],
            gone_at=row["gone_at"],
        )

    @staticmethod
    def _interrupt_in_progress(conn: sqlite3.Connection, key: StackKey, now: str, error: str) -> None:
        conn.execute(
            f"UPDATE releases SET outcome = ?, ended_at = ?, error = ? WHERE {_KEY} AND outcome = ?",
            (Outcome.INTERRUPTED.value, now, error, *_key(key), Outcome.IN_PROGRESS.value),
        )

    # -- locks ------------------------------------------------------------------------------------

    def acquire_lock(self, key: StackKey, owner: LockOwner, ttl_s: float) -> Lock:
        """Take the stack's lock for ``ttl_s`` seconds, atomically (see :meth:`StateStore.acquire_lock`)."""
        if ttl_s <= 0:
            raise ValueError("a lock needs a positive TTL")
        with self._write() as conn:
            existing = self._lock_row(conn, key)
            if existing is not None:
                reason = self.stale_reason(existing)
                if reason is None:
                    raise locked_error(existing)
                self._interrupt_in_progress(
                    conn, key, self._now(), f"interrupted: the run of {existing.owner} died ({reason})"
                )
            now = self._clock()
            token = uuid.uuid4().hex
            conn.execute(
                "INSERT OR REPLACE INTO locks (provider, target, stack, user, host, pid, command,"
                " acquired_at, expires_at, ttl_s, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_key(key), owner.user, owner.host, owner.pid, owner.command, now, now + ttl_s, ttl_s,
                 token),
            )
        return Lock(key, owner, format_time(now), format_time(now + ttl_s), token, ttl_s, took_over=existing)

    def release_lock(self, lock: Lock) -> None:
        """Give the lock back; a no-op if it is no longer ours."""
        with self._write() as conn:
            conn.execute(f"DELETE FROM locks WHERE {_KEY} AND token = ?", (*_key(lock.key), lock.token))

    def refresh_lock(self, lock: Lock, ttl_s: float | None = None) -> None:
        """Extend the lock to now + ``ttl_s`` (default: its TTL); ``StackLockedError`` if it was lost."""
        ttl = lock.ttl_s if ttl_s is None else ttl_s
        if ttl <= 0:
            raise ValueError("a lock needs a positive TTL")
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE locks SET expires_at = ?, ttl_s = ? WHERE {_KEY} AND token = ?",
                (self._clock() + ttl, ttl, *_key(lock.key), lock.token),
            )
            if cursor.rowcount == 0:
                raise lost_lock_error(lock.key, self._lock_row(conn, lock.key))

    def get_lock(self, key: StackKey) -> Lock | None:
        """The stack's lock, live or stale, if any."""
        with self._read() as conn:
            return self._lock_row(conn, key)

    def locks(self) -> list[Lock]:
        """Every lock held, live or stale, sorted by stack key."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM locks ORDER BY provider, target, stack").fetchall()
        return [self._to_lock(row) for row in rows]

    def stale_reason(self, lock: Lock) -> str | None:
        """Why ``lock`` is stale now, seen from this host; ``None`` if it is live."""
        return stale_reason(lock, self._clock(), self._host)

    def break_lock(self, key: StackKey) -> Lock | None:
        """Remove the stack's lock whoever holds it; its in-progress releases become interrupted."""
        with self._write() as conn:
            existing = self._lock_row(conn, key)
            if existing is None:
                return None
            conn.execute(f"DELETE FROM locks WHERE {_KEY}", _key(key))
            self._interrupt_in_progress(
                conn, key, self._now(), f"interrupted: the lock of {existing.owner} was broken"
            )
        return existing

    def _lock_row(self, conn: sqlite3.Connection, key: StackKey) -> Lock | None:
        row = conn.execute(f"SELECT * FROM locks WHERE {_KEY}", _key(key)).fetchone()
        return None if row is None else self._to_lock(row)

    @staticmethod
    def _to_lock(row: sqlite3.Row) -> Lock:
        return Lock(
            key=StackKey(row["provider"], row["target"], row["stack"]),
            owner=LockOwner(row["user"], row["host"], int(row["pid"]), row["command"]),
            acquired_at=format_time(float(row["acquired_at"])),
            expires_at=format_time(float(row["expires_at"])),
            token=row["token"],
            ttl_s=float(row["ttl_s"]),
        )


if TYPE_CHECKING:

    def _conforms(store: SqliteStateStore) -> StateStore:  # mypy proves the class implements the protocol
        return store
