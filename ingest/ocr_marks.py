"""Chunks of OCR'd pages are marked (``source="ocr"`` and the pages' mean confidence) so answers can warn.

Wraps :func:`wuxue.ingest.chunker.chunk_document`, which knows nothing of OCR.
"""

from __future__ import annotations

from dataclasses import replace

from wuxue.ingest.chunker import ChunkerConfig
from wuxue.ingest.chunker import chunk_document as chunk_text
from wuxue.ingest.document import Chunk, CleanDocument


def mark_ocr(document: CleanDocument, chunks: list[Chunk]) -> list[Chunk]:
    if not document.ocr_pages:
        return chunks
    marked = []
    for chunk in chunks:
        first = chunk.page if chunk.page is not None else 1
        last = chunk.page_end if chunk.page_end is not None else first
        scores = [document.ocr_pages[page] for page in range(first, last + 1) if page in document.ocr_pages]
        marked.append(replace(chunk, source="ocr", ocr_confidence=round(sum(scores) / len(scores), 4)) if scores else chunk)
    return marked


def chunk_document(document: CleanDocument, config: ChunkerConfig) -> list[Chunk]:
    """Structure-aware chunks with exact offsets, OCR'd ones marked."""
    return mark_ocr(document, chunk_text(document, config))
