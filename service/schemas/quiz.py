"""Quiz sets: request and response models, one per direction; the item record is the JSON export's.

How many questions one request may ask for is ``WUXUE_QUIZ_MAX_PER_TYPE`` per type and
``WUXUE_QUIZ_MAX_ITEMS`` in all: checked against the app's settings when a request arrives
(``QuizBody``, ``PracticeBody``), never against a constant.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from wuxue.service.schemas.limits import app_settings, above, check, too_many

QuizType = Literal["single", "multi", "blank", "judge"]
Difficulty = Literal["easy", "medium", "hard"]


class QuizCounts(BaseModel):
    single: int = Field(default=0, ge=0, description="单选题数")
    multi: int = Field(default=0, ge=0, description="多选题数")
    blank: int = Field(default=0, ge=0, description="填空题数")
    judge: int = Field(default=0, ge=0, description="判断题数")


class QuizCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "doc_ids": ["dangzhang_2022"], "sections": [], "counts": {"single": 10, "multi": 5, "blank": 10, "judge": 5},
        "difficulty": "medium", "seed": 0, "title": "党章学习测验"}]})

    doc_ids: list[str] = Field(min_length=1, max_length=50, description="出题文档")
    sections: list[str] = Field(default_factory=list, max_length=200, description="只从这些章节出题（章节路径，如 第一章 党员）")
    counts: QuizCounts
    difficulty: Difficulty = "medium"
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="相同输入与种子得到相同的题目集")
    title: str = Field(default="", max_length=100)


class OptionOut(BaseModel):
    key: str
    text: str


class AnswerOut(BaseModel):
    keys: list[str]
    texts: list[str]
    any_order: bool = False


class QuizCitationOut(BaseModel):
    doc_id: str
    title: str
    section: str = ""
    page: int | None = None
    chunk_id: str = ""
    char_start: int = 0
    char_end: int = 0
    quote: str = ""


class QuizItemOut(BaseModel):
    id: str
    type: QuizType
    stem: str
    options: list[OptionOut]
    answer: AnswerOut
    explanation: str = ""
    citation: QuizCitationOut
    difficulty: str = ""
    knowledge_point: str = ""
    generator: dict[str, Any] = Field(default_factory=dict)
    checks: dict[str, Any] = Field(default_factory=dict)
    edited: bool = Field(default=False, description="组长修改过的题目（修改后已重新检查）")


class ShortfallOut(BaseModel):
    type: str
    requested: int
    produced: int
    reason: str


class QuizSetFields(BaseModel):
    id: str
    title: str
    created_by: str
    created_at: float
    updated_at: float
    spec: dict[str, Any]
    doc_versions: dict[str, Any]
    shortfall: list[ShortfallOut] = Field(description="未能出满的题型及原因")
    rejected: dict[str, int] = Field(description="未通过质量检查而丢弃的候选题数（按检查项）")


class StaleDocumentOut(BaseModel):
    doc_id: str
    title: str
    status: Literal["changed", "deleted"]
    message: str


class QuizSetOut(QuizSetFields):
    items: list[QuizItemOut]
    stale_documents: list[StaleDocumentOut] = Field(default_factory=list, description="出题后已更新或删除的文档")


class ItemEdit(BaseModel):
    """A leader's edit of one item: choice items send options and keys, 判断 keys (A/B), 填空 texts."""

    stem: str = Field(min_length=1, max_length=300)
    options: list[str] = Field(default_factory=list, max_length=5, description="选择题选项（按 A、B、C… 顺序）")
    keys: list[str] = Field(default_factory=list, max_length=5, description="正确选项字母；判断题 A 正确、B 错误")
    texts: list[str] = Field(default_factory=list, max_length=20, description="填空题每个空的答案（按顺序）")


class QuizSetSummaryOut(QuizSetFields):
    item_count: int
    counts: dict[str, int]


class QuizCreated(BaseModel):
    id: str
    title: str
    items: list[QuizItemOut]
    shortfall: list[ShortfallOut]
    rejected: dict[str, int]


class PracticeItemOut(BaseModel):
    """An item as a member sees it before answering: no answer, no explanation, no source quote."""

    id: str
    type: QuizType
    stem: str
    options: list[OptionOut]
    blanks: int = Field(description="填空题的空数")


class PracticeOut(BaseModel):
    id: str
    title: str
    items: list[PracticeItemOut]


class PracticeAnswer(BaseModel):
    item_id: str = Field(max_length=100)
    keys: list[str] = Field(default_factory=list, max_length=10, description="选择题、判断题所选选项")
    texts: list[str] = Field(default_factory=list, max_length=20, description="填空题所填内容（按空的顺序）")


class PracticeSubmit(BaseModel):
    answers: list[PracticeAnswer] = Field(description="每题一个答案（最多 WUXUE_QUIZ_MAX_ITEMS 个）")


class PracticeResultItem(BaseModel):
    item_id: str
    correct: bool
    given: PracticeAnswer
    item: QuizItemOut


class PracticeResult(BaseModel):
    score: int = Field(description="答对的题数")
    total: int
    results: list[PracticeResultItem]


def checked_quiz(body: QuizCreate, request: Request) -> QuizCreate:
    """The request, with each type's count within WUXUE_QUIZ_MAX_PER_TYPE (the total is the generator's check)."""
    limit = app_settings(request).quiz_max_per_type
    check([e for kind, n in body.counts.model_dump().items() for e in above(("body", "counts", kind), n, limit)])
    return body


def checked_practice(body: PracticeSubmit, request: Request) -> PracticeSubmit:
    check(too_many(("body", "answers"), body.answers, app_settings(request).quiz_max_items))
    return body


QuizBody = Annotated[QuizCreate, Depends(checked_quiz)]
PracticeBody = Annotated[PracticeSubmit, Depends(checked_practice)]
