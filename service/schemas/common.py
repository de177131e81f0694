"""Fields several resources' responses share: where a passage comes from and whether OCR read it."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
