"""Table rows as sentences that keep their column headers.

A row flattened to "四月 | 学习纪律处分条例总则 | 李红" loses what each cell is; as
"月份：四月；学习主题：学习纪律处分条例总则；领学人：李红。" the question 四月份学习主题是什么
matches the April row by its words, and a cited row reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER_MAX = 16  # a header cell is a short label
_SENTENCE_PUNCTUATION = re.compile(r"[。！？；]")


def looks_like_header(cells: Sequence[str]) -> bool:
    """Short labels in every cell, no sentence and not all numbers: a header row."""
    filled = [cell for cell in cells if cell]
    return (
        len(filled) >= 2
        and len(filled) == len(cells)
        and all(len(cell) <= _HEADER_MAX and not _SENTENCE_PUNCTUATION.search(cell) for cell in filled)
        and not all(re.fullmatch(r"[\d.,%／/\-]+", cell) for cell in filled)
    )


def _sentence(parts: Sequence[str]) -> str:
    text = "；".join(parts)
    return text if text.endswith(("。", "！", "？")) else text + "。"


def row_sentences(rows: Sequence[Sequence[str]]) -> list[str]:
    """One line per row: ``header：value`` pairs when the first row is a header row, else the cells joined by ；.

    ``rows`` holds the stripped text of each row's distinct cells (a merged cell once).
    A row with a single filled cell (a caption or a group row across the table) is
    kept as it is.
    """
    rows = [list(row) for row in rows if any(cell for cell in row)]
    if not rows:
        return []
    header: list[str] | None = None
    if len(rows) >= 2 and looks_like_header(rows[0]):
        header = rows[0]
        rows = rows[1:]
    lines = []
    for row in rows:
        filled = [cell for cell in row if cell]
        if len(filled) == 1:
            lines.append(filled[0])
        elif header is None and len(rows) == 1 and len(filled) == 2 and len(filled[0]) <= _HEADER_MAX:
            lines.append(_sentence([f"{filled[0].rstrip('：:')}：{filled[1]}"]))  # a one-row form: 时间 | 七月
        elif header is not None and len(row) == len(header):
            lines.append(_sentence([f"{name}：{cell}" for name, cell in zip(header, row) if cell]))
        else:
            lines.append(_sentence(filled))
    return lines
