"""``ask``: retrieve, decide whether the corpus covers the question, build a cited extractive answer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace

from wuxue.answering.answer_type import expected_type
from wuxue.answering.compose import Citation, Composition, TreeSource, chunk_citation, compose, unit_passages
from wuxue.answering.document_date import effective_date_answer
from wuxue.answering.evidence import answer_scores, supporting_span
from wuxue.answering.followup import resolve_followup
from wuxue.answering.llm import ChatClient, LLMError, build_messages, check_citations
from wuxue.answering.question import ASKS, Question, analyze
from wuxue.answering.outline import outline_answer
from wuxue.answering.quiz_answer import READING_K, answer_quiz, option_readings
from wuxue.answering.refusal import RefusalModel, kind_margin, shipped_refusal_model
from wuxue.answering.signals import features
from wuxue.errors import InvalidQuestionError
from wuxue.index.searcher import SearchHit, SearchResult
from wuxue.knowledge_reader import KnowledgeReader

NOT_FOUND = "知识库中未找到与该问题相关的内容。以下是可能相关的段落，仅供参考。"
NOT_FOUND_SHORT = "知识库中未找到相关内容。"
OUT_OF_SELECTION = "所选文档中未找到与该问题相关的内容，以下是全部文档中最接近的段落。"
MAX_HISTORY = 5  # previous questions a follow-up is read against


@dataclass
class AskResult:
    question: str
    found: bool
    answer: str
    citations: list[Citation]
    signals: dict[str, float] = field(default_factory=dict)
    timing_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"  # or "llm" when an LLM wrote the answer from the passages
    unsupported: list[str] = field(default_factory=list)  # LLM sentences that cite no passage
    notice: str = ""  # e.g. why the LLM answer fell back to the extractive one
    direct: str = ""  # the one-line direct answer with its [n] markers ("" on a refusal)
    kind: str = "other"  # the question kind (question.KINDS)
    resolved_question: str = ""  # for an elliptical follow-up, the question actually answered
    scope_notice: str = ""  # the selected documents do not cover the question: citations come from all documents

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def validate_question(question: str, max_chars: int) -> str:
    cleaned = " ".join(question.split())
    if not cleaned:
        raise InvalidQuestionError("问题不能为空")
    if len(cleaned) > max_chars:
        raise InvalidQuestionError(f"问题过长：请控制在 {max_chars} 字以内")
    return cleaned


def supporting_sentence(result: SearchResult, hit: SearchHit) -> tuple[int, int, float]:
    """The span of the passage that answers the question, and its score."""
    chunk = hit.chunk
    scores = answer_scores(result.query, result.tokens, result.bigrams, chunk.text, chunk.sentences)
    return supporting_span(chunk.text, chunk.sentences, scores, tokens=result.tokens, bigrams=result.bigrams,
                           kind=expected_type(result.query))


def _highlighted(result: SearchResult, hit: SearchHit) -> list[list[int]]:
    return [list(supporting_sentence(result, hit)[:2])]


def _passages(result: SearchResult, limit: int | None = None) -> list[Citation]:
    """Every retrieved passage, numbered, with its best sentence highlighted (for 可能相关 and for the LLM)."""
    return [chunk_citation(i, hit, _highlighted(result, hit)) for i, hit in enumerate(result.hits[:limit], start=1)]


@dataclass
class _Retrieved:
    question: str  # as the member asked it
    result: SearchResult
    found: bool
    signals: dict[str, float]
    search_ms: float
    resolved_question: str = ""  # the question answered, when ``question`` was an elliptical follow-up
    analysis: Question = field(default_factory=lambda: analyze(""))
    scope_notice: str = ""
    searched_docs: tuple[str, ...] | None = None  # the documents ``result`` was searched in (None: all)


# With a document filter, the selected documents cover the question only when one of their passages is among the
# best passages of all documents and their best supporting sentence scores at least this share of the best one.
SCOPE_SHARE = 0.75


def _best_support(result: SearchResult) -> float:
    best = 0.0
    for hit in result.hits:
        chunk = hit.chunk
        scores = answer_scores(result.query, result.tokens, result.bigrams, chunk.text, chunk.sentences)
        best = max([best, *scores])
    return best


def _retrieve(kb: KnowledgeReader, question: str, top_k: int | None, doc_ids: Sequence[str] | None, refusal: RefusalModel | None,
              history: Sequence[str] = ()) -> _Retrieved:
    question = validate_question(question, kb.settings.max_question_chars)
    limit = kb.settings.max_question_chars
    previous = [" ".join(q.split())[:limit] for q in history[-MAX_HISTORY:] if q and q.strip()]
    resolution = resolve_followup(question, previous)
    asked = resolution.question if resolution.resolved else question
    analysis = analyze(asked)
    query = analysis.search_text if analysis.is_quiz else asked
    started = time.perf_counter()
    k = top_k or kb.settings.top_k
    result = kb.search(query, k=k, doc_ids=doc_ids)
    model = refusal or shipped_refusal_model()
    signals = features(result)
    margin = kind_margin(analysis.kind)
    found = model.decide(result, signals, margin=margin)
    scope_notice = ""
    if doc_ids:
        everywhere = kb.search(query, k=k)
        selected = set(doc_ids)
        outside = bool(everywhere.hits) and everywhere.hits[0].chunk.doc_id not in selected
        ranked = any(hit.chunk.doc_id in selected for hit in everywhere.hits)  # the selection is among the best passages
        weaker = _best_support(result) < SCOPE_SHARE * _best_support(everywhere)
        if outside and model.decide(everywhere, margin=margin) and (not found or not ranked or weaker):
            result, found, scope_notice = everywhere, True, OUT_OF_SELECTION
            signals = features(result)
    search_ms = round((time.perf_counter() - started) * 1000, 2)
    signals = {**{k: round(v, 4) for k, v in signals.items()}, "out_of_scope_score": round(model.score(signals), 4),
               "refusal_margin": margin, "unknown_documents": float(len(result.unknown_documents))}
    searched = tuple(doc_ids) if doc_ids and not scope_notice else None
    return _Retrieved(question, result, found, signals, search_ms, asked if resolution.resolved else "", analysis, scope_notice,
                      searched)


def _result(retrieved: _Retrieved, answer: str, citations: list[Citation], started: float, **extra: object) -> AskResult:
    timing = {"search": retrieved.search_ms, "answer": round((time.perf_counter() - started) * 1000, 2)}
    extra.setdefault("resolved_question", retrieved.resolved_question)
    extra.setdefault("kind", retrieved.analysis.kind)
    extra.setdefault("scope_notice", retrieved.scope_notice)
    return AskResult(retrieved.question, retrieved.found, answer, citations, retrieved.signals, timing, **extra)  # type: ignore[arg-type]


def _about_document(store: TreeSource, retrieved: _Retrieved) -> Composition | None:
    """“准则从哪几个方面提出要求” / “民法典从哪天开始施行”: a question about a named document itself, answered by
    its own parts or closing rule. The document is in the corpus, so this answers even where the passages'
    signals would refuse (its closing rule shares few words with the question)."""
    if retrieved.analysis.is_quiz:
        return None
    return (outline_answer(store, retrieved.result, retrieved.analysis)
            or effective_date_answer(store, retrieved.result, retrieved.analysis))


def _compose(kb: KnowledgeReader, store: TreeSource, retrieved: _Retrieved) -> Composition:
    if retrieved.analysis.is_quiz:
        # “可以采用（ ）”: the stem alone may find a sentence with other words at the blank; each option read in its
        # place is searched as well, so the sentence that states the right one is among the passages
        readings = [kb.search(reading, k=READING_K, doc_ids=retrieved.searched_docs)
                    for reading in option_readings(retrieved.analysis)]
        return answer_quiz(store, retrieved.result, retrieved.analysis, readings)
    return compose(store, retrieved.result, retrieved.analysis)


def _extractive(kb: KnowledgeReader, retrieved: _Retrieved, started: float, notice: str = "") -> AskResult:
    """The answer without an LLM: a direct line and the quoted unit, or the refusal with the nearest passages."""
    store = kb.structure()  # one snapshot for the whole answer
    document = None if retrieved.result.unknown_documents else _about_document(store, retrieved)
    if document is not None:
        retrieved = replace(retrieved, found=True)
    elif not retrieved.found:
        return _result(retrieved, NOT_FOUND, _passages(retrieved.result, limit=3), started, notice=notice)
    composition = document or _compose(kb, store, retrieved)
    return _result(retrieved, composition.answer, composition.citations, started, notice=notice, direct=composition.direct)


def _fallback_notice(error: LLMError) -> str:
    return f"大模型不可用，已改用摘录式回答（{error}）"


MAX_PARTS = 3
MAX_RESPECTIVE = 5
_RESPECTIVE = re.compile(r"^(?P<pre>.{0,12}?的)?(?P<items>[\u4e00-\u9fff]{1,10}(?:、[\u4e00-\u9fff]{1,10})*(?:和|与|及)"
                         r"[\u4e00-\u9fff]{1,10})分别(?P<ask>(?:是|为|有|由|在)[^？?]{0,12}[？?]?)$")
_MARKER = re.compile(r"\[(\d+)\]")


def question_parts(question: str) -> list[str]:
    """“预备期多长？从哪天算起？”: two questions in one message, each ending in ？ and asking something.

    A later part that leans on the first (从哪天算起) is read with the first part before it, as the follow-up
    resolver would; a single question is returned as it is.
    """
    respective = _RESPECTIVE.match(question.strip())
    if respective:  # 国旗、国歌、国徽和首都分别是什么？ → one question per subject
        subjects = [t for t in re.split(r"、|和|与|及", respective.group("items")) if t]
        if 2 <= len(subjects) <= MAX_RESPECTIVE:
            return [f"{respective.group('pre') or ''}{subject}{respective.group('ask')}" for subject in subjects]
    pieces = [p.strip() for p in re.split(r"(?<=[？?])", question) if p.strip()]
    if not 2 <= len(pieces) <= MAX_PARTS or not all(ASKS.search(p) and p.endswith(("？", "?")) for p in pieces):
        return [question]
    pieces = [pieces[0], *(p for p in pieces[1:] if not _RESTATES.match(p))]
    if len(pieces) == 1:
        return [question]  # one question asked twice, in everyday words and then as the law's: answered as one
    first = pieces[0]
    parts = [first]
    story = _story(first)
    for piece in pieces[1:]:
        resolution = resolve_followup(piece, [first])
        if resolution.resolved:
            parts.append(resolution.question)
            continue
        part = _with_subject(first, piece)
        parts.append(f"{story}，{part}" if story and part == piece and story not in piece else part)
    return parts


# A later part that asks the first one again as the text's (买技术的钱可以怎么付？民法典列了哪几种付款办法？
# 什么是技术开发合同？民法典是怎么界定的？): alone it names nothing, and it asks nothing the first part does not.
_RESTATES = re.compile(r"^(?:那么|那|请问)?(?:按照?|根据|依照)?(?:民法典|法律|法规|党章|条例|规定|文件)(?:上|里|中)?(?:是|对此)?"
                       r"(?:怎么|如何|怎样|有什么|有哪些|列了|规定了|是怎么)")


def _story(question: str) -> str:
    """The clauses before the one that asks (“同一笔债权既有物的担保又有保证人，债务人到期不还钱时”): a later part
    of the message (担保的第三人替人还了之后又怎么办？) is asked about the same case, and alone it names none."""
    clauses = [c for c in re.split(r"[，,；;]", question) if c.strip()]
    asking = next((i for i, clause in enumerate(clauses) if ASKS.search(clause)), 0)
    return "，".join(clauses[:asking])


_PREDICATE = re.compile(r"有哪些|包括哪些|有什么|是什么|是哪|是多少|多长|多久|多少|几|由谁|何时|什么时候|哪|怎么|如何|是否|能否|可以")
MAX_ELLIPTICAL_CHARS = 10


def _with_subject(first: str, piece: str) -> str:
    """A short part without its own subject takes the first part's (党员有哪些义务？有哪些权利？ → 党员有哪些权利？)."""
    predicate = _PREDICATE.search(first)
    subject = first[: predicate.start()].strip("，, ") if predicate else ""
    if not subject or len(piece.rstrip("？?")) > MAX_ELLIPTICAL_CHARS or piece.startswith(subject):
        return piece
    return f"{subject}{piece}"


