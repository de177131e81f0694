"""Build a new snapshot from the current one plus changes: only new chunk texts are embedded."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from wuxue.index.dense import DenseIndex
from wuxue.index.embedding_cache import CachedEmbedder, text_hash
from wuxue.index.snapshot import CHUNKS_DB, DENSE, MANIFEST, SPARSE, SPARSE_BIGRAM, DataDir, IndexManifest, IndexParams
from wuxue.index.sparse import MERGE_RATIO, LegacySparseFormat, SegmentWriter, SparseIndex
from wuxue.index.store import ChunkStore
from wuxue.ingest.document import Chunk, CleanDocument
from wuxue.ingest.pipeline import DocumentMeta

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
TOKEN_SLICE = 256  # chunks tokenized and stored at a time
LEXICAL_FOLDERS = {"words": SPARSE, "bigrams": SPARSE_BIGRAM}


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
    def __init__(self, data_dir: DataDir, embedder: CachedEmbedder, analyzers: dict[str, Callable[[str], list[str]]], params: IndexParams, *, batch_size: int = 32,
                 merge_ratio: float = MERGE_RATIO) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self.analyzers = analyzers  # "words" and "bigrams"
        self.params = params
        self.batch_size = batch_size
        self.merge_ratio = merge_ratio  # lexical deltas + tombstones above this share of the base are merged

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
            writers = {name: SegmentWriter() for name in LEXICAL_FOLDERS}  # the delta segments of this change
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
                self._put_chunks(store, prepared, int_ids, texts, writers)
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
            lexical = {name: self._lexical(name, base, store, removed, writers[name]) for name in LEXICAL_FOLDERS}
            documents, chunks = store.counts()
            if len(dense) != chunks:
                raise RuntimeError(f"dense index has {len(dense)} vectors for {chunks} chunks")
            manifest = IndexManifest(self.params, store.corpus_hash(), documents, chunks)
            store.commit()
            store.close()
            dense.save(build / DENSE)
            for name, folder in LEXICAL_FOLDERS.items():
                lexical[name].save(build / folder)
            (build / MANIFEST).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
            snapshot = self.data_dir.publish(build)
            if on_progress:
                on_progress("write", 1, 1)
            embedded = self.embedder.embedded_count - embedded_before
            return BuildResult(snapshot, embedded, len(new_ids), len(removed))

    def _lexical(self, name: str, base: Path | None, store: ChunkStore, removed: list[int], delta: SegmentWriter) -> SparseIndex:
        """The previous snapshot's segments with ``removed`` as tombstones and this change's chunks as a delta segment,
        merged into one base when the deltas grow; built from the stored tokens when there is nothing to start from."""
        previous = None
        if base is not None:
            try:
                previous = SparseIndex.load(base / LEXICAL_FOLDERS[name])
            except LegacySparseFormat:
                previous = None  # written before segments: one full build converts it
        if previous is None:
            return SparseIndex.build(*store.all_tokens(name))
        index = previous.changed(removed=removed, added=delta.finish())
        index = index.merged() if index.needs_merge(self.merge_ratio) else index
        if len(index) != store.counts()[1]:  # never publish a lexical index that disagrees with the chunks
            log.warning("%s BM25 segments hold %d rows for %d chunks: rebuilt from the stored tokens", name, len(index), store.counts()[1])
            return SparseIndex.build(*store.all_tokens(name))
        return index

    def _put_chunks(self, store: ChunkStore, prepared: PreparedDocument, int_ids: list[int], texts: list[str],
                    writers: dict[str, SegmentWriter]) -> None:
        """Tokenize and store in slices: a 5 MiB upload has thousands of chunks, and holding every chunk's
        token lists at once cost 300 MB more than the slice does (the delta segments keep integer columns only)."""
        for start in range(0, len(texts), TOKEN_SLICE):
            end = start + TOKEN_SLICE
            part = texts[start:end]
            tokens = {name: [analyze(t) for t in part] for name, analyze in self.analyzers.items()}
            store.put_chunks(prepared.meta.doc_id, prepared.chunks[start:end], int_ids[start:end],
                             [text_hash(t) for t in part], tokens)
            for name, writer in writers.items():
                writer.add(int_ids[start:end], tokens[name])

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
