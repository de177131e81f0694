"""Documents: list, detail with outline, and the text around a passage (查看原文)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query

from wuxue.errors import UnknownChunkError
from wuxue.index.store import StoredChunk
from wuxue.service.deps import Reader
from wuxue.service.schemas.documents import DocumentDetail, DocumentOut, DocumentTextOut, PassageOut

router = APIRouter(prefix="/api/documents", tags=["文档"])


@router.get("", response_model=list[DocumentOut], summary="已索引的文档")
def list_documents(kb: Reader) -> list[DocumentOut]:
    return [DocumentOut(**d.to_dict()) for d in kb.documents()]


@router.get("/{doc_id}", response_model=DocumentDetail, summary="文档信息与目录")
def get_document(doc_id: str, kb: Reader) -> DocumentDetail:
    document = kb.document(doc_id)
    return DocumentDetail(**document.to_dict(), outline=kb.document_outline(doc_id))


@router.get("/{doc_id}/text", response_model=DocumentTextOut, summary="原文：某段落及其前后文（相邻段落的重叠部分只显示一次）")
def get_document_text(
    doc_id: str,
    kb: Reader,
    around: Annotated[str | None, Query(description="段落 chunk_id；缺省时返回全文")] = None,
    radius: Annotated[int, Query(ge=0, le=20)] = 2,
) -> DocumentTextOut:
    document = kb.document(doc_id)
    chunks = kb.passages(doc_id)
    if around is None:  # every chunk as indexed (the admin page shows them), overlaps included
        passages = [PassageOut(chunk_id=c.chunk_id, section=c.section, page=c.page, text=c.text, char_start=c.char_start,
                               char_end=c.char_end, focus=False, source=c.source or "text", ocr_confidence=c.ocr_confidence)
                    for c in chunks]
        return DocumentTextOut(doc_id=doc_id, title=document.title, passages=passages)
    position = next((i for i, c in enumerate(chunks) if c.chunk_id == around), None)
    if position is None:
        raise UnknownChunkError(f"段落不存在：{around}")
    window = chunks[max(0, position - radius) : position + radius + 1]
    text = kb.document_text(doc_id)
    return DocumentTextOut(doc_id=doc_id, title=document.title, passages=continuous(window, text, around))


def continuous(chunks: Sequence[StoredChunk], document: str, focus: str | None = None) -> list[PassageOut]:
    """Consecutive chunks as reading text: each starts where the one before ended, so the overlap the index
    keeps between neighbouring chunks is shown once, and what lies between two chunks (a line break) is kept.
    Offsets stay exact: text == document[char_start:char_end]."""
    passages: list[PassageOut] = []
    shown_to: int | None = None
    for c in chunks:
        start = c.char_start if shown_to is None else shown_to
        if start >= c.char_end and c.chunk_id != focus:
            continue
        start = min(start, c.char_end)
        text = document[start:c.char_end] if len(document) >= c.char_end else c.text[max(start - c.char_start, 0):]
        passages.append(PassageOut(chunk_id=c.chunk_id, section=c.section, page=c.page_at(max(start - c.char_start, 0)),
                                   text=text, char_start=start, char_end=c.char_end, focus=c.chunk_id == focus,
                                   source=c.source or "text", ocr_confidence=c.ocr_confidence))
        shown_to = max(shown_to or 0, c.char_end)
    return passages
