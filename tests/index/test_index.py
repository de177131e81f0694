"""Dense, sparse and fused retrieval against reference computations; persistence and manifests."""

from __future__ import annotations

import numpy as np
import pytest

from wuxue.errors import IndexMismatchError, IndexNotReadyError, UnknownDocumentError
from wuxue.index.dense import DenseIndex
from wuxue.index.embedders import HashingEmbedder
from wuxue.index.fusion import reciprocal_rank_fusion, weighted_score_fusion
from wuxue.index.snapshot import IndexSnapshot
from wuxue.index.sparse import SparseIndex
from wuxue.index.tokenizer import ChineseTokenizer
from wuxue.knowledge_base import KnowledgeBase


def test_faiss_matches_numpy_brute_force():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1000, 1500)
    index = DenseIndex(64)
    index.add(ids, vectors)
    queries = vectors[:20] + 0.1 * rng.normal(size=(20, 64)).astype(np.float32)
    scores, found = index.search(queries, 10)
    expected = np.argsort(-(queries @ vectors.T), axis=1)[:, :10] + 1000
    assert (found == expected).all()
    np.testing.assert_allclose(scores, np.take_along_axis(queries @ vectors.T, expected - 1000, axis=1), rtol=1e-5)
    assert index.remove(np.arange(1000, 1010)) == 10 and len(index) == 490
    _, after = index.search(queries[:1], 5)
    assert not set(after[0]) & set(range(1000, 1010))


def test_tokenizer_keeps_political_terms_whole_and_drops_stopwords():
    tokenize = ChineseTokenizer()
    tokens = tokenize("如何增强四个意识、做到两个维护，落实三会一课和五学联动？")
    for term in ("四个意识", "两个维护", "三会一课", "五学联动"):
        assert term in tokens
    assert "如何" not in tokens and "和" not in tokens and "？" not in tokens
    assert "2023" in tokenize("２０２３年")


def test_bm25_scores_rank_the_matching_document_first():
    tokenize = ChineseTokenizer()
    texts = ["预备党员的预备期为一年。", "党员必须履行下列义务。", "国家实行社会主义市场经济。"]
    index = SparseIndex.build([11, 12, 13], [tokenize(t) for t in texts])
    scores, ids = index.top(index.scores(tokenize("预备期多长")), 3)
    assert ids[0] == 11 and scores[0] > 0
    assert len(index.top(index.scores(tokenize("天气")), 3)[1]) == 0


def test_fusion_by_hand():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    weighted = weighted_score_fusion([([1, 2], np.array([0.9, 0.5])), ([2, 3], np.array([10.0, 5.0]))], weights=[0.5, 0.5])
    assert weighted == pytest.approx({1: 0.5, 2: 0.5, 3: 0.0})


def test_search_returns_both_scores_and_respects_doc_filter(kb):
    result = kb.search("预备党员的预备期是多长时间", k=5)
    top = result.hits[0]
    assert "预备期为一年" in top.chunk.text and top.chunk.doc_id == "dangzhang_2022"
    assert top.dense_score > 0 and top.sparse_score > 0
    filtered = kb.search("预备党员的预备期是多长时间", k=5, doc_ids=["cic_dangjian_2024"])
    assert {hit.chunk.doc_id for hit in filtered.hits} == {"cic_dangjian_2024"}
    with pytest.raises(UnknownDocumentError):
        kb.search("党员", doc_ids=["no_such_doc"])


def test_reingest_unchanged_does_no_work(kb, small_corpus):
    before = kb.data_dir.current()
    report = kb.ingest_paths([small_corpus])
    assert report.added == [] and report.updated == [] and report.embedded == 0
    assert kb.data_dir.current() == before


def test_changed_file_replaces_its_chunks_and_only_new_text_is_embedded(kb, small_corpus):
    path = small_corpus / "lianjie_zilv_zhunze_2015.txt"
    old_count = kb.document("lianjie_zilv_zhunze_2015").chunk_count
    path.write_text(path.read_text(encoding="utf-8") + "\n第九条 本准则自发布之日起施行。\n", encoding="utf-8")
    report = kb.ingest_paths([small_corpus])
    assert report.updated == ["lianjie_zilv_zhunze_2015"]
    assert 0 < report.embedded < old_count + 1
    texts = [c.text for c in kb.snapshot.store.chunks_of("lianjie_zilv_zhunze_2015")]
    assert any("第九条 本准则自发布之日起施行。" in t for t in texts)
    docs, chunks = kb.snapshot.store.counts()
    assert len(kb.snapshot.dense) == chunks == len(kb.snapshot.lexical["words"])


def test_duplicate_content_under_another_name_is_reported(kb, small_corpus, tmp_path):
    copy = tmp_path / "copy_of_dangzhang.txt"
    copy.write_bytes((small_corpus / "dangzhang_2022.txt").read_bytes())
    report = kb.ingest_paths([copy])
    assert report.added == [] and "已存在" in report.skipped[0]["reason"]


def test_remove_takes_chunks_out_of_both_indexes(kb):
    removed = kb.document("cic_dangjian_2024").chunk_count
    docs, chunks = kb.snapshot.store.counts()
    kb.remove("cic_dangjian_2024")
    assert kb.snapshot.store.counts() == (docs - 1, chunks - removed)
    assert len(kb.snapshot.dense) == len(kb.snapshot.lexical["words"]) == chunks - removed
    assert all(hit.chunk.doc_id != "cic_dangjian_2024" for hit in kb.search("五学联动", k=10).hits)


def test_index_survives_reload_and_refuses_a_mismatched_model(kb, settings):
    reopened = KnowledgeBase(settings, embedder=HashingEmbedder())
    assert reopened.search("预备期", k=1).hits[0].chunk.doc_id == "dangzhang_2022"
    other = KnowledgeBase(settings, embedder=HashingEmbedder(dimension=128))
    with pytest.raises(IndexMismatchError) as error:
        other.load()
    assert "wuxue reindex --full" in error.value.message
    other.reindex(full=True)
    assert other.snapshot.manifest.params.dimension == 128


def test_empty_data_dir_says_how_to_build(settings):
    with pytest.raises(IndexNotReadyError) as error:
        KnowledgeBase(settings, embedder=HashingEmbedder()).load()
    assert "wuxue ingest" in error.value.message


def test_reindex_reuses_cached_embeddings(kb):
    result = kb.reindex()
    assert result.embedded == 0
    snapshot = IndexSnapshot.load(kb.data_dir.require_current())
    assert snapshot.manifest.chunks == len(snapshot.dense)


def test_citations_name_the_page_of_the_highlighted_sentence():
    from wuxue.index.store import StoredChunk

    chunk = StoredChunk(1, "d#0", "d", 0, "第一页末句。第二页首句。", 0, 12, "", 1, 2, ((0, 6), (6, 12)), "t", page_breaks=((6, 2),))
    assert [chunk.page_at(offset) for offset in (0, 5, 6, 11)] == [1, 1, 2, 2]
    assert StoredChunk(2, "d#1", "d", 1, "无分页。", 0, 4, "", None, None, ((0, 4),), "t").page_at(2) is None


def test_known_word_tells_dictionary_words_from_made_up_segments():
    """Refusal studies drop segments jieba invents from unknown runs (法是), not real or user words."""
    tokenize = ChineseTokenizer()
    assert tokenize.known_word("党员") and tokenize.known_word("五学联动") and tokenize.known_word("2024")
    assert not tokenize.known_word("法是")
