"""Request and response models, one per direction, with examples for the OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_QUESTION_CHARS = 500
MAX_HISTORY = 5  # previous questions a follow-up is resolved against


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"question": "预备党员的预备期是多长时间？", "top_k": 5},
        {"question": "那权利呢？", "history": ["党员有哪些义务？"]},
    ]})

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="学习问题")
    top_k: int | None = Field(default=None, ge=1, le=20, description="检索段落数")
    doc_ids: list[str] | None = Field(default=None, max_length=100, description="只在这些文档中查找")
    history: list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list, max_length=MAX_HISTORY, description="此前的提问（最新的在最后），用于理解“那权利呢？”这类追问")


class PassageFields(BaseModel):
    """Where a passage comes from: document, section breadcrumb, pages, exact offsets in the cleaned text."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int | None
    page_end: int | None
    text: str
    char_start: int
    char_end: int


class OcrMark(BaseModel):
    """Whether a passage was read from a scan (its text may contain recognition errors)."""

    source: str = Field(default="text", description="text，或 ocr：本段由扫描件识别，可能有误")
    ocr_confidence: float | None = Field(default=None, description="OCR 段落所在页的平均识别置信度")


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


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    kind: str
    issuer: str
    date: str
    source: str
    chunk_count: int
    page_count: int | None


class OutlineEntry(BaseModel):
    label: str
    level: int
    kind: str
    char_start: int
    path: list[str]


class DocumentDetail(DocumentOut):
    aliases: list[str]
    outline: list[OutlineEntry]
    notes: list[str] = Field(default_factory=list, description="读取说明：按文本文件处理、OCR 识别页数、需核对的低置信度页")


class PassageOut(OcrMark):
    chunk_id: str
    section: str
    page: int | None
    text: str
    char_start: int
    char_end: int
    focus: bool


class DocumentTextOut(BaseModel):
    doc_id: str
    title: str
    passages: list[PassageOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"query_id": "3f2c…", "helpful": False, "reason": "出处不对", "comment": ""}]})

    query_id: str = Field(min_length=1, max_length=64)
    helpful: bool
    reason: Literal["", "答非所问", "不完整", "出处不对", "其他"] = Field(default="", description="没帮助的原因（可选）")
    comment: str = Field(default="", max_length=1000)


class FeedbackOut(BaseModel):
    id: int
    helpful: bool
    reason: str


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    documents: int
    chunks: int
    manifest: dict[str, object]
    role: str = Field(default="all", description="all | reader | writer（WUXUE_ROLE / `wuxue serve --role`）")
    snapshot: str = Field(default="", description="正在服务的索引快照")
    published: str | None = Field(default=None, description="CURRENT 指向的最新快照；与 snapshot 不同表示正在切换或加载失败")
    snapshot_error: str | None = Field(default=None, description="最新快照未能加载的原因（仍用 snapshot 回答）")
