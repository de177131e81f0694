"""Embedding cache keyed by (model id, text hash): a chunk text is embedded once, ever.

Lives in ``WUXUE_CACHE_DIR`` so it survives re-index runs and is shared by every data
directory and document that contains the same text.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from wuxue.index.embedders import Embedder


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model_id TEXT, text_hash TEXT, vector BLOB, PRIMARY KEY (model_id, text_hash))"
        )
        self._db.commit()

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model_id = ? AND text_hash IN ({marks})", [model_id, *batch]
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
            [(model_id, key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items],
        )
        self._db.commit()

    def count(self, model_id: str) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model_id = ?", [model_id]).fetchone()[0])

    def close(self) -> None:
        self._db.close()


class CachedEmbedder:
    """An :class:`Embedder` that only sends texts it has never seen to the wrapped model."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.embedded_count = 0  # texts actually sent to the model, for summaries and tests

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        hashes = [text_hash(text) for text in texts]
        known = self.cache.get_many(self.model_id, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        if missing:
            by_hash = dict(zip(hashes, texts))
            step = max(batch_size * 8, 64)
            with tqdm(total=len(missing), desc="嵌入", unit="段", disable=not progress) as bar:
                for start in range(0, len(missing), step):
                    keys = missing[start : start + step]
                    vectors = self.inner.embed([by_hash[key] for key in keys], batch_size=batch_size)
                    self.cache.put_many(self.model_id, list(zip(keys, vectors)))
                    known.update(zip(keys, vectors))
                    bar.update(len(keys))
            self.embedded_count += len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([known[h] for h in hashes]).astype(np.float32)
