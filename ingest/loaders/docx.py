"""Word .docx through python-docx: paragraphs and table rows (as sentences with their headers) in document order.

python-docx is never given the uploaded archive itself: zipfile trusts the sizes an entry
declares and inflates a whole compressed block in one call, so a forged entry ("1,000 bytes")
can expand to gigabytes before anything is checked. We inflate each XML part ourselves, counting
output bytes against a hard cap, and hand python-docx a rebuilt, uncompressed package.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from wuxue.errors import CorruptFileError, FileTooLargeError, UnsupportedTypeError
from wuxue.ingest import sniff
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest.loaders.tables import row_sentences

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_PIECE = 64 * 1024
_OUTPUT_STEP = 1024 * 1024  # zlib builds each call's output twice over: small steps keep the peak near the cap
_MARKUP = (".xml", ".rels")
_BOMB = "文件过大：Word 文档解压后超过限制（疑似压缩炸弹）"


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


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, filename: str) -> bytes:
    """One entry's bytes, decompressed here with at most ``budget`` bytes of output, whatever its header says."""
    if info.flag_bits & 0x1:
        raise UnsupportedTypeError("不支持加密的 Word 文档：请先取消密码保护", filename=filename)
    header = data[info.header_offset : info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise CorruptFileError("文件损坏：Word 文档的压缩包结构不完整", filename=filename)
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    compressed = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(compressed) > budget:
            raise FileTooLargeError(_BOMB, filename=filename)
        output = bytes(compressed)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        parts: list[bytes] = []
        produced = 0
        try:
            for offset in range(0, len(compressed), _PIECE):
                pending = bytes(compressed[offset : offset + _PIECE])
                while pending:
                    part = inflater.decompress(pending, min(_OUTPUT_STEP, budget - produced + 1))
                    produced += len(part)
                    if produced > budget:
                        raise FileTooLargeError(_BOMB, filename=filename)
                    parts.append(part)
                    pending = inflater.unconsumed_tail
                    if inflater.eof:
                        break
                if inflater.eof:
                    break
        except zlib.error as exc:
            raise CorruptFileError("文件损坏：Word 文档的压缩数据无法解压", filename=filename, detail=str(exc)) from exc
        output = b"".join(parts)
    else:
        raise UnsupportedTypeError("不支持的格式：Word 文档使用了不支持的压缩方式", filename=filename)
    if zlib.crc32(output) != info.CRC or len(output) != info.file_size:
        raise CorruptFileError("文件损坏：Word 文档内部文件的校验不符（大小或校验和与声明不一致）", filename=filename)
    return output


def unpack_package(data: bytes, filename: str) -> bytes:
    """The package rebuilt uncompressed from its XML parts (media left empty: only text is read).

    Refuses archives with too many entries, more than ``sniff.MAX_ZIP_UNCOMPRESSED`` bytes of XML,
    size fields that lie, and XML with a DTD (entity expansion, "billion laughs"; Word never writes one).
    """
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFileError("文件损坏：无法作为压缩包读取", filename=filename, detail=str(exc)) from exc
    sniff.check_zip_limits(entries, filename=filename)
    budget = sniff.MAX_ZIP_UNCOMPRESSED
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_STORED) as package:
        for info in entries:
            if info.is_dir():
                continue
            content = b""
            if info.filename.lower().endswith(_MARKUP):
                content = _inflate(data, info, budget, filename)
                budget -= len(content)
                if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                    raise CorruptFileError("文件损坏：Word 文档含有 DTD 实体声明（Word 不会生成，疑似恶意文件）", filename=filename)
            package.writestr(info.filename, content)
    return rebuilt.getvalue()


def load(data: bytes, filename: str) -> RawDocument:
    package = unpack_package(data, filename)
    try:
        document = docx.Document(io.BytesIO(package))
        lines = _iter_lines(document)
        title = (document.core_properties.title or "").strip() or None
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, TypeError, AttributeError, IndexError,
            etree.LxmlError, SyntaxError) as exc:
        raise CorruptFileError("文件损坏：无法读取 Word 文档", filename=filename, detail=str(exc)[:300]) from exc
    return RawDocument(blocks=[RawBlock("\n".join(lines))], source_type="docx", title_hint=title)
