"""Ruled tables on PDF text pages as row sentences that keep their column headers.

pypdf flattens a table into lines such as "三月 学习党章 周明远": the question 四月份学习主题是什么
then matches the March row as well as the April one. pdfplumber (on pdfminer.six) finds ruled
tables by their drawn lines; on a page where it finds one, the table's region is replaced by one
sentence per row (``月份：四月；学习主题：…；领学人：…。``, see :mod:`tables`) and the rest of the
page is read by pdfplumber around it, in reading order. A table that runs on to the next page (same
column rules, nothing above it there but a page number) keeps the header of its first page.

pypdf stays the extractor for every other page. pdfplumber is about twice as slow, so it only
sees pages PDFium says carry vector paths (a ruled table has to draw its rules); a page of plain
text, or one with a single rule under the header, never reaches it, and its text is unchanged.
Tables laid out with spaces but no rules are left as pypdf reads them: finding columns in
unruled Chinese prose mistakes justified lines for tables.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from wuxue.ingest.loaders.tables import looks_like_header, row_sentences

log = logging.getLogger(__name__)

MAX_TABLE_PAGES = 100  # pages of one file handed to pdfplumber; the rest keep pypdf's text
MAX_PATHS_PER_PAGE = 5000  # more vector paths than a table needs: a drawing or a hostile page, not worth the time
MAX_TABLES_PER_PAGE = 20  # a page with more keeps pypdf's text
MAX_CELLS_PER_TABLE = 2000  # likewise for a table with more cells
TIME_BUDGET = 30.0  # seconds of table finding per file, well inside the parse time limit (settings.parse_timeout)
_MERGE_TOLERANCE = 1.0  # points: a cell above reaching this close to a row's bottom spans that row
_GRID_TOLERANCE = 2.0  # points: column rules this close on consecutive pages are the same table's


@dataclass(frozen=True)
class PagePart:
    """A piece of a page's text in reading order; ``rows`` marks a table's row sentences, one a line."""

    text: str
    rows: bool = False


def _is_ruled(page: object) -> bool | None:
    """Whether a PDFium page draws enough paths for a grid: True, False, or None for too many to be worth it."""
    import pypdfium2.raw as pdfium_c

    count = 0
    area = False
    for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3):  # type: ignore[attr-defined]
        count += 1
        if count > MAX_PATHS_PER_PAGE:
            return None
        if not area and count == 1:
            left, bottom, right, top = path.get_bounds()
            area = right - left > 1 and top - bottom > 1  # one path drawing a box or a whole grid
    return area or count >= 2


def ruled_pages(data: bytes, numbers: Sequence[int]) -> list[int]:
    """Of the given 1-based pages, those that draw two or more paths, or one that encloses an area."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        found = []
        for number in numbers:
            page = document[number - 1]
            try:
                if _is_ruled(page):
                    found.append(number)
            finally:
                page.close()
        return found
    finally:
        document.close()


