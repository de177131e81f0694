"""Cleaning: drop web junk, normalise separators, rejoin hard-wrapped lines into paragraphs.

Keeps the page of every line, so the cleaned text can still say on which PDF
page each character stands.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from wuxue.ingest.document import RawDocument
from wuxue.ingest.patterns import CLOSERS, SENTENCE_END, STARTS_UNIT, STRUCTURE_PREFIX


@dataclass(frozen=True)
class Line:
    text: str
    page: int | None
    row: bool = False  # a table row sentence: a paragraph of its own


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u3000]+")
_JUNK_LINE_PATTERNS = [
    re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$"),          # base64-looking tokens from page scripts
    re.compile(r"^<?/?[a-zA-Z][a-zA-Z0-9]*\s*/?>$"),      # stray tags such as "/html>"
    re.compile(r"^(?:发布人|发布者|责任编辑|编辑|浏览次数|点击次数|阅读次数)\s*[:：]"),
    re.compile(r"^[•·●]?\s*(?:时间|发布时间|日期)\s*[:：]\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2})?$"),
    re.compile(r"^(?:分享到|打印本页|关闭窗口|返回顶部|【?字号】?.*|上一篇.*|下一篇.*)$"),
    re.compile(r"^[-—_=*·•\s]{3,}$"),
]
_SPACED_SHORT_HEADING = re.compile(r"^(?:[\u4e00-\u9fff] ){1,5}[\u4e00-\u9fff]$")


def normalize_line(text: str) -> str:
    """Strip invisible characters and indentation; one ASCII space after 第X条/章 markers."""
    text = text.translate(_INVISIBLE).replace("\r", "")
    text = _SPACES.sub(" ", text).strip()
    match = STRUCTURE_PREFIX.match(text)
    if match:
        rest = text[match.end():]
        if _SPACED_SHORT_HEADING.match(rest):
            rest = rest.replace(" ", "")
        text = f"{match.group(1)} {rest}".rstrip() if rest else match.group(1)
    elif _SPACED_SHORT_HEADING.match(text):
        text = text.replace(" ", "")
    return text


def is_junk(text: str) -> bool:
    return any(pattern.match(text) for pattern in _JUNK_LINE_PATTERNS)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END + "：:"


def _unbalanced(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _join(left: str, right: str) -> str:
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return " "
    return ""


def _wrap_width(lines: list[Line]) -> int:
    lengths = sorted(len(line.text) for line in lines if line.text)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0]


def looks_hard_wrapped(lines: list[str]) -> bool:
    """Text files copied from PDFs: most lines stop at one width without ending a sentence."""
    texts = [line for line in lines if line]
    if len(texts) < 8:
        return False
    width = statistics.median_high(len(t) for t in texts)
    if width < 15:
        return False
    full = [t for t in texts if len(t) >= width - 1]
    unfinished = [t for t in full if not _ends_sentence(t)]
    return len(full) >= 0.5 * len(texts) and len(unfinished) >= 0.5 * len(full)


def split_lines(raw: RawDocument) -> list[Line]:
    lines: list[Line] = []
    for block in raw.blocks:
        for piece in block.text.split("\n"):
            lines.append(Line(normalize_line(piece), block.page, block.rows))
    return lines


def group_paragraphs(lines: list[Line], *, hard_wrapped: bool) -> list[list[Line]]:
    """Group lines into paragraphs.

    Unwrapped text: every non-empty line is a paragraph, except that a line with an
    open bracket continues until it closes (two-line date headers). Hard-wrapped
    text: a line continues the previous one unless the previous one is short of
    the wrap width, or this one starts a structural unit (第X条, 一、, （一）…).
    """
    content = [line for line in lines if line.text and not is_junk(line.text) and not line.row]  # rows say nothing of the wrap width
    width = _wrap_width(content) if hard_wrapped else 0
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    line_iter = iter(lines)
    for line in line_iter:
        if not line.text or is_junk(line.text):
            if not hard_wrapped and not line.text and current and not _unbalanced("".join(x.text for x in current)):
                paragraphs.append(current)
                current = []
            continue
        if current and _continues(current, line, hard_wrapped=hard_wrapped, width=width):
            current.append(line)
        else:
            if current:
                paragraphs.append(current)
            current = [line]
    if current:
        paragraphs.append(current)
    return paragraphs


def _continues(current: list[Line], line: Line, *, hard_wrapped: bool, width: int) -> bool:
    joined = "".join(x.text for x in current)
    if _unbalanced(joined) and not STARTS_UNIT.match(line.text):
        return True
    if not hard_wrapped:
        return False
    if STARTS_UNIT.match(line.text):
        return False
    last = current[-1].text
    if STARTS_UNIT.match(current[0].text) and len(current) == 1 and len(last) < width * 0.6 and not _ends_sentence(last):
        return False  # a short heading line such as "第一章 总则"
    return len(last) >= width * 0.8 or not _ends_sentence(last) and len(last) >= width * 0.6


def _rows_apart(groups: list[list[Line]]) -> list[list[Line]]:
    """Every table row its own paragraph: a row sentence ends where the row ends, whatever its length."""
    result: list[list[Line]] = []
    for group in groups:
        current: list[Line] = []
        for line in group:
            if line.row:
                if current:
                    result.append(current)
                result.append([line])
                current = []
            else:
                current.append(line)
        if current:
            result.append(current)
    return result


def clean(raw: RawDocument) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Return (cleaned text, paragraph spans, page starts as (offset, page))."""
    lines = split_lines(raw)
    hard_wrapped = raw.hard_wrapped or looks_hard_wrapped([line.text for line in lines])
    groups = _rows_apart(group_paragraphs(lines, hard_wrapped=hard_wrapped))
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for group in groups:
        if parts:
            parts.append("\n")
            offset += 1
        start = offset
        paragraph = ""
        for line in group:
            glue = _join(paragraph, line.text) if paragraph else ""
            if line.page is not None and (not page_starts or page_starts[-1][1] != line.page):
                page_starts.append((offset + len(glue), line.page))
            paragraph += glue + line.text
            offset += len(glue) + len(line.text)
        parts.append(paragraph)
        spans.append((start, offset))
    return "".join(parts), spans, page_starts


def fold_for_search(text: str) -> str:
    """Full-width digits/letters to half-width and lower case, for matching only (never for display)."""
    return unicodedata.normalize("NFKC", text).lower()
