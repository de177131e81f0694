"""Loaders: one small module per format, chosen by :func:`load_bytes` from sniffed content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from wuxue.errors import CorruptFileError, EmptyDocumentError, IngestError
from wuxue.ingest.document import RawDocument
from wuxue.ingest.loaders import doc, docx, html, image, markdown, ofd, pdf, text
from wuxue.ingest.sniff import sniff_type

log = logging.getLogger(__name__)
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word 文档", "html": "网页", "markdown": "Markdown 文件", "text": "文本文件",
                "doc": "Word 文档", "image": "图片", "ofd": "OFD 文件"}

Loader = Callable[[bytes, str], RawDocument]

LOADERS: dict[str, Loader] = {
    "pdf": pdf.load,
    "docx": docx.load,
    "html": html.load,
    "markdown": markdown.load,
    "text": text.load,
    "image": image.load,
    "doc": doc.load,
    "ofd": ofd.load,
}

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm", ".doc", ".wps", ".ofd", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def load_bytes(data: bytes, filename: str) -> RawDocument:
    """Parse file content into a :class:`RawDocument`; raises an ``IngestError`` subclass on failure."""
    if not data.strip():
        raise EmptyDocumentError("文件为空", filename=filename)
    kind = ""
    try:
        kind = sniff_type(data, filename)
        raw = LOADERS[kind](data, filename)
    except IngestError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise CorruptFileError(f"文件过于复杂：无法解析{FORMAT_NAMES.get(kind, '该文件')}", filename=filename) from exc
    except Exception as exc:  # noqa: BLE001 - every loader failure is a refusal with a reason, never a bare 500
        log.exception("unexpected %s loader failure on %s", kind, filename[:200])
        raise CorruptFileError(f"文件损坏：无法解析{FORMAT_NAMES.get(kind, '该文件')}", filename=filename, detail=f"{type(exc).__name__}: {exc}"[:300]) from exc
    note = _type_note(filename, kind)
    return replace(raw, notes=(note, *raw.notes)) if note else raw


_SUFFIX_KINDS = {"pdf": "pdf", "docx": "docx", "doc": "doc", "ofd": "ofd", "png": "image", "jpg": "image", "jpeg": "image"}
_KIND_NAMES = {"text": "文本文件", "markdown": "文本文件", "html": "网页", "pdf": "PDF", "docx": "Word 文档", "doc": "Word 文档",
               "image": "图片", "ofd": "OFD 文件"}


def _type_note(filename: str, kind: str) -> str:
    """Say so when the content is not what the name claims (a .pdf that is really text is indexed as text)."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    claimed = _SUFFIX_KINDS.get(suffix)
    if claimed is None or _KIND_NAMES.get(claimed) == _KIND_NAMES.get(kind):
        return ""
    return f"文件名为 .{suffix}，内容实为{_KIND_NAMES.get(kind, kind)}：按{_KIND_NAMES.get(kind, kind)}处理"


