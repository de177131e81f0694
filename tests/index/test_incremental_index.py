"""Incremental BM25 (base + delta segments + tombstones) against full rebuilds, and filtered dense search in FAISS.

The reference for every lexical check is a full rebuild over the same stored chunks; the scores
must be bitwise equal, so rankings, ties and the refusal signals built on them cannot move.
"""

from __future__ import annotations

import logging
import os

import bm25s
import numpy as np
import pytest

from wuxue.index.dense import DenseIndex, DensePolicy
from wuxue.index.snapshot import SPARSE, SPARSE_BIGRAM, IndexSnapshot
from wuxue.index.sparse import SEGMENTS_FILE, LegacySparseFormat, SegmentWriter, SparseIndex
from wuxue.knowledge_base import KnowledgeBase

QUESTIONS = ("预备党员的预备期是多长时间", "党员必须履行哪些义务", "廉洁自律准则的要求", "五学联动是什么", "党的纪律处分有哪些种类",
             "中国共产党党员的权利", "党支部委员会任期", "坚持党的领导加强党的建设", "本准则自发布之日起施行", "天气怎么样")
FOLDERS = {"words": SPARSE, "bigrams": SPARSE_BIGRAM}
logging.getLogger("bm25s").setLevel(logging.WARNING)


def assert_equals_full_rebuild(kb: KnowledgeBase) -> None:
    """Every analyzer of the loaded snapshot scores every question exactly as a one-segment rebuild of its chunks."""
    snapshot = kb.snapshot
    for name, analyze in kb.analyzers.items():
        index = snapshot.lexical[name]
        full = SparseIndex.build(*snapshot.store.all_tokens(name))
        assert np.array_equal(index.ids, full.ids)
        for question in QUESTIONS:
            tokens = analyze(question)
            incremental, rebuilt = index.scores(tokens), full.scores(tokens)
            assert np.array_equal(incremental, rebuilt), (name, question)
            assert [index.document_frequency(t) for t in tokens] == [full.document_frequency(t) for t in tokens]
            left, right = index.top(incremental, 50), full.top(rebuilt, 50)
            assert np.array_equal(left[1], right[1]) and np.array_equal(left[0], right[0])


def segments_of(kb: KnowledgeBase) -> list[int]:
    return [len(s) for s in kb.snapshot.lexical["words"].segments]


def test_scores_are_bitwise_those_of_bm25s(kb):
    """The retrieval numbers were measured with bm25s (Lucene BM25, k1 1.2, b 0.75): same float32 scores, so same rankings."""
    for name, analyze in kb.analyzers.items():
        ids, tokens = kb.snapshot.store.all_tokens(name)
        reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        reference.index([list(t) for t in tokens], show_progress=False)
        index = SparseIndex.build(ids, tokens)
        for question in QUESTIONS:
            known = [t for t in analyze(question) if t in reference.vocab_dict]
            expected = np.asarray(reference.get_scores(known), dtype=np.float32) if known else np.zeros(len(ids), np.float32)
            assert np.array_equal(index.scores(analyze(question)), expected), (name, question)


def test_changed_added_and_removed_documents_score_as_a_full_rebuild(kb, small_corpus, tmp_path):
    assert segments_of(kb) == [len(kb.snapshot.lexical["words"])]  # the first build is one base segment
    path = small_corpus / "lianjie_zilv_zhunze_2015.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n第九条 本准则自发布之日起施行。\n", encoding="utf-8")
    assert kb.ingest_paths([small_corpus]).updated == ["lianjie_zilv_zhunze_2015"]
    assert len(segments_of(kb)) == 2  # a delta, not a rebuild
    assert kb.snapshot.lexical["words"].describe()["dead"] > 0  # the old version's rows are tombstones
    assert_equals_full_rebuild(kb)

    extra = tmp_path / "extra.txt"
    extra.write_text("第一条 党支部委员会每届任期三年。\n第二条 党员应当按期交纳党费。\n", encoding="utf-8")
    assert kb.ingest_paths([extra]).added
    assert len(segments_of(kb)) == 3
    assert_equals_full_rebuild(kb)

    kb.remove("lianjie_zilv_zhunze_2015")
    assert_equals_full_rebuild(kb)
    assert len(kb.snapshot.lexical["words"]) == kb.snapshot.store.counts()[1]


