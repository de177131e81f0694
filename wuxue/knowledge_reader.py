"""The read side of the knowledge base: the loaded snapshot, search, documents and their passages.

Answering, quiz generation and the members' routes only read; they take a :class:`KnowledgeReader`.
Changes (ingest, edit, restore, remove, purge, reindex) are the write side, ``wuxue.knowledge_base``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from wuxue.errors import UnknownDocumentError, brief
from wuxue.index.embedders import Embedder, create_embedder
from wuxue.index.embedding_cache import CachedEmbedder, EmbeddingCache
from wuxue.index.searcher import FusionConfig, HybridSearcher, QueryVectorCache, SearchMode, SearchResult
from wuxue.index.snapshot import DataDir, IndexParams, IndexSnapshot, SnapshotRetirer
from wuxue.index.store import ChunkStore, StoredChunk, StoredDocument
from wuxue.index.tokenizer import BigramTokenizer, ChineseTokenizer
from wuxue.ingest import ChunkerConfig
from wuxue.settings import Settings


class KnowledgeReader:
    """Heavy parts (model, index) load lazily and once; call :meth:`load` at start-up to pay up front."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        # the snapshot directory: shared by every machine when WUXUE_SNAPSHOT_DIR is set
        self.data_dir = DataDir(settings.index_dir, keep_seconds=settings.snapshot_keep_seconds or 0.0)
        self.tokenizer = ChineseTokenizer()
        self.analyzers = {"words": self.tokenizer, "bigrams": BigramTokenizer()}
        self.chunker = ChunkerConfig(settings.chunk_size, settings.chunk_overlap)
        self._inner_embedder = embedder
        self._embedder: CachedEmbedder | None = None
        self._query_vectors: QueryVectorCache | None = None
        self._snapshot: IndexSnapshot | None = None
        self._searcher: HybridSearcher | None = None
        self._lock = threading.RLock()
        self._retired = SnapshotRetirer()

    # components ---------------------------------------------------------------
    @property
    def embedder(self) -> CachedEmbedder:
        with self._lock:
            if self._embedder is None:
                inner = self._inner_embedder or create_embedder(self.settings)
                cache = EmbeddingCache(self.settings.cache_dir / "embeddings.sqlite")
                self._embedder = CachedEmbedder(inner, cache)
                self._query_vectors = QueryVectorCache(inner)
            return self._embedder

    @property
    def params(self) -> IndexParams:
        embedder = self.embedder
        return IndexParams(embedder.model_id, embedder.dimension, self.chunker.as_dict(), self.settings.context_prefix)

    def fusion_config(self) -> FusionConfig:
        s = self.settings
        return FusionConfig(method=s.fusion, rrf_k=s.rrf_k, weights=(s.dense_weight, s.word_weight, s.bigram_weight),
                            candidate_k=s.candidate_k, route_boost=s.route_boost)

    # snapshot -----------------------------------------------------------------
    def load(self) -> IndexSnapshot:
        """Load the current snapshot (checking it matches the settings) and warm the model."""
        with self._lock:
            path = self.data_dir.require_current()
            if self._snapshot is None or self._snapshot.path != path:
                snapshot = IndexSnapshot.load(path, self.params)
                assert self._query_vectors is not None
                self._searcher = HybridSearcher(snapshot, self._query_vectors, self.analyzers, self.fusion_config())
                old, self._snapshot = self._snapshot, snapshot
                if old is not None:
                    self._retired.retire(old)  # closed when the last request using it finishes; never delays exit
            return self._snapshot

    def close(self) -> None:
        """Release retired snapshots (the snapshot's files are read-only and closed with it)."""
        with self._lock:
            self._retired.close_all()

    def warm_up(self) -> None:
        """Run one query through every component so the first member does not wait for lazy initialisation."""
        self.search("中国共产党党员的权利和义务", k=1)

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._snapshot if self._snapshot is not None else self.load()

    @property
    def loaded_snapshot(self) -> IndexSnapshot | None:
        """The snapshot being served, without loading one (the snapshot follower decides when to load)."""
        return self._snapshot

    def has_index(self) -> bool:
        """Whether any snapshot has been published (a fresh data directory has none)."""
        return self.data_dir.current() is not None

    # queries ------------------------------------------------------------------
    def search(self, query: str, *, k: int | None = None, doc_ids: Sequence[str] | None = None, mode: SearchMode = "hybrid") -> SearchResult:
        if self._searcher is None:
            self.load()
        searcher = self._searcher
        assert searcher is not None
        if doc_ids:
            unknown = [d for d in doc_ids if searcher.snapshot.store.document(d) is None]
            if unknown:
                raise UnknownDocumentError(f"文档不存在：{brief('、'.join(unknown))}")
        return searcher.search(query, k=k or self.settings.top_k, doc_ids=doc_ids, mode=mode)

    # documents and passages ---------------------------------------------------
    def documents(self) -> list[StoredDocument]:
        return self.snapshot.store.documents() if self.has_index() else []

    def document(self, doc_id: str) -> StoredDocument:
        document = self.find_document(doc_id)
        if document is None:
            raise UnknownDocumentError(f"文档不存在：{brief(doc_id)}")
        return document

    def find_document(self, doc_id: str) -> StoredDocument | None:
        """The indexed document, or None (index_not_ready when there is no index at all)."""
        return self.snapshot.store.document(doc_id)

    def document_with_content(self, content_hash: str) -> StoredDocument | None:
        """The indexed document whose source has this content hash, if any (None before the first index)."""
        return self.snapshot.store.document_by_hash(content_hash) if self.has_index() else None

    def document_text(self, doc_id: str) -> str:
        """The document's cleaned text, which every passage's offsets point into ("" if not stored)."""
        return self.snapshot.store.document_text(doc_id) or ""

    def document_outline(self, doc_id: str) -> list[dict[str, object]]:
        return self.snapshot.store.document_outline(doc_id)

    def structure(self) -> ChunkStore:
        """What answer composition reads of the served snapshot: each document's unit tree, its passages and the
        document list (one snapshot for the whole answer, even if a new one is published meanwhile)."""
        return self.snapshot.store

    def passages(self, doc_id: str) -> list[StoredChunk]:
        """The document's chunks in reading order."""
        return self.snapshot.store.chunks_of(doc_id)
