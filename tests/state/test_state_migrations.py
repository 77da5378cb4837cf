"""Schema versions: a v1 database is migrated, newer or corrupt databases are refused, WAL is on."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from iacli.state import (
    LATEST_VERSION,
    Outcome,
    ReleaseKind,
    SqliteStateStore,
    StackKey,
    StateError,
    default_state_path,
    template_hash,
)
from iacli.state.migrations import MIGRATIONS, Migration, migrate, schema_version

KEY = StackKey("aws", "sandbox:us-east-1", "web-dev")


def v1_database(path: Path) -> None:
    """A database as the first schema version wrote it, with one release and one lock."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, time.time(), MIGRATIONS[:1]) == [1]
    text = "Resources: {}\n"
    row = (template_hash(text), text, "2026-01-01T00:00:00.000Z")
    conn.execute("INSERT INTO templates VALUES (?, ?, ?)", row)
    conn.execute(
        "INSERT INTO releases (provider, target, stack, number, kind, outcome, origin, blueprint,"
        " blueprint_version, template_hash, parameters, secret_names, request, plan_id, summary, outputs,"
        " error, started_at, ended_at, user, host, git_commit, rollback_of)"
        " VALUES (?, ?, ?, 1, 'deploy', 'succeeded', 'web@1.0.0', 'web', '1.0.0', ?, '{\"a\":1}', '[]', '{}',"
        " NULL, '{\"create\":1}', '{\"url\":\"u\"}', NULL, '2026-01-01T00:00:00.000Z',"
        " '2026-01-01T00:01:00.000Z', 'alice', 'laptop', 'abc', NULL)",
        ("aws", "sandbox:us-east-1", "web-dev", template_hash(text)),
    )
    conn.execute(
        "INSERT INTO locks VALUES ('aws', 'sandbox:us-east-1', 'web-dev', 'alice', 'far-away', 1,"
        " 'iacli deploy', ?, ?, 60, 'tok')",
        (time.time(), time.time() + 60),
    )
    conn.close()


def test_a_v1_database_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    v1_database(path)
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) == 1
    with SqliteStateStore(path) as store:
        old = store.get(KEY, 1)
        assert old is not None
        assert (old.kind, old.outcome, old.parameters, old.outputs) == (
            ReleaseKind.DEPLOY, Outcome.SUCCEEDED, {"a": 1}, {"url": "u"},
        )
        assert old.sandbox_generation is None and old.gone_at is None
        assert store.current(KEY) == old
        assert store.get_lock(KEY) is not None
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) == LATEST_VERSION == len(MIGRATIONS)
        rows = conn.execute("SELECT version, description FROM schema_migrations ORDER BY version").fetchall()
    assert [row[0] for row in rows] == list(range(1, LATEST_VERSION + 1))
    assert all(row[1] for row in rows)


def test_opening_twice_migrates_once(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStateStore(path).close()
    with sqlite3.connect(path, isolation_level=None) as conn:
        assert migrate(conn, time.time()) == []
        assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == LATEST_VERSION


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStateStore(path).close()
    broken = (*MIGRATIONS, Migration("broken", ("CREATE TABLE extra (a)", "THIS IS NOT SQL")))
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, time.time(), broken)
    assert schema_version(conn) == LATEST_VERSION
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra'").fetchone() is None
    conn.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStateStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'x')")
    with pytest.raises(StateError, match="schema version 99") as caught:
        SqliteStateStore(path)
    assert caught.value.hint and "upgrade" in caught.value.hint


def test_a_corrupt_file_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    with pytest.raises(StateError, match=str(path)):
        SqliteStateStore(path)


def test_wal_mode_and_the_parent_folder_are_created(tmp_path: Path) -> None:
    path = default_state_path(tmp_path / "project", None)
    assert path == tmp_path / "project" / ".iacli" / "state.db"
    SqliteStateStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_state_path_honours_the_configured_one(tmp_path: Path) -> None:
    assert default_state_path(tmp_path, "state/iacli.db") == tmp_path / "state" / "iacli.db"
    assert default_state_path(tmp_path, str(tmp_path / "abs.db")) == tmp_path / "abs.db"
    assert default_state_path(tmp_path, "") == tmp_path / ".iacli" / "state.db"
