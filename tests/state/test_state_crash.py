"""Crash safety: an error or a killed process inside a write transaction leaves no half record."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iacli.state import NewRelease, Outcome, ReleaseKind, SqliteStateStore, StackKey, StateError

KEY = StackKey("aws", "sandbox:us-east-1", "web-dev")


def new_release(template: str = "Resources: {}\n") -> NewRelease:
    return NewRelease(
        key=KEY, kind=ReleaseKind.DEPLOY, origin="web@1.0.0", blueprint="web", blueprint_version="1.0.0",
        template=template, parameters={}, secret_names=(), request={}, plan_id=None, summary={},
        user="alice", host="laptop", git_commit=None,
    )


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        releases = conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        templates = conn.execute("SELECT COUNT(*) FROM templates").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return releases, templates


def test_an_error_after_the_template_insert_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStateStore(path) as store:
        with sqlite3.connect(path) as conn:  # the release insert fails after the template was written
            conn.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON releases BEGIN SELECT RAISE(ABORT, 'boom'); END"
            )
        with pytest.raises(sqlite3.IntegrityError, match="boom"):
            store.begin(new_release())
        assert counts(path) == (0, 0)
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TRIGGER boom")
        assert store.begin(new_release()).number == 1  # the connection is usable again


def test_an_exception_from_python_inside_the_transaction_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStateStore(path) as store:
        store.begin(new_release())

        def explode() -> None:
            raise RuntimeError("crash inside the transaction")

        store._conn.create_function("explode", 0, explode)  # type: ignore[union-attr]
        store._conn.execute(  # type: ignore[union-attr]
            "CREATE TEMP TRIGGER explode AFTER UPDATE ON releases BEGIN SELECT explode(); END"
        )
        with pytest.raises(StateError, match="user-defined function raised exception"):
            store.finish(KEY, 1, Outcome.SUCCEEDED)
        store._conn.execute("DROP TRIGGER explode")  # type: ignore[union-attr]
        assert store.get(KEY, 1).outcome is Outcome.IN_PROGRESS  # type: ignore[union-attr]
        assert store.begin(new_release(template="second")).number == 2


CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from iacli.state import NewRelease, ReleaseKind, SqliteStateStore, StackKey

    def new_release(template="Resources: {}\\n"):
        return NewRelease(
            key=StackKey("aws", "sandbox:us-east-1", "web-dev"), kind=ReleaseKind.DEPLOY, origin="web@1.0.0",
            blueprint="web", blueprint_version="1.0.0", template=template, parameters={}, secret_names=(),
            request={}, plan_id=None, summary={}, user="alice", host="laptop", git_commit=None,
        )

    store = SqliteStateStore(Path(sys.argv[1]))
    store.begin(new_release())  # release 1, committed
    store._conn.create_function("die", 0, lambda: os.kill(os.getpid(), signal.SIGKILL))
    store._conn.execute("CREATE TEMP TRIGGER die BEFORE INSERT ON releases BEGIN SELECT die(); END")
    store.begin(new_release("a template written just before the process was killed"))
    """
)


def test_a_process_killed_inside_the_transaction_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    done = subprocess.run(
        [sys.executable, "-c", CRASHER, str(path)],
        check=False, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert counts(path) == (1, 1)  # release 1 and its template; nothing of the killed write
    with SqliteStateStore(path) as store:
        assert store.begin(new_release("after the crash")).number == 2


def test_a_write_that_cannot_get_the_database_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStateStore(path, timeout_s=0.05) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StateError, match="locked"):
                store.begin(new_release())
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.begin(new_release()).number == 1


def test_ctrl_c_inside_a_write_rolls_it_back(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with SqliteStateStore(path) as store:
        with pytest.raises(KeyboardInterrupt), store._write() as conn:
            conn.execute("INSERT INTO templates VALUES ('h', 't', '2026-01-01T00:00:00.000Z')")
            raise KeyboardInterrupt
        assert counts(path) == (0, 0)
        assert store.begin(new_release()).number == 1
