"""Members ask questions and search passages."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from wuxue.service.auth import Asker
from wuxue.service.deps import LLM, AppDB, Reader, Refusal
from wuxue.service.schemas.ask import AskBody, AskResponse, SearchQuery, SearchResponse
from wuxue.answering import ask
from wuxue.answering.ask import ask_stream, validate_question

router = APIRouter(prefix="/api", tags=["问答"])


@router.post("/ask", response_model=AskResponse, summary="提问：带出处的摘录式回答")
def post_ask(kb: Reader, app_db: AppDB, llm: LLM, refusal: Refusal, _: Asker, body: AskBody) -> AskResponse:
    result = ask(kb, body.question, top_k=body.top_k, doc_ids=body.doc_ids, refusal=refusal, llm=llm, history=body.history)
    query_id = app_db.log_query(result.resolved_question or result.question, result.found, result.answer)
    return AskResponse(query_id=query_id, **result.to_dict())


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/ask/stream", summary="提问（SSE 流式）：citations → delta… → done",
             response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
def post_ask_stream(kb: Reader, app_db: AppDB, llm: LLM, refusal: Refusal, _: Asker, body: AskBody) -> StreamingResponse:
    events = ask_stream(kb, body.question, top_k=body.top_k, doc_ids=body.doc_ids, refusal=refusal, llm=llm,
                        history=body.history)
    first = next(events)  # validation and retrieval errors surface here as JSON errors, not mid-stream

    def stream() -> Iterator[str]:
        for event, data in itertools.chain([first], events):
            if event == "done" and isinstance(data, dict):
                asked = str(data.get("resolved_question") or data["question"])  # what was answered
                data = {**data, "query_id": app_db.log_query(asked, bool(data["found"]), str(data["answer"]))}
            yield _sse(event, data)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/search", response_model=SearchResponse, summary="检索相关段落（含稠密与 BM25 分数）")
def get_search(
    kb: Reader,
    _: Asker,
    q: SearchQuery,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    doc_ids: Annotated[str | None, Query(description="逗号分隔的文档 id")] = None,
) -> SearchResponse:
    started = time.perf_counter()
    query = validate_question(q, kb.settings.max_question_chars)
    wanted = [d for d in (doc_ids or "").split(",") if d]
    result = kb.search(query, k=k, doc_ids=wanted or None)
    return SearchResponse(query=result.query, results=[hit.to_dict() for hit in result.hits],  # type: ignore[misc]
                          timing_ms=round((time.perf_counter() - started) * 1000, 2))
