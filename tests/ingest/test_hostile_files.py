"""Hostile and malformed files at the loader: each refused with a code and a Chinese reason, or read correctly."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from tests import hostile
from wuxue.errors import CorruptFileError, EmptyDocumentError, EncodingUnknownError, FileTooLargeError, IngestError
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.pipeline import prepare_document


def test_a_zip_bomb_with_forged_sizes_is_refused_quickly_with_bounded_memory():
    bomb = hostile.forged_size_docx(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # the point of the attack: a small upload
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError) as error:
        load_bytes(bomb, "bomb.docx")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "疑似压缩炸弹" in error.value.message
    assert elapsed < 5.0 and peak < 100 * 1024 * 1024, (elapsed, peak)  # stops at the 64 MB cap, never inflates 200 MB


def test_a_forged_size_that_stays_under_the_cap_is_corrupt_not_read():
    with pytest.raises(CorruptFileError) as error:
        load_bytes(hostile.forged_size_docx(2 * 1024 * 1024), "forged.docx")
    assert "校验不符" in error.value.message


@pytest.mark.parametrize(("name", "data", "code", "words"), [
    ("a.txt", hostile.FIVE_BYTES, "encoding_unknown", "UTF-16"),
    ("laughs.docx", hostile.docx_with_part("word/document.xml", hostile.BILLION_LAUGHS), "corrupt_file", "实体"),
    ("broken_xml.docx", hostile.docx_with_part("word/document.xml", b"<w:document><w:body><w:p>"), "corrupt_file", "Word"),
    ("bom.txt", hostile.BOM_THEN_INVALID, "encoding_unknown", "UTF-8"),
    ("empty.pdf", hostile.zero_page_pdf(), "empty_document", "0 页"),
])
def test_malformed_files_are_refused_with_a_code_and_a_chinese_reason(name, data, code, words):
    with pytest.raises(IngestError) as error:
        prepare_document(data, name)
    assert error.value.code == code and words in error.value.message and error.value.filename == name


def test_html_that_mentions_pdf_is_read_as_html():
    meta, document = prepare_document(hostile.HTML_MENTIONING_PDF, "note.html")
    assert meta.source_type == "html" and "学会材料请下载附件阅读。" in document.text


def test_utf16_without_bom_is_decoded_not_called_binary():
    meta, document = prepare_document(hostile.UTF16_NO_BOM, "notice.txt")
    assert meta.title == "学会通知" and "2024年5月召开学习交流会" in document.text
    big_endian = "学会通知\n\n正文。\n".encode("utf-16-be")
    assert "正文。" in prepare_document(big_endian, "be.txt")[1].text


def test_a_real_docx_still_reads_after_being_repacked():
    meta, document = prepare_document(hostile.real_docx("学会工作要点", "一、加强理论学习。"), "plan.docx")
    assert meta.title == "学会工作要点" and "加强理论学习" in document.text


def test_messages_do_not_echo_long_suffixes():
    with pytest.raises(IngestError) as error:
        load_bytes(b"hello", "a." + "x" * 5000)
    assert len(error.value.message) < 100
    with pytest.raises(EmptyDocumentError):
        load_bytes(b"   ", "empty.txt")
    with pytest.raises(EncodingUnknownError):
        load_bytes(b"\xfe\xff\x00", "odd.txt")
