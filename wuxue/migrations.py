"""The app database's schema, as ordered migrations applied at start-up, the same way on SQLite and PostgreSQL.

``schema_version`` records each applied migration. A database gets the pending ones in order,
in one transaction, under one lock, so two processes starting together do not both apply them.
Every migration is safe on a file written by the release before this mechanism existed (tables
created by the stores themselves, columns added in place): it creates only what is missing,
so those files upgrade in place with their rows.

Add a migration by appending to :data:`MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from wuxue.sql_dialect import Dialect

if TYPE_CHECKING:
    from wuxue.app_database import Database, Transaction


def columns_of(tx: "Transaction", table: str) -> set[str]:
    """The columns ``table`` has now (either engine)."""
    if tx.dialect.name == "sqlite":
        return {row[1] for row in tx.execute(f"PRAGMA table_info({table})")}
    return {row[0] for row in tx.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_schema = current_schema() AND table_name = ?", [table])}


def _add_column(tx: "Transaction", table: str, name: str, definition: str) -> None:
    """Add a column unless a previous release already did (old rows get the default)."""
    if name not in columns_of(tx, table):
        tx.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")


def _script(tx: "Transaction", statements: str) -> None:
    for statement in statements.split(";"):
        if statement.strip():
            tx.execute(statement)


def first_release(tx: "Transaction", d: Dialect) -> None:
    """The tables as the first release's stores created them."""
    _script(tx, f"""
    CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT {d.now_text}
    );
    CREATE TABLE IF NOT EXISTS tokens (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        expires_at {d.real} NOT NULL
    );
    CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        stage TEXT NOT NULL DEFAULT '',
        current TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{{}}',
        result TEXT NOT NULL DEFAULT '{{}}',
        created_by TEXT NOT NULL DEFAULT '',
        created_at {d.real} NOT NULL,
        updated_at {d.real} NOT NULL
    );
    CREATE INDEX IF NOT EXISTS jobs_state_kind ON jobs(state, kind);
    CREATE TABLE IF NOT EXISTS audit_log (
        id {d.identity_pk},
        at {d.real} NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{{}}'
    );
    CREATE TABLE IF NOT EXISTS document_versions (
        doc_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        filename TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{{}}',
        status TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at {d.real} NOT NULL,
        PRIMARY KEY (doc_id, version)
    );
    CREATE TABLE IF NOT EXISTS quiz_sets (
        {d.seq_column}
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at {d.real} NOT NULL,
        updated_at {d.real} NOT NULL,
        spec TEXT NOT NULL,
        doc_versions TEXT NOT NULL,
        items TEXT NOT NULL,
        shortfall TEXT NOT NULL,
        rejected TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS quiz_sets_by_creator ON quiz_sets (created_by, created_at);
    CREATE TABLE IF NOT EXISTS queries (
        {d.seq_column}
        query_id TEXT PRIMARY KEY,
        question TEXT NOT NULL,
        found INTEGER NOT NULL,
        answer TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT {d.now_text}
    );
    CREATE INDEX IF NOT EXISTS queries_created_at ON queries(created_at);
    CREATE TABLE IF NOT EXISTS feedback (
        id {d.identity_pk},
        query_id TEXT NOT NULL REFERENCES queries(query_id),
        helpful INTEGER NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {d.now_text}
    );
    CREATE TABLE IF NOT EXISTS review_marks (
        question_key TEXT PRIMARY KEY,
        handled_at {d.real} NOT NULL,
        handled_by TEXT NOT NULL DEFAULT ''
    )
    """)


def job_note(tx: "Transaction", d: Dialect) -> None:
    """Jobs say why they run again (e.g. 服务重启后重新排队)."""
    _add_column(tx, "jobs", "note", "TEXT NOT NULL DEFAULT ''")


def feedback_per_client(tx: "Transaction", d: Dialect) -> None:
    """One feedback row per (query, client), changed in place; old rows each get a client of their own."""
    for name in ("client", "reason", "updated_at"):
        _add_column(tx, "feedback", name, "TEXT NOT NULL DEFAULT ''")
    tx.execute("UPDATE feedback SET client = 'legacy:' || CAST(id AS TEXT) WHERE client = ''")
    tx.execute("UPDATE feedback SET updated_at = created_at WHERE updated_at = ''")
    tx.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_query_client ON feedback(query_id, client)")


def login_failures(tx: "Transaction", d: Dialect) -> None:
    """Failed logins live in the database, so every process (and machine) counts the same attempts."""
    _script(tx, f"""
    CREATE TABLE IF NOT EXISTS login_failures (
        key TEXT NOT NULL,
        at {d.real} NOT NULL
    );
    CREATE INDEX IF NOT EXISTS login_failures_key_at ON login_failures(key, at);
    CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures(at)
    """)


def job_leases(tx: "Transaction", d: Dialect) -> None:
    """A running job belongs to one runner while its lease lasts; a cancel request reaches it from any process."""
    _add_column(tx, "jobs", "runner", "TEXT NOT NULL DEFAULT ''")
    _add_column(tx, "jobs", "lease_until", f"{d.real} NOT NULL DEFAULT 0")
    _add_column(tx, "jobs", "cancel_requested", "INTEGER NOT NULL DEFAULT 0")


Migration = Callable[["Transaction", Dialect], None]
MIGRATIONS: tuple[tuple[int, str, Migration], ...] = (
    (1, "first release tables", first_release),
    (2, "jobs.note", job_note),
    (3, "feedback per client", feedback_per_client),
    (4, "login failures", login_failures),
    (5, "job leases and cancel requests", job_leases),
)
LATEST = MIGRATIONS[-1][0]


def migrate(database: "Database") -> list[int]:
    """Apply the pending migrations in order; return the versions applied (none when up to date)."""
    with database.read() as tx:  # the common case, without taking the write lock
        if _current(tx) >= LATEST:
            return []
    with database.transaction(lock="wuxue schema migrations") as tx:
        d = tx.dialect
        tx.execute(f"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {d.real} NOT NULL)")
        current = _current(tx)  # again, under the lock: another process may just have applied them
        applied = []
        for version, name, step in MIGRATIONS:
            if version > current:
                step(tx, d)
                tx.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (?,?,?)", [version, name, time.time()])
                applied.append(version)
    return applied


def _current(tx: "Transaction") -> int:
    if tx.dialect.name == "sqlite":
        exists = tx.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    else:
        exists = tx.execute("SELECT to_regclass('schema_version')").fetchone()[0]
    if not exists:
        return 0
    return int(tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])


def schema_version(database: "Database") -> int:
    with database.read() as tx:
        return _current(tx)
