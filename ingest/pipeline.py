"""From file bytes to a cleaned, structured document with metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from wuxue.errors import EmptyDocumentError
from wuxue.ingest.clean import clean
from wuxue.ingest.document import CleanDocument, Paragraph
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.manifest import ManifestEntry
from wuxue.ingest.loaders.scan import low_confidence_pages
from wuxue.ingest.structure import structure


@dataclass
class DocumentMeta:
    """What we know about a document besides its text."""

    doc_id: str
    title: str
    kind: str = "其他"
    issuer: str = ""
    date: str = ""
    source: str = ""
    filename: str = ""
    content_hash: str = ""
    source_type: str = ""
    page_count: int | None = None
    aliases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read, for the admin (按文本文件处理, OCR pages to check)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_doc_id(filename: str, digest: str) -> str:
    """A readable, path-free id: the ASCII part of the file stem plus a short content hash when needed."""
    stem = Path(filename).stem
    ascii_stem = re.sub(r"[^A-Za-z0-9_\-]+", "_", stem).strip("_")[:60]
    return ascii_stem if ascii_stem and len(ascii_stem) >= 3 else f"doc_{digest[:12]}"


def ocr_notes(ocr_pages: dict[int, float]) -> list[str]:
    """What the admin should know about OCR'd pages: how many, and which to proofread."""
    if not ocr_pages:
        return []
    notes = [f"扫描件：{len(ocr_pages)} 页由 OCR 识别，可能有误"]
    low = low_confidence_pages(ocr_pages)
    if low:
        notes.append("识别置信度较低的页（请核对）：第 " + "、".join(str(page) for page in low) + " 页")
    return notes


def keep_empty_headings_apart(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A heading with nothing under it (the next unit is a sibling or higher: 二、学习内容 then 三、考核方式)
    becomes a one-line "lead", so the chunker does not fold it into the next section's chunk under that
    section's label; a chunk's label is then the heading that precedes its first character.
    """
    result = list(paragraphs)
    for index, paragraph in enumerate(paragraphs[:-1]):
        following = paragraphs[index + 1]
        if (paragraph.kind == "heading" and following.kind in {"heading", "lead", "article"}
                and following.level <= paragraph.level):
            result[index] = replace(paragraph, kind="lead")
    return result


def prepare_document(data: bytes, filename: str, entry: ManifestEntry | None = None) -> tuple[DocumentMeta, CleanDocument]:
    """Load, clean and structure one file. Raises an ``IngestError`` subclass naming the file."""
    raw = load_bytes(data, filename)
    text, spans, page_starts = clean(raw)
    if not text.strip():
        raise EmptyDocumentError("文件中没有可用的文字内容", filename=filename)
    paragraphs = keep_empty_headings_apart(structure(text, spans))
    document = CleanDocument(text=text, paragraphs=paragraphs, page_starts=page_starts, ocr_pages=dict(raw.ocr_pages))
    digest = content_hash(data)
    first_line = text[spans[0][0] : spans[0][1]]
    title = (entry.title if entry and entry.title else None) or raw.title_hint or first_line[:80]
    meta = DocumentMeta(
        doc_id=(entry.doc_id if entry and entry.doc_id else None) or default_doc_id(filename, digest),
        title=title,
        kind=entry.kind if entry else "其他",
        issuer=entry.issuer if entry else "",
        date=entry.date if entry else "",
        source=entry.source if entry else "",
        filename=Path(filename).name,
        content_hash=digest,
        source_type=raw.source_type,
        page_count=raw.page_count,
        aliases=list(entry.aliases) if entry else [],
        notes=list(raw.notes) + ocr_notes(raw.ocr_pages),
    )
    return meta, document
