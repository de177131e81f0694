"""One way to open the app database from several stores (queries, users, jobs)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    """Base for stores in ``app.sqlite``: one connection shared by threads behind a lock, WAL journal."""

    schema = ""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(self.schema)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()