def test_cached_term_contributions_give_the_same_scores_when_evicted(kb, monkeypatch):
    """Term contributions are kept in a small LRU; evicting and recomputing them never changes a bit."""
    import wuxue.index.sparse as sparse

    ids, tokens = kb.snapshot.store.all_tokens("bigrams")
    reference = [SparseIndex.build(ids, tokens).scores(kb.analyzers["bigrams"](q)) for q in QUESTIONS]
    monkeypatch.setattr(sparse, "CACHE_POSTINGS", 50)
    index = SparseIndex.build(ids, tokens)
    for _ in range(2):  # the second round mixes cached and recomputed terms
        for question, expected in zip(QUESTIONS, reference):
            assert np.array_equal(index.scores(kb.analyzers["bigrams"](question)), expected)
    assert index._cached_postings <= 50 or len(index._terms) == 1  # noqa: SLF001 - the bound holds
    warmed = SparseIndex.build(ids, tokens)
    assert warmed.warm(budget=1000) > 0  # the most frequent terms computed up front
    for question, expected in zip(QUESTIONS, reference):
        assert np.array_equal(warmed.scores(kb.analyzers["bigrams"](question)), expected)


def test_tombstones_hide_removed_documents(kb):
    words = kb.snapshot.lexical["words"]
    chunks = kb.snapshot.store.chunks_of("cic_dangjian_2024")
    unique = next(t for t in kb.analyzers["words"](chunks[0].text) if words.document_frequency(t) == 1)  # a word only this document has
    kb.remove("cic_dangjian_2024")
    index = kb.snapshot.lexical["words"]
    assert index.describe()["dead"] == len(chunks) and len(index.segments) == 1  # tombstones, the base segment unchanged
    assert index.document_frequency(unique) == 0 and index.known([unique]) == []
    removed = {c.int_id for c in chunks}
    assert not removed & set(index.ids.tolist())
    assert not index.scores([unique]).any()
    assert all(hit.chunk.doc_id != "cic_dangjian_2024" for hit in kb.search(chunks[0].text[:40], k=20).hits)


def test_merge_gives_one_segment_with_the_same_scores(kb, small_corpus):
    base = kb.snapshot.lexical["bigrams"]
    store = kb.snapshot.store
    ids, tokens = store.all_tokens("bigrams")
    cut = len(ids) // 3
    # rows re-added under new ids (a change), a few deleted outright
    writer = SegmentWriter()
    next_id = int(ids[-1]) + 1
    writer.add(list(range(next_id, next_id + cut)), tokens[:cut])
    changed = base.changed(removed=ids[: cut + 5], added=writer.finish())
    expected = SparseIndex.build(ids[cut + 5 :] + list(range(next_id, next_id + cut)), tokens[cut + 5 :] + tokens[:cut])
    merged = changed.merged()
    assert changed.needs_merge(0.10) and not changed.needs_merge(2.0)
    assert len(merged.segments) == 1 and merged.describe()["dead"] == 0
    for question in QUESTIONS:
        query = kb.analyzers["bigrams"](question)
        assert np.array_equal(changed.scores(query), expected.scores(query))
        assert np.array_equal(merged.scores(query), expected.scores(query))
    assert np.array_equal(merged.ids, expected.ids)
    # through the product: a re-index upserts every document, so the deltas outgrow the base and are merged
    kb.reindex()
    assert len(segments_of(kb)) == 1 and kb.snapshot.lexical["words"].describe()["dead"] == 0
    assert_equals_full_rebuild(kb)


def test_snapshot_reload_shares_unchanged_segment_files(kb, small_corpus):
    before = kb.snapshot.path
    path = small_corpus / "lianjie_zilv_zhunze_2015.txt"  # a small document: a delta, no merge
    path.write_text(path.read_text(encoding="utf-8") + "\n第九条 本准则由中央纪律检查委员会负责解释。\n", encoding="utf-8")
    kb.ingest_paths([small_corpus])
    after = kb.snapshot.path
    assert after != before
    for folder in FOLDERS.values():
        base = kb.snapshot.lexical["words" if folder == SPARSE else "bigrams"].segments[0].name
        old_file, new_file = before / folder / base / "rows.npy", after / folder / base / "rows.npy"
        assert os.stat(old_file).st_ino == os.stat(new_file).st_ino  # hard link, not a copy
    reloaded = IndexSnapshot.load(after)
    for name, analyze in kb.analyzers.items():
        assert len(reloaded.lexical[name].segments) == 2
        for question in QUESTIONS:
            assert np.array_equal(reloaded.lexical[name].scores(analyze(question)), kb.snapshot.lexical[name].scores(analyze(question)))
    reloaded.close()


