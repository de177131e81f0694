"""Request and response models, one per direction, with examples for the OpenAPI schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_QUESTION_CHARS = 500


class AskRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"question": "预备党员的预备期是多长时间？", "top_k": 5}]})

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="学习问题")
    top_k: int | None = Field(default=None, ge=1, le=20, description="检索段落数")
    doc_ids: list[str] | None = Field(default=None, max_length=100, description="只在这些文档中查找")


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


class CitationOut(PassageFields):
    marker: int
    highlight: list[list[int]] = Field(description="支持句在 text 中的 [起, 止) 偏移")
    score: float
    highlight_page: int | None = Field(default=None, description="支持句所在页（段落可能跨页）")


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
    model_config = ConfigDict(json_schema_extra={"examples": [{"query_id": "3f2c…", "helpful": True, "comment": "出处准确"}]})

    query_id: str = Field(min_length=1, max_length=64)
    helpful: bool
    comment: str = Field(default="", max_length=1000)


class FeedbackOut(BaseModel):
    id: int


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    documents: int
    chunks: int
    manifest: dict[str, object]