def _renumber(text: str, offset: int) -> str:
    return _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", text) if offset else text


def _joined(question: str, results: Sequence[AskResult]) -> AskResult:
    """One answer for a several-part message: every part's direct line first, then each part's quotes, markers
    numbered through."""
    directs: list[str] = []
    rest: list[str] = []
    citations: list[Citation] = []
    for part in results:
        offset = len(citations)
        if not part.found:
            directs.append(f"“{part.question}”：{NOT_FOUND_SHORT}")
            continue
        lines = part.answer.splitlines()
        head = part.direct or (lines[0] if lines else "")
        directs.append(_renumber(head, offset))
        rest += [_renumber(line, offset) for line in lines[1:]]
        for citation in part.citations:
            citations.append(replace(citation, marker=citation.marker + offset))
    found = any(part.found for part in results)
    first = results[0]
    answer = "\n".join(directs + rest) if found else first.answer
    return AskResult(question, found, answer, citations if found else first.citations, first.signals,
                     {k: round(sum(p.timing_ms.get(k, 0.0) for p in results), 2) for k in first.timing_ms},
                     direct="\n".join(directs) if found else "", kind="parts", resolved_question=first.resolved_question,
                     scope_notice=first.scope_notice)


def ask(kb: KnowledgeReader, question: str, *, top_k: int | None = None, doc_ids: Sequence[str] | None = None,
        refusal: RefusalModel | None = None, llm: ChatClient | None = None, history: Sequence[str] = ()) -> AskResult:
    """Answer from the corpus: extractive by default, written by ``llm`` from the passages when given.

    ``history`` holds the member's previous questions (newest last): an elliptical follow-up is answered as
    the question it stands for, reported in ``resolved_question``. A message asking several questions
    (“预备期多长？从哪天算起？”) gets each answered, direct lines first.
    """
    parts = question_parts(validate_question(question, kb.settings.max_question_chars))
    retrieved = _retrieve(kb, question, top_k, doc_ids, refusal, history)
    if len(parts) > 1 and llm is None and retrieved.found:  # whether the corpus covers it is judged on the whole message
        answered = [ask(kb, part, top_k=top_k, doc_ids=doc_ids, refusal=refusal, history=history if i == 0 else ())
                    for i, part in enumerate(parts)]
        return _joined(question, answered)
    started = time.perf_counter()
    if llm is None or not retrieved.found:
        return _extractive(kb, retrieved, started)
    citations = unit_passages(kb.structure(), retrieved.result)
    try:
        text = llm.complete(_llm_messages(retrieved, citations))
    except LLMError as error:
        return _extractive(kb, retrieved, started, _fallback_notice(error))
    checked = check_citations(text, len(citations))
    return _result(retrieved, checked.answer, citations, started, mode="llm", unsupported=checked.unsupported)


