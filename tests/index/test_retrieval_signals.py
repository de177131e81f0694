"""Hybrid search with routing and the rerank: what a search result carries for answers and refusals."""

from __future__ import annotations

from wuxue.answering.signals import agreement
from wuxue.index.sparse import SparseIndex


def test_document_frequency_counts_rows_per_token():
    index = SparseIndex.build([10, 11, 12], [["党章", "党员"], ["党章", "纪律"], ["党章"]])
    assert index.document_frequency("党章") == 3
    assert index.document_frequency("纪律") == 1
    assert index.document_frequency("未见") == 0
    assert SparseIndex.build([], []).document_frequency("党章") == 0


def test_named_article_comes_first_and_the_document_name_leaves_the_lexical_query(kb):
    result = kb.search("党章第七条讲的是什么？", k=5)
    assert "第七条" in result.hits[0].chunk.section
    assert result.hits[0].chunk.doc_id == "dangzhang_2022"
    assert "党章" in result.question_tokens and "党章" not in result.tokens
    assert result.term_df["党章"] > 0 and result.passages == len(kb.snapshot.dense)


def test_named_document_ranks_its_passages_first(kb):
    result = kb.search("廉洁自律准则对党员提出了哪些要求？", k=8)
    named = [hit.chunk.doc_id == "lianjie_zilv_zhunze_2015" for hit in result.hits]
    assert named[0] and named == sorted(named, reverse=True)  # all of its passages before any other


def test_a_question_that_is_only_a_document_name_still_searches(kb):
    result = kb.search("党章", k=3)
    assert result.hits and result.tokens == result.question_tokens


def test_agreement_of_the_dense_and_bigram_candidate_lists(kb):
    result = kb.search("预备党员的预备期是多长时间？", k=5)
    assert set(result.candidates) == {"dense", "words", "bigrams"} and all(result.candidates.values())
    assert 0.0 <= agreement(result) <= 1.0
    dense_only = kb.search("预备党员的预备期是多长时间？", k=5, mode="dense")
    assert set(dense_only.candidates) == {"dense"} and agreement(dense_only) == 0.0
    assert kb.search("预备党员的预备期是多长时间？", k=5, mode="words").tokens == result.question_tokens


def test_a_named_documents_title_need_not_be_covered_by_its_own_passages(kb):
    """“《纪律处分条例》从哪一天开始施行” is answered by “本条例自…起施行”, which never repeats the title."""
    from wuxue.answering.signals import question_terms
    result = kb.search("党章规定预备期是多长时间？", k=5)
    assert result.named_documents == ["dangzhang_2022"] and result.hits[0].chunk.doc_id == "dangzhang_2022"
    words, _ = question_terms(result, result.hits[:3])
    assert "党章" in result.question_tokens and "党章" not in words and "预备期" in words
    unnamed = kb.search("预备党员的预备期是多长时间？", k=5)
    words, grams = question_terms(unnamed, unnamed.hits[:3])
    assert grams == unnamed.question_bigrams and "预备期" in words
    assert "多长时间" in unnamed.question_tokens and "多长时间" not in words  # what is asked is never in the text


def test_a_story_questions_asking_clause_is_covered_on_its_own(kb):
    """“…(a story in everyday words)，预备党员的预备期是多长时间？”: the passages must cover the asking clause, not the story."""
    from wuxue.answering.signals import asking_terms, features, question_terms
    story = kb.search("我同事上个月刚被接收入党，大家都在聊这个事，预备党员的预备期是多长时间？", k=5)
    words, grams = question_terms(story, story.hits[:3])
    clause_words, clause_grams = asking_terms(story, words, grams)
    assert "预备期" in clause_words and "同事" not in clause_words and all(g in grams for g in clause_grams)
    plain = kb.search("预备党员的预备期是多长时间？", k=5)
    assert asking_terms(plain, *question_terms(plain, plain.hits[:3])) is None  # one clause
    assert features(story)["answer_coverage"] >= 0.5 * features(plain)["answer_coverage"]
