"""Admin documents: uploads and their refusals, the catalog, metadata edits, version previews, purges."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wuxue.ingest.manifest import KINDS

TITLE_CHARS = 200  # a document's metadata fields, the same in an upload form and a metadata edit
DATE_CHARS = 40
ISSUER_CHARS = 200


class AcceptedFile(BaseModel):
    filename: str
    doc_id: str = Field(description="新文档的编号（由文件名生成，从不与已有或历史文档重复）")
    job_id: str
    title: str


class RefusedFile(BaseModel):
    filename: str
    code: str
    reason: str


class UploadOut(BaseModel):
    accepted: list[AcceptedFile]
    refused: list[RefusedFile]


class CatalogOut(BaseModel):
    doc_id: str
    title: str
    status: str = Field(description="queued | running | indexed | failed | cancelled | deleted")
    status_label: str
    kind: str
    date: str
    issuer: str
    filename: str
    chunk_count: int
    version: int | None
    uploaded_by: str
    uploaded_at: float | None
    job_id: str | None
    job_kind: str | None
    done: int
    total: int
    stage: str = ""
    error: str | None


class MetadataIn(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_CHARS)
    kind: str | None = Field(default=None, description="、".join(KINDS))
    date: str | None = Field(default=None, max_length=DATE_CHARS)
    issuer: str | None = Field(default=None, max_length=ISSUER_CHARS)


class ParsedOut(BaseModel):
    doc_id: str
    title: str
    chars: int
    text: str


class PurgeOut(BaseModel):
    doc_id: str
    sources_deleted: int


class SideOut(BaseModel):
    title: str = Field(description="当前版本：文档标题；新文件：文件中的标题（元数据页首行）")
    date: str
    stated_date: str = Field(description="文件开头写明的日期，如 2017年10月24日")
    stated_year: int | None
    filename: str
    size_bytes: int
    chars: int
    chunks: int
    first_lines: list[str]


class PreviewOut(BaseModel):
    doc_id: str
    current: SideOut
    new: SideOut
    diff: list[str] = Field(description="解析后文字的差异（unified diff，最多 80 行）")
    diff_truncated: bool
    added_lines: int
    removed_lines: int
    warnings: list[str] = Field(description="例如：新文件看起来比当前版本更旧")
