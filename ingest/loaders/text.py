"""Plain text in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK, detected from the bytes."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from wuxue.errors import EncodingUnknownError
from wuxue.ingest.document import RawBlock, RawDocument

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _cjk_ratio(text: str) -> float:
    letters = [ch for ch in text if not ch.isspace()]
    if not letters:
        return 0.0
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return cjk / len(letters)


def decode_text(data: bytes, filename: str = "") -> str:
    """Decode bytes: BOM first, then strict UTF-8, then GB18030, then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        decoded = data.decode("gb18030")
        if _cjk_ratio(decoded) >= 0.3:
            return decoded
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise EncodingUnknownError("编码无法识别：请另存为 UTF-8 或 GBK 编码的文本", filename=filename)
    return str(best)


def load(data: bytes, filename: str) -> RawDocument:
    return RawDocument(blocks=[RawBlock(decode_text(data, filename))], source_type="text")
