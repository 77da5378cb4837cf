"""Per-stack locks: real processes racing, the loser's one-line error, stale locks of dead runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iacli.errors import ExitCode, LockedError
from iacli.state import (
    LockOwner,
    NewRelease,
    Outcome,
    ReleaseKind,
    SqliteStateStore,
    StackKey,
    StackLockedError,
    held,
    pid_alive,
)

KEY = StackKey("aws", "sandbox:us-east-1", "serverless-web-dev")
HOST = socket.gethostname()


def new_release() -> NewRelease:
    return NewRelease(
        key=KEY, kind=ReleaseKind.DEPLOY, origin="web@1.0.0", blueprint="web", blueprint_version="1.0.0",
        template="Resources: {}\n", parameters={}, secret_names=(), request={}, plan_id=None, summary={},
        user="alice", host=HOST, git_commit=None,
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStateStore]:
    with SqliteStateStore(path) as opened:
        yield opened


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    code = "import os; print(os.getpid())"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    pid = int(done.stdout)
    assert not pid_alive(pid)
    return pid


def test_acquire_release_and_the_loser_error(store: SqliteStateStore) -> None:
    alice = LockOwner("alice", "build-host", 4242, "iacli deploy")
    lock = store.acquire_lock(KEY, alice, ttl_s=600)
    assert lock.took_over is None and lock.ttl_s == 600
    assert store.get_lock(KEY) == lock and store.locks() == [lock]
    assert store.stale_reason(lock) is None  # another host: only the TTL can make it stale

    with pytest.raises(LockedError) as caught:
        store.acquire_lock(KEY, LockOwner.current("iacli rollback"), ttl_s=600)
    error = caught.value
    assert isinstance(error, StackLockedError) and error.lock == lock
    assert error.exit_code == ExitCode.LOCKED and int(error.exit_code) == 7
    assert error.message == (
        f"stack serverless-web-dev is locked by alice@build-host pid 4242 (iacli deploy) "
        f"since {lock.acquired_at[:19]}Z"
    )
    assert "\n" not in error.message
    assert error.hint is not None and "iacli doctor serverless-web-dev --fix" in error.hint

    store.release_lock(lock)
    assert store.get_lock(KEY) is None
    store.release_lock(lock)  # idempotent
    with held(store, KEY, LockOwner.current("iacli deploy"), ttl_s=60) as again:
        assert store.get_lock(KEY) == again
    assert store.locks() == []


def test_other_stacks_are_not_blocked(store: SqliteStateStore) -> None:
    owner = LockOwner.current("iacli deploy")
    store.acquire_lock(KEY, owner, ttl_s=60)
    store.acquire_lock(StackKey("aws", "aws:eu-west-1", KEY.stack), owner, ttl_s=60)
    assert len(store.locks()) == 2


def test_an_expired_lock_is_taken_over(path: Path, store: SqliteStateStore) -> None:
    first = store.acquire_lock(KEY, LockOwner("alice", "elsewhere", 1, "iacli deploy"), ttl_s=60)
    later = SqliteStateStore(path, clock=lambda: time.time() + 61)
    try:
        assert later.stale_reason(first) == f"its TTL expired at {first.expires_at[:19]}Z"
        second = later.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=60)
        assert second.took_over == first and second.token != first.token
    finally:
        later.close()
    with pytest.raises(StackLockedError, match="taken over by"):
        store.refresh_lock(first)
    store.release_lock(first)  # not ours any more: a no-op
    assert store.get_lock(KEY) == second


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over(store: SqliteStateStore) -> None:
    pid = dead_pid()
    stale = store.acquire_lock(KEY, LockOwner("alice", HOST, pid, "iacli deploy"), ttl_s=3600)
    assert store.stale_reason(stale) == f"process {pid} no longer runs on {HOST}"
    lock = store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=60)
    assert lock.took_over == stale


def test_a_dead_process_on_another_host_still_blocks_until_its_ttl(store: SqliteStateStore) -> None:
    store.acquire_lock(KEY, LockOwner("alice", "another-host", dead_pid(), "iacli deploy"), ttl_s=3600)
    with pytest.raises(StackLockedError):
        store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=60)


def test_refresh_extends_and_break_lock_removes(path: Path, store: SqliteStateStore) -> None:
    lock = store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=5)
    store.refresh_lock(lock, ttl_s=3600)
    refreshed = store.get_lock(KEY)
    assert refreshed is not None and refreshed.ttl_s == 3600 and refreshed.expires_at > lock.expires_at
    with SqliteStateStore(path, clock=lambda: time.time() + 60) as later:
        assert later.stale_reason(refreshed) is None  # 5 s would have expired; one hour has not

    release = store.begin(new_release())
    assert store.break_lock(KEY) == refreshed
    assert store.break_lock(KEY) is None
    interrupted = store.get(KEY, release.number)
    assert interrupted is not None and interrupted.outcome is Outcome.INTERRUPTED
    assert interrupted.error is not None and "was broken" in interrupted.error
    with pytest.raises(StackLockedError, match="was removed"):
        store.refresh_lock(lock)
    with pytest.raises(ValueError):
        store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=0)


# what the child processes run first (they do not import this module: importing pytest is slow)
PRELUDE = textwrap.dedent(
    """
    import os, socket, sys, time
    from pathlib import Path
    from iacli.state import LockOwner, NewRelease, ReleaseKind, SqliteStateStore, StackKey, StackLockedError

    KEY = StackKey("aws", "sandbox:us-east-1", "serverless-web-dev")

    def new_release():
        return NewRelease(
            key=KEY, kind=ReleaseKind.DEPLOY, origin="web@1.0.0", blueprint="web", blueprint_version="1.0.0",
            template="Resources: {}\\n", parameters={}, secret_names=(), request={}, plan_id=None, summary={},
            user="alice", host=socket.gethostname(), git_commit=None,
        )
    """
)

HOLDER = PRELUDE + textwrap.dedent(
    """

    store = SqliteStateStore(Path(sys.argv[1]))
    store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=3600)
    store.begin(new_release())
    print("HOLDING", flush=True)
    sys.stdin.readline()  # killed while waiting here
    """
)


def test_a_killed_run_leaves_a_stale_lock_and_an_interrupted_release(
    path: Path, store: SqliteStateStore
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "HOLDING"
        with pytest.raises(StackLockedError, match=f"pid {proc.pid} "):
            store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=60)
    finally:
        proc.kill()
        proc.wait()
    lock = store.acquire_lock(KEY, LockOwner.current("iacli deploy"), ttl_s=60)
    assert lock.took_over is not None and lock.took_over.owner.pid == proc.pid
    release = store.get(KEY, 1)
    assert release is not None and release.outcome is Outcome.INTERRUPTED and release.ended_at
    assert release.error is not None and f"pid {proc.pid}" in release.error
    assert "no longer runs" in release.error


RACER = PRELUDE + textwrap.dedent(
    """
    store = SqliteStateStore(Path(sys.argv[1]))
    go = Path(sys.argv[2])
    print("READY", flush=True)
    while not go.exists():
        time.sleep(0.0005)
    try:
        lock = store.acquire_lock(KEY, LockOwner.current("iacli deploy"), 60)
    except StackLockedError as exc:
        print("LOCKED", exc.message, flush=True)
        sys.exit(0)
    print("WON", os.getpid(), flush=True)
    sys.stdin.readline()
    store.release_lock(lock)
    """
)


def test_real_processes_racing_for_one_lock(tmp_path: Path, path: Path) -> None:
    SqliteStateStore(path).close()  # schema in place, so the race is about the lock only
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), str(go)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
        go.touch()
        results = {proc.pid: proc.stdout.readline().strip() for proc in procs if proc.stdout}
        winners = [pid for pid, line in results.items() if line.startswith("WON")]
        assert len(winners) == 1, results
        winner = winners[0]
        for pid, line in results.items():
            if pid != winner:
                assert line.startswith("LOCKED stack serverless-web-dev is locked by "), line
                assert f"@{HOST} pid {winner} (iacli deploy) since " in line
        for proc in procs:
            if proc.pid == winner:
                assert proc.stdin is not None
                proc.stdin.write("\n")
                proc.stdin.close()
            assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    with SqliteStateStore(path) as store:
        assert store.locks() == []


BEGINNER = PRELUDE + textwrap.dedent(
    """
    store = SqliteStateStore(Path(sys.argv[1]))
    go = Path(sys.argv[2])
    print("READY", flush=True)
    while not go.exists():
        time.sleep(0.0005)
    print(" ".join(str(store.begin(new_release()).number) for _ in range(25)), flush=True)
    """
)


def test_concurrent_begin_from_processes_yields_distinct_numbers(tmp_path: Path, path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BEGINNER, str(path), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]  # all three open the new database at once: migrating it is part of the race
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
    go.touch()
    numbers: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        numbers += [int(n) for n in out.split()]
    assert sorted(numbers) == list(range(1, 76))
    with SqliteStateStore(path) as store:
        assert [r.number for r in store.history(KEY)] == list(range(75, 0, -1))


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(0) and not pid_alive(-1)
    assert not pid_alive(dead_pid())
