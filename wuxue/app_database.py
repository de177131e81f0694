"""The app database: one connection factory for every store (users, tokens, login failures, jobs, audit,
document history, quiz sets, questions and feedback).

SQLite by default (``DATA_DIR/app.sqlite``: embedded, nothing to install); PostgreSQL when
``WUXUE_DATABASE_URL=postgresql://…`` is set, so several processes or machines share one state.
Opening a database applies pending schema migrations (:mod:`wuxue.migrations`) before any store uses it.

Stores run statements inside :meth:`Database.transaction` (writes, committed together) or
:meth:`Database.read`. A ``lock`` name serialises read-then-write transactions across processes:
SQLite already takes the one write lock at ``BEGIN IMMEDIATE``; PostgreSQL takes an advisory lock.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wuxue.errors import WuxueError
from wuxue.sql_dialect import POSTGRESQL, SQLITE, Dialect

if TYPE_CHECKING:
    from wuxue.settings import Settings

log = logging.getLogger(__name__)
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
POOL_MAX = 10  # connections per process; requests hold one for a few statements only
CONNECT_TIMEOUT = 30.0  # at start-up
POOL_WAIT = 10.0  # a request waits this long for a connection (e.g. while the primary fails over), then 503
UNAVAILABLE = "应用数据库暂时不可用，请稍后再试"


class DatabaseUnavailableError(WuxueError):
    code = "database_unavailable"


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Transaction:
    """Statements on one connection, in the caller's ``?`` style."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self._connection = connection
        self.dialect = dialect

    def execute(self, statement: str, params: Sequence[object] = ()) -> Cursor:
        return self._connection.execute(self.dialect.sql(statement), list(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        """One statement for many rows (psycopg pipelines them instead of a round trip each)."""
        if self.dialect.name == "sqlite":
            self._connection.executemany(statement, rows)
        else:
            with self._connection.cursor() as cursor:
                cursor.executemany(self.dialect.sql(statement), rows)


class Database:
    """One app database. Thread-safe; share one per process (stores opened from a location own theirs)."""

    dialect: Dialect
    integrity_errors: tuple[type[BaseException], ...]

    @staticmethod
    def open(location: "Path | str") -> "Database":
        """A PostgreSQL URL or an SQLite file path; the schema is brought up to date before returning."""
        from wuxue.migrations import migrate

        text = str(location)
        database: Database = PostgresDatabase(text) if text.startswith(POSTGRES_SCHEMES) else SqliteDatabase(Path(location))
        try:
            migrate(database)
        except BaseException:
            database.close()
            raise
        return database

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Transaction]:
        raise NotImplementedError

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    """One connection shared by the process's threads behind a lock; WAL journal; writers serialised by BEGIN IMMEDIATE."""

    dialect = SQLITE
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: Path) -> None:
        if sqlite3.sqlite_version_info < (3, 35):  # RETURNING
            raise DatabaseUnavailableError(f"SQLite {sqlite3.sqlite_version} 过旧，需要 3.35 或更新版本")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.location = str(path)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Transaction]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # the write lock now, so a read-then-write cannot be overtaken
            try:
                yield Transaction(self._db, self.dialect)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        with self._lock:
            yield Transaction(self._db, self.dialect)

    def close(self) -> None:
        self._db.close()


class PostgresDatabase(Database):
    """A small connection pool (psycopg 3); each transaction takes one connection and commits or rolls back."""

    dialect = POSTGRESQL

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.integrity_errors = (psycopg.errors.IntegrityError,)
        self._unavailable = psycopg.OperationalError  # includes the pool's timeout waiting for a connection
        self.location = _without_password(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=False, check=ConnectionPool.check_connection,
                                    name="wuxue-app-db")
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - any failure to connect is one clear start-up error
            self._pool.close()
            raise DatabaseUnavailableError(f"无法连接应用数据库 {self.location}：{error}") from error

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Transaction]:
        try:
            with self._pool.connection(timeout=POOL_WAIT) as connection:  # committed at the end, rolled back on an exception
                if lock is not None:
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(lock)])
                yield Transaction(connection, self.dialect)
        except self._unavailable as error:  # server down, failing over, or the network: a 503 to retry, not a 500
            log.warning("app database %s unavailable: %s", self.location, error)
            raise DatabaseUnavailableError(UNAVAILABLE) from error

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        with self.transaction() as tx:
            yield tx

    def close(self) -> None:
        self._pool.close()


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def database_location(settings: "Settings") -> "Path | str":
    """Where this deployment's app database is: ``WUXUE_DATABASE_URL``, else ``DATA_DIR/app.sqlite``."""
    return settings.database_url or settings.data_dir / "app.sqlite"


def open_database(settings: "Settings") -> Database:
    return Database.open(database_location(settings))


class AppStore:
    """Base for the stores in the app database: built on a shared :class:`Database`, or on a location it opens and owns."""

    def __init__(self, database: "Database | Path | str") -> None:
        self._owns = not isinstance(database, Database)
        self.db: Database = Database.open(database) if self._owns else database  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the database if this store opened it (a shared one is closed by whoever opened it)."""
        if self._owns:
            self.db.close()
