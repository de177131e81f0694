"""Replaced snapshots are released without holding up exit (issue 11 item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

from wuxue.index.snapshot import SnapshotRetirer
from wuxue.knowledge_base import KnowledgeBase


class _Closable:
    def __init__(self) -> None:
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def test_a_retired_snapshot_is_held_only_by_its_users():
    retirer = SnapshotRetirer()
    snapshot = _Closable()  # held here, as by a request still running
    retirer.retire(snapshot)  # type: ignore[arg-type]
    assert retirer.pending == 1 and not snapshot.closed.is_set()
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]  # nothing waits on a timer
    released = weakref.ref(snapshot)
    del snapshot
    assert released() is None and retirer.pending == 0


def test_a_request_keeps_using_a_replaced_snapshot_however_long_it_takes(kb: KnowledgeBase, tmp_path: Path):
    """A request that took the chunk store before a swap keeps reading it; the store is freed when it lets go."""
    store = kb.snapshot.store
    extra = tmp_path / "extra.txt"
    extra.write_text("学习材料\n\n第一条 为了加强学习，制定本办法。\n", encoding="utf-8")
    kb.ingest_paths([extra])  # publishes a new snapshot and retires the old one
    assert kb.snapshot.store is not store
    time.sleep(0.3)
    assert store.document("dangzhang_2022") is not None and store.document("extra") is None
    released = weakref.ref(store)
    del store
    assert released() is None and kb._retired.pending == 0


def test_close_all_releases_at_once():
    retirer = SnapshotRetirer()
    snapshots = [_Closable(), _Closable()]
    for snapshot in snapshots:
        retirer.retire(snapshot)  # type: ignore[arg-type]
    retirer.close_all()
    assert all(s.closed.is_set() for s in snapshots) and retirer.pending == 0


def test_replacing_a_snapshot_leaves_no_thread_that_blocks_exit(kb: KnowledgeBase, tmp_path: Path):
    extra = tmp_path / "extra.txt"
    extra.write_text("学习材料\n\n第一条 为了加强学习，制定本办法。\n", encoding="utf-8")
    kb.ingest_paths([extra])  # publishes a new snapshot and retires the old one
    blocking = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    assert blocking == []
    kb.close()
    assert kb._retired.pending == 0


def test_cli_ingest_exits_promptly_after_replacing_a_snapshot(kb: KnowledgeBase, tmp_path: Path):
    """The real command, as a process: one more file onto an existing index must not wait ~30 s at exit."""
    extra = tmp_path / "one.txt"
    extra.write_text("学习材料\n\n第一条 为了加强学习，制定本办法。\n", encoding="utf-8")
    env = {**os.environ, "WUXUE_DATA_DIR": str(kb.settings.data_dir), "WUXUE_CACHE_DIR": str(kb.settings.cache_dir),
           "WUXUE_EMBED_BACKEND": "hashing"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "wuxue.cli", "ingest", str(extra)], env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "新增 1" in done.stdout
    assert elapsed < 20, f"wuxue ingest took {elapsed:.1f} s"
