"""The direct onnxruntime embedder computes what sentence-transformers' ONNX backend computes, without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wuxue.index.embedders import OnnxRuntimeEmbedder, SentenceTransformerEmbedder, create_embedder
from wuxue.index.model_cache import load_sentence_transformer
from wuxue.settings import load_settings

pytestmark = pytest.mark.integration

TEXTS = ["预备党员的预备期为一年。", "党的纪律处分有哪几种？", "ＡＢＣ１２３ Mixed 英文与数字", "三会一课" * 200]


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_same_vectors_as_sentence_transformers(model_cache: Path, backend: str) -> None:
    settings = load_settings(cache_dir=model_cache, embed_backend=backend)
    direct = create_embedder(settings)
    assert isinstance(direct, OnnxRuntimeEmbedder) and direct.model_id == f"m3e-small@{backend}" and direct.dimension == 512
    model, used = load_sentence_transformer(Path(settings.model_path), backend, model_cache)
    assert used == backend
    reference = SentenceTransformerEmbedder(model, model_id=direct.model_id)
    # batch size 1: int8 dynamic quantisation scales depend on the whole batch, in both implementations
    ours, theirs = direct.embed(TEXTS, batch_size=1), reference.embed(TEXTS, batch_size=1)
    assert np.abs(ours - theirs).max() < 1e-4
    batched = direct.embed(TEXTS, batch_size=4)
    assert (np.sum(batched * ours, axis=1) > 0.99).all()


def test_query_embedding_does_not_import_torch(model_cache: Path) -> None:
    create_embedder(load_settings(cache_dir=model_cache))  # export once (that step does need torch)
    code = ("import sys; from wuxue.settings import load_settings; from wuxue.index.embedders import create_embedder; "
            f"e = create_embedder(load_settings(cache_dir={str(model_cache)!r})); e.embed(['党员']); "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split()[-2:] == ["False", "False"]
