"""Plain text in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK, detected from the bytes."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from wuxue.errors import EncodingUnknownError
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.sniff import utf16_without_bom

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BOM_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}


def _cjk_ratio(text: str) -> float:
    letters = [ch for ch in text if not ch.isspace()]
    if not letters:
        return 0.0
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return cjk / len(letters)


def decode_text(data: bytes, filename: str = "") -> str:
    """Decode bytes: BOM first, then strict UTF-8, UTF-16 without BOM, GB18030, then charset-normalizer's best guess.

    A file whose BOM names an encoding its bytes do not follow is refused with the position of the
    first bad byte, never decoded as something else.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                position = exc.start + 1 + (len(bom) if encoding == "utf-8-sig" else 0)  # utf-8-sig counts after its BOM
                raise EncodingUnknownError(f"编码错误：文件开头标明 {_BOM_NAMES[encoding]} 编码，但第 {position} 字节起的内容不符合该编码",
                                           filename=filename) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data[: len(data) - len(data) % 2].decode(utf16)
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
