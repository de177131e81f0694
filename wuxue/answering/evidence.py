"""Which sentences of a passage answer a question, and how much of the passage to quote.

A sentence scores by its overlap with the question (weighted words plus character bigrams,
shared with the rerank), plus a bonus when it holds an expression of the kind the question
asks for (a date for “哪一天”, an age for “多少岁”) and when it defines a term of the question
(“X是…”, “X，是指…”). The quote then grows where the best sentence alone says too little:
over the list a sentence ending in “：” introduces, and past a heading or a sentence that only
repeats the question (“坚持‘三会一课’制度。”) to the sentence that carries the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wuxue.answering.abbreviations import long_forms
from wuxue.answering.answer_type import AnswerType, expected_type, holds_answer
from wuxue.answering.question import ASKS
from wuxue.index.colloquial import formal_words
from wuxue.index.overlap import QueryOverlap, sentence_scores, token_weight, unique_tokens
from wuxue.index.rerank import definition_strength
from wuxue.ingest.clean import fold_for_search
from wuxue.ingest.patterns import ARABIC_ENUM, PAREN_ARABIC, PAREN_ENUM, STRUCTURE_PREFIX

__all__ = ["answer_scores", "asking_clause", "new_content", "sentence_scores", "supporting_span", "token_weight", "unique_tokens"]

TYPE_BONUS = 0.5
ASKED_CLAUSE_BONUS = 0.5  # share of the words of the clause holding the question word (“…，登记管理机关多少日内作出决定”)
DEFINITION_BONUS = 0.25
OPPOSITE = "非未无不"  # a character before a term that says its opposite (非住宅, 未成年人)
# “在哪些情况下可以不赔”: the sentence that says 不承担赔偿责任, not one that says 承担赔偿责任
_DENIAL = re.compile(r"不(?:承担|得|能|予|应当|需要|必|再|可以|属于|构成|影响|适用|发生|享有)")
DENIAL_BONUS = 0.5
ROLE_BONUS = 1.0  # “谁是清算义务人”: the sentence that names who is (…的成员为清算义务人), not one about what they do
_ROLE_ASKED = re.compile(r"谁(?:是|为|担任|作为|来当|当)([\u4e00-\u9fff]{2,10}?)(?:呢|啊)?[？?]?$|([\u4e00-\u9fff]{2,10})(?:是|为)谁")
MIN_NEW_CHARS = 8  # a quote adding fewer characters than this to the question is extended
_CJK = re.compile(r"[\u4e00-\u9fff0-9a-z]")
_LIST_ITEM_END = "；;"


def answer_scores(question: str, tokens: Sequence[str], bigrams: Sequence[str], text: str,
                  sentences: Sequence[tuple[int, int]]) -> list[float]:
    """Overlap with the question, plus the answer-kind and definition bonuses, per sentence."""
    kind = expected_type(question)
    tokens = [*tokens, *(fold_for_search(form) for form in long_forms(question))]  # 中央纪委 also matches 中央纪律检查委员会
    overlap = QueryOverlap(tokens, bigrams)
    scores = overlap.scores(text, sentences)
    asked = asked_clause_terms(question, tokens)
    asked_total = sum(token_weight(t) for t in asked)
    role = asked_role(question)
    folded_question = fold_for_search(question)
    denied = set(_DENIAL.findall(folded_question + " ".join(formal_words(question))))  # 不赔 → 不承担赔偿责任
    for i, (start, end) in enumerate(sentences):
        sentence = fold_for_search(text[start:end])
        scores[i] -= sum(w for t, w in zip(overlap.terms, overlap.weights)
                         if _only_opposite(t, sentence, folded_question)) / overlap.total
        if any(phrase in sentence for phrase in denied):
            scores[i] += DENIAL_BONUS
        if holds_answer(kind, sentence):
            scores[i] += TYPE_BONUS
        if role and re.search(f"(?:为|是|担任){re.escape(role)}", sentence):
            scores[i] += ROLE_BONUS
        scores[i] += DEFINITION_BONUS * definition_strength(tokens, sentence)
        if asked_total:
            scores[i] += ASKED_CLAUSE_BONUS * sum(token_weight(t) for t in asked if t in sentence) / asked_total
    return scores


def _only_opposite(term: str, sentence: str, question: str) -> bool:
    """The sentence has the question's term only inside its opposite (住宅 only in 非住宅, 成年人 only in 未成年人),
    which the question does not say: it is no match for that term."""
    if len(term) < 2 or term not in sentence:
        return False
    inside = all(in_opposite(sentence, m.start()) for m in re.finditer(re.escape(term), sentence))
    return inside and not any(f"{mark}{term}" in question for mark in OPPOSITE)


def in_opposite(text: str, at: int) -> bool:
    """The term at ``at`` stands inside its opposite: 成年人 in 未成年人, 住宅 in 非住宅."""
    return at > 0 and text[at - 1] in OPPOSITE


def asked_role(question: str) -> str:
    """The role a 谁是X / X是谁 question asks the holder of (清算义务人), or ""."""
    match = _ROLE_ASKED.search(fold_for_search(question).rstrip("？?"))
    return (match.group(1) or match.group(2)) if match else ""


def asked_clause_terms(question: str, tokens: Sequence[str]) -> list[str]:
    """The words of the clause that asks, when the question has several (“申请成立社会团体，登记管理机关多少日内作出
    决定？”): the sentence that answers shares the asking clause, not just the topic the first clause names."""
    asking = asking_clause(question)
    if asking is None:
        return []
    folded = fold_for_search(asking)
    return [t for t in unique_tokens(tokens) if len(t) >= 2 and t in folded]


def asking_clause(question: str) -> str | None:
    """The clause holding the question word, when the question has several (None: one clause, or none asks)."""
    clauses = [c for c in re.split(r"[，,；;。？?！!]", question) if c.strip()]
    if len(clauses) < 2:
        return None
    return next((c for c in clauses if ASKS.search(c)), None)


def new_content(sentence: str, tokens: Sequence[str], bigrams: Sequence[str]) -> int:
    """How many characters of ``sentence`` the question does not already contain."""
    folded = fold_for_search(sentence)
    covered = [False] * len(folded)
    for piece in [t for t in unique_tokens(tokens) if len(t) > 1] + list(bigrams):
        start = folded.find(piece)
        while start >= 0:
            for i in range(start, start + len(piece)):
                covered[i] = True
            start = folded.find(piece, start + 1)
    return sum(1 for i, char in enumerate(folded) if not covered[i] and _CJK.match(char))


def _is_list_item(text: str, span: tuple[int, int]) -> bool:
    sentence = text[span[0]:span[1]]
    return any(p.match(sentence) for p in (PAREN_ENUM, PAREN_ARABIC, ARABIC_ENUM)) or sentence.endswith(tuple(_LIST_ITEM_END))


def supporting_span(text: str, sentences: Sequence[tuple[int, int]], scores: Sequence[float], *,
                    tokens: Sequence[str] = (), bigrams: Sequence[str] = (), kind: AnswerType | None = None,
                    max_chars: int = 300) -> tuple[int, int, float]:
    """The best sentence, grown over the list it introduces and past sentences that add nothing new.

    ``kind`` is what the question asks for: a short sentence that holds it (“预备期为一年。”)
    is an answer, not a restatement, and is not grown.
    """
    if not sentences:
        return 0, len(text), 0.0
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start, end = sentences[best]
    index = best
    # A heading or a restatement of the question: take the next sentence too, within its article (“遗嘱被篡改的，
    # 篡改的内容无效。” closes 第一千一百四十三条; the next article's first sentence is another rule).
    while (index + 1 < len(sentences) and (tokens or bigrams)
           and not STRUCTURE_PREFIX.match(text[sentences[index + 1][0]:sentences[index + 1][1]].lstrip())
           and not holds_answer(kind, fold_for_search(text[start:end]))
           and new_content(text[start:end], tokens, bigrams) < MIN_NEW_CHARS
           and sentences[index + 1][1] - start <= max_chars):
        index += 1
        end = sentences[index][1]
    # A sentence ending in “：” introduces a list: take its items while they fit.
    if text[end - 1] in "：:":
        while (index + 1 < len(sentences) and sentences[index + 1][1] - start <= max_chars
               and (text[end - 1] in "：:" or _is_list_item(text, sentences[index + 1]))):
            index += 1
            end = sentences[index][1]
    return start, end, scores[best]
