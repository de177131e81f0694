"""Documents as members read them: list, detail with outline, and passages of the text (查看原文)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wuxue.service.schemas.common import OcrMark


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
