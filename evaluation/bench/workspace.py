"""Where benchmark corpora and indexes live (``WUXUE_CACHE_DIR/bench``) and how they are built.

Sizes up to ``max_built`` chunks are indexed through the product path
(``KnowledgeBase.ingest_paths`` on a folder of files: parse, chunk, tokenize, embed,
FAISS, BM25, snapshot). Larger sizes are tiled from the largest built snapshot
(:mod:`wuxue.evaluation.bench.tiling`), with synthetic vectors. A size folder is reused
when its ``built.json`` matches the corpus, so reruns cost nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from wuxue.evaluation.bench.corpora import Corpus, DerivedEmbedder, Sources, grow, write_folder
from wuxue.index.embedders import Embedder
from wuxue.index.embedding_cache import CachedEmbedder, EmbeddingCache
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import Settings, load_settings


def parse_size(token: str) -> int:
    """``1k`` → 1000, ``1m`` → 1000000, ``2500`` → 2500."""
    token = token.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(token[-1:], 1)
    return int(float(token[:-1] if scale > 1 else token) * scale)


@dataclass
class BuiltSize:
    name: str
    target: int
    data_dir: str
    chunks: int
    documents: int
    real_chunks: int  # chunks of real documents (real vectors)
    vectors: str  # "real", "real+derived", "synthetic (tiled)"
    build_s: float | None  # wall time of the build that made it (None when reused from an earlier run)
    built_chars: int = 0
    model_embedded: int = 0  # texts sent to the model during that build
    reused: bool = False
    incremental: bool = False  # built by ingesting into an earlier build of this size (only new documents indexed)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class Workspace:
    def __init__(self, settings: Settings, real_embedder: Embedder) -> None:
        self.settings = settings
        self.root = settings.cache_dir / "bench"
        self.root.mkdir(parents=True, exist_ok=True)
        shared_cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
        self.real = CachedEmbedder(real_embedder, shared_cache)  # real text is embedded once, ever, in the product cache

    def size_dir(self, name: str) -> Path:
        return self.root / name

    def kb_settings(self, name: str) -> Settings:
        """Settings of a size's knowledge base: its own data dir; a bench-only embedding cache (derived vectors)."""
        return load_settings(data_dir=self.size_dir(name) / "data", cache_dir=self.root / "kbcache",
                             model_path=self.settings.model_path, embed_backend=self.settings.embed_backend,
                             chunk_size=self.settings.chunk_size, chunk_overlap=self.settings.chunk_overlap,
                             context_prefix=self.settings.context_prefix)

    def knowledge_base(self, name: str, corpus: Corpus, *, data_dir: Path | None = None) -> KnowledgeBase:
        """A size's knowledge base indexing with derived vectors for copies (``data_dir`` overrides where it lives)."""
        settings = self.kb_settings(name)
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": data_dir})
        probe = KnowledgeBase(settings, embedder=self.real.inner)
        embedder = DerivedEmbedder(self.real, corpus.documents, probe.chunker, settings.context_prefix)
        return KnowledgeBase(settings, embedder=embedder)

    def chunk_counts(self) -> dict[str, int]:
        """Chunk counts by document (id and text hash), kept between runs: counting means parsing everything."""
        path = self.root / "chunk_counts.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def save_chunk_counts(self, counts: dict[str, int]) -> None:
        (self.root / "chunk_counts.json").write_text(json.dumps(counts), encoding="utf-8")

    def build(self, name: str, sources: Sources, target: int, counts: dict[str, int]) -> tuple[BuiltSize, Corpus]:
        probe = KnowledgeBase(self.kb_settings(name), embedder=self.real.inner)
        corpus = grow(sources, target, probe.chunker, counts)
        self.save_chunk_counts(counts)
        fingerprint = _fingerprint(corpus)
        folder = self.size_dir(name)
        marker = folder / "built.json"
        if marker.is_file():
            previous = json.loads(marker.read_text(encoding="utf-8"))
            if previous.get("fingerprint") == fingerprint and (folder / "data" / "CURRENT").is_file():
                built = BuiltSize(**previous["built"])
                built.reused = True
                return built, corpus
        incremental = (folder / "data" / "CURRENT").is_file()
        write_folder(folder / "corpus", corpus.documents)
        kb = self.knowledge_base(name, corpus)
        before = self.real.embedded_count
        started = time.perf_counter()
        report = kb.ingest_paths([folder / "corpus"])
        elapsed = time.perf_counter() - started
        if report.failed:
            raise RuntimeError(f"benchmark corpus failed to index: {report.failed[:3]}")
        documents, chunks = kb.snapshot.store.counts()
        built = BuiltSize(name, target, str(folder / "data"), chunks, documents, corpus.real_chunks,
                          "real" if corpus.real_chunks == corpus.chunks else "real+derived", round(elapsed, 2),
                          sum(len(d.text) for d in corpus.documents), self.real.embedded_count - before, incremental=incremental)
        kb.snapshot.close()
        marker.write_text(json.dumps({"fingerprint": fingerprint, "built": built.to_dict()}, ensure_ascii=False, indent=1), encoding="utf-8")
        return built, corpus


def _fingerprint(corpus: Corpus) -> str:
    digest = hashlib.sha256()
    for doc in corpus.documents:
        digest.update(f"{doc.doc_id}\t{doc.title}\t{hashlib.sha256(doc.text.encode()).hexdigest()}\n".encode())
    return digest.hexdigest()
