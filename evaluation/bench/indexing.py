"""Re-indexing costs: an unchanged corpus (no model work), a full re-parse, and 1% of documents changed.

All three go through the product (``KnowledgeBase.ingest_paths`` / ``reindex``). The 1%
case runs on a scratch copy of the size's data directory and corpus folder, so the cached
benchmark index stays as it was.
"""

from __future__ import annotations

import shutil
import time

from wuxue.evaluation.bench.corpora import Corpus
from wuxue.evaluation.bench.workspace import Workspace
from wuxue.knowledge_base import KnowledgeBase

EDIT = "本段内容已在基准测试中修订，新增一句用于检验增量索引。"


def _model_texts(ws: Workspace, kb: KnowledgeBase, before: tuple[int, int]) -> dict[str, int]:
    """Texts the index builder asked for (new to the index cache) and texts that reached the real model."""
    return {"new_texts": kb.embedder.embedded_count - before[0], "model_texts": ws.real.embedded_count - before[1]}


def _counters(ws: Workspace, kb: KnowledgeBase) -> tuple[int, int]:
    return kb.embedder.embedded_count, ws.real.embedded_count


def reingest_unchanged(ws: Workspace, name: str, corpus: Corpus) -> dict[str, object]:
    """``wuxue ingest`` of the same folder again: every file is recognised by its content hash and skipped."""
    kb = ws.knowledge_base(name, corpus)
    kb.load()
    before = _counters(ws, kb)
    started = time.perf_counter()
    report = kb.ingest_paths([ws.size_dir(name) / "corpus"])
    elapsed = time.perf_counter() - started
    kb.snapshot.close()
    return {"size": name, "chunks": corpus.chunks, "seconds": round(elapsed, 2), "documents": len(corpus.documents),
            "skipped": len(report.skipped), "added": len(report.added), "updated": len(report.updated), **_model_texts(ws, kb, before)}


def reindex_all(ws: Workspace, name: str, corpus: Corpus) -> dict[str, object]:
    """``wuxue reindex``: re-parse every stored source and rebuild; vectors come from the embedding cache."""
    kb = ws.knowledge_base(name, corpus)
    kb.load()
    before = _counters(ws, kb)
    started = time.perf_counter()
    result = kb.reindex()
    elapsed = time.perf_counter() - started
    kb.snapshot.close()
    return {"size": name, "chunks": corpus.chunks, "seconds": round(elapsed, 2), "embedded": result.embedded, **_model_texts(ws, kb, before)}


def change_fraction(ws: Workspace, name: str, corpus: Corpus, *, fraction: float = 0.01) -> dict[str, object]:
    """Append a sentence to ``fraction`` of the documents (spread evenly) and ingest the folder again."""
    scratch = ws.root / f".scratch-{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        started = time.perf_counter()
        shutil.copytree(ws.size_dir(name) / "data", scratch / "data")
        shutil.copytree(ws.size_dir(name) / "corpus", scratch / "corpus")
        copy_s = time.perf_counter() - started
        step = max(1, round(1 / fraction))
        changed = corpus.documents[::step]
        for doc in changed:
            path = scratch / "corpus" / doc.filename
            path.write_text(path.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
        kb = ws.knowledge_base(name, corpus, data_dir=scratch / "data")
        kb.load()
        before = _counters(ws, kb)
        started = time.perf_counter()
        report = kb.ingest_paths([scratch / "corpus"])
        elapsed = time.perf_counter() - started
        changed_chars = sum(len(d.text) for d in changed)
        kb.snapshot.close()
        return {"size": name, "chunks": corpus.chunks, "seconds": round(elapsed, 2), "documents_changed": len(changed),
                "updated": len(report.updated), "changed_chars": changed_chars, "copy_s": round(copy_s, 2), **_model_texts(ws, kb, before)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
