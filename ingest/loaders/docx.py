"""Word .docx through python-docx: paragraphs and table rows (as sentences with their headers) in document order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from wuxue.errors import CorruptFileError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.tables import row_sentences
from wuxue.ingest.sniff import check_zip_limits


def _iter_lines(document: docx.document.Document) -> list[str]:
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text)
        elif isinstance(item, Table):
            lines.extend(row_sentences([_distinct_cells(row) for row in item.rows]))
    return lines


def _distinct_cells(row: object) -> list[str]:
    """A row's cell texts with a horizontally merged cell counted once."""
    seen: set[int] = set()
    texts = []
    for cell in row.cells:  # type: ignore[attr-defined]
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append(" ".join(cell.text.split()))
    return texts


def load(data: bytes, filename: str) -> RawDocument:
    try:
        check_zip_limits(zipfile.ZipFile(io.BytesIO(data)).infolist(), filename=filename)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFileError("文件损坏：无法读取 Word 文档", filename=filename, detail=str(exc)) from exc
    title = (document.core_properties.title or "").strip() or None
    return RawDocument(blocks=[RawBlock("\n".join(_iter_lines(document)))], source_type="docx", title_hint=title)
