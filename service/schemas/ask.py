"""Asking and searching (members) and the admin 命中测试 that shows what asking would do.

The question's length limit is ``WUXUE_MAX_QUESTION_CHARS``: the bodies are checked against the app's
settings when a request arrives (``AskBody``, ``HitTestBody``, ``SearchQuery``), never against a constant.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from wuxue.answering.ask import MAX_HISTORY
from wuxue.service.schemas.common import OcrMark, PassageFields
from wuxue.service.schemas.limits import app_settings, check, too_long


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"question": "预备党员的预备期是多长时间？", "top_k": 5},
        {"question": "那权利呢？", "history": ["党员有哪些义务？"]},
    ]})

    question: str = Field(min_length=1, description="学习问题（最长 WUXUE_MAX_QUESTION_CHARS 字，默认 500）")
    top_k: int | None = Field(default=None, ge=1, le=20, description="检索段落数")
    doc_ids: list[str] | None = Field(default=None, max_length=100, description="只在这些文档中查找")
    history: list[str] = Field(
        default_factory=list, max_length=MAX_HISTORY, description="此前的提问（最新的在最后），用于理解“那权利呢？”这类追问")


class CitationOut(PassageFields, OcrMark):
    marker: int
    highlight: list[list[int]] = Field(description="支持句在 text 中的 [起, 止) 偏移（可有多段）")
    score: float
    highlight_page: int | None = Field(default=None, description="第一段支持句所在页（段落可能跨页）")
    highlight_pages: list[int | None] = Field(default_factory=list, description="每段支持句所在页，与 highlight 一一对应")
    also_in: list[dict[str, object]] = Field(default_factory=list, description="别处相同的内容：doc_id、title、section、page、char_start、char_end")


class AskResponse(BaseModel):
    query_id: str
    question: str
    found: bool
    answer: str
    citations: list[CitationOut]
    signals: dict[str, float]
    timing_ms: dict[str, float]
    mode: str = Field(description="extractive（摘录式）或 llm（大模型依据段落撰写）")
    unsupported: list[str] = Field(description="大模型回答中没有出处标注的句子")
    notice: str = Field(description="提示，例如大模型不可用时已改用摘录式回答")
    direct: str = Field(default="", description="一句话直接回答（带 [n] 出处标记）；拒答时为空")
    kind: str = Field(default="other", description="问题类型：list、definition、quantity、date、actor、requirement、procedure、yesno、quiz_*、other")
    resolved_question: str = Field(default="", description="追问（如“那权利呢？”）按此问题理解；不是追问时为空")
    scope_notice: str = Field(default="", description="所选文档未覆盖该问题时的说明（此时出处来自全部文档）")


class SearchHitOut(PassageFields, OcrMark):
    score: float
    dense_score: float
    sparse_score: float
    bigram_score: float


class SearchResponse(BaseModel):
    query: str
    results: list[SearchHitOut]
    timing_ms: float


class HitTestIn(BaseModel):
    question: str = Field(min_length=1, description="学习问题（最长 WUXUE_MAX_QUESTION_CHARS 字）")
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
    threshold: float = Field(description="拒答阈值（列举类问题已加上放宽量 LIST_MARGIN）：分数高于它就拒答")
    signals: dict[str, float]
    notice: str
    citations: list[CitedOut]
    hits: list[SearchHitOut]
    timing_ms: float


def checked_ask(body: AskRequest, request: Request) -> AskRequest:
    """The ask body, with the question and each earlier question within WUXUE_MAX_QUESTION_CHARS."""
    limit = app_settings(request).max_question_chars
    check(too_long(("body", "question"), body.question, limit)
          + [e for i, previous in enumerate(body.history) for e in too_long(("body", "history", i), previous, limit)])
    return body


def checked_hit_test(body: HitTestIn, request: Request) -> HitTestIn:
    check(too_long(("body", "question"), body.question, app_settings(request).max_question_chars))
    return body


def checked_search_query(request: Request, q: Annotated[str, Query(min_length=1, description="检索词（最长 WUXUE_MAX_QUESTION_CHARS 字）")]) -> str:
    check(too_long(("query", "q"), q, app_settings(request).max_question_chars))
    return q


AskBody = Annotated[AskRequest, Depends(checked_ask)]
HitTestBody = Annotated[HitTestIn, Depends(checked_hit_test)]
SearchQuery = Annotated[str, Depends(checked_search_query)]