def _llm_messages(retrieved: _Retrieved, citations: Sequence[Citation]) -> list[dict[str, str]]:
    """The LLM reads whole units (the article with every item), not the chunks retrieval found."""
    return build_messages(retrieved.resolved_question or retrieved.question, [(c.title, c.section, c.text) for c in citations])


def ask_stream(kb: KnowledgeReader, question: str, *, top_k: int | None = None, doc_ids: Sequence[str] | None = None,
               refusal: RefusalModel | None = None, llm: ChatClient | None = None,
               history: Sequence[str] = ()) -> Iterator[tuple[str, object]]:
    """Events for SSE: ``citations`` first, then ``delta`` text pieces (LLM mode), then ``done`` with the full result.

    Without an LLM, or when the corpus does not cover the question, ``done`` follows at once.
    If the LLM fails midway, a ``fallback`` event precedes a ``done`` carrying the extractive answer.
    """
    if llm is None and len(question_parts(validate_question(question, kb.settings.max_question_chars))) > 1:
        final = ask(kb, question, top_k=top_k, doc_ids=doc_ids, refusal=refusal, history=history)
        yield "citations", [asdict(c) for c in final.citations]
        yield "done", final.to_dict()
        return
    retrieved = _retrieve(kb, question, top_k, doc_ids, refusal, history)
    started = time.perf_counter()
    if not retrieved.found or llm is None:
        final = _extractive(kb, retrieved, started)
        yield "citations", [asdict(c) for c in final.citations]
        yield "done", final.to_dict()
        return
    citations = unit_passages(kb.structure(), retrieved.result)
    yield "citations", [asdict(c) for c in citations]
    pieces: list[str] = []
    try:
        for piece in llm.stream(_llm_messages(retrieved, citations)):
            pieces.append(piece)
            yield "delta", piece
    except LLMError as error:
        fallback = _extractive(kb, retrieved, started, _fallback_notice(error))
        yield "fallback", fallback.notice
        yield "done", fallback.to_dict()
        return
    checked = check_citations("".join(pieces), len(citations))
    yield "done", _result(retrieved, checked.answer, citations, started, mode="llm", unsupported=checked.unsupported).to_dict()
