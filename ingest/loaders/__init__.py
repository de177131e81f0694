"""Loaders: one small module per format, chosen by :func:`load_bytes` from sniffed content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wuxue.errors import EmptyDocumentError, SourceNotFoundError
from wuxue.ingest.document import RawDocument
from wuxue.ingest.loaders import docx, html, image, markdown, pdf, text
from wuxue.ingest.sniff import sniff_type

Loader = Callable[[bytes, str], RawDocument]

LOADERS: dict[str, Loader] = {
    "pdf": pdf.load,
    "docx": docx.load,
    "html": html.load,
    "markdown": markdown.load,
    "text": text.load,
    "image": image.load,
}

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def load_bytes(data: bytes, filename: str) -> RawDocument:
    """Parse file content into a :class:`RawDocument`; raises an ``IngestError`` subclass on failure."""
    if not data.strip():
        raise EmptyDocumentError("文件为空", filename=filename)
    kind = sniff_type(data, filename)
    return LOADERS[kind](data, filename)


def load_path(path: Path) -> RawDocument:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceNotFoundError("文件不存在", filename=str(path)) from exc
    return load_bytes(data, path.name)
