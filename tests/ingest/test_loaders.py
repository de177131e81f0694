"""Loaders on real and deliberately broken files, each made in the test."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from wuxue.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedPdfError,
    FileTooLargeError,
    NoTextLayerError,
    UnsupportedTypeError,
)
from wuxue.ingest import sniff
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.loaders import pdf as pdf_loader
from wuxue.ingest.pipeline import prepare_document
from tests.conftest import FIXTURES

TEXT = "中国共产党廉洁自律准则\n\n第一条 坚持公私分明，先公后私，克己奉公。\n"


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_text_encodings_are_detected(encoding):
    meta, document = prepare_document(TEXT.encode(encoding), "zhunze.txt")
    assert "第一条 坚持公私分明" in document.text
    assert meta.title == "中国共产党廉洁自律准则"


def test_html_scripts_and_styles_are_dropped():
    html = ("<html><head><title>页面标题</title><style>p{color:red}</style></head><body>"
            "<script>alert('x')</script><h1>学会党建</h1><p>第一段<b>加粗</b>文字。</p>"
            "<img src=x onerror=alert(1)><p>第二段。</p></body></html>")
    meta, document = prepare_document(html.encode("utf-8"), "page.html")
    assert "alert" not in document.text and "color" not in document.text
    assert "第一段加粗文字。" in document.text
    assert meta.title == "页面标题"


def test_markdown_marks_are_removed():
    _, document = prepare_document("# 标题\n\n## 一、总则\n\n这是**重要**内容。\n\n- 列表项一。\n".encode(), "a.md")
    assert document.text.splitlines() == ["标题", "一、总则", "这是重要内容。", "列表项一。"]


def test_docx_paragraphs_and_tables():
    document = docx.Document()
    document.add_heading("学会工作计划", level=1)
    document.add_paragraph("一、指导思想")
    document.add_paragraph("坚持党建引领。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "时间"
    table.rows[0].cells[1].text = "七月"
    buffer = io.BytesIO()
    document.save(buffer)
    meta, cleaned = prepare_document(buffer.getvalue(), "plan.docx")
    assert meta.title == "学会工作计划" and meta.source_type == "docx"
    assert "坚持党建引领。" in cleaned.text and "时间：七月。" in cleaned.text


def test_real_pdf_with_an_empty_last_page():
    raw = load_bytes((FIXTURES / "ccdi_jubao_cailiao_muban.pdf").read_bytes(), "template.pdf")
    assert raw.page_count == 5 and raw.blocks[4].text.strip() == ""
    _, document = prepare_document((FIXTURES / "ccdi_jubao_cailiao_muban.pdf").read_bytes(), "template.pdf")
    assert document.page_at(len(document.text) - 1) == 4


def test_encrypted_pdf_is_refused():
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "ccdi_jubao_cailiao_muban.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner")
    with pytest.raises(EncryptedPdfError) as error:
        load_bytes(_pdf_bytes(writer), "secret.pdf")
    assert error.value.code == "encrypted_pdf" and "加密" in error.value.message


def test_pdf_without_text_layer_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    with pytest.raises(NoTextLayerError) as error:
        load_bytes(_pdf_bytes(writer), "scan.pdf")
    assert "OCR" in error.value.message


def test_truncated_pdf_is_corrupt():
    data = (FIXTURES / "ccdi_jubao_cailiao_muban.pdf").read_bytes()[:3000]
    with pytest.raises((CorruptFileError, NoTextLayerError)):
        load_bytes(data, "broken.pdf")


def test_pdf_named_file_that_is_really_html_is_read_as_html():
    meta, document = prepare_document("<html><body><p>学习资料正文。</p></body></html>".encode(), "fake.pdf")
    assert meta.source_type == "html" and "学习资料正文。" in document.text


def test_broken_images_and_empty_files_are_refused():
    with pytest.raises(CorruptFileError) as error:  # images are read by OCR now; a truncated one is corrupt
        load_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.txt")
    assert "文件损坏" in error.value.message
    with pytest.raises(EmptyDocumentError):
        load_bytes(b"  \n ", "empty.txt")
    with pytest.raises(UnsupportedTypeError):
        load_bytes(b"hello", "archive.exe")


def test_zip_bomb_disguised_as_docx_is_refused(monkeypatch):
    monkeypatch.setattr(sniff, "MAX_ZIP_UNCOMPRESSED", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (2 * 1024 * 1024))
    with pytest.raises(FileTooLargeError):
        load_bytes(buffer.getvalue(), "bomb.docx")


def test_corrupt_docx_is_refused():
    with pytest.raises(CorruptFileError):
        load_bytes(b"PK\x03\x04" + b"garbage" * 50, "broken.docx")


@pytest.mark.parametrize("placeholder", ["about:blank", "http://10.0.0.5/notice.html", "Microsoft Word - 通知.docx", "通知.doc", "Untitled", "  "])
def test_pdf_placeholder_titles_are_ignored(placeholder):
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "ccdi_jubao_cailiao_muban.pdf"))
    writer.add_metadata({"/Title": placeholder})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_loader.load(buffer.getvalue(), "x.pdf").title_hint is None


def test_a_real_pdf_title_is_kept():
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "ccdi_jubao_cailiao_muban.pdf"))
    writer.add_metadata({"/Title": "关于开展主题教育的通知"})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_loader.load(buffer.getvalue(), "x.pdf").title_hint == "关于开展主题教育的通知"
