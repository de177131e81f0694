"""Old and new side by side before an admin replaces a document: what changes, and whether the new one looks older.

A replacement by mistake (last year's file, the superseded edition) is silent data loss for members,
so the comparison names the year each text states in its header (通过/修订/修正 dates) and warns when
the new one is earlier.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from wuxue.numerals import fold_digits

HEADER_LINES = 3  # title, the (通过/修订) line, a date line: later lines are the text itself, whose years are its content
HEADER_CHARS = 600
FIRST_LINES = 8
LINE_CHARS = 120
DIFF_LINES = 80
DIFF_INPUT_LINES = 3000

_DATE = re.compile(r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
_ISO_YEAR = re.compile(r"\b((?:19|20)\d{2})(?:[-./]\d{1,2}(?:[-./]\d{1,2})?)?\b")


@dataclass
class VersionSide:
    """One side of the comparison (the indexed version, or the file about to replace it)."""

    title: str
    date: str
    stated_date: str
    stated_year: int | None
    filename: str
    size_bytes: int
    chars: int
    chunks: int
    first_lines: list[str]


@dataclass
class VersionComparison:
    doc_id: str
    current: VersionSide
    new: VersionSide
    diff: list[str]
    diff_truncated: bool
    added_lines: int
    removed_lines: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def stated_dates(text: str) -> list[tuple[int, str]]:
    """(year, as written) for every date in the text's header, e.g. 2017年10月24日 or 二〇二二年 (Chinese numerals too)."""
    lines = [line.strip() for line in text[: HEADER_CHARS * 4].splitlines() if line.strip()]
    header = fold_digits("\n".join(lines[:HEADER_LINES])[:HEADER_CHARS])
    return [(int(m.group(1)), m.group(0).replace(" ", "")) for m in _DATE.finditer(header)]


def _metadata_year(date: str) -> int | None:
    match = _ISO_YEAR.search(fold_digits(date)) or _DATE.search(fold_digits(date))
    return int(match.group(1)) if match else None


def _first_lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "…" for line in lines[:FIRST_LINES]]


def describe_side(*, title: str, date: str, filename: str, size_bytes: int, text: str, chunks: int) -> VersionSide:
    dates = stated_dates(text) + stated_dates(title)
    latest = max(dates, default=None)
    years = [year for year in (latest[0] if latest else None, _metadata_year(date)) if year]
    return VersionSide(title=title, date=date, stated_date=latest[1] if latest else "", stated_year=max(years) if years else None,
                       filename=filename, size_bytes=size_bytes, chars=len(text), chunks=chunks, first_lines=_first_lines(text))


def _diff(old: str, new: str) -> tuple[list[str], bool, int, int]:
    """A short unified diff of the cleaned texts (one line of context), and how many lines each side changes."""
    old_lines, new_lines = old.splitlines()[:DIFF_INPUT_LINES], new.splitlines()[:DIFF_INPUT_LINES]
    lines = list(difflib.unified_diff(old_lines, new_lines, "当前版本", "新文件", n=1, lineterm=""))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    shown = [line if len(line) <= LINE_CHARS + 1 else line[: LINE_CHARS + 1] + "…" for line in lines[:DIFF_LINES]]
    return shown, len(lines) > DIFF_LINES, added, removed


def compare_versions(doc_id: str, current: VersionSide, current_text: str, new: VersionSide, new_text: str) -> VersionComparison:
    diff, truncated, added, removed = _diff(current_text, new_text)
    warnings: list[str] = []
    if current.stated_year and new.stated_year and new.stated_year < current.stated_year:
        warnings.append(f"新文件看起来比当前版本更旧：新文件标明 {new.stated_year} 年（{new.stated_date or new.date}），"
                        f"当前版本标明 {current.stated_year} 年（{current.stated_date or current.date}）。请确认不是用旧版替换新版。")
    if current_text.strip() == new_text.strip():
        warnings.append("解析后的文字与当前版本完全相同：替换只会更换原文件。")
    elif new.chars < current.chars // 2:
        warnings.append(f"新文件的文字不到当前版本的一半（{new.chars} 字 / {current.chars} 字）：请确认文件完整。")
    return VersionComparison(doc_id=doc_id, current=current, new=new, diff=diff, diff_truncated=truncated,
                             added_lines=added, removed_lines=removed, warnings=warnings)
