"""Reading order for OCR boxes: rows, two-column pages, page numbers and running headers.

RapidOCR returns one box per detected text line in no useful order. We rebuild lines
as a reader sees them:

- boxes on one baseline form a row; a wide gap inside a row separates two fields
  (a red-header notice's 发文字号 on the left and 签发人 on the right stay two lines
  instead of one run-on line);
- a page whose lines sit in two side-by-side columns of text is read column by
  column, with full-width lines (a title over both columns) kept in place;
- page numbers ("— 3 —", "第3页", "3/12") in the top or bottom margin are dropped,
  and so is a running header repeated on several pages (:func:`drop_running_headers`).
"""

from __future__ import annotations

import difflib
import re
import statistics
from dataclasses import dataclass, field

_PAGE_NUMBER = re.compile(
    r"^[-—－–~·•\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—－–~·•\s]*$"
)
_MARGIN_TOP, _MARGIN_BOTTOM = 0.10, 0.88  # fractions of the page height
_FIELD_GAP = 2.0  # a gap wider than this many line heights splits a row into separate lines


@dataclass(frozen=True)
class OcrLine:
    """One recognised text box (axis-aligned bounds of the detector's quadrilateral)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @classmethod
    def from_quad(cls, quad: list[list[float]], text: str, score: float) -> OcrLine:
        xs = [float(point[0]) for point in quad]
        ys = [float(point[1]) for point in quad]
        return cls(min(xs), min(ys), max(xs), max(ys), text.strip(), score)

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class TextLine:
    """A line of the page as read: one or more boxes of one row joined left to right."""

    parts: list[OcrLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        out = ""
        for part in self.parts:
            if out and out[-1].isascii() and out[-1].isalnum() and part.text[:1].isascii() and part.text[:1].isalnum():
                out += " "
            out += part.text
        return out

    @property
    def score(self) -> float:
        total = sum(len(part.text) for part in self.parts)
        return sum(part.score * len(part.text) for part in self.parts) / total if total else 0.0


def _rows(boxes: list[OcrLine]) -> list[list[OcrLine]]:
    """Group boxes whose vertical centres lie within half a line height of each other."""
    rows: list[list[OcrLine]] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        if rows:
            row = rows[-1]
            row_cy = statistics.fmean(b.cy for b in row)
            row_h = statistics.fmean(b.height for b in row)
            if abs(box.cy - row_cy) < 0.5 * min(row_h, box.height):
                row.append(box)
                continue
        rows.append([box])
    return rows


def _row_lines(row: list[OcrLine]) -> list[TextLine]:
    """Left to right; a wide gap starts a new line (two fields on one baseline)."""
    lines: list[TextLine] = []
    for box in sorted(row, key=lambda b: b.x0):
        if lines:
            last = lines[-1].parts[-1]
            if box.x0 - last.x1 <= _FIELD_GAP * min(last.height, box.height):
                lines[-1].parts.append(box)
                continue
        lines.append(TextLine([box]))
    return lines


def _gutter(boxes: list[OcrLine], width: float) -> float | None:
    """The x of a gap between two columns of text, or None for a one-column page.

    Columns are claimed only when at least three lines on each side are long (a
    column of text fills its half) and sit beside each other; a two-column table of
    short cells is read row by row instead.
    """
    if len(boxes) < 6:
        return None
    for fraction in (0.5, 0.45, 0.55, 0.4, 0.6):
        x = width * fraction
        left = [b for b in boxes if b.x1 <= x]
        right = [b for b in boxes if b.x0 >= x]
        long_left = [b for b in left if b.x1 - b.x0 >= 0.25 * width]
        long_right = [b for b in right if b.x1 - b.x0 >= 0.25 * width]
        if len(long_left) < 3 or len(long_right) < 3:
            continue
        beside = sum(1 for b in long_left if any(r.y0 < b.y1 and b.y0 < r.y1 for r in long_right))
        crossing = len(boxes) - len(left) - len(right)
        if beside >= 3 and crossing <= 0.25 * len(boxes):
            return x
    return None


def _is_page_number(box: OcrLine, height: float) -> bool:
    in_margin = box.y1 <= height * _MARGIN_TOP or box.y0 >= height * _MARGIN_BOTTOM
    return in_margin and bool(_PAGE_NUMBER.match(box.text))


def reading_order(boxes: list[OcrLine], *, width: float, height: float) -> list[TextLine]:
    """The page's lines in reading order, page numbers in the margins removed."""
    boxes = [b for b in boxes if not _is_page_number(b, height)]
    gutter = _gutter(boxes, width)
    if gutter is None:
        return [line for row in _rows(boxes) for line in _row_lines(row)]
    lines: list[TextLine] = []
    left: list[OcrLine] = []
    right: list[OcrLine] = []

    def flush() -> None:
        for column in (left, right):
            lines.extend(line for row in _rows(column) for line in _row_lines(row))
            column.clear()

    for row in _rows(boxes):
        if any(b.x0 < gutter < b.x1 for b in row):
            flush()
            lines.extend(_row_lines(row))
        else:
            left.extend(b for b in row if b.x1 <= gutter)
            right.extend(b for b in row if b.x0 >= gutter)
    flush()
    return lines


def _key(text: str) -> str:
    return re.sub(r"[\d\s]+", "", text)  # \d matches full-width digits too


def drop_running_headers(pages: list[list[str]]) -> list[list[str]]:
    """Remove a first (or last) line that recurs, digits aside, on at least 40% of the pages (three pages or more:
    on two pages a repeated line is as likely to be text)."""
    if len(pages) < 3:
        return pages
    result = [list(lines) for lines in pages]
    for position in (0, -1):
        keys = [_key(lines[position]) if lines else "" for lines in result]
        for index, key in enumerate(keys):
            if not key or len(key) > 40:
                continue
            similar = sum(1 for other in keys if other and difflib.SequenceMatcher(None, key, other).ratio() >= 0.8)
            if similar >= 3 and similar >= 0.4 * len(result):
                result[index] = result[index][1:] if position == 0 else result[index][:-1]
    return result
