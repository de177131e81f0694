"""Admin 命中测试: what /api/ask would do with a question, and the ranked passages behind it.

Nothing is written to the query log, so testing does not show up as members' questions.
"""

from __future__ import annotations

import time

from fastapi import APIRouter

from wuxue.answering import ask
from wuxue.service.auth import Admin
from wuxue.service.deps import Reader, Refusal
from wuxue.service.schemas.ask import CitedOut, HitTestBody, HitTestOut, SearchHitOut

router = APIRouter(prefix="/api/admin", tags=["管理"])


@router.post("/hit-test", response_model=HitTestOut, summary="命中测试：/api/ask 会回答还是拒答、拒答分数与阈值、回答与检索段落")
def hit_test(kb: Reader, refusal: Refusal, _: Admin, body: HitTestBody) -> HitTestOut:
    started = time.perf_counter()
    result = ask(kb, body.question, top_k=body.top_k, doc_ids=body.doc_ids, refusal=refusal)  # as the ask route does
    hits = kb.search(result.question, k=body.top_k, doc_ids=body.doc_ids).hits
    notice = " ".join(text for text in (result.scope_notice, result.notice) if text)
    return HitTestOut(
        question=result.question, found=result.found, answer=result.answer,
        refusal_score=float(result.signals.get("out_of_scope_score", 0.0)),
        threshold=float(refusal.threshold) + float(result.signals.get("refusal_margin", 0.0)),  # a list question's margin
        signals=result.signals, notice=notice,
        citations=[CitedOut(marker=c.marker, doc_id=c.doc_id, title=c.title, section=c.section, page=c.page, score=c.score)
                   for c in result.citations],
        hits=[SearchHitOut(**hit.to_dict()) for hit in hits],  # type: ignore[arg-type]
        timing_ms=round((time.perf_counter() - started) * 1000, 2),
    )
