"""PDF through pypdf: one block per page so every character keeps its page number."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from wuxue.errors import CorruptFileError, EncryptedPdfError, NoTextLayerError
from wuxue.ingest.document import RawBlock, RawDocument


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
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as exc:
        raise CorruptFileError("文件损坏：无法解析PDF", filename=filename, detail=str(exc)) from exc
    if not pages or not any(page.strip() for page in pages):
        raise NoTextLayerError("扫描件无文字层（需要OCR）", filename=filename)
    title = None
    try:
        title = (reader.metadata.title or "").strip() or None if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError):
        title = None
    blocks = [RawBlock(text, page=number) for number, text in enumerate(pages, start=1)]
    return RawDocument(blocks=blocks, source_type="pdf", hard_wrapped=True, title_hint=title, page_count=len(pages))
