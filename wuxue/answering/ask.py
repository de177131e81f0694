"""``ask``: retrieve, decide whether the corpus covers the question, build a cited extractive answer."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from wuxue.answering.evidence import sentence_scores, supporting_span
from wuxue.answering.refusal import RefusalModel, features, load_refusal_model
from wuxue.errors import InvalidQuestionError
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.knowledge_base import KnowledgeBase

NOT_FOUND = "知识库中未找到与该问题相关的内容。以下是可能相关的段落，仅供参考。"
MAX_CITED = 3


@dataclass
class Citation:
    marker: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    page_end: int | None
    text: str
    char_start: int
    char_end: int
    highlight: list[list[int]]
    score: float


@dataclass
class AskResult:
    question: str
    found: bool
    answer: str
    citations: list[Citation]
    signals: dict[str, float] = field(default_factory=dict)
    timing_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def validate_question(question: str, max_chars: int) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise InvalidQuestionError("问题不能为空")
    if len(cleaned) > max_chars:
        raise InvalidQuestionError(f"问题过长：请控制在 {max_chars} 字以内")
    return cleaned


def _citation(marker: int, hit: SearchHit, highlight: list[list[int]]) -> Citation:
    chunk = hit.chunk
    return Citation(marker, chunk.chunk_id, chunk.doc_id, chunk.title, chunk.section, chunk.page, chunk.page_end,
                    chunk.text, chunk.char_start, chunk.char_end, highlight, round(hit.score, 6))


def _overlaps(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return shorter in longer


def build_answer(result: SearchResult) -> tuple[str, list[Citation]]:
    """Best supporting sentence of each strong passage, deduplicated, in rank order, with markers."""
    picked: list[tuple[SearchHit, int, int, float]] = []
    for hit in result.hits:
        text = hit.chunk.text
        scores = sentence_scores(result.tokens, text, hit.chunk.sentences, result.bigrams)
        start, end, score = supporting_span(text, hit.chunk.sentences, scores)
        picked.append((hit, start, end, score))
    if not picked:
        return "", []
    best = max(score for _, _, _, score in picked)
    parts: list[str] = []
    citations: list[Citation] = []
    for rank, (hit, start, end, score) in enumerate(picked):
        sentence = hit.chunk.text[start:end]
        if rank > 0 and (score < 0.6 * best or score == 0):
            continue
        if any(_overlaps(sentence, existing) for existing in parts):
            continue
        citations.append(_citation(len(citations) + 1, hit, [[start, end]]))
        parts.append(sentence)
        if len(citations) == MAX_CITED:
            break
    answer = "\n".join(f"{sentence}[{c.marker}]" for sentence, c in zip(parts, citations))
    return answer, citations


def ask(kb: KnowledgeBase, question: str, *, top_k: int | None = None, doc_ids: Sequence[str] | None = None,
        refusal: RefusalModel | None = None) -> AskResult:
    question = validate_question(question, kb.settings.max_question_chars)
    started = time.perf_counter()
    result = kb.search(question, k=top_k or kb.settings.top_k, doc_ids=doc_ids)
    searched = time.perf_counter()
    signals = features(result)
    model = refusal or load_refusal_model()
    found = model.decide(result)
    if found:
        answer, citations = build_answer(result)
    else:
        answer = NOT_FOUND
        citations = [
            _citation(i, hit, [list(supporting_span(hit.chunk.text, hit.chunk.sentences,
                                                    sentence_scores(result.tokens, hit.chunk.text, hit.chunk.sentences, result.bigrams))[:2])])
            for i, hit in enumerate(result.hits[:3], start=1)
        ]
    done = time.perf_counter()
    signals = {**{k: round(v, 4) for k, v in signals.items()}, "out_of_scope_score": round(model.score(signals), 4),
               "unknown_documents": float(len(result.unknown_documents))}
    timing = {"search": round((searched - started) * 1000, 2), "answer": round((done - searched) * 1000, 2)}
    return AskResult(question, found, answer, citations, signals, timing)
