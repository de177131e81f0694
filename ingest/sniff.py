"""Decide a file's type from its bytes, not from its name."""

from __future__ import annotations

import io
import zipfile

from wuxue.errors import CorruptFileError, FileTooLargeError, UnsupportedTypeError

# Limits that keep a hostile DOCX (a zip) from exhausting memory. The byte limit counts the XML
# actually inflated (loaders/docx.py), not the sizes the archive declares; the largest real
# Word document in our corpora has a few MB of XML.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED = 64 * 1024 * 1024
_HTML_MARKS = (b"<html", b"<!doctype html", b"<body", b"<head", b"<p>", b"<div")

_TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".xhtml"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Scans and photos (PNG, JPEG, TIFF), read by OCR; BMP's two-byte "BM" is trusted only with a .bmp name.
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_BINARY_SIGNATURES = {
    b"GIF8": "图片（GIF）",
    b"\xd0\xcf\x11\xe0": "旧版 Excel/PowerPoint 文件，请另存为新格式",
    b"Rar!": "压缩包（RAR）",
    b"\x1f\x8b": "压缩包（gzip）",
    b"7z\xbc\xaf": "压缩包（7z）",
}


def sniff_type(data: bytes, filename: str = "") -> str:
    """Return one of ``pdf``, ``docx``, ``doc``, ``ofd``, ``image``, ``html``, ``markdown``, ``text``.

    The extension only chooses between text flavours (Markdown vs plain); binary
    formats are recognised by their signatures, so a ``.pdf`` that is really HTML
    is read as HTML, and an image renamed ``.txt`` is refused.
    """
    head = data[:2048]
    if _is_pdf(data):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, filename)
    if head.startswith(_IMAGE_SIGNATURES) or head.startswith(b"BM") and filename.lower().endswith(".bmp"):
        return "image"
    if head.startswith(_OLE) and "WordDocument".encode("utf-16-le") in data[:1_000_000]:
        return "doc"  # Word 97–2003 (its main stream is named WordDocument in the compound file's directory)
    for signature, label in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedTypeError(f"不支持的格式：{label}", filename=filename)
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = utf16_without_bom(data)
        if encoding is None:
            raise UnsupportedTypeError("不支持的格式：二进制文件", filename=filename)
        head = data[:4096].decode(encoding, errors="ignore").encode("utf-8")  # look for markup in the decoded text
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
        return "html"
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in {"md", "markdown"}:
        return "markdown"
    if suffix in {"htm", "html", "xhtml"} and b"<" in lowered:
        return "html"
    if suffix and f".{suffix}" not in _TEXT_SUFFIXES and suffix not in {"pdf", "docx", "doc", "wps", "ofd"}:
        raise UnsupportedTypeError(f"不支持的格式：.{suffix[:20]}（支持 PDF、DOCX、DOC、OFD、图片、TXT、MD、HTML）", filename=filename)
    return "text"


def _is_pdf(data: bytes) -> bool:
    """A PDF header at the start, or within the first KB after junk (readers allow that) — but not
    inside a web page or text that merely mentions ``%PDF-``."""
    if data.lstrip()[:5] == b"%PDF-":
        return True
    position = data[:1024].find(b"%PDF-")
    if position < 0:
        return False
    before = data[:position].lower()
    return not any(mark in before for mark in _HTML_MARKS) and b"%%EOF" in data[-4096:]


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes read as UTF-16 text without a byte-order mark, else None.

    The sign: NUL bytes (the high half of ASCII characters such as newlines and digits) almost all on
    one side of each two-byte unit, and the decoded sample is printable text.
    """
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even + odd == 0:
        return None
    encoding = "utf-16-le" if odd >= 3 * even else "utf-16-be" if even >= 3 * odd else None  # a CJK character ends in 00 one time in 256
    if encoding is None:
        return None
    text = sample.decode(encoding, errors="replace")
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return encoding if printable >= 0.95 * len(text) else None


def _sniff_zip(data: bytes, filename: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFileError("文件损坏：无法作为压缩包读取", filename=filename, detail=str(exc)) from exc
    names = {entry.filename for entry in entries}
    if "OFD.xml" in names:
        check_zip_limits(entries, filename=filename)
        return "ofd"
    if "word/document.xml" not in names:
        raise UnsupportedTypeError("不支持的格式：压缩包或非 Word 文档", filename=filename)
    check_zip_limits(entries, filename=filename)
    return "docx"


def check_zip_limits(entries: list[zipfile.ZipInfo], *, filename: str) -> None:
    """Refuse zip bombs before anything is decompressed."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileTooLargeError("文件过大：Word 文档内部条目过多", filename=filename)
    total = sum(entry.file_size for entry in entries)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise FileTooLargeError("文件过大：Word 文档解压后超过限制（疑似压缩炸弹）", filename=filename)
