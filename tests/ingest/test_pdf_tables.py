"""Ruled tables in text PDFs (drawn in the test with fpdf2 and the CJK font the OCR tests use) become one
sentence per row with the column headers; the text around a table, page numbers, and PDFs without tables
are as before."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from tests.conftest import FIXTURES
from tests.ingest.test_ocr import FONT
from wuxue.index.embedders import HashingEmbedder
from wuxue.ingest.clean import clean
from wuxue.ingest.document import RawBlock, RawDocument
from wuxue.ingest import prepare_document
from wuxue.ingest.loaders import load_bytes
from wuxue.ingest.loaders import pdf_tables
from wuxue.knowledge_base import KnowledgeBase
from wuxue.settings import load_settings

HEADER = ("月份", "学习主题", "领学人")
TOPICS = [("三月", "学习党章总纲，理解党的性质和宗旨，交流入党初心", "周明远"),
          ("四月", "学习纪律处分条例，重点讨论六项纪律的具体要求", "李红"),
          ("五月", "学习二十大报告关于全面从严治党的论述，撰写心得", "王强"),
          ("六月", "学习党员教育管理工作条例，对照检查组织生活情况", "赵敏")]
APRIL = "月份：四月；学习主题：学习纪律处分条例，重点讨论六项纪律的具体要求；领学人：李红。"
MARCH = "月份：三月；学习主题：学习党章总纲，理解党的性质和宗旨，交流入党初心；领学人：周明远。"
INTRO = ["第一党支部2024年学习计划",
         "为加强党员教育管理，推动学习教育常态化制度化，根据党员教育管理工作条例和上级党委的要求，结合支部实际，"
         "制定本计划。各党小组要认真组织，党员要按时参加，确保学习取得实效。"]  # wraps: sets the page's line width


class Page:
    """An A4 page typeset in the CJK font: paragraphs, ruled tables (fpdf2 draws every cell's border) and rules."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.add_font("wqy", fname=str(FONT))
        self.pdf.set_font("wqy", size=11)

    def page(self) -> Page:
        self.pdf.add_page()
        return self

    def lines(self, *texts: str) -> Page:
        for text in texts:
            self.pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        return self

    def table(self, rows: Sequence[Sequence[str]], widths: Sequence[int] = (18, 60, 22), *, repeat_header: bool = False) -> Page:
        if repeat_header:  # fpdf2 sets a header row in bold: the same face stands in for it
            self.pdf.add_font("wqy", style="B", fname=str(FONT))
        with self.pdf.table(col_widths=tuple(widths), first_row_as_headings=repeat_header) as table:
            for cells in rows:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        self.pdf.ln(4)
        return self

    def rule(self) -> Page:
        y = self.pdf.get_y() + 2
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(6)
        return self

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def study_plan() -> bytes:
    """Page 1 plain text; page 2 a section heading, the monthly table (topics wrap inside narrow cells), more text."""
    return (Page().page().lines(*INTRO)
            .page().lines("一、学习安排", "全年学习按月安排，每月一个主题，由支委轮流领学。")
            .table([HEADER, *TOPICS])
            .lines("二、考核方式", "每季度组织一次测试，成绩记入党员学习档案。").bytes())


def test_each_row_is_a_sentence_with_its_headers_between_the_text_around_the_table():
    data = study_plan()
    flattened = PdfReader(io.BytesIO(data)).pages[1].extract_text()
    assert "四月 学习纪律处分条例" in flattened  # what pypdf alone gives: the row without its headers
    _, document = prepare_document(data, "plan.pdf")
    lines = document.text.splitlines()
    assert lines == [*INTRO, "一、学习安排", "全年学习按月安排，每月一个主题，由支委轮流领学。", "月份：三月；学习主题：学习党章总纲，理解党的性质和宗旨，交流入党初心；领学人：周明远。",
                     APRIL, "月份：五月；学习主题：学习二十大报告关于全面从严治党的论述，撰写心得；领学人：王强。",
                     "月份：六月；学习主题：学习党员教育管理工作条例，对照检查组织生活情况；领学人：赵敏。",
                     "二、考核方式", "每季度组织一次测试，成绩记入党员学习档案。"]
    rows = [p for p in document.paragraphs if document.text[p.start:p.end].startswith("月份：")]
    assert [document.text[p.start:p.end] for p in rows][:2] == [MARCH, APRIL]  # each row a paragraph of its own
    assert document.page_at(document.text.index(APRIL)) == 2
    assert document.page_at(document.text.index("一、学习安排")) == 2
    assert document.page_at(document.text.index("每季度组织一次测试")) == 2
    assert document.page_at(document.text.index("为加强党员教育管理")) == 1
    exam = next(p for p in document.paragraphs if document.text[p.start:p.end].startswith("每季度"))
    assert exam.section_path[-1] == "二、考核方式"


def test_row_sentences_stay_paragraphs_of_their_own_in_hard_wrapped_text():
    body = "党支部应当每月相对固定一天开展主题党日，组织党员集中学习、过组织生活、进行民主议事和志愿\n服务等。"
    rows = "\n".join([MARCH, APRIL])  # as long as a wrapped line: hard-wrapped cleaning would run them together
    text, spans, _ = clean(RawDocument([RawBlock(body, 1), RawBlock(rows, 1, rows=True), RawBlock(body, 2)], "pdf", hard_wrapped=True))
    assert [text[start:end] for start, end in spans] == [body.replace("\n", ""), MARCH, APRIL, body.replace("\n", "")]


def test_only_the_table_page_is_read_differently():
    data = study_plan()
    raw = load_bytes(data, "plan.pdf")
    assert raw.blocks[0].text == PdfReader(io.BytesIO(data)).pages[0].extract_text()  # page 1 exactly as pypdf reads it
    assert [(block.page, block.rows) for block in raw.blocks] == [(1, False), (2, False), (2, True), (2, False)]
    assert raw.blocks[2].text.splitlines()[1] == APRIL and raw.page_count == 2


def test_merged_cells_a_column_merged_down_repeats_a_row_merged_across_counts_once():
    pdf = Page().page()
    with pdf.pdf.table(col_widths=(25, 20, 60), first_row_as_headings=False) as table:
        for cells in (("季度", "月份", "学习主题"),):
            row = table.row()
            for cell in cells:
                row.cell(cell)
        row = table.row()
        row.cell("第一季度", rowspan=2), row.cell("三月"), row.cell("学习党章总纲")
        row = table.row()
        row.cell("四月"), row.cell("学习纪律处分条例")
        row = table.row()
        row.cell("第二季度"), row.cell("集中学习，另行通知", colspan=2)
    _, document = prepare_document(pdf.bytes(), "quarters.pdf")
    assert document.text.splitlines() == ["季度：第一季度；月份：三月；学习主题：学习党章总纲。",
                                          "季度：第一季度；月份：四月；学习主题：学习纪律处分条例。",
                                          "第二季度；集中学习，另行通知。"]


def test_pdfs_without_tables_are_read_by_pypdf_unchanged():
    for data in ((FIXTURES / "xianfa_2018.pdf").read_bytes(), (FIXTURES / "ccdi_jubao_cailiao_muban.pdf").read_bytes(),
                 Page().page().lines(*INTRO).rule().lines("第一条 本计划自印发之日起施行。").bytes()):
        raw = load_bytes(data, "file.pdf")
        expected = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
        assert [block.text for block in raw.blocks] == expected
        assert [block.page for block in raw.blocks] == list(range(1, len(expected) + 1))
        assert not any(block.rows for block in raw.blocks)


def test_a_framed_paragraph_or_a_one_column_list_is_not_a_table():
    data = (Page().page().lines(*INTRO).table([["请各支部于三月底前报送学习计划。"]], widths=(100,))
            .table([["学习党章"], ["学习准则"]], widths=(100,)).bytes())
    raw = load_bytes(data, "notice.pdf")
    assert [block.text for block in raw.blocks] == [PdfReader(io.BytesIO(data)).pages[0].extract_text()]


@pytest.mark.parametrize("limit", ["MAX_CELLS_PER_TABLE", "MAX_TABLES_PER_PAGE", "MAX_TABLE_PAGES", "MAX_PATHS_PER_PAGE", "TIME_BUDGET"])
def test_past_a_limit_the_page_keeps_pypdf_text(monkeypatch, limit):
    data = Page().page().lines(*INTRO).table([HEADER, *TOPICS]).table([HEADER, *TOPICS[:1]]).bytes()
    assert any(block.rows for block in load_bytes(data, "plan.pdf").blocks)  # within the limits: rows
    value = {"MAX_CELLS_PER_TABLE": 14, "MAX_TABLES_PER_PAGE": 1, "MAX_TABLE_PAGES": 0, "MAX_PATHS_PER_PAGE": 3, "TIME_BUDGET": -1.0}[limit]
    monkeypatch.setattr(pdf_tables, limit, value)
    raw = load_bytes(data, "plan.pdf")
    assert [block.text for block in raw.blocks] == [PdfReader(io.BytesIO(data)).pages[0].extract_text()]


def test_two_tables_on_a_page_each_keep_their_place():
    data = (Page().page().lines("上半年").table([HEADER, *TOPICS[:2]]).lines("下半年")
            .table([("月份", "学习主题"), ("七月", "学习党史")], widths=(30, 70)).lines("以上安排如有调整另行通知。").bytes())
    _, document = prepare_document(data, "plan.pdf")
    assert document.text.splitlines() == ["上半年", MARCH, APRIL, "下半年", "月份：七月；学习主题：学习党史。", "以上安排如有调整另行通知。"]


def test_the_april_question_finds_the_april_row(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", embed_backend="hashing",
                             chunk_size=100, chunk_overlap=0)  # small chunks: a row or two each
    kb = KnowledgeBase(settings, embedder=HashingEmbedder())
    report = kb.ingest_bytes(study_plan(), "plan.pdf")
    doc_id = report.added[0]
    chunks = kb.snapshot.store.chunks_of(doc_id)
    assert not any("三月" in c.text and "四月" in c.text for c in chunks)
    top = kb.search("四月份学习主题是什么", k=3).hits[0].chunk
    assert APRIL in top.text and "三月" not in top.text and top.page_at(top.text.index(APRIL)) == 2


MONTHS = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]


