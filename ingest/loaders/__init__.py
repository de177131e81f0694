"""Loaders: one small module per format, chosen by :func:`load_bytes` from sniffed content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from wuxue.errors import CorruptFileError, EmptyDocumentError, IngestError, SourceNotFoundError
from wuxue.ingest.document import RawDocument
from wuxue.ingest.loaders import docx, html, markdown, pdf, text
from wuxue.ingest.sniff import sniff_type

log = logging.getLogger(__name__)
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word 文档", "html": "网页", "markdown": "Markdown 文件", "text": "文本文件"}

Loader = Callable[[bytes, str], RawDocument]

LOADERS: dict[str, Loader] = {
    "pdf": pdf.load,
    "docx": docx.load,
    "html": html.load,
    "markdown": markdown.load,
    "text": text.load,
}

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm")


def load_bytes(data: bytes, filename: str) -> RawDocument:
    """Parse file content into a :class:`RawDocument`; raises an ``IngestError`` subclass on failure."""
    if not data.strip():
        raise EmptyDocumentError("文件为空", filename=filename)
    kind = ""
    try:
        kind = sniff_type(data, filename)
        return LOADERS[kind](data, filename)
    except IngestError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise CorruptFileError(f"文件过于复杂：无法解析{FORMAT_NAMES.get(kind, '该文件')}", filename=filename) from exc
    except Exception as exc:  # noqa: BLE001 - every loader failure is a refusal with a reason, never a bare 500
        log.exception("unexpected %s loader failure on %s", kind, filename[:200])
        raise CorruptFileError(f"文件损坏：无法解析{FORMAT_NAMES.get(kind, '该文件')}", filename=filename, detail=f"{type(exc).__name__}: {exc}"[:300]) from exc


def load_path(path: Path) -> RawDocument:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceNotFoundError("文件不存在", filename=str(path)) from exc
    return load_bytes(data, path.name)
