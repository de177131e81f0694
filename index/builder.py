"""Build a new snapshot from the current one plus changes: only new chunk texts are embedded."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from wuxue.index.dense import DenseIndex
from wuxue.index.embedding_cache import CachedEmbedder, text_hash
from wuxue.index.snapshot import CHUNKS_DB, DENSE, MANIFEST, SPARSE, SPARSE_BIGRAM, DataDir, IndexManifest, IndexParams
from wuxue.index.sparse import SparseIndex
from wuxue.index.store import ChunkStore
from wuxue.ingest.document import Chunk, CleanDocument
from wuxue.ingest.pipeline import DocumentMeta

Progress = Callable[[str, int, int], None]
TOKEN_SLICE = 256  # chunks tokenized and stored at a time


@dataclass
class PreparedDocument:
    meta: DocumentMeta
    document: CleanDocument
    chunks: list[Chunk]


def index_text(meta: DocumentMeta, chunk: Chunk, mode: str) -> str:
    """What is embedded and tokenized: the chunk, optionally preceded by its breadcrumb.

    ``title_section`` adds the document title and its short names (党章, 二十大报告), since
    members name the document in their questions. The displayed text stays the exact span.
    """
    if mode == "section" and chunk.section:
        return f"{chunk.section}\n{chunk.text}"
    if mode == "title_section":
        names = " ".join([meta.title, *meta.aliases])
        return f"{names} {chunk.section}\n{chunk.text}".strip()
    return chunk.text


@dataclass
class BuildResult:
    snapshot: Path
    embedded: int
    chunks_added: int
    chunks_removed: int


class IndexBuilder:
    def __init__(self, data_dir: DataDir, embedder: CachedEmbedder, analyzers: dict[str, Callable[[str], list[str]]], params: IndexParams, *, batch_size: int = 32) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self.analyzers = analyzers  # "words" and "bigrams"
        self.params = params
        self.batch_size = batch_size

    def apply(
        self,
        *,
        upserts: Sequence[PreparedDocument] = (),
        removals: Sequence[str] = (),
        full: bool = False,
        show_progress: bool = False,
        on_progress: Progress | None = None,
    ) -> BuildResult:
        """Write a new snapshot = current (unless ``full``) − removals − old versions + upserts, then publish it."""
        with self.data_dir.build_lock():
            build = self.data_dir.new_build_dir()
            base = None if full else self.data_dir.current()
            if base is not None:
                ChunkStore(base / CHUNKS_DB, readonly=True).copy_to(build / CHUNKS_DB)
                dense = DenseIndex.load(base / DENSE)
            else:
                dense = DenseIndex(self.params.dimension)
            store = ChunkStore(build / CHUNKS_DB)
            removed: list[int] = []
            for doc_id in removals:
                removed += store.delete_document(doc_id)
            new_ids: list[int] = []
            new_texts: list[str] = []
            for parsed_count, prepared in enumerate(upserts, start=1):
                removed += store.delete_document(prepared.meta.doc_id)
                first = store.next_int_id()
                int_ids = list(range(first, first + len(prepared.chunks)))
                texts = [index_text(prepared.meta, chunk, self.params.context_prefix) for chunk in prepared.chunks]
                store.put_document(prepared.meta, prepared.document, len(prepared.chunks))
                self._put_chunks(store, prepared, int_ids, texts)
                new_ids += int_ids
                new_texts += texts
                if on_progress:
                    on_progress("parse", parsed_count, len(upserts))
            dense.remove(np.asarray(removed, dtype=np.int64))
            embedded_before = self.embedder.embedded_count
            vectors = self._embed(new_texts, show_progress=show_progress, on_progress=on_progress)
            if on_progress:
                on_progress("write", 0, 1)  # the lexical indexes, the files and the switch to the new snapshot
            dense.add(np.asarray(new_ids, dtype=np.int64), vectors)
            lexical = {name: SparseIndex.build(*store.all_tokens(name)) for name in ("words", "bigrams")}
            documents, chunks = store.counts()
            if len(dense) != chunks:
                raise RuntimeError(f"dense index has {len(dense)} vectors for {chunks} chunks")
            manifest = IndexManifest(self.params, store.corpus_hash(), documents, chunks)
            store.commit()
            store.close()
            dense.save(build / DENSE)
            lexical["words"].save(build / SPARSE)
            lexical["bigrams"].save(build / SPARSE_BIGRAM)
            (build / MANIFEST).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
            snapshot = self.data_dir.publish(build)
            if on_progress:
                on_progress("write", 1, 1)
            embedded = self.embedder.embedded_count - embedded_before
            return BuildResult(snapshot, embedded, len(new_ids), len(removed))

    def _put_chunks(self, store: ChunkStore, prepared: PreparedDocument, int_ids: list[int], texts: list[str]) -> None:
        """Tokenize and store in slices: a 5 MiB upload has thousands of chunks, and holding every chunk's
        token lists at once cost 300 MB more than the slice does."""
        for start in range(0, len(texts), TOKEN_SLICE):
            end = start + TOKEN_SLICE
            part = texts[start:end]
            tokens = {name: [analyze(t) for t in part] for name, analyze in self.analyzers.items()}
            store.put_chunks(prepared.meta.doc_id, prepared.chunks[start:end], int_ids[start:end],
                             [text_hash(t) for t in part], tokens)

    def _embed(self, texts: list[str], *, show_progress: bool, on_progress: Progress | None) -> np.ndarray:
        """Embed in slices so progress can be reported; cached texts cost nothing."""
        step = max(self.batch_size * 4, 64)
        parts: list[np.ndarray] = []
        with tqdm(total=len(texts), desc="嵌入", unit="段", disable=not show_progress) as bar:
            for start in range(0, len(texts), step):
                batch = texts[start : start + step]
                parts.append(self.embedder.embed(batch, batch_size=self.batch_size))
                bar.update(len(batch))
                if on_progress:
                    on_progress("embed", min(start + step, len(texts)), len(texts))
        if not parts:
            return np.zeros((0, self.params.dimension), dtype=np.float32)
        return np.concatenate(parts)
