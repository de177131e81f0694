"""Hostile and malformed files, made in the test: forged zip sizes, entity bombs, broken XML, bad encodings."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from pypdf import PdfWriter

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
                  + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


def real_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_part(name: str, content: bytes) -> bytes:
    """A real .docx whose part ``name`` is replaced by ``content``."""
    source = zipfile.ZipFile(io.BytesIO(real_docx("正文。")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


def forged_size_docx(inflated_bytes: int, declared: int = 1000) -> bytes:
    """A .docx whose word/document.xml declares ``declared`` bytes (local and central headers) but inflates to ``inflated_bytes``.

    Built by writing the zip records by hand: the deflate stream is produced piecewise, so making a
    200 MB bomb costs a few hundred KB of memory here.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = b"<w:t>" + b"0" * (1024 * 1024 - 5)
    stream = b"".join(compressor.compress(piece) for _ in range(inflated_bytes // len(piece) + 1)) + compressor.flush()
    entries = [(info.filename, zipfile.ZipFile(io.BytesIO(real_docx("正文。"))).read(info.filename))
               for info in zipfile.ZipFile(io.BytesIO(real_docx("正文。"))).infolist() if info.filename != "word/document.xml"]
    out = io.BytesIO()
    central = []

    def record(name: bytes, data: bytes, method: int, crc: int, size: int) -> None:
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(name), 0) + name + data)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size,
                                   len(name), 0, 0, 0, 0, 0, offset) + name)

    record(b"word/document.xml", stream, 8, zlib.crc32(b"0" * declared), declared)
    for name, data in entries:
        record(name.encode(), data, 0, zlib.crc32(data), len(data))
    start = out.tell()
    directory = b"".join(central)
    out.write(directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    return out.getvalue()


def zero_page_pdf() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


HTML_MENTIONING_PDF = ("<!doctype html><html><head><title>下载说明</title></head><body>"
                       "<p>本页介绍文件格式：PDF 文件以 %PDF-1.7 开头。</p><p>学会材料请下载附件阅读。</p></body></html>").encode()
UTF16_NO_BOM = "学会通知\n\n第一条 2024年5月召开学习交流会。\n".encode("utf-16-le")
FIVE_BYTES = b"\xff\xfe\x2c\x7b\x00"
BOM_THEN_INVALID = b"\xef\xbb\xbf" + "学会通知".encode() + b"\xff\xfe" + "正文。".encode()
