"""Admin 命中测试: what /api/ask would do with a question, and the ranked passages behind it.

Nothing is written to the query log, so testing does not show up as members' questions.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from pydantic import BaseModel, Field

from wuxue.answering import ask
from wuxue.service.auth import Admin
from wuxue.service.deps import KB, Refusal
from wuxue.service.schemas import MAX_QUESTION_CHARS, SearchHitOut

router = APIRouter(prefix="/api/admin", tags=["管理"])


class HitTestIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    top_k: int = Field(default=5, ge=1, le=20, description="检索段落数")
    doc_ids: list[str] | None = Field(default=None, max_length=100, description="只在这些文档中查找")


class CitedOut(BaseModel):
    marker: int
    doc_id: str
    title: str
    section: str
    page: int | None
    score: float


class HitTestOut(BaseModel):
    question: str
    found: bool = Field(description="true：/api/ask 会回答；false：会拒答（知识库中未找到）")
    answer: str
    refusal_score: float = Field(description="拒答分数（越大越可能不在知识库范围内）")
    threshold: float = Field(description="拒答阈值：分数高于它就拒答")
    signals: dict[str, float]
    notice: str
    citations: list[CitedOut]
    hits: list[SearchHitOut]
    timing_ms: float


@router.post("/hit-test", response_model=HitTestOut, summary="命中测试：/api/ask 会回答还是拒答、拒答分数与阈值、回答与检索段落")
def hit_test(body: HitTestIn, kb: KB, refusal: Refusal, _: Admin) -> HitTestOut:
    started = time.perf_counter()
    result = ask(kb, body.question, top_k=body.top_k, doc_ids=body.doc_ids, refusal=refusal)  # as the ask route does
    hits = kb.search(result.question, k=body.top_k, doc_ids=body.doc_ids).hits
    notice = " ".join(text for text in (result.scope_notice, result.notice) if text)
    return HitTestOut(
        question=result.question, found=result.found, answer=result.answer,
        refusal_score=float(result.signals.get("out_of_scope_score", 0.0)),
        threshold=float(refusal.threshold), signals=result.signals, notice=notice,
        citations=[CitedOut(marker=c.marker, doc_id=c.doc_id, title=c.title, section=c.section, page=c.page, score=c.score)
                   for c in result.citations],
        hits=[SearchHitOut(**hit.to_dict()) for hit in hits],  # type: ignore[arg-type]
        timing_ms=round((time.perf_counter() - started) * 1000, 2),
    )
