"""A throwaway PostgreSQL cluster for the tests that need one (Debian's ``postgresql`` package).

The cluster lives in a temporary folder, listens on a free loopback port with ``trust`` auth, and
is stopped and removed at the end of the session. As root (CI runs as root) ``initdb`` and
``pg_ctl`` run as the ``postgres`` OS user, since PostgreSQL refuses to run as root.

When the cluster cannot start, tests that need it FAIL. Locally, setting
``WUXUE_TESTS_ALLOW_NO_POSTGRES=1`` turns that into a skip (never set it in CI).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ALLOW_MISSING = "WUXUE_TESTS_ALLOW_NO_POSTGRES"
SUPERUSER = "postgres"


def _bin_dir() -> Path | None:
    """The newest installed server's bin folder (initdb is not on PATH in Debian)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
                        if Path(p).parent.parent.name.isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PgCluster:
    """One running cluster: make fresh databases with :meth:`new_database`, stop with :meth:`stop`."""

    def __init__(self, *, durable: bool = False) -> None:
        """``durable=False`` (tests) turns off fsync and synchronous commit; benchmarks keep PostgreSQL's defaults."""
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`; `python3 bootstrap.py test` installs it)")
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="wuxue-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse root: run them as the postgres OS user
            shutil.chown(self.root, user=SUPERUSER)
            self._as = ["runuser", "-u", SUPERUSER, "--"]
        self._run(str(bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c max_connections=200 -c shared_buffers=32MB")
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._as, *args], capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"{' '.join(args[:1])} failed: {result.stderr.strip()} {result.stdout.strip()} {log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "wuxue") -> str:
        """Create an empty database and return its ``postgresql://`` URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`new_database`, ending its open connections."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_or_fail() -> PgCluster:
    """Start a cluster; when that fails, fail the test (or skip it, only if WUXUE_TESTS_ALLOW_NO_POSTGRES=1)."""
    try:
        return PgCluster()
    except Exception as error:  # noqa: BLE001 - reported as the test's failure (or the allowed skip)
        if os.environ.get(ALLOW_MISSING) == "1":
            pytest.skip(f"PostgreSQL unavailable and {ALLOW_MISSING}=1: {error}")
        pytest.fail(f"PostgreSQL test cluster could not start: {error}", pytrace=False)