@pytest.mark.parametrize("repeat_header", [False, True])
def test_a_table_running_on_to_the_next_page_keeps_its_header(repeat_header):
    rows = [(month, f"{month}集中学习：围绕党章党规开展专题研讨，每名党员结合工作实际作交流发言，支部书记作总结点评", "周明远")
            for month in MONTHS]
    data = Page().page().lines(*INTRO).table([HEADER, *rows], widths=(18, 30, 22), repeat_header=repeat_header).bytes()
    raw = load_bytes(data, "plan.pdf")
    assert raw.page_count == 2 and {block.page for block in raw.blocks if block.rows} == {1, 2}  # the table breaks
    _, document = prepare_document(data, "plan.pdf")
    sentences = [line for line in document.text.splitlines() if line.startswith("月份：")]
    assert [line.split("；")[0] for line in sentences] == [f"月份：{month}" for month in MONTHS]
    assert all(line.endswith("领学人：周明远。") for line in sentences)
    december = document.text.index("月份：十二月")
    assert document.page_at(december) == 2 and document.page_at(document.text.index("月份：一月")) == 1


def test_a_new_table_at_the_top_of_the_next_page_keeps_its_own_header():
    data = (Page().page().lines(*INTRO).table([HEADER, *TOPICS[:2]])
            .page().table([("序号", "活动"), ("1", "参观红色教育基地")], widths=(30, 70)).bytes())
    _, document = prepare_document(data, "plan.pdf")
    assert "序号：1；活动：参观红色教育基地。" in document.text.splitlines()
