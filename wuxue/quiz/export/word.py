"""Word paper (python-docx): title, items numbered straight through under 一、单选题 … headings.

``answers``: ``none`` questions only; ``inline`` 答案、解析 and 出题依据 after each question (题后);
``end`` the questions, then 参考答案与出题依据 on a new page (卷尾). A blank is always the same
``＿＿＿＿＿＿`` whatever the filler's length, so the paper does not give the length away. 出题依据
is the source and the explanation (原文 with the answer as 【…】), the answer in bold red like the
学习强国 hint; without an explanation the quote is shown with the answer texts marked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from wuxue.quiz.export.common import (
    BLANK_RE,
    TYPE_LABELS,
    TYPE_ORDER,
    Item,
    answer_detail,
    answer_texts,
    blank_stem,
    check_answers_mode,
    clean,
    count_types,
    options,
    sections,
    source_label,
    source_quote,
)

BLANK = "＿" * 6
FONT = "宋体"
HEADING_FONT = "黑体"
ANSWER_RED = RGBColor(0xC0, 0x00, 0x00)
NOTE_GREY = RGBColor(0x40, 0x40, 0x40)
MARK_RE = re.compile(r"(【[^【】]*】)")


def _east_asian_font(style, name: str) -> None:  # type: ignore[no-untyped-def]
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


A4 = (Mm(210), Mm(297))
MARGIN = Mm(25)
CANDIDATE_LINE = "姓名：＿＿＿＿＿＿＿＿　　单位：＿＿＿＿＿＿＿＿　　得分：＿＿＿＿＿＿"


def _a4(document: Document) -> None:
    """Chinese offices print on A4 (python-docx's default template is US Letter)."""
    for section in document.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN


def _document(title: str, items: Sequence[Item], *, candidate_lines: bool = True) -> Document:
    document = Document()
    _a4(document)
    _east_asian_font(document.styles["Normal"], FONT)
    document.styles["Normal"].font.size = Pt(11)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian_font(document.styles[name], HEADING_FONT)
    heading = document.add_heading(clean(title) or "试题", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    counts = count_types(items)
    summary = "，".join(f"{TYPE_LABELS[kind]}{counts[kind]}道" for kind in TYPE_ORDER if counts.get(kind))
    info = document.add_paragraph(f"共{len(items)}题（{summary}）" if summary else f"共{len(items)}题")
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if candidate_lines:  # the paper a member fills in: name, unit, score
        lines = document.add_paragraph(CANDIDATE_LINE)
        lines.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _stem(item: Item) -> str:
    stem = blank_stem(item, BLANK)
    if item.get("type") == "judge" and not BLANK_RE.search(stem):
        stem = stem.rstrip() + "（　）"
    return stem


def _question(document: Document, number: int, item: Item) -> None:
    document.add_paragraph(f"{number}. {_stem(item)}")
    if item.get("type") in {"single", "multi"}:
        for key, text in options(item):
            paragraph = document.add_paragraph(f"{key}. {text}")
            paragraph.paragraph_format.left_indent = Pt(21)


def _labelled(document: Document, label: str, text: str = "") -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.left_indent = Pt(21)
    run = paragraph.add_run(label)
    run.bold = True
    if text:
        paragraph.add_run(text)
    return paragraph


def _red(paragraph: Paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = ANSWER_RED


def _marked_quote(paragraph: Paragraph, quote: str, answers: list[str]) -> None:
    """The quote with every occurrence of an answer text in bold red."""
    needles = sorted({text for text in answers if text and text in quote}, key=len, reverse=True)
    pieces = re.split("(" + "|".join(map(re.escape, needles)) + ")", quote) if needles else [quote]
    paragraph.add_run("“")
    for piece in pieces:
        if piece in needles:
            _red(paragraph, piece)
        elif piece:
            paragraph.add_run(piece)
    paragraph.add_run("”")


def _marked_explanation(paragraph: Paragraph, explanation: str) -> None:
    """The generator's explanation (原文：… with the answer as 【…】) with the marked parts in bold red."""
    for piece in MARK_RE.split(explanation):
        if MARK_RE.fullmatch(piece):
            _red(paragraph, piece)
        elif piece:
            paragraph.add_run(piece)


def _answer(document: Document, item: Item, prefix: str = "") -> None:
    """答案, then 出题依据: the source and the explanation with the answer marked (or the quote, marked here)."""
    _labelled(document, f"{prefix}答案：", answer_detail(item))
    basis = _labelled(document, "出题依据：", source_label(item))
    explanation, quote = clean(item.get("explanation", "")), source_quote(item)
    if explanation:
        basis.add_run("。")
        _marked_explanation(basis, explanation)
    elif quote:
        basis.add_run("。原文：")
        _marked_quote(basis, quote, answer_texts(item) if item.get("type") != "judge" else [])
    for run in basis.runs[1:]:
        if run.font.color.rgb is None:
            run.font.color.rgb = NOTE_GREY


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    check_answers_mode(answers)
    document = _document(title, items)
    numbered: list[tuple[int, Item]] = []
    for _, heading, group in sections(items):
        document.add_heading(heading, level=1)
        for item in group:
            numbered.append((len(numbered) + 1, item))
            _question(document, len(numbered), item)
            if answers == "inline":
                _answer(document, item)
    if answers == "end" and numbered:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading("参考答案与出题依据", level=1)
        for number, item in numbered:
            _answer(document, item, prefix=f"{number}. ")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