def test_snapshot_of_the_bm25s_format_still_loads_with_the_same_scores(kb, small_corpus):
    """Data directories written before segments load (rebuilt in memory) and the next change writes segments."""
    path = kb.snapshot.path
    for name, folder in FOLDERS.items():
        ids, tokens = kb.snapshot.store.all_tokens(name)
        legacy = path / folder
        for item in legacy.iterdir():
            if item.is_dir():
                for file in item.iterdir():
                    file.unlink()
                item.rmdir()
            else:
                item.unlink()
        retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        retriever.index([list(t) for t in tokens], show_progress=False)
        retriever.save(str(legacy), show_progress=False)
        with pytest.raises(LegacySparseFormat):
            SparseIndex.load(legacy)
    reopened = IndexSnapshot.load(path)
    for name, analyze in kb.analyzers.items():
        full = SparseIndex.build(*reopened.store.all_tokens(name))
        assert np.array_equal(reopened.lexical[name].scores(analyze(QUESTIONS[0])), full.scores(analyze(QUESTIONS[0])))
    reopened.close()
    kb.remove("cic_dangjian_2024")
    assert (kb.snapshot.path / SPARSE / SEGMENTS_FILE).is_file()
    assert_equals_full_rebuild(kb)


def _old_filtered(index: DenseIndex, queries: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The path this replaced: rank every vector, then keep the allowed ids with np.isin."""
    scores, ids = index.search(queries, len(index))
    rows = []
    for row_scores, row_ids in zip(scores, ids):
        keep = (row_ids >= 0) & np.isin(row_ids, allowed)
        rows.append((row_scores[keep][:k], row_ids[keep][:k]))
    return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])


@pytest.mark.parametrize("exact_limit", [10_000, 500])  # flat, and IVF (2000 vectors over the limit)
def test_filtered_dense_search_uses_an_id_selector_with_the_old_results(exact_limit):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex(32, policy=DensePolicy(exact_limit=exact_limit, min_lists=16))
    index.add(np.arange(5000, 7000), vectors)
    assert index.kind == ("flat" if exact_limit > 2000 else "ivf")
    queries = vectors[:25] + 0.2 * rng.normal(size=(25, 32)).astype(np.float32)
    allowed = np.sort(rng.choice(np.arange(5000, 7000), 300, replace=False))
    scores, ids = index.search(queries, 20, allowed=allowed)
    old_scores, old_ids = _old_filtered(index, queries, 20, allowed)
    assert np.array_equal(ids, old_ids)
    np.testing.assert_allclose(scores, old_scores, rtol=1e-6)
    few = allowed[:7]  # fewer allowed vectors than asked for: the rest are empty slots
    _, ids = index.search(queries[:1], 20, allowed=few)
    assert set(ids[0][ids[0] >= 0].tolist()) == set(few.tolist())


def test_filtered_search_through_the_searcher_keeps_the_document_filter(kb):
    doc = "lianjie_zilv_zhunze_2015"
    result = kb.search("党员领导干部廉洁自律规范", k=10, doc_ids=[doc])
    assert result.hits and {hit.chunk.doc_id for hit in result.hits} == {doc}
    allowed = np.asarray(kb.snapshot.store.int_ids_of([doc]), dtype=np.int64)
    vector = kb._query_vectors("党员领导干部廉洁自律规范")  # noqa: SLF001 - the searcher's own query vector
    expected = _old_filtered(kb.snapshot.dense, vector[None, :], kb.settings.candidate_k, allowed)[1][0]
    assert result.candidates["dense"] == [int(i) for i in expected if i >= 0]


def test_incremental_benchmark_reports_equality_on_a_small_corpus(tmp_path):
    """The benchmark script end to end at a small size: every gold question equal, filtered search equal (timings not asserted)."""
    from wuxue.evaluation.bench.incremental import render, run

    results = run("0.5k", 0.1, tmp_path)
    assert results["updated"] == results["documents_changed"] >= 1
    equal = results["equality"]
    assert equal["questions"] > 200
    assert equal["score_vectors_differing_from_full_rebuild"] == {"words": 0, "bigrams": 0}
    assert equal["score_vectors_differing_from_bm25s"] == {"words": 0, "bigrams": 0}
    assert equal["search_results_differing (top 10 + candidate lists)"] == 0
    assert results["filtered_dense"]["results_differing"] == 0
    assert results["lexical"]["rows_added"] > 0 and results["lexical"]["rows_removed"] > 0
    assert "1% of documents changed" in render({**results, "command": "test", "machine": {}, "commit": ""})