def _join_lines(text: str) -> str:
    """A cell's wrapped lines as one: Chinese lines run on, Latin words and numbers keep a space."""
    joined = ""
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if joined and joined[-1].isascii() and joined[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            joined += " "
        joined += line
    return joined


def _table_rows(table: object) -> list[list[str]]:
    """The rows' distinct cell texts: a cell merged across columns once, a cell merged down repeated in each row."""
    grid = table.extract()  # type: ignore[attr-defined]
    boxes = [row.cells for row in table.rows]  # type: ignore[attr-defined]
    rows: list[list[str]] = []
    for index, (cells, row_boxes) in enumerate(zip(grid, boxes)):
        row_bottom = max(box[3] for box in row_boxes if box)
        row: list[str] = []
        for column, cell in enumerate(cells):
            if cell is not None:
                row.append(_join_lines(cell))
                continue
            for above in range(index - 1, -1, -1):
                box = boxes[above][column]
                if box is not None:
                    if box[3] >= row_bottom - _MERGE_TOLERANCE:
                        row.append(_join_lines(grid[above][column] or ""))
                    break
        rows.append(row)
    return rows


def _is_table(rows: list[list[str]]) -> bool:
    """A header and at least one data row, two columns or more: a framed paragraph or a lone box is not a table."""
    return len(rows) >= 2 and max(len(row) for row in rows) >= 2 and sum(1 for row in rows if sum(1 for cell in row if cell) >= 2) >= 2


def _inside(obj: dict, bbox: tuple[float, float, float, float]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


@dataclass(frozen=True)
class _Table:
    rows: list[list[str]]
    columns: tuple[float, ...]  # the grid's x boundaries: a table continued on the next page has the same ones


@dataclass(frozen=True)
class _PageTables:
    tables: list[_Table]  # top to bottom
    texts: list[str]  # the text before the first table, between tables and after the last: one more than tables


def _read_page(page: object) -> _PageTables | None:
    """The page's tables and the text around them, or None when it holds no table (or more than the limits)."""
    found = page.find_tables()  # type: ignore[attr-defined]
    if not found or len(found) > MAX_TABLES_PER_PAGE or any(len(table.cells) > MAX_CELLS_PER_TABLE for table in found):
        return None
    tables = []
    for table in found:
        rows = _table_rows(table)
        if _is_table(rows):
            columns = tuple(sorted({round(x, 1) for cell in table.cells for x in (cell[0], cell[2])}))
            tables.append((table.bbox, _Table(rows, columns)))
    if not tables:
        return None
    tables.sort(key=lambda item: (item[0][1], item[0][0]))
    tops = [bbox[1] for bbox, _ in tables]

    def band(obj: dict) -> int:
        """How many tables start above the character: text before the first table is band 0."""
        middle = (obj["top"] + obj["bottom"]) / 2
        return sum(1 for top in tops if top <= middle)

    outside: dict[int, list[dict]] = {}
    for char in page.chars:  # type: ignore[attr-defined]
        if not any(_inside(char, bbox) for bbox, _ in tables):
            outside.setdefault(band(char), []).append(char)

    def text_of(number: int) -> str:
        chars = outside.get(number)
        if not chars:
            return ""
        ids = {id(char) for char in chars}
        return page.filter(lambda obj: id(obj) in ids).extract_text()  # type: ignore[attr-defined]

    return _PageTables([table for _, table in tables], [text_of(number) for number in range(len(tables) + 1)])


_FOLIO = re.compile(r"^[-—–·\s]*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+(?:\s*/\s*\d+)?)[-—–·\s]*$")


def _only_folio(text: str) -> bool:
    """Nothing but a page number ("- 3 -", 第3页, 3/10) or nothing at all: a table running on across the break."""
    return all(not line.strip() or _FOLIO.match(line) for line in text.splitlines())


def _same_grid(left: tuple[float, ...], right: tuple[float, ...]) -> bool:
    return len(left) == len(right) and all(abs(a - b) <= _GRID_TOLERANCE for a, b in zip(left, right))


def _parts(page: _PageTables, carried: tuple[list[str], tuple[float, ...]] | None) -> tuple[list[PagePart], list[str] | None]:
    """The page as parts in reading order, and the header of its last table when the page ends with it.

    ``carried`` is the header and grid of the table the previous page ended with: a first table with the
    same grid and nothing above it but a page number continues that table, so its rows take that header
    (unless it repeats the header row itself, as Word's 重复标题行 does).
    """
    parts: list[PagePart] = []
    header: list[str] | None = None
    for index, table in enumerate(page.tables):
        if page.texts[index].strip():
            parts.append(PagePart(page.texts[index]))
        rows = table.rows
        header = rows[0] if looks_like_header(rows[0]) else None
        if index == 0 and carried and _same_grid(carried[1], table.columns) and _only_folio(page.texts[0]):
            header = carried[0]
            if rows[0] != header:
                rows = [header, *rows]
        sentences = row_sentences(rows)
        if sentences:
            parts.append(PagePart("\n".join(sentences), rows=True))
    if page.texts[-1].strip():
        parts.append(PagePart(page.texts[-1]))
    return parts, header if _only_folio(page.texts[-1]) else None


def table_pages(data: bytes, numbers: Sequence[int], *, filename: str = "") -> dict[int, list[PagePart]]:
    """For the pages among ``numbers`` that hold a ruled table, the page's text as parts in reading order.

    Pages without a table, past the limits, or that pdfplumber cannot read are absent: the caller
    keeps pypdf's text for them. Never raises for a file pypdf could read.
    """
    try:
        candidates = ruled_pages(data, numbers)[:MAX_TABLE_PAGES]
    except Exception as exc:  # noqa: BLE001 - PDFium rejects what pypdf read: keep pypdf's text
        log.warning("cannot look for tables in %s: %s", filename, exc)
        return {}
    if not candidates:
        return {}
    import pdfplumber

    deadline = time.monotonic() + TIME_BUDGET
    found: dict[int, list[PagePart]] = {}
    carried: tuple[int, list[str], tuple[float, ...]] | None = None  # page, header and grid of a table running on
    try:
        with pdfplumber.open(io.BytesIO(data), pages=candidates) as pdf:
            for number, page in zip(candidates, pdf.pages):
                if time.monotonic() > deadline:
                    log.warning("table finding in %s stopped at page %d: time budget spent", filename, number)
                    break
                try:
                    tables = _read_page(page)
                except Exception as exc:  # noqa: BLE001 - one unreadable page keeps pypdf's text
                    log.warning("cannot read tables on page %d of %s: %s", number, filename, exc)
                    tables = None
                finally:
                    page.close()
                if tables is None:
                    carried = None
                    continue
                running_on = carried[1:] if carried and carried[0] == number - 1 else None
                parts, header = _parts(tables, running_on)
                if parts:
                    found[number] = parts
                carried = (number, header, tables.tables[-1].columns) if header else None
    except Exception as exc:  # noqa: BLE001 - pdfminer cannot open what pypdf read: keep pypdf's text
        log.warning("cannot look for tables in %s: %s", filename, exc)
        return {}
    return found
