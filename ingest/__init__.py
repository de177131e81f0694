"""Turn a file into a cleaned, structured document and chunks with exact offsets.

Knows nothing of vectors or HTTP.
"""

from wuxue.ingest.chunker import ChunkerConfig
from wuxue.ingest.document import Chunk, CleanDocument, Paragraph, RawDocument
from wuxue.ingest.ocr_marks import chunk_document
from wuxue.ingest.pipeline import DocumentMeta, prepare_document

__all__ = [
    "Chunk",
    "ChunkerConfig",
    "CleanDocument",
    "DocumentMeta",
    "Paragraph",
    "RawDocument",
    "chunk_document",
    "prepare_document",
]
