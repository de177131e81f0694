"""Word .docx through python-docx: paragraphs and table rows in document order."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from wuxue.errors import CorruptFileError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.sniff import check_zip_limits


def _iter_lines(document: docx.document.Document) -> list[str]:
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text)
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [cell.text.strip() for cell in row.cells]
                lines.append(" | ".join(dict.fromkeys(cell for cell in cells if cell)))
    return lines


def load(data: bytes, filename: str) -> RawDocument:
    try:
        check_zip_limits(zipfile.ZipFile(io.BytesIO(data)).infolist(), filename=filename)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFileError("文件损坏：无法读取 Word 文档", filename=filename, detail=str(exc)) from exc
    title = (document.core_properties.title or "").strip() or None
    return RawDocument(blocks=[RawBlock("\n".join(_iter_lines(document)))], source_type="docx", title_hint=title)
