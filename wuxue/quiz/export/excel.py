"""Excel (openpyxl): one row per item under the common Chinese exam-system import header.

Columns 题型, 题干, 选项A–E, 答案, 解析, 难度, 知识点, 出处. Every cell is written as text, and a cell
that begins with ``= + - @`` (or a tab / carriage return) gets a leading apostrophe (OWASP CSV
injection), so even a re-save as CSV and a re-open cannot turn it into a live formula. ``answers="none"`` leaves 答案 and 解析 empty (a sheet to
hand out); ``inline`` and ``end`` are the same here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from wuxue.quiz.export.common import (
    DIFFICULTY_LABELS,
    TYPE_LABELS,
    Item,
    answer_label,
    basis,
    blank_stem,
    check_answers_mode,
    clean,
    options,
    ordered,
)

OPTION_KEYS = ("A", "B", "C", "D", "E")
HEADER = ("题型", "题干", *(f"选项{key}" for key in OPTION_KEYS), "答案", "解析", "难度", "知识点", "出处")
WIDTHS = (8, 60, 18, 18, 18, 18, 18, 12, 50, 8, 14, 50)
BLANK = "____"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """'=1+1 stays text in Excel, in LibreOffice and in a CSV re-saved from either."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(item: Item, answers: str) -> list[str]:
    kind = str(item.get("type"))
    by_key = dict(options(item)) if kind in {"single", "multi"} else {}
    hidden = answers == "none"
    return [
        TYPE_LABELS.get(kind, kind),
        blank_stem(item, BLANK),
        *(by_key.get(key, "") for key in OPTION_KEYS),
        "" if hidden else answer_label(item),
        "" if hidden else clean(item.get("explanation", "")),
        DIFFICULTY_LABELS.get(str(item.get("difficulty")), clean(item.get("difficulty", ""))),
        clean(item.get("knowledge_point", "")),
        basis(item),
    ]


def render(items: Sequence[Item], *, answers: str = "end", title: str = "") -> bytes:
    check_answers_mode(answers)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _SHEET_FORBIDDEN.sub("", clean(title)).strip()[:31] or "试题"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in ordered(items):
        values = [defuse(v) for v in _row(item, answers)]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJKL", WIDTHS):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
