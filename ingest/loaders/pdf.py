"""PDF through pypdf: one block per page so every character keeps its page number.

A text page that holds a ruled table is read by pdfplumber instead (:mod:`pdf_tables`): the table
becomes one sentence per row with its column headers, the text around it stays in reading order.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from wuxue.errors import CorruptFileError, EmptyDocumentError, EncryptedPdfError, NoTextLayerError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.pdf_tables import table_pages
from wuxue.ingest.loaders.scan import ocr_scanned_pages


def load(data: bytes, filename: str) -> RawDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdfError("加密的PDF：请先解除密码保护再上传", filename=filename)
        pages = [page.extract_text() or "" for page in reader.pages]
    except EncryptedPdfError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedPdfError("加密的PDF：请先解除密码保护再上传", filename=filename) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError, RecursionError, ZeroDivisionError) as exc:
        raise CorruptFileError("文件损坏：无法解析PDF", filename=filename, detail=str(exc)[:300]) from exc
    if not pages:
        raise EmptyDocumentError("PDF 中没有任何页面（共 0 页）", filename=filename)
    pages, confidences = ocr_scanned_pages(data, pages, filename)
    if not any(page.strip() for page in pages):
        raise NoTextLayerError("扫描件无文字层：OCR 未识别到文字", filename=filename)
    blocks = _blocks(data, pages, read_by_ocr=set(confidences), filename=filename)
    return RawDocument(blocks=blocks, source_type="pdf", hard_wrapped=True, title_hint=_metadata_title(reader),
                       page_count=len(pages), ocr_pages=confidences)


def _blocks(data: bytes, pages: list[str], *, read_by_ocr: set[int], filename: str) -> list[RawBlock]:
    """One block per page; a page with a table gives a block per part, its rows marked, all with the page's number."""
    text_pages = [number for number, text in enumerate(pages, start=1) if number not in read_by_ocr and text.strip()]
    tables = table_pages(data, text_pages, filename=filename)
    blocks = []
    for number, text in enumerate(pages, start=1):
        if number in tables:
            blocks.extend(RawBlock(part.text, page=number, rows=part.rows) for part in tables[number])
        else:
            blocks.append(RawBlock(text, page=number))
    return blocks


# What authoring tools write into the title field when nobody set one: the browser's page URL,
# the Word file name ("Microsoft Word - 通知.docx"), placeholders.
_PLACEHOLDER_TITLE = re.compile(r"^(about:|https?://|file:|microsoft (word|powerpoint|excel) - |untitled|无标题|文档\d*$)|\.(docx?|pdf|wps|txt|html?)$",
                                re.IGNORECASE)


def _metadata_title(reader: PdfReader) -> str | None:
    """The PDF's title field, unless it is a tool's placeholder; the first line of text is the better title then."""
    try:
        title = (reader.metadata.title or "").strip() if reader.metadata else ""
    except (PdfReadError, ValueError, KeyError, TypeError):
        return None
    if not title or _PLACEHOLDER_TITLE.search(title) or not any("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in title):
        return None
    return title
