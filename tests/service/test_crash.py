"""Killing the process in the middle of a build leaves the previous index current and loadable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from wuxue.index.embedders import HashingEmbedder
from wuxue.knowledge_base import KnowledgeBase

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wuxue.index.embedders import HashingEmbedder
    from wuxue.knowledge_base import KnowledgeBase
    from wuxue.settings import load_settings

    class SlowEmbedder(HashingEmbedder):
        def embed(self, texts, **kwargs):
            print("EMBEDDING", flush=True)
            time.sleep(60)
            return super().embed(texts)

    settings = load_settings(data_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]), embed_backend="hashing")
    KnowledgeBase(settings, embedder=SlowEmbedder()).ingest_paths([Path(sys.argv[3])])
    """
)


def test_kill_during_build_keeps_previous_index(kb, settings, small_corpus, tmp_path):
    before_pointer = kb.data_dir.current()
    before_counts = kb.snapshot.store.counts()
    before_ids = [c.chunk_id for c in kb.snapshot.store.chunks_of("dangzhang_2022")]
    new_file = tmp_path / "new.txt"
    new_file.write_text("新增学习材料\n\n第一条 这是一段全新的文字，需要嵌入。\n", encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.data_dir), str(settings.cache_dir), str(new_file)],
        stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "EMBEDDING"
    assert list(settings.data_dir.joinpath("snapshots").glob(".tmp-*")), "the build was under way"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    reopened = KnowledgeBase(settings, embedder=HashingEmbedder())
    assert reopened.data_dir.current() == before_pointer
    assert reopened.snapshot.store.counts() == before_counts
    assert [c.chunk_id for c in reopened.snapshot.store.chunks_of("dangzhang_2022")] == before_ids
    assert reopened.search("预备期", k=1).hits[0].chunk.doc_id == "dangzhang_2022"

    report = reopened.ingest_paths([new_file])  # the next build clears the leftover and succeeds
    assert report.added == ["new"]
    assert not list(settings.data_dir.joinpath("snapshots").glob(".tmp-*"))
    assert reopened.snapshot.store.counts() == (before_counts[0] + 1, before_counts[1] + 1)
