"""Move an app database to another backend — typically a society's ``app.sqlite`` into the PostgreSQL that
several servers will share — keeping every account, job, audit entry, version, quiz set, question and vote.

Both databases are at the latest schema (opening migrates them); the target must be empty. Rows keep their ids,
insertion order is kept where the code relies on it, and PostgreSQL's identity counters continue after the
copied ids.
"""

from __future__ import annotations

from wuxue.app_database import Database, Transaction
from wuxue.errors import WuxueError
from wuxue.migrations import columns_of

# Parents before children (foreign keys); schema_version is the target's own.
TABLES = ("users", "tokens", "login_failures", "jobs", "audit_log", "document_versions", "quiz_sets", "queries",
          "feedback", "review_marks")
IDENTITY_COLUMNS = {"audit_log": "id", "feedback": "id"}
ORDERED_BY_INSERTION = ("quiz_sets", "queries")  # their order breaks ties between equal times


class TargetNotEmptyError(WuxueError):
    code = "target_not_empty"


def copy_app_database(source: Database, target: Database) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target`` in one transaction; return rows copied per table."""
    copied: dict[str, int] = {}
    with source.transaction() as reading, target.transaction(lock="wuxue schema migrations") as writing:  # a consistent source
        occupied = [table for table in TABLES if writing.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()]
        if occupied:
            raise TargetNotEmptyError(f"目标数据库不是空的（{'、'.join(occupied)} 中已有数据），为免覆盖，未复制任何内容")
        for table in TABLES:
            names = sorted((columns_of(reading, table) & columns_of(writing, table)) - {"seq"})
            order = f" ORDER BY {reading.dialect.insertion_order}" if table in ORDERED_BY_INSERTION else ""
            rows = reading.execute(f"SELECT {', '.join(names)} FROM {table}{order}").fetchall()
            if rows:
                writing.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                    [tuple(row) for row in rows])
            copied[table] = len(rows)
        _continue_identities(writing)
    return copied


def _continue_identities(tx: Transaction) -> None:
    """New rows after the copy get ids above the copied ones (SQLite's AUTOINCREMENT does this by itself)."""
    if tx.dialect.name != "postgresql":
        return
    for table, column in IDENTITY_COLUMNS.items():
        tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}")
