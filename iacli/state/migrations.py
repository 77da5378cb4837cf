"""The SQLite schema as an ordered list of migrations, and the code that applies the missing ones.

Migration ``i`` (1-based) brings the schema from version ``i - 1`` to ``i``. Never edit a released step:
append a new one. Each applied step is recorded in ``schema_migrations``; the schema version is the highest
recorded one. All pending steps run in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a new
database cannot both migrate it and a failure leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from iacli.state.models import format_time


@dataclass(frozen=True)
class Migration:
    """One schema step: a description and the SQL statements it runs, in order."""

    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "releases, templates and locks",
        (
            """
            CREATE TABLE templates (
                hash        TEXT PRIMARY KEY,        -- sha256 hex of the UTF-8 text
                text        TEXT NOT NULL,
                created_at  TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE releases (
                provider           TEXT NOT NULL,
                target             TEXT NOT NULL,
                stack              TEXT NOT NULL,
                number             INTEGER NOT NULL CHECK (number > 0),
                kind               TEXT NOT NULL,
                outcome            TEXT NOT NULL,
                origin             TEXT NOT NULL,
                blueprint          TEXT,
                blueprint_version  TEXT,
                template_hash      TEXT NOT NULL REFERENCES templates (hash),
                parameters         TEXT NOT NULL,    -- JSON object, secrets redacted
                secret_names       TEXT NOT NULL,    -- JSON array
                request            TEXT NOT NULL,    -- JSON object
                plan_id            TEXT,
                summary            TEXT NOT NULL,    -- JSON object
                outputs            TEXT NOT NULL,    -- JSON object
                error              TEXT,
                started_at         TEXT NOT NULL,    -- ISO 8601 UTC
                ended_at           TEXT,
                user               TEXT NOT NULL,
                host               TEXT NOT NULL,
                git_commit         TEXT,
                rollback_of        INTEGER,
                PRIMARY KEY (provider, target, stack, number)
            )
            """,
            "CREATE INDEX releases_template ON releases (template_hash)",
            """
            CREATE TABLE locks (
                provider     TEXT NOT NULL,
                target       TEXT NOT NULL,
                stack        TEXT NOT NULL,
                user         TEXT NOT NULL,
                host         TEXT NOT NULL,
                pid          INTEGER NOT NULL,
                command      TEXT NOT NULL,
                acquired_at  REAL NOT NULL,          -- epoch seconds
                expires_at   REAL NOT NULL,
                ttl_s        REAL NOT NULL,
                token        TEXT NOT NULL,
                PRIMARY KEY (provider, target, stack)
            )
            """,
        ),
    ),
    Migration(
        "sandbox generations and gone marks on releases",
        (
            "ALTER TABLE releases ADD COLUMN sandbox_generation TEXT",
            "ALTER TABLE releases ADD COLUMN gone_at TEXT",
        ),
    ),
)

#: The schema version this code writes.
LATEST_VERSION = len(MIGRATIONS)

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version      INTEGER PRIMARY KEY,
    description  TEXT NOT NULL,
    applied_at   TEXT NOT NULL
)
"""


class NewerSchemaError(Exception):
    """The database has a schema version this code does not know."""

    def __init__(self, found: int) -> None:
        super().__init__(f"schema version {found} is newer than {LATEST_VERSION}")
        self.found = found


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (0 for an empty database)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(
    conn: sqlite3.Connection,
    now: float,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[int]:
    """Apply the missing ``migrations`` in one transaction; returns the versions applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``) and outside a transaction. Raises
    :class:`NewerSchemaError` if the database is newer than ``migrations``.
    """
    if schema_version(conn) == len(migrations):
        return []  # the common case, without taking the write lock
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_BOOTSTRAP)
        found = schema_version(conn)
        if found > len(migrations):
            raise NewerSchemaError(found)
        applied: list[int] = []
        for version, step in enumerate(migrations[found:], start=found + 1):
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                (version, step.description, format_time(now)),
            )
            applied.append(version)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return applied
