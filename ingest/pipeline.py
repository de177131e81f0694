"""From file bytes to a cleaned, structured document with metadata.

Parsing (:func:`parse_file`) depends only on the bytes and the file name, so its result can be
computed once — when an upload is accepted — and handed to the indexing job; the metadata
(:func:`describe`) depends on the manifest entry and is cheap to rebuild.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pypinyin import lazy_pinyin

from wuxue.errors import EmptyDocumentError
from wuxue.ingest.clean import clean
from wuxue.ingest.document import CleanDocument, Paragraph
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.loaders.scan import low_confidence_pages
from wuxue.ingest.manifest import ManifestEntry
from wuxue.ingest.structure import structure

MAX_ID_STEM = 60
_CJK_RUN = re.compile(r"([\u3400-\u9fff]+)")


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


@dataclass(frozen=True)
class ParsedFile:
    """A file's text after loading, cleaning and structuring: everything that does not depend on metadata."""

    document: CleanDocument
    filename: str
    content_hash: str
    source_type: str
    title_hint: str | None
    first_line: str
    page_count: int | None
    notes: tuple[str, ...] = ()  # how the file was read (按文本文件处理); OCR notes are added by describe()
    complete: bool = True  # False for an upload check's probe of a scan, which stops at the first page with text


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def id_slug(filename: str) -> str:
    """The readable part of a file name as an id: Chinese in pinyin (通知2023 → tongzhi_2023), ASCII kept."""
    parts: list[str] = []
    for run in _CJK_RUN.split(Path(filename).stem):
        if _CJK_RUN.fullmatch(run):
            parts.append("".join(lazy_pinyin(run)))
        else:
            parts.append(re.sub(r"[^A-Za-z0-9_\-]+", "_", run))
    slug = re.sub(r"_{2,}", "_", "_".join(part.strip("_-") for part in parts if part.strip("_-")))
    return slug[:MAX_ID_STEM].strip("_-")


def default_doc_id(filename: str, digest: str, taken: Callable[[str], bool] = lambda _: False) -> str:
    """A readable, path-free id from the file name (pinyin for Chinese), never one ``taken`` says is in use.

    Names with too little to read fall back to a short content hash; a taken id gets ``_2``, ``_3`` ….
    """
    base = id_slug(filename)
    if len(base) < 3:
        base = f"doc_{digest[:12]}"
    candidate, suffix = base, 2
    while taken(candidate):
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    return candidate


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


def parse_file(data: bytes, filename: str) -> ParsedFile:
    """Load, clean and structure one file. Raises an ``IngestError`` subclass naming the file."""
    raw = load_bytes(data, filename)
    text, spans, page_starts = clean(raw)
    if not text.strip():
        raise EmptyDocumentError("文件中没有可用的文字内容", filename=filename)
    paragraphs = keep_empty_headings_apart(structure(text, spans))
    document = CleanDocument(text=text, paragraphs=paragraphs, page_starts=page_starts, ocr_pages=dict(raw.ocr_pages))
    return ParsedFile(document=document, filename=Path(filename).name, content_hash=content_hash(data), source_type=raw.source_type,
                      title_hint=raw.title_hint, first_line=text[spans[0][0] : spans[0][1]], page_count=raw.page_count,
                      notes=tuple(raw.notes))


def describe(parsed: ParsedFile, entry: ManifestEntry | None = None) -> DocumentMeta:
    """The document's metadata: the manifest entry where it says something, else what the file itself says."""
    title = (entry.title if entry and entry.title else None) or parsed.title_hint or parsed.first_line[:80]
    return DocumentMeta(
        doc_id=(entry.doc_id if entry and entry.doc_id else None) or default_doc_id(parsed.filename, parsed.content_hash),
        title=title,
        kind=entry.kind if entry else "其他",
        issuer=entry.issuer if entry else "",
        date=entry.date if entry else "",
        source=entry.source if entry else "",
        filename=parsed.filename,
        content_hash=parsed.content_hash,
        source_type=parsed.source_type,
        page_count=parsed.page_count,
        aliases=list(entry.aliases) if entry else [],
        notes=list(parsed.notes) + ocr_notes(parsed.document.ocr_pages),
    )


def prepare_document(data: bytes, filename: str, entry: ManifestEntry | None = None) -> tuple[DocumentMeta, CleanDocument]:
    """Load, clean and structure one file and describe it. Raises an ``IngestError`` subclass naming the file."""
    parsed = parse_file(data, filename)
    return describe(parsed, entry), parsed.document
