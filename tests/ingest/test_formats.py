"""Legacy .doc, OFD, DOCX tables and headings, and files whose content is not what their name says."""

from __future__ import annotations

import io

import docx
import pytest

from tests.ofd_builder import make_ofd
from tests.word97 import make_doc
from wuxue.errors import ToolMissingError, UnsupportedTypeError
from wuxue.index.embedders import HashingEmbedder
from wuxue.ingest import ChunkerConfig, chunk_document, prepare_document
from wuxue.ingest.loaders import doc as doc_loader
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.loaders.tables import row_sentences
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

RULES = "党支部学习制度\n第一条 党支部每月开展一次主题党日。\n第二条 党员应当按时交纳党费。"


def test_legacy_word_doc_is_read_with_catdoc():
    meta, document = prepare_document(make_doc(RULES), "制度.doc")
    assert meta.source_type == "doc"
    assert document.text.splitlines() == ["党支部学习制度", "第一条 党支部每月开展一次主题党日。", "第二条 党员应当按时交纳党费。"]
    assert [p.label for p in document.paragraphs if p.kind == "article"] == ["第一条", "第二条"]


def test_doc_without_the_tools_is_refused_with_a_reason(monkeypatch):
    monkeypatch.setattr(doc_loader.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError) as error:
        load_bytes(make_doc(RULES), "制度.doc")
    assert error.value.code == "tool_missing" and "catdoc" in error.value.message and ".docx" in error.value.message


def test_other_legacy_office_files_are_still_refused():
    fake_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\x00" * 600
    with pytest.raises(UnsupportedTypeError) as error:
        load_bytes(fake_xls, "表.xls")
    assert "旧版 Excel/PowerPoint" in error.value.message


def test_ofd_pages_and_title():
    data = make_ofd([["关于开展主题党日的通知", "第一条 每月开展一次主题党日。"], ["第二条 党员应当参加。"]], title="主题党日通知")
    meta, document = prepare_document(data, "通知.ofd")
    assert meta.source_type == "ofd" and meta.page_count == 2 and meta.title == "主题党日通知"
    assert document.page_at(document.text.index("第二条")) == 2 and document.page_at(document.text.index("第一条")) == 1
    for chunk in chunk_document(document, ChunkerConfig(300, 60)):
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text


def test_table_rows_keep_their_headers():
    rows = [["月份", "学习主题", "领学人"], ["三月", "党章第一章", "周明远"], ["四月", "纪律处分条例总则", "李红"], ["合计：两次", "", ""]]
    assert row_sentences(rows) == ["月份：三月；学习主题：党章第一章；领学人：周明远。",
                                   "月份：四月；学习主题：纪律处分条例总则；领学人：李红。", "合计：两次"]
    assert row_sentences([["时间", "七月"]]) == ["时间：七月。"]
    assert row_sentences([["一段很长的说明文字，不是表头。", "另一格"], ["甲", "乙"]]) == ["一段很长的说明文字，不是表头。；另一格。", "甲；乙。"]


def study_plan() -> bytes:
    """A branch's study plan: numbered sections, a table of monthly topics, an empty section."""
    document = docx.Document()
    document.add_heading("第一党支部2024年学习计划", level=1)
    document.add_paragraph("一、学习安排")
    document.add_paragraph("全年学习按月安排，每月一个主题，由支委轮流领学。")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("月份", "学习主题", "领学人")):
        cell.text = text
    topics = [("三月", "学习党章总纲，理解党的性质和宗旨，交流入党初心", "周明远"),
              ("四月", "学习纪律处分条例，重点讨论六项纪律的具体要求", "李红"),
              ("五月", "学习二十大报告关于全面从严治党的论述，撰写心得", "王强"),
              ("六月", "学习党员教育管理工作条例，对照检查组织生活情况", "赵敏")]
    for month, topic, leader in topics:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = month, topic, leader
    document.add_paragraph("二、学习内容")
    document.add_paragraph("三、考核方式")
    document.add_paragraph("每季度组织一次测试，成绩记入党员学习档案。测试采用闭卷方式，由支部组织委员负责。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_chunk_label_is_the_heading_before_its_first_character():
    _, document = prepare_document(study_plan(), "plan.docx")
    headings = [p for p in document.paragraphs if p.kind in {"heading", "lead", "article"}]
    chunks = chunk_document(document, ChunkerConfig(120, 30))
    checked = 0
    for chunk in chunks:
        before = [p for p in headings if p.start <= chunk.char_start]
        if not before:
            continue  # the title chunk: no heading precedes it
        label = chunk.section_path[-1].split("至")[0]
        assert label == before[-1].label, (chunk.section, chunk.text[:20])
        checked += 1
    assert checked >= 2
    exam = next(c for c in chunks if "每季度组织一次测试" in c.text)
    assert exam.section_path[-1].endswith("三、考核方式")


def test_april_row_answers_the_april_question(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", embed_backend="hashing",
                             chunk_size=100, chunk_overlap=0)  # small chunks: a row or two each
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    kb.ingest_bytes(study_plan(), "plan.docx")
    chunks = kb.snapshot.store.chunks_of("plan")
    assert not any("三月" in c.text and "四月" in c.text for c in chunks)
    top = kb.search("四月份学习主题是什么", k=3).hits[0].chunk.text
    assert "月份：四月；学习主题：学习纪律处分条例" in top and "三月" not in top


def test_a_pdf_that_is_really_text_is_indexed_as_text_and_says_so(settings):
    data = "党支部学习安排\n每月第一个星期五下午开展集中学习。\n".encode()
    meta, _ = prepare_document(data, "学习安排.pdf")
    assert meta.source_type == "text" and meta.notes == ["文件名为 .pdf，内容实为文本文件：按文本文件处理"]
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    report = kb.ingest_bytes(data, "学习安排.pdf")
    assert any("按文本文件处理" in note for note in report.notes[report.added[0]])
    assert kb.document(report.added[0]).notes == report.notes[report.added[0]]


def test_snapshots_written_before_ocr_marks_and_notes_still_load(kb, tmp_path):
    import shutil
    import sqlite3

    from wuxue.index.store import ChunkStore

    old = tmp_path / "old.sqlite"
    shutil.copy(kb.snapshot.store.path, old)
    db = sqlite3.connect(old)
    for table, column in (("chunks", "source"), ("chunks", "ocr_confidence"), ("documents", "notes")):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.commit()
    db.close()
    readonly = ChunkStore(old, readonly=True)
    chunk = readonly.chunks_of("dangzhang_2022")[0]
    assert chunk.source == "" and chunk.ocr_confidence is None and chunk.to_dict()["source"] == "text"
    assert readonly.document("dangzhang_2022").notes == []
    readonly.close()
    writable = ChunkStore(old)  # a builder opening it adds the columns
    assert writable.chunks_of("dangzhang_2022")[0].source == "" and writable.documents()[0].notes == []
    writable.close()
