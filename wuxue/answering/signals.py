"""Refusal signals: how strongly what the searcher returned says the corpus answers the question.

Computed here, in answering, from the search result alone — its hits, each retriever's candidate list and
the analysis of the question (its words and bigrams, their document frequencies) — so the searcher only
searches and the decision to answer is made where the answer is built.

* ``dense`` — cosine similarity of the best passage;
* ``bigram_coverage`` — share of the question's character bigrams one passage contains;
* ``word_bm25_per_term``, ``bigram_bm25_per_term`` — BM25 evidence per query term;
* ``answer_coverage`` — how much of the question (words weighted by IDF, so the rare, specific
  ones count most) one sentence covers; for a question asking a number or a date, only
  sentences holding one count (“讲几次党课” is not answered by a sentence about 党课 alone);
* ``answer_kind_missing`` — 1 when the question asks for a number, date, age… and no
  well-matching sentence of the top passages holds one (the near misses: the topic is in the
  corpus, the fact asked is not);
* ``vocabulary`` — share of the question's words that occur anywhere in the corpus;
* ``agreement`` — share of the dense top 10 also in the bigram-BM25 top 10: meaning and
  wording point at the same passages when the corpus holds the answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from wuxue.answering.answer_type import expected_type, holds_answer
from wuxue.answering.evidence import asking_clause
from wuxue.answering.question import ASKING_WORD
from wuxue.index.overlap import sentence_scores, unique_tokens
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.ingest.clean import fold_for_search

FEATURES = ("dense", "bigram_coverage", "word_bm25_per_term", "bigram_bm25_per_term",
            "answer_coverage", "answer_kind_missing", "vocabulary", "agreement")
TOP_PASSAGES = 3
MIN_ASKING_WORDS = 3  # an asking clause with fewer words of two characters (我该怎么办) is not scored alone
MIN_SENTENCE_OVERLAP = 0.3  # a sentence this close to the question, holding the asked kind, answers it
AGREEMENT_DEPTH = 10


def _term_credit(term: str, sentence: str) -> float:
    """1 for the term itself; half credit for a long term's bigrams (规范化 vs 规范), else 0."""
    if term in sentence:
        return 1.0
    if len(term) <= 2:
        return 0.0
    grams = [term[i:i + 2] for i in range(len(term) - 1)]
    return 0.5 * sum(1 for g in grams if g in sentence) / len(grams)


def idf(result: SearchResult, term: str) -> float:
    """``log((N + 1) / (df + 0.5))``: rare and unseen words of the question weigh most."""
    return math.log((result.passages + 1) / (result.term_df.get(term, 0) + 0.5))


def agreement(result: SearchResult, depth: int = AGREEMENT_DEPTH) -> float:
    """How much the meaning-based and the character-based candidate lists agree on the best passages."""
    dense, bigrams = result.candidates.get("dense"), result.candidates.get("bigrams")
    if dense is None or bigrams is None:
        return 0.0
    top = set(bigrams[:depth])
    return sum(1 for i in dense[:depth] if i in top) / depth


def question_terms(result: SearchResult, hits: Sequence[SearchHit]) -> tuple[list[str], list[str]]:
    """The words and bigrams the passages must cover: the whole question's, except a document name the question
    gives when a top passage is from that document (“《中国共产党纪律处分条例》从哪一天开始施行” is answered by
    “本条例自2024年1月1日起施行”, which never repeats the title)."""
    named = set(result.named_documents)
    if named and any(hit.chunk.doc_id in named for hit in hits):
        words, grams = result.tokens, result.bigrams  # searched without the names
    else:
        words, grams = result.question_tokens or result.tokens, result.question_bigrams or result.bigrams
    asked = [w for w in words if not ASKING_WORD.search(w)]  # 哪一天, 多少: what is asked, never in the text
    return asked or list(words), grams


def asking_terms(result: SearchResult, words: Sequence[str], grams: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The words and bigrams of the clause that asks, when a question tells a story first (“我想把货还给对方，可是
    对方找不着人了，法律上在哪些情况下可以把标的物提存？”): the story is in words no statute uses, the asking
    clause is what a passage must cover. None when the question has one clause or its asking clause says too little."""
    clause = asking_clause(result.query)
    if clause is None:
        return None
    folded = fold_for_search(clause)
    clause_words = [w for w in words if w in folded]
    if len([w for w in clause_words if len(w) >= 2]) < MIN_ASKING_WORDS:
        return None
    return clause_words, [g for g in grams if g in folded]


def _answer_signals(result: SearchResult, hits: Sequence[SearchHit], words: Sequence[str], grams: Sequence[str]
                    ) -> tuple[float, float]:
    """(answer_coverage, answer_kind_missing) over the sentences of the top passages, for these question terms."""
    terms = unique_tokens([t for t in words if len(t) >= 2]) or list(words)
    weights = {t: idf(result, t) for t in terms}
    total = sum(weights.values())
    kind = expected_type(result.query)
    coverage, kind_found = 0.0, False
    for hit in hits:
        text, spans = hit.chunk.text, hit.chunk.sentences
        overlaps = sentence_scores(words, text, spans, grams)
        for (start, end), overlap in zip(spans, overlaps):
            sentence = fold_for_search(text[start:end])
            holds = holds_answer(kind, sentence)
            kind_found = kind_found or (holds and overlap >= MIN_SENTENCE_OVERLAP)
            if total and (kind is None or holds):
                coverage = max(coverage, sum(w * _term_credit(t, sentence) for t, w in weights.items()) / total)
    return coverage, float(kind is not None and not kind_found)


def _bigram_coverage(grams: Sequence[str], texts: Sequence[str]) -> float:
    """The largest share of the question's bigrams one passage holds (0 when the question has none)."""
    wanted = set(grams)
    return max(sum(1 for gram in wanted if gram in text) / max(len(wanted), 1) for text in texts)


def features(result: SearchResult) -> dict[str, float]:
    """The eight signals of ``FEATURES`` for one search result (all 0 when nothing was found)."""
    top = result.hits[:TOP_PASSAGES]
    if not top:
        return dict.fromkeys(FEATURES, 0.0)
    words, grams = question_terms(result, top)
    texts = [fold_for_search(hit.chunk.section + hit.chunk.text) for hit in top]
    coverage, kind_missing = _answer_signals(result, top, words, grams)
    bigram_coverage = _bigram_coverage(grams, texts)
    asking = asking_terms(result, words, grams)
    if asking is not None:  # the asking clause alone, when it is covered better than the whole story
        coverage = max(coverage, _answer_signals(result, top, *asking)[0])
        if asking[1]:
            bigram_coverage = max(bigram_coverage, _bigram_coverage(asking[1], texts))
    terms = unique_tokens([t for t in words if len(t) >= 2]) or list(words)
    seen = [t for t in terms if result.term_df.get(t, 0) > 0]
    return {
        "dense": max(hit.dense_score for hit in top),
        "bigram_coverage": bigram_coverage,
        "word_bm25_per_term": result.max_sparse / max(len(set(words)), 1),
        "bigram_bm25_per_term": max(hit.bigram_score for hit in top) / max(len(set(result.bigrams)), 1),
        "answer_coverage": coverage,
        "answer_kind_missing": kind_missing,
        "vocabulary": len(seen) / max(len(terms), 1),
        "agreement": agreement(result),
    }
