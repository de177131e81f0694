"""OFD (GB/T 33190, the fixed-layout format government systems export) through ofdkit: text per page, in reading order.

ofdkit is pure Python (no dependencies) and bounds what it decompresses; the zip
is also checked against our own limits first, as for DOCX.
"""

from __future__ import annotations

import io
import zipfile

from wuxue.errors import CorruptFileError, NoTextLayerError, ToolMissingError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.sniff import check_zip_limits


def load(data: bytes, filename: str) -> RawDocument:
    try:
        import ofdkit
    except ImportError as exc:
        raise ToolMissingError("无法读取 OFD 文件：服务器未安装 ofdkit", filename=filename) from exc
    try:
        check_zip_limits(zipfile.ZipFile(io.BytesIO(data)).infolist(), filename=filename)
        with ofdkit.open(data) as document:
            pages = [page.text() for page in document.pages]
            title = (getattr(document.info, "title", None) or "").strip() or None
    except (ofdkit.OFDError, zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise CorruptFileError("文件损坏：无法解析 OFD 文件", filename=filename, detail=str(exc)) from exc
    if not any(page.strip() for page in pages):
        raise NoTextLayerError("OFD 文件中没有文字（可能是扫描图片）：请上传扫描件的 PDF 或图片，将自动识别", filename=filename)
    blocks = [RawBlock(text, page=number) for number, text in enumerate(pages, start=1)]
    return RawDocument(blocks=blocks, source_type="ofd", hard_wrapped=True, title_hint=title, page_count=len(pages))
